// The whole of a real Debian kernel read from its linux-image package, checked against what Debian and
// kmod say: `kabi symvers` must equal linux-headers' Module.symvers line for line (as a set), and every
// module's imports must equal `modprobe --dump-modversions`. Downloads the packages (skips offline).
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatCrc, readModuleImage } from '../../src/index.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { dumpModversions } from '../helpers/modprobe.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

function modulesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? modulesUnder(p) : /\.ko(\.(xz|zst|gz))?$/.test(n) ? [p] : [];
  });
}

for (const abi of ['6.1.0-47', '6.12.117+deb12']) {
  const image = debianPackage(`linux-image-${abi}-amd64-unsigned`);
  const headers = debianPackage(`linux-headers-${abi}-amd64`);
  const skip =
    needs('dpkg-deb', 'tar') || ('skip' in image ? image.skip : 'skip' in headers ? headers.skip : false);

  describe(`Debian ${abi}: the linux-image package against linux-headers and kmod`, { skip }, () => {
    const deb = 'path' in image ? image.path : '';

    it('kabi symvers of the image equals the Module.symvers in linux-headers', () => {
      const want = execSync(
        `dpkg-deb --fsys-tarfile '${'path' in headers ? headers.path : ''}' | tar -xO --wildcards '*/Module.symvers'`,
        { maxBuffer: 1 << 28 },
      ).toString();
      const r = kabi(['symvers', deb]);
      assert.equal(r.status, 0, r.stderr);
      const got = new Set(r.stdout.split('\n').filter(Boolean));
      const expected = new Set(want.split('\n').filter(Boolean));
      assert.ok(expected.size > 20000);
      assert.deepEqual(
        [...expected].filter((l) => !got.has(l)),
        [],
        'lines of Module.symvers missing from kabi symvers',
      );
      assert.deepEqual(
        [...got].filter((l) => !expected.has(l)),
        [],
        'lines kabi symvers invented',
      );
    });

    it('the imports of every module equal modprobe --dump-modversions', {
      skip: needs('modprobe', 'dpkg-deb'),
    }, async () => {
      // dpkg-deb -x, once per run (other files read the same tree).
      const dir = await unpackedPackage(deb);
      const mods = modulesUnder(join(dir, 'lib', 'modules'));
      assert.ok(mods.length > 4000, `found ${mods.length} modules`);
      const theirs = await dumpModversions(mods);
      for (const m of mods) {
        const ours = (await readModuleImage(m)).imports
          .map((i) => `${formatCrc(i.crc)}\t${i.symbol}\n`)
          .join('');
        assert.equal(ours, theirs.get(m), m);
      }
    });
  });
}
