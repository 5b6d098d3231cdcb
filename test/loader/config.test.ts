// The loader's configuration as kabi reads it from Debian's real boot/config-6.1.0-47-amd64, the loader
// cases' modules as the reader sees them, and the command line that puts both together.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  formatLoaderLabel,
  loaderProfileOf,
  readKernelConfig,
  readModuleImage,
  vermagicOf,
} from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { LOADER, modulePath, readRecorded } from '../helpers/loader-cases.js';

const CONFIG = join(LOADER, 'config-6.1.0-47-amd64.xz');
const SYMVERS = join(FIXTURES, 'debian', '6.1.0-47.symvers.xz');
const recorded = readRecorded();

/** A matrix row: the module, its identity columns (from, built for), then its cell. */
const row = (module: string, cell: string) => new RegExp(`^${module} +.+ {2}${cell}$`, 'm');

describe("Debian 6.1.0-47's configuration and the loader cases' modules", () => {
  it('gives the switches the kernel was booted with, and the vermagic its modules carry', async () => {
    const config = await readKernelConfig(CONFIG);
    assert.equal(
      formatLoaderLabel(loaderProfileOf(config, null)),
      Object.entries(recorded.config)
        .map(([k, v]) => `${k.replace(/^CONFIG_/, '')}=${v}`)
        .join(' '),
    );
    assert.equal(vermagicOf(config, recorded.kernel.release), recorded.kernel.vermagic);
  });

  it('sees the signature trailer and the undefined symbols the loader resolves', async () => {
    const [crc16, clean, missing, bare] = await Promise.all(
      ['crc16', 'clean', 'missing_record', 'no_versions'].map((c) => readModuleImage(modulePath(c))),
    );
    assert.equal(crc16!.signed, true);
    assert.equal(clean!.signed, false);
    assert.deepEqual(
      clean!.needs?.sort(),
      clean!.imports
        .map((i) => i.symbol)
        .filter((s) => s !== 'module_layout')
        .sort(),
    );
    assert.ok(missing!.needs?.includes('_printk') && !missing!.imports.some((i) => i.symbol === '_printk'));
    assert.equal(bare!.modversions, 'none');
    assert.deepEqual(bare!.needs?.sort(), ['__fentry__', '__x86_return_thunk', '_printk']);
  });

  it('kabi compat --config: a Module.symvers judged with the configuration it lacks', () => {
    const without = kabi(['compat', '-m', LOADER, '-k', SYMVERS]);
    assert.equal(without.status, 8, without.stderr);
    assert.match(without.stdout, row('no_versions', 'FAIL 1'));
    assert.match(
      without.stdout,
      /^\(depend on what kabi does not know of the kernel: .*CONFIG_MODULE_FORCE_LOAD/m,
    );
    const r = kabi(['compat', '-m', LOADER, '-k', SYMVERS, '--config', CONFIG]);
    assert.equal(r.status, 8, r.stderr);
    assert.match(r.stdout, row('clean', 'taints OE'));
    assert.match(r.stdout, row('no_versions', 'taints FOE'));
    assert.match(r.stdout, row('proprietary', 'taints POE'));
    assert.match(r.stdout, row('wrong_crc', 'FAIL 1'));
    // The vendor (Debian's missing-record rule) is in the image's banner, not in the configuration.
    assert.match(r.stdout, row('missing_record', 'taints OE'));
    assert.match(r.stdout, /^\(depend on what kabi does not know of the kernel: vendor;/m);
  });

  it('kabi why: loads, taints the kernel, and why; --sig-enforce refuses it first', () => {
    const clean = join(LOADER, 'clean', 'clean.ko');
    const r = kabi(['why', clean, SYMVERS, '--config', CONFIG]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^clean on 6\.1\.0-47: LOADS, TAINTS THE KERNEL: out-of-tree \(O\), unsigned \(E\)$/m,
    );
    assert.match(
      r.stdout,
      /^ {2}taint E: clean: module verification failed: signature and\/or required key missing - tainting kernel$/m,
    );
    const enforced = kabi(['why', clean, SYMVERS, '--config', CONFIG, '--sig-enforce', '-f', 'json']);
    assert.equal(enforced.status, 8, enforced.stderr);
    const [v] = JSON.parse(enforced.stdout) as { state: string; reasons: { code: string }[] }[];
    assert.equal(v!.state, 'fails');
    assert.equal(v!.reasons[0]!.code, 'unsigned');
  });
});
