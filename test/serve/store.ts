// Stores for the server tests: the committed fixtures (three real Debian Module.symvers in two streams,
// two real kmods built for 6.1.0-47), or a store of hostile artifacts whose names and modinfo carry markup.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestArtifact, type Store } from '../../src/index.js';
import { type RunningServer, startServer } from '../../src/serve/index.js';
import { buildElf, modinfoSection, versionsSection } from '../helpers/elf-builder.js';
import { DEBIAN_VERSIONS, FIXTURES } from '../helpers/independent.js';
import { openTestStore, testDb } from '../helpers/test-store.js';

export const SYMVERS = {
  '6.1.0-54': { version: '6.1.190-1', stream: 'debian-6.1' },
  '6.1.0-55': { version: '6.1.192-1', stream: 'debian-6.1' },
  '6.12.117+deb12': { version: '6.12.117-1~deb12u1', stream: 'debian-6.12' },
} as const;

export const KMODS = ['acpi_call', 'v4l2loopback'] as const;

export const symversPath = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
export const kmodPath = (name: string) => join(FIXTURES, 'modules', 'kmods', '6.1.0-47', `${name}.ko`);

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** A store of the committed fixtures: entries 1–3 are the kernels (in SYMVERS order), 4–5 the kmods. */
export async function fixtureStore(): Promise<string> {
  const db = testDb(tempDir('kabi-serve-'));
  const store = await openTestStore(db);
  try {
    for (const [abi, l] of Object.entries(SYMVERS))
      await ingestArtifact(store, symversPath(abi), {
        labels: { distro: 'debian', stream: l.stream, version: l.version },
      });
    for (const k of KMODS) await ingestArtifact(store, kmodPath(k));
  } finally {
    await store.close();
  }
  return db;
}

/** Payloads that run script if they ever reach the DOM as markup; each sets window.__kabiPwned. */
export const HOSTILE = {
  script: '<script>window.__kabiPwned=1</script>',
  img: '<img/src=x/onerror=window.__kabiPwned=2>',
  js: 'javascript:window.__kabiPwned=3',
  svg: '"><svg/onload=window.__kabiPwned=4>',
  module: 'drivers/<iframe/src=javascript:window.__kabiPwned=5>',
  namespace: '<b/onmouseover=window.__kabiPwned=6>NS</b>',
  label: '<img src=x onerror="window.__kabiPwned=7;alert(7)">',
  license: '<script>window.__kabiPwned=8;alert(8)</script>',
  vermagic: '6.1.0-54-amd64 SMP <img src=x onerror=window.__kabiPwned=9> modversions ',
  description: '<a href="javascript:window.__kabiPwned=10">click</a>',
  import: '<img/src=x/onerror=window.__kabiPwned=11>',
} as const;

/**
 * Two hostile kernels (their symbols, modules, namespaces and labels carry markup) and a hostile kmod
 * (licence, vermagic, description, imported symbol names), ingested as any artifact would be.
 */
export async function hostileStore(): Promise<string> {
  const dir = tempDir('kabi-serve-hostile-');
  const db = testDb(dir);
  const line = (crc: string, sym: string, module: string, ns = '') =>
    `${crc}\t${sym}\t${module}\tEXPORT_SYMBOL\t${ns}`;
  const a = [
    line('0x00000001', HOSTILE.script, 'vmlinux'),
    line('0x00000002', HOSTILE.img, HOSTILE.module),
    line('0x00000003', HOSTILE.js, 'vmlinux', HOSTILE.namespace),
    line('0x00000004', 'kmalloc_trace', 'vmlinux'),
  ];
  const b = [
    line('0x00000011', HOSTILE.script, 'vmlinux'),
    line('0x00000002', HOSTILE.img, 'vmlinux'),
    line('0x00000013', HOSTILE.js, 'vmlinux', ''),
    line('0x00000005', HOSTILE.svg, HOSTILE.module, HOSTILE.namespace),
  ];
  writeFileSync(join(dir, 'a.symvers'), `${a.join('\n')}\n`);
  writeFileSync(join(dir, 'b.symvers'), `${b.join('\n')}\n`);
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    machine: 62,
    sections: [
      {
        name: '.modinfo',
        data: modinfoSection([
          `license=${HOSTILE.license}`,
          'name=evil',
          `vermagic=${HOSTILE.vermagic}`,
          `description=${HOSTILE.description}`,
        ]),
      },
      {
        name: '__versions',
        data: versionsSection(
          [
            [0x99, HOSTILE.import],
            [0x98, 'kmalloc_trace'],
          ],
          true,
          true,
        ),
      },
    ],
  });
  writeFileSync(join(dir, 'evil.ko'), elf);
  const store = await openTestStore(db);
  try {
    const labels = { distro: 'debian', stream: HOSTILE.label, note: HOSTILE.script };
    await ingestArtifact(store, join(dir, 'a.symvers'), {
      labels: { ...labels, release: '6.1.0-54-amd64', version: '1' },
    });
    await ingestArtifact(store, join(dir, 'b.symvers'), {
      labels: { ...labels, release: HOSTILE.svg, version: '2' },
    });
    await ingestArtifact(store, join(dir, 'evil.ko'), { labels: { name: HOSTILE.img } });
  } finally {
    await store.close();
  }
  return db;
}

/** The 11 builds in a new store, labelled as `kabi ingest -l` would (store-series.test.ts does the same). */
export async function debianSeriesStore(dir: string): Promise<string> {
  const db = testDb(tempDir('kabi-serve-real-'));
  const store = await openTestStore(db);
  try {
    for (const [abi, version] of Object.entries(DEBIAN_VERSIONS)) {
      const stream = abi.startsWith('6.1.0-') ? 'debian-6.1' : 'debian-6.12';
      await ingestArtifact(store, join(dir, `${abi}.symvers.xz`), {
        labels: { distro: 'debian', stream, version },
      });
    }
  } finally {
    await store.close();
  }
  return db;
}

export interface Served {
  server: RunningServer;
  store: Store;
  close(): Promise<void>;
}

/** Serves a store read-only on a free loopback port, as `kabi serve --port 0` does. */
export async function serve(
  db: string,
  opts: { recheckMs?: number; rateLimit?: number | false } = {},
): Promise<Served> {
  const store = await openTestStore(db, { readonly: true });
  const server = await startServer({ store, port: 0, ...opts });
  return {
    server,
    store,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
