// A directory of built kmods (what a DKMS build leaves) is ingested as one kmod holding every module.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';

describe('kabi ingest of a kmod directory', () => {
  it('keeps every module of the directory, named by the directory', () => {
    const dir = join(FIXTURES, 'modules', 'kmods');
    const kos = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) =>
      d.name.endsWith('.ko'),
    );
    assert.ok(kos.length >= 2, 'the fixture directory holds several kmods');
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-kmod-dir-')), 'k.db');
    const r = kabi(['--db', db, 'ingest', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`→ kmod 1: \\d+ exports, ${kos.length} modules .*name=kmods`));
    const list = kabi(['--db', db, 'list', '--format', 'json']);
    assert.equal(list.status, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout)[0].modules, kos.length);
  });
});
