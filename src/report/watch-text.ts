// `kabi watch --format text`: one line per event, as it happens (the JSON form is the event itself).
import type { WatchEvent } from '../analysis/watch-round.js';
import { printable } from '../errors.js';
import { labelOf } from '../model/labels.js';

const nameOf = (e: { id: number; labels: Record<string, string> }) =>
  `entry ${e.id} (${printable(labelOf(e.labels, 'uname') ?? labelOf(e.labels, 'release') ?? '?')})`;

export function watchEventText(e: WatchEvent): string {
  const pkg =
    e.package === null ? '' : ` ${printable(e.package.name)} ${printable(e.package.version)}`.trimEnd();
  const where = printable(e.source);
  if (e.type !== 'build') return `${e.type}\t${where}${pkg}: ${printable(e.message ?? '')}\n`;
  const parts = [`${e.created ? 'new' : 'known'} ${nameOf(e.entry!)}`];
  if (e.gate === null)
    parts.push(e.entry!.kind === 'kernel' ? 'first of its stream, not gated' : 'a kmod, not gated');
  else {
    const s = e.gate.summary;
    parts.push(
      `${e.gate.verdict} against ${nameOf(e.baseline!)} (fail ${s.fail}, warn ${s.warn}, ignore ${s.ignore})`,
    );
  }
  if (e.compat !== null) {
    const failing = e.compat.failing.map((f) => printable(f.module)).join(', ');
    parts.push(`compat ${e.compat.loads}/${e.compat.modules} load${failing ? `; fail: ${failing}` : ''}`);
  }
  if (e.message !== null) parts.push(printable(e.message));
  return `build\t${where}${pkg}: ${parts.join('; ')}\n`;
}
