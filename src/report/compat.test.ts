import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompatSeries } from '../analysis/compat-series.js';
import type { Verdict } from '../model/verdict.js';
import { compatRenderers, compatSeriesText, whyText } from './compat.js';

const loads = (kernel: string): Verdict => ({
  module: 'acpi_call',
  source: 'acpi_call.ko',
  kernel,
  loads: true,
  reasons: [],
  notes: [],
});

const fails = (kernel: string): Verdict => ({
  ...loads(kernel),
  loads: false,
  reasons: [
    {
      code: 'module-layout',
      message: 'acpi_call: disagrees about version of symbol module_layout (insmod: Invalid module format)',
      symbol: 'module_layout',
      wanted: 0x160c03af,
      offered: 0xbce1a965,
      module: 'vmlinux',
    },
    {
      code: 'crc-mismatch',
      message: 'acpi_call: disagrees about version of symbol proc_create (0xff2c8e5d vs 0xbd2feab0)',
      symbol: 'proc_create',
      wanted: 0xff2c8e5d,
      offered: 0xbd2feab0,
      module: 'vmlinux',
      alsoFails: true,
    },
  ],
});

describe('compat text', () => {
  it('counts every reason kabi why lists, and says each CRC pair once', () => {
    const matrix = compatRenderers.text([loads('6.1.0-47'), fails('6.1.0-50')]);
    assert.match(matrix, /^acpi_call {2}loads {5}FAIL 2/m);
    assert.match(matrix, /FAIL n: n reasons/);
    assert.doesNotMatch(matrix, / $/m, 'no trailing blanks');
    const why = whyText(fails('6.1.0-50'));
    assert.match(
      why,
      /module_layout \(insmod: Invalid module format\) \[wanted 0x160c03af, offered 0xbce1a965\]/,
    );
    assert.match(why, /proc_create \(0xff2c8e5d vs 0xbd2feab0\) \(exported by vmlinux\)$/m);
    assert.doesNotMatch(why, /wanted 0xff2c8e5d/);
  });

  it('series: the first failing build with the reason the loader meets first', () => {
    const s: CompatSeries = {
      kernels: ['6.1.0-47', '6.1.0-50'],
      totalRebuilds: 1,
      modules: [
        {
          module: 'acpi_call',
          verdicts: [loads('6.1.0-47'), fails('6.1.0-50')],
          firstFailure: { kernel: '6.1.0-50', symbols: ['module_layout', 'proc_create'] },
          rebuilds: [{ kernel: '6.1.0-50', symbols: ['module_layout', 'proc_create'], unfixable: [] }],
        },
      ],
    };
    const t = compatSeriesText(s);
    assert.match(t, /^ {2}acpi_call: stops loading on 6\.1\.0-50; 1 rebuild\(s\) at 6\.1\.0-50$/m);
    assert.match(t, /^ {4}why: acpi_call: disagrees about version of symbol module_layout .* \(\+1 more\)$/m);
    assert.match(t, /^ {4}2 symbol\(s\): module_layout, proc_create$/m);
  });
});
