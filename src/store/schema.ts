// The store's schema, as an ordered list of migrations. `PRAGMA user_version` records how many have run;
// opening a store runs the missing ones in one transaction. Never edit a released migration: add one.
// See docs/store.md.
//
// Dedup: symbol, module and namespace names are interned in `names`; an export tuple (symbol, crc, module,
// export type, namespace) is one row of `exports`; a build points at an `id_sets` row that lists its export
// ids, shared by every build with the same set. Module images (kmods) and their imports likewise.
// Unknown values are stored as sentinels, not NULL, because SQLite's UNIQUE treats NULLs as distinct:
// crc -1, module/namespace name id 0, export type 0.
//
// Migration 2 (kfuncs): a kernel build's BPF kfuncs, as a list shared by every build with the same
// kfuncs (unique by digest, like id_sets); module '' is vmlinux, flags -1 unknown (decl tags alone),
// sets a JSON array of set names.
//
// Migration 3 (the loader's rules): a kmod's module image keeps the symbols it leaves undefined (`needs`,
// a JSON array: the loader resolves those without a `__versions` record too) and whether a signature is
// appended (`signed`, 0/1). NULL for images stored before: unknown, and the verdicts say so.
//
// Migration 4 (release and flavour apart): a Debian release stored whole (release=6.1.0-55-amd64, with
// abi=6.1.0-55 and flavour=amd64 beside it) becomes release=6.1.0-55 and uname=6.1.0-55-amd64, as
// ingest now writes it, so that the package and the Module.symvers of one build share a release.
//
// Migration 5 (series from records): a kernel build's export set keeps its exports as columns (symbol,
// CRC, module, export type, namespace as numbers; sqlite-export-columns.ts) and its crcDigest, written
// at ingest, so a series reads one record per build. Sets stored before get theirs from their export rows
// in the same transaction (fillExportColumns, in code), or from `kabi migrate`.
//
// Migration 6 (types for explain): a kernel build's type digest (model/type-digest.ts): `entry_types`
// holds its index (the node keys as gzipped JSON, and 16 bytes of hashes per node), `type_defs` each
// distinct definition once by its def hash (hex), shared by every build that has it: a JSON text at
// bytes `at`..`at + length` of a gzipped pack in `type_packs` (one per ingest, of the definitions no
// build had yet).
//
// Migration 7 (BTF for bpf-compat): a kernel build's BTF as the kernel has it: vmlinux's .BTF (module '')
// and the split .BTF of the modules that offer kfuncs, each blob zstd-compressed once by its sha256 in
// `btf_blobs` and shared by every build with the same bytes. `kabi bpf-compat --series` reads them.
//
// Migration 8 (kabi watch): what a watcher has seen, per source, so a restart does not ingest or report
// again. `watch_sources` keeps the validators (ETag, Last-Modified, and the SHA-256 of the body) of each
// source's top index;
// `watch_seen` one row per package handled (ingested, or rejected: verified but unreadable), with the
// event reported as JSON; its id orders events for the dashboard's stream.
//
// Migration 9 (kabi watch, several watchers): `watch_claims` holds one row per package a watcher is
// handling (unique per source and key), taken in an IMMEDIATE transaction before the download, with a
// lease (`expires_at`, ms since the epoch) that the holder renews while it works; a lease run out may be
// taken over. The row goes when the package's `watch_seen` row is written (sqlite-watch-claims.ts).
//
// Migration 10 (compat's facts): `module_loader` keeps, per module image, what the loader's verdicts read
// of it (its import and export ids, undeflated; the modinfo keys they read; its undefined symbols without
// a `__versions` record; `signed` again), written at ingest (module-loader-facts.ts). `kabi compat` reads
// that instead of the whole modinfo, needs and id sets. A table of its own: a column of module_images
// would sit behind modinfo and needs, whose overflow pages SQLite reads to reach it. SQL cannot decode the
// deflated id sets to fill it for the images stored before: sqlite-open.ts does, in code, in the same
// transaction (sqlite-loader-backfill.ts), and `kabi migrate` for any image still without a row.
//
// Migration 11 (BTF for explain): `entry_module_btf` keeps, per kernel entry, the list of the split .BTF
// of every module read with its BTF (each that exports, each that offers kfuncs), and
// `entry_module_btf_frames` their bytes in zstd frames of ~512 KB, a row each (module-btf-pack.ts): explain
// reads the frames of the few modules its symbols need. `kabi explain` of store refs reads them beside
// vmlinux's .BTF (migration 7), as it reads a package's. An entry stored before has none, and keeps its
// type digest (migration 6), which explain still reads; ingest no longer makes one (it cost about a second
// of each package's ingest).

