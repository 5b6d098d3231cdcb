// kabi-tracker as another project gets it: `npm pack` of this checkout, unpacked into a scratch
// project's node_modules beside only the dependencies package.json declares (linked from this checkout,
// so the test needs no registry), then imported by name from JavaScript, type-checked from TypeScript
// and run through its bin.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

describe('the packed kabi-tracker, installed in a scratch project', { skip: needs('npm', 'tar') }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kabi-consumer-'));
  const installed = join(scratch, 'node_modules', 'kabi-tracker');
  after(() => rmSync(scratch, { recursive: true, force: true }));

  before(() => {
    const packed = JSON.parse(
      execFileSync(tool('npm'), ['pack', '--json', '--pack-destination', scratch], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { filename: string }[];
    mkdirSync(installed, { recursive: true });
    execFileSync(tool('tar'), [
      '-xzf',
      join(scratch, packed[0]!.filename),
      '-C',
      installed,
      '--strip-components=1',
    ]);
    for (const dep of [...Object.keys(manifest.dependencies), 'typescript', '@types/node']) {
      mkdirSync(join(scratch, 'node_modules', dep, '..'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', dep), join(scratch, 'node_modules', dep));
    }
    writeFileSync(join(scratch, 'package.json'), '{"name":"consumer","type":"module","private":true}\n');
  });

  it('imports by name, diffs two Module.symvers, and leaves the server to kabi-tracker/serve', () => {
    writeFileSync(
      join(scratch, 'use.mjs'),
      `import * as kabi from 'kabi-tracker';
import { startServer } from 'kabi-tracker/serve';
const a = kabi.parseModuleSymvers('0x00000001\\tprintk\\tvmlinux\\tEXPORT_SYMBOL\\t\\n', { source: 'a' });
const b = kabi.parseModuleSymvers('0x00000002\\tprintk\\tvmlinux\\tEXPORT_SYMBOL\\t\\n', { source: 'b' });
console.log(JSON.stringify({
  kinds: kabi.diffExports(a, b).map((c) => c.kind),
  server: 'startServer' in kabi,
  serve: typeof startServer,
}));
`,
    );
    const r = spawnSync(process.execPath, ['use.mjs'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { kinds: ['crc-changed'], server: false, serve: 'function' });
  });

  it('type-checks a TypeScript consumer against the shipped declarations, and rejects a wrong call', () => {
    // One tsc run over a good consumer and a bad one (each run spends its time on the shipped
    // declarations, not on these few lines): every error must be the bad one's, TS2345 among them.
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true },
        files: ['use.ts', 'bad.ts'],
      }),
    );
    const imports = `import { type Change, type KernelBuild, diffExports, parseModuleSymvers } from 'kabi-tracker';
import type { ServeOptions } from 'kabi-tracker/serve';
`;
    writeFileSync(
      join(scratch, 'use.ts'),
      `${imports}const a: KernelBuild = parseModuleSymvers('', { source: 'a' });
const changes: Change[] = diffExports(a, a);
export const n: number = changes.length;
export type Port = ServeOptions['port'];
`,
    );
    writeFileSync(join(scratch, 'bad.ts'), `${imports}export const n: string = diffExports(1, 2);\n`);
    const tsc = join(scratch, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', scratch], { cwd: scratch, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    assert.deepEqual(
      errors.filter((l) => !l.startsWith('bad.ts(')),
      [],
      'the good consumer and the shipped declarations type-check',
    );
    assert.ok(
      errors.some((l) => /^bad\.ts\(\d+,\d+\): error TS2345/.test(l)),
      r.stdout + r.stderr,
    );
  });

  it('ships every JSON Schema of schema/, the same bytes, importable as kabi-tracker/schema/NAME', () => {
    const names = readdirSync(join(ROOT, 'schema')).filter((f) => f.endsWith('.schema.json'));
    assert.ok(names.includes('compat.schema.json'), names.join(' '));
    assert.deepEqual(readdirSync(join(installed, 'schema')).sort(), names.sort());
    for (const n of names)
      assert.equal(
        readFileSync(join(installed, 'schema', n), 'utf8'),
        readFileSync(join(ROOT, 'schema', n), 'utf8'),
      );
    writeFileSync(
      join(scratch, 'schema.mjs'),
      `import s from 'kabi-tracker/schema/compat.schema.json' with { type: 'json' };
console.log(s.$id);
`,
    );
    const r = spawnSync(process.execPath, ['schema.mjs'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'urn:kabi-tracker:schema:v1:compat\n');
  });

  it('runs the kabi bin from the installed package', () => {
    const r = spawnSync(process.execPath, [join(installed, 'bin', 'kabi.js'), '--version'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("diffs two .symvers.xz with the installed bin, node-liblzma's binding found from there, as the checkout does", () => {
    const xz = (abi: string) => join(ROOT, 'test', 'fixtures', 'debian', `${abi}.symvers.xz`);
    const cut = join(scratch, 'cut.symvers.xz');
    writeFileSync(cut, readFileSync(xz('6.1.0-55')).subarray(0, 4000));
    const outcomes = [
      ['diff', '--format', 'json', xz('6.1.0-54'), xz('6.1.0-55')],
      ['diff', '--all', xz('6.1.0-56'), xz('6.12.117+deb12')],
      ['diff', cut, xz('6.1.0-55')],
    ].map((args) => {
      const run = (bin: string) =>
        spawnSync(process.execPath, [bin, ...args], {
          cwd: scratch,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
          maxBuffer: 1 << 26,
        });
      const mine = run(join(installed, 'bin', 'kabi.js'));
      const checkout = run(join(ROOT, 'bin', 'kabi.js'));
      assert.deepEqual(
        { status: mine.status, stdout: mine.stdout, stderr: mine.stderr },
        { status: checkout.status, stdout: checkout.stdout, stderr: checkout.stderr },
        args.join(' '),
      );
      return mine;
    });
    // Real reports, and the cut file named by the decoder, not a failure both sides share.
    assert.equal(outcomes[0]!.status, 0);
    assert.ok(JSON.parse(outcomes[0]!.stdout).summary.crcChanged > 0);
    assert.match(outcomes[1]!.stdout, /^kABI diff /);
    assert.equal(outcomes[2]!.status, 1);
    assert.match(outcomes[2]!.stderr, /cut\.symvers\.xz: corrupt or truncated xz data/);
  });
});
