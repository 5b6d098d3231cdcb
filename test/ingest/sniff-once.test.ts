// Every entry point sniffs its artifact once: ingest, the exports reader, the module corpus and the
// kernel-with-BTF reader each publish exactly one sniff per path (src/readers/artifact.ts), and the
// readers they dispatch to work on what was sniffed.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ingestArtifact, readExportsArtifact, readKernelWithBtf, readModuleCorpus } from '../../src/index.js';
import { sniffChannel } from '../../src/readers/artifact.js';
import { FIXTURES } from '../helpers/independent.js';
import { openTestStore, testDb } from '../helpers/test-store.js';

const MODULES = join(FIXTURES, 'modules');
const TREE = join(MODULES, 'lib', 'modules', '6.1.0-47-amd64');
const KMODS = join(MODULES, 'kmods', '6.1.0-47');
const SYMVERS = join(FIXTURES, 'debian', '6.1.0-54.symvers.xz');
const KO = join(KMODS, 'acpi_call.ko');

/** The paths sniffed while `work` runs, in order. */
async function sniffed(work: () => Promise<unknown>): Promise<string[]> {
  const paths: string[] = [];
  const listen = (m: unknown) => paths.push((m as { path: string }).path);
  sniffChannel.subscribe(listen);
  try {
    await work();
  } finally {
    sniffChannel.unsubscribe(listen);
  }
  return paths;
}

describe('one sniff per artifact', () => {
  it('ingest: a module tree, a directory of kmods, a Module.symvers.xz and a single .ko', async () => {
    const store = await openTestStore(testDb(mkdtempSync(join(tmpdir(), 'kabi-sniff-')), 'k.db'));
    try {
      for (const path of [TREE, KMODS, SYMVERS, KO]) {
        const paths = await sniffed(() => ingestArtifact(store, path, { labels: { t: path } }));
        assert.deepEqual(paths, [path], path);
      }
      const kinds = (await store.list()).map((e) => `${e.kind} ${e.format}`);
      assert.deepEqual(kinds, [
        'kernel kernel-binaries',
        'kmod kernel-binaries',
        'kernel module-symvers',
        'kmod kernel-binaries',
      ]);
    } finally {
      await store.close();
    }
  });

  it('the exports reader, the module corpus and the kernel-with-BTF reader', async () => {
    assert.deepEqual(await sniffed(() => readExportsArtifact(TREE)), [TREE]);
    assert.deepEqual(await sniffed(() => readExportsArtifact(SYMVERS)), [SYMVERS]);
    assert.deepEqual(await sniffed(() => readModuleCorpus([KMODS, KO])), [KMODS, KO]);
    assert.deepEqual(await sniffed(() => readKernelWithBtf(SYMVERS)), [SYMVERS]);
  });
});
