// Verdicts of real Debian kmods (../shared/data/debian/kmods, built against several ABIs) on real Debian
// kernels, checked against an independent computation: modprobe --dump-modversions against the kernel's
// Module.symvers (every (symbol, crc) pair must be exported with that CRC).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CompatJson, expandCompatJson } from '../../src/index.js';
import { ingestSeries, kabi } from '../helpers/exec.js';
import { loadSymvers, sharedSymversDir } from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';

const symvers = sharedSymversDir();
const kmods = symvers ? join(symvers, '..', 'kmods') : null;
const skip =
  !symvers || !kmods || !existsSync(kmods) ? 'no ../shared/data beside the checkout' : needs('modprobe');

describe('compat verdicts on real Debian kmods and kernels', { skip }, () => {
  it('match modprobe --dump-modversions against each Module.symvers, and name the broken symbols', {
    skip: storeFree,
  }, () => {
    const kernels = ['6.1.0-47', '6.1.0-50', '6.1.0-55', '6.1.0-56'];
    const tables = new Map(kernels.map((k) => [k, loadSymvers(join(symvers!, `${k}.symvers.xz`))]));
    let checked = 0;
    for (const built of readdirSync(kmods!).filter((d) => kernels.includes(d))) {
      for (const src of ['acpi-call-1.2.2', 'v4l2loopback-0.12.7']) {
        const dir = join(kmods!, built, src);
        if (!existsSync(dir)) continue;
        for (const ko of readdirSync(dir).filter((f) => f.endsWith('.ko'))) {
          const path = join(dir, ko);
          const pairs = execFileSync(tool('modprobe'), ['--dump-modversions', path], { encoding: 'utf8' })
            .trim()
            .split('\n')
            .map((l) => l.split('\t') as [string, string]);
          const r = kabi([
            'compat',
            '--format',
            'json',
            '-m',
            path,
            '-k',
            ...kernels.map((k) => join(symvers!, `${k}.symvers.xz`)),
          ]);
          const verdicts = expandCompatJson(JSON.parse(r.stdout) as CompatJson);
          for (const k of kernels) {
            const table = tables.get(k)!;
            const bad = pairs
              .filter(([crc, sym]) => table.get(sym)?.crc !== crc.toLowerCase())
              .map(([, sym]) => sym)
              .sort();
            const v = verdicts.find((x) => x.kernel === k)!;
            assert.equal(v.loads, bad.length === 0, `${built}/${ko} on ${k}`);
            const named = v.reasons
              .filter((x) => x.symbol)
              .map((x) => x.symbol!)
              .sort();
            assert.deepEqual(named, bad, `${built}/${ko} on ${k}: the symbols that break it`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 16, `checked ${checked} module × kernel pairs`);
  });

  it('compat --series: first failure and rebuild count over the stored 6.1 series, as an independent walk says', () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-compat-')));
    const series = ['6.1.0-47', '6.1.0-50', '6.1.0-53', '6.1.0-54', '6.1.0-55', '6.1.0-56'];
    ingestSeries(
      db,
      'debian-6.1',
      series.map((k) => join(symvers!, `${k}.symvers.xz`)),
    );
    for (const src of ['acpi-call-1.2.2/acpi_call.ko', 'v4l2loopback-0.12.7/v4l2loopback.ko']) {
      const ko = join(kmods!, '6.1.0-47', src);
      const r = kabi([
        '--db',
        db,
        'compat',
        '--series',
        'stream=debian-6.1',
        '--by',
        'seq',
        '-m',
        ko,
        '--format',
        'json',
      ]);
      const j = JSON.parse(r.stdout) as {
        modules: { firstFailure: { kernel: string } | null; rebuilds: { kernel: string }[] }[];
      };
      // Independent: pin the module's (symbol, crc) pairs; on a build where one differs, rebuild (re-pin).
      let pinned = new Map(
        execFileSync(tool('modprobe'), ['--dump-modversions', ko], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((l) => l.split('\t').reverse() as [string, string]),
      );
      const rebuilds: string[] = [];
      for (const k of series) {
        const table = loadSymvers(join(symvers!, `${k}.symvers.xz`));
        if ([...pinned].some(([sym, crc]) => table.get(sym)?.crc !== crc.toLowerCase())) {
          rebuilds.push(k);
          pinned = new Map([...pinned].map(([sym, crc]) => [sym, table.get(sym)?.crc ?? crc]));
        }
      }
      const m = j.modules[0]!;
      assert.deepEqual(
        m.rebuilds.map((x) => x.kernel),
        rebuilds,
        src,
      );
      assert.equal(m.firstFailure?.kernel ?? null, rebuilds[0] ?? null);
    }
  });

  it('a module built for 6.1.0-55 loads on 6.1.0-56 (identical ABI), and why says so', {
    skip: storeFree,
  }, () => {
    const ko = join(kmods!, '6.1.0-55', 'v4l2loopback-0.12.7', 'v4l2loopback.ko');
    const r = kabi(['why', ko, join(symvers!, '6.1.0-56.symvers.xz')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^v4l2loopback on 6\.1\.0-56: LOADS/);
    assert.match(r.stdout, /note: vermagic not checked/);
  });
});