export const MIGRATIONS: string[] = [
  `
  CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  INSERT INTO names (id, name) VALUES (0, '');
  CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    symbol INTEGER NOT NULL REFERENCES names(id),
    crc INTEGER NOT NULL,
    module INTEGER NOT NULL,
    export_type INTEGER NOT NULL,
    namespace INTEGER NOT NULL,
    UNIQUE (symbol, crc, module, export_type, namespace)
  );
  CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    symbol INTEGER NOT NULL REFERENCES names(id),
    crc INTEGER NOT NULL,
    UNIQUE (symbol, crc)
  );
  CREATE TABLE id_sets (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('exports', 'imports')),
    digest TEXT NOT NULL,
    count INTEGER NOT NULL,
    ids BLOB NOT NULL,
    UNIQUE (kind, digest)
  );
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('kernel', 'kmod')),
    artifact INTEGER NOT NULL REFERENCES artifacts(id),
    exports INTEGER NOT NULL REFERENCES id_sets(id),
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE labels (
    entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (entry, key)
  ) WITHOUT ROWID;
  CREATE INDEX labels_by_value ON labels (key, value);
  CREATE TABLE module_images (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT,
    vermagic TEXT,
    license TEXT,
    srcversion TEXT,
    modversions TEXT NOT NULL,
    has_btf INTEGER NOT NULL,
    elf TEXT NOT NULL,
    modinfo TEXT NOT NULL,
    imports INTEGER NOT NULL REFERENCES id_sets(id),
    exports INTEGER NOT NULL REFERENCES id_sets(id)
  );
  CREATE TABLE entry_modules (
    entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    name TEXT NOT NULL,
    image INTEGER REFERENCES module_images(id),
    PRIMARY KEY (entry, file)
  ) WITHOUT ROWID;
  CREATE TABLE entry_builtin (
    entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (entry, name)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE kfunc_lists (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    count INTEGER NOT NULL
  );
  CREATE TABLE kfuncs (
    list INTEGER NOT NULL REFERENCES kfunc_lists(id) ON DELETE CASCADE,
    module TEXT NOT NULL,
    name TEXT NOT NULL,
    prototype TEXT NOT NULL,
    signature TEXT NOT NULL,
    flags INTEGER NOT NULL,
    sets TEXT NOT NULL,
    PRIMARY KEY (list, module, name)
  ) WITHOUT ROWID;
  CREATE TABLE entry_kfuncs (
    entry INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    list INTEGER NOT NULL REFERENCES kfunc_lists(id),
    method TEXT NOT NULL,
    symbol_source TEXT,
    set_flag INTEGER NOT NULL,
    modules TEXT,
    release TEXT,
    warnings TEXT NOT NULL DEFAULT '[]'
  );
  `,
  `
  ALTER TABLE module_images ADD COLUMN needs TEXT;
  ALTER TABLE module_images ADD COLUMN signed INTEGER;
  `,
  `
  INSERT OR IGNORE INTO labels (entry, key, value)
    SELECT r.entry, 'uname', r.value FROM labels r
    JOIN labels a ON a.entry = r.entry AND a.key = 'abi'
    JOIN labels f ON f.entry = r.entry AND f.key = 'flavour'
    WHERE r.key = 'release' AND r.value = a.value || '-' || f.value;
  UPDATE labels SET value = (SELECT a.value FROM labels a WHERE a.entry = labels.entry AND a.key = 'abi')
    WHERE key = 'release' AND EXISTS (
      SELECT 1 FROM labels u WHERE u.entry = labels.entry AND u.key = 'uname' AND u.value = labels.value);
  `,
  `
  CREATE TABLE IF NOT EXISTS export_columns (
    id_set INTEGER PRIMARY KEY REFERENCES id_sets(id) ON DELETE CASCADE,
    count INTEGER NOT NULL,
    crc_digest TEXT NOT NULL,
    columns BLOB NOT NULL
  );
  `,
  `
  CREATE TABLE type_packs (
    id INTEGER PRIMARY KEY,
    defs BLOB NOT NULL
  );
  CREATE TABLE type_defs (
    hash TEXT PRIMARY KEY,
    pack INTEGER NOT NULL REFERENCES type_packs(id),
    at INTEGER NOT NULL,
    length INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE entry_types (
    entry INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    keys BLOB NOT NULL,
    hashes BLOB NOT NULL
  );
  `,
  `
  CREATE TABLE btf_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE entry_btf (
    entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    module TEXT NOT NULL,
    blob TEXT NOT NULL REFERENCES btf_blobs(sha256),
    PRIMARY KEY (entry, module)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE IF NOT EXISTS watch_sources (
    source TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    digest TEXT,
    checked_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS watch_seen (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ingested', 'rejected')),
    entry INTEGER,
    event TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    UNIQUE (source, key)
  );
  `,
  `
  CREATE TABLE IF NOT EXISTS watch_claims (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    holder TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (source, key)
  );
  `,
  `
  CREATE TABLE module_loader (
    image INTEGER PRIMARY KEY REFERENCES module_images(id) ON DELETE CASCADE,
    signed INTEGER,
    facts BLOB NOT NULL
  );
  `,
  `
  CREATE TABLE entry_module_btf (
    entry INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    modules TEXT NOT NULL
  );
  CREATE TABLE entry_module_btf_frames (
    entry INTEGER NOT NULL REFERENCES entry_module_btf(entry) ON DELETE CASCADE,
    frame INTEGER NOT NULL,
    pack BLOB NOT NULL,
    PRIMARY KEY (entry, frame)
  );
  `,
];
