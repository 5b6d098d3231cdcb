import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Sql } from '../../src/store/sqlite-db.js';
import { allNamesById, namesByName } from '../../src/store/sqlite-names.js';

/** A names table as the store's (id, name), holding these rows. */
function namesTable(rows: [number, string][]): Sql {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  const insert = db.prepare('INSERT INTO names (id, name) VALUES (?, ?)');
  for (const [id, name] of rows) insert.run(id, name);
  return new Sql(db, ':memory:');
}

/** What the rows say, read one row at a time (the way both functions read before group_concat). */
function byRows(sql: Sql): { byId: string[]; ordered: [number, string][] } {
  const byId: string[] = [];
  for (const [id, name] of sql.stmt('SELECT id, name FROM names').raw().all() as [number, string][])
    byId[id] = name;
  const ordered = sql.stmt('SELECT id, name FROM names ORDER BY name').raw().all() as [number, string][];
  return { byId, ordered };
}

const CASES: [string, [number, string][]][] = [
  ['dense from 0', ['', 'vmlinux', 'printk', 'EXPORT_SYMBOL_GPL'].map((n, i) => [i, n])],
  ['dense from 1 (rowids)', ['b', 'a', 'c'].map((n, i) => [i + 1, n])],
  [
    'holes',
    [
      [0, ''],
      [3, 'z'],
      [9, 'a'],
    ],
  ],
  [
    'a NUL inside a name (the separator)',
    [
      [0, ''],
      [1, 'a\0b'],
      [2, 'c'],
    ],
  ],
  [
    'names SQLite and JavaScript order differently, and controls',
    [
      [0, ''],
      [1, '\u{1F600}'],
      [2, '\uE000'],
      [3, 'x\ny'],
      [4, 'é'],
      [5, ','],
    ],
  ],
  ['empty', []],
];

describe('the store names read whole (sqlite-names.ts)', () => {
  for (const [what, rows] of CASES)
    it(`read as the rows say: ${what}`, () => {
      const sql = namesTable(rows);
      const want = byRows(sql);
      assert.deepEqual(allNamesById(sql), want.byId);
      const { ids, names } = namesByName(sql);
      assert.deepEqual(
        names.map((n, k) => [ids[k], n]),
        want.ordered,
      );
    });
});
