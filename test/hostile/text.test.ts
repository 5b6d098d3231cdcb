// Every text reader refuses text that is not UTF-8 (or holds a NUL) with a typed error naming the file,
// the line and the byte offset of the first bad byte, and what it expected. Fixtures: one bad byte each
// in an otherwise valid file of each format (test/fixtures/hostile/text, made by generate.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ArtifactFormatError,
  changelogDateOf,
  loadPolicy,
  readExportsArtifact,
  readKernelExports,
} from '../../src/index.js';
import { readKernelConfig } from '../../src/readers/kernel-config.js';
import { readAptSources } from '../../src/readers/repo/apt-sources.js';
import { parsePackagesIndex } from '../../src/readers/repo/debian-packages.js';
import { readStablelist } from '../../src/readers/stablelist/index.js';
import { decodeText } from '../../src/readers/text-decode.js';
import { FIXTURES } from '../helpers/independent.js';

const DIR = join(FIXTURES, 'hostile', 'text');
const at = (name: string) => join(DIR, name);

/** The error `run` throws, checked to be an ArtifactFormatError at `name`'s line and byte offset. */
async function refuses(
  run: () => Promise<unknown>,
  want: { source: string; line: number; offset: number; reason: RegExp },
): Promise<ArtifactFormatError> {
  const e = await run().then(
    () => assert.fail(`${want.source}: read without error`),
    (e: unknown) => e,
  );
  assert.ok(e instanceof ArtifactFormatError, `${want.source}: ${String(e)}`);
  assert.equal(e.source, want.source);
  assert.equal(e.line, want.line, e.message);
  assert.equal(e.offset, want.offset, e.message);
  assert.match(e.reason, want.reason);
  return e;
}

/** Line and offset found independently: the first byte the platform's decoder replaces, or the NUL. */
function firstBad(bytes: Buffer): { line: number; offset: number } {
  const text = bytes.toString('latin1');
  let offset = text.indexOf('\0');
  if (offset === -1) {
    const lenient = new TextDecoder().decode(bytes);
    const good = lenient.slice(0, lenient.indexOf('\ufffd'));
    offset = Buffer.byteLength(good);
  }
  return { line: text.slice(0, offset).split('\n').length, offset };
}

const placed = (name: string, bytes = readFileSync(at(name))) => ({ source: at(name), ...firstBad(bytes) });

describe('text readers name the line and byte offset of what is not UTF-8 text', () => {
  for (const name of ['latin1.symvers', 'nul.symvers', 'overlong.symvers', 'provides.txt', 'ubuntu.abi']) {
    it(`kernel exports: ${name}`, async () => {
      const want = {
        ...placed(name),
        reason: /^(invalid UTF-8 \(.+\)|binary data \(NUL byte\)), expected a text file of kernel exports/,
      };
      await refuses(() => readKernelExports(at(name)), want);
      // Sniffed as an artifact first (the path `diff`, `check` and `ingest` take), the same error.
      await refuses(() => readExportsArtifact(at(name)), { ...want, reason: /^(invalid UTF-8|binary data)/ });
    });
  }

  it('the exact message: file, line, offset, the bad byte, what was expected, the line around it', async () => {
    const e = await refuses(() => readKernelExports(at('latin1.symvers')), {
      ...placed('latin1.symvers'),
      reason: /./,
    });
    assert.equal(e.line, 3);
    assert.equal(
      e.message,
      `${at('latin1.symvers')}:3@0x71: invalid UTF-8 (\\xe9), expected a text file of kernel exports (Module.symvers, RPM provides, Ubuntu abi) | 0x9abcdef0\\tcafe_init\\tdrivers/caf\\xe9/cafe\\tEXPORT_SYMBOL_GPL\\t`,
    );
  });

  it('a policy, and the stablelist it names', async () => {
    await refuses(() => loadPolicy({ policyPath: at('policy') }), {
      ...placed('policy'),
      reason: /^invalid UTF-8 \(\\xe9\), expected a policy file$/,
    });
    await refuses(() => loadPolicy({ policyPath: at('good.policy') }), {
      ...placed('stablelist.txt'),
      reason: /expected a kABI stablelist text file/,
    });
    await refuses(() => readStablelist(at('stablelist.txt')), {
      ...placed('stablelist.txt'),
      reason: /expected a kABI stablelist text file/,
    });
  });

  it('a kernel .config', async () => {
    await refuses(() => readKernelConfig(at('config')), {
      ...placed('config'),
      reason: /expected a kernel \.config/,
    });
  });

  it('a Debian changelog: the line and offset in the decompressed text', async () => {
    const gz = readFileSync(at('changelog.Debian.gz'));
    const { gunzipSync } = await import('node:zlib');
    const e = await refuses(() => changelogDateOf(gz, 'changelog.Debian.gz'), {
      source: 'changelog.Debian.gz',
      ...firstBad(gunzipSync(gz)),
      reason: /expected a Debian changelog in UTF-8/,
    });
    assert.equal(e.line, 5);
  });

  it('apt sources: a warning naming the file, line and offset; the good file still read', async () => {
    const config = await readAptSources(at('apt'));
    assert.equal(config.sources.length, 1);
    const bad = at('apt/sources.list.d/bad.list');
    const { line, offset } = firstBad(readFileSync(bad));
    assert.deepEqual(config.warnings, [
      `${bad}:${line}@0x${offset.toString(16)}: invalid UTF-8 (\\xe9), expected an apt sources file | # caf\\xe9`,
    ]);
  });

  it('a Debian Packages index, decoded as the fetcher decodes it', async () => {
    const url = 'http://mirror/dists/bookworm/main/binary-amd64/Packages';
    await refuses(
      async () =>
        parsePackagesIndex(decodeText(readFileSync(at('Packages')), url, 'a Debian Packages index'), {
          source: url,
        }),
      { ...placed('Packages'), source: url, reason: /expected a Debian Packages index/ },
    );
  });
});
