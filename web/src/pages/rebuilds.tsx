// The per-package view both kmod pages share: the builds a package survives, those that force a rebuild
// and the symbols to blame; and the figures `kabi compat --series` prints (failing modules per build,
// module and package rebuilds).
import type { ComponentChildren } from 'preact';
import type { PackageTimeline, SeriesCounts } from '../api';
import { DataTable } from '../ui';

const blamed = (p: PackageTimeline) => [...new Set(p.rebuilds.flatMap((r) => r.symbols))].sort();

const MAX_SYMBOLS = 8;

export function PackagesTable({
  packages,
  kmod,
}: {
  packages: PackageTimeline[];
  /** The kmod column's cell of each package, when the table lists several kmods. */
  kmod?: (i: number) => ComponentChildren;
}) {
  return (
    <DataTable
      id="packages"
      head={
        <>
          {kmod && <th>kmod</th>}
          <th>package</th>
          <th>built for</th>
          <th class="num">modules</th>
          <th>survives</th>
          <th>rebuild at</th>
          <th class="num">module rebuilds</th>
          <th>symbols to blame</th>
        </>
      }
    >
      {packages.map((p, i) => {
        const symbols = blamed(p);
        return (
          <tr key={`${p.package}\0${p.builtFor}`}>
            {kmod && <td>{kmod(i)}</td>}
            <td>{p.package ?? '(modules given alone)'}</td>
            <td>{p.builtFor ?? '?'}</td>
            <td class="num">{p.modules.length}</td>
            <td class="survives">{p.survives.join(', ') || 'none'}</td>
            <td class="rebuild-at">{p.rebuilds.map((r) => r.kernel).join(', ') || 'none'}</td>
            <td class="num">{p.rebuilds.reduce((n, r) => n + r.modules.length, 0)}</td>
            <td title={symbols.join('\n')}>
              {symbols.slice(0, MAX_SYMBOLS).join(', ')}
              {symbols.length > MAX_SYMBOLS && ` … (${symbols.length} in all)`}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

export function RebuildCounts({ counts, builds }: { counts: SeriesCounts; builds: { name: string }[] }) {
  return (
    <p class="meta" id="rebuild-counts">
      Failing modules as built: {builds.map((b, i) => `${b.name} ${counts.failing[i] ?? 0}`).join(', ')}.
      Rebuilds across the series: <strong>{counts.totalRebuilds}</strong> module rebuilds,{' '}
      <strong>{counts.packageRebuilds}</strong> package rebuilds (a rebuild is needed where the module built
      for the previous build does not load).
    </p>
  );
}
