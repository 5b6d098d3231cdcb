import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { environmentError, KabiError } from '../errors.js';
import { storeError } from './sqlite-errors.js';

/** An error as better-sqlite3 throws it: a message and the (extended) result code. */
const sqlite = (code: string, message: string) => Object.assign(new Error(message), { code });
/** An error as node:fs throws it. */
const errno = (code: string, path: string) =>
  Object.assign(new Error(`${code}: x, open '${path}'`), { code, path, syscall: 'open' });

describe('SQLite and file-system errors become messages naming the store and the cause', () => {
  const path = '/nowhere/kabi.db';
  const cases: [unknown, 'open' | 'read' | 'write', RegExp][] = [
    [
      sqlite('SQLITE_FULL', 'database or disk is full'),
      'write',
      /cannot write the store: the disk is full \(SQLITE_FULL\); nothing of this change was stored$/,
    ],
    [
      sqlite('SQLITE_BUSY', 'database is locked'),
      'write',
      /another process kept it locked too long \(SQLITE_BUSY\)/,
    ],
    [
      sqlite('SQLITE_CORRUPT', 'database disk image is malformed'),
      'read',
      /cannot read the store: the file is damaged \(SQLITE_CORRUPT\)/,
    ],
    [
      sqlite('SQLITE_NOTADB', 'file is not a database'),
      'open',
      /cannot open the store: not a SQLite database, so not a kabi store/,
    ],
    [
      sqlite('SQLITE_READONLY', 'attempt to write a readonly database'),
      'write',
      /cannot write the store: it is read-only: .*\(SQLITE_READONLY\)/,
    ],
    [
      sqlite('SQLITE_IOERR_WRITE', 'disk I/O error'),
      'write',
      /input\/output error \(SQLITE_IOERR_WRITE: disk I\/O error\)/,
    ],
    [
      errno('ENOSPC', path),
      'write',
      /cannot write the store: no space left on device \(the disk is full\) \(ENOSPC\)/,
    ],
    [errno('EACCES', path), 'open', /cannot open the store: permission denied \(EACCES\)/],
  ];
  for (const [err, doing, want] of cases) {
    it(`${(err as { code: string }).code} while ${doing === 'open' ? 'opening' : `${doing.slice(0, -1)}ing`}`, () => {
      const e = storeError(path, err, doing);
      assert.ok(e instanceof KabiError);
      assert.ok(e.message.startsWith(`${path}: `), e.message);
      assert.match(e.message, want);
      assert.equal(e.cause, err);
    });
  }

  it('leaves bugs and KabiErrors alone', () => {
    assert.equal(storeError(path, new TypeError('x is undefined'), 'read'), null);
    assert.equal(storeError(path, new KabiError('already clear'), 'read'), null);
    assert.equal(storeError(path, sqlite('SQLITE_ERROR', 'no such column: x'), 'read'), null);
  });

  it('environmentError names the path of a file-system error, and nothing else', () => {
    for (const [code, text] of [
      ['ENOENT', 'no such file or directory'],
      ['EACCES', 'permission denied'],
      ['EROFS', 'read-only file system'],
      ['ENOSPC', 'no space left on device (the disk is full)'],
      ['EISDIR', 'is a directory'],
    ] as const)
      assert.equal(
        environmentError(errno(code, '/out/report.html'))?.message,
        `/out/report.html: ${text} (${code})`,
      );
    assert.equal(environmentError(new TypeError('bug')), null);
    assert.equal(environmentError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })), null);
  });
});
