// A progress line on stderr while thousands of modules are read: on a terminal only, never in pipes or CI.
import type { SingleBar } from 'cli-progress';

/**
 * cli-progress is CommonJS: its module.exports is the namespace's `default` both in Node and in the bundle,
 * whose chunk for it exports nothing else (named exports from the CommonJS lexer exist in Node only).
 */
export async function cliProgress(): Promise<typeof import('cli-progress')> {
  return (await import('cli-progress')).default;
}

export async function moduleProgress(
  label: string,
): Promise<{ update: (done: number, total: number | null) => void; stop: () => void }> {
  if (!process.stderr.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const { SingleBar: Bar } = await cliProgress();
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
