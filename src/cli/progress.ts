// A progress line on stderr while thousands of modules are read: on a terminal only, never in pipes or CI.
import type { SingleBar } from 'cli-progress';

export async function moduleProgress(
  label: string,
): Promise<{ update: (done: number, total: number | null) => void; stop: () => void }> {
  if (!process.stderr.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const { SingleBar: Bar } = await import('cli-progress');
  const bar: SingleBar = new Bar(
    {
      format: `${label} {value} modules read`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    undefined,
  );
  bar.start(0, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
