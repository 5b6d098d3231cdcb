// Charts of `kabi simulate`: what each policy refuses and lets through, and what it costs the corpus.
import type { Simulation } from '../../analysis/simulate.js';
import type { SvgChart } from './chart.js';
import { groupedBars } from './grouped.js';
import { COLORS } from './svg.js';

export function simulateCharts(r: Simulation): SvgChart[] {
  const changes = groupedBars({
    id: 'simulate-changes',
    title: 'kABI changes each policy refuses and lets through',
    desc: 'Per policy: symbols removed or with a new CRC, refused within spans (kept out or fixed up) and let through at span starts.',
    caption: 'symbols',
    series: [
      { key: 'refused', label: 'refused', color: COLORS.removed },
      { key: 'let-through', label: 'let through', color: COLORS.added },
    ],
    groups: r.policies.map((p) => ({ label: p.policy, values: [p.refused, p.letThrough] })),
  });
  const corpus = groupedBars({
    id: 'simulate-corpus',
    title: 'What each policy costs the corpus',
    desc: 'Per policy: changes to symbols the corpus imports, refused and let through, and driver rebuilds.',
    caption: 'count',
    series: [
      { key: 'refused-consumed', label: 'refused, imported', color: COLORS.removed },
      { key: 'let-through-consumed', label: 'let through, imported', color: COLORS.crcChanged },
      { key: 'rebuilds', label: 'driver rebuilds', color: COLORS.line },
    ],
    groups: r.policies.map((p) => ({
      label: p.policy,
      values: [p.refusedConsumed, p.letThroughConsumed, p.rebuilds],
    })),
  });
  const packages = groupedBars({
    id: 'simulate-rebuilds',
    title: 'Driver rebuilds per package under each policy',
    desc: 'Per corpus package: how many times a span start changed one of its imports.',
    caption: 'rebuilds',
    series: r.policies.map((p) => ({ key: p.policy, label: p.policy })),
    groups: r.packages.map((p) => ({ label: p.name, values: p.rebuilds })),
  });
  return [changes, corpus, packages];
}
