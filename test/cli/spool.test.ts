// The temporary file compat -f json keeps its reasons in: what goes in comes back in order, whole
// characters across pieces, and the file is gone afterwards.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { fileSpool } from '../../src/cli/spool.js';
import * as lib from '../../src/index.js';

const spools = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('kabi-spool-')));

describe('fileSpool', () => {
  it('gives back the UTF-8 of what was appended, in order, in pieces of at most 1 MiB', () => {
    const before = spools();
    const spool = fileSpool();
    const created = [...spools()].filter((d) => !before.has(d));
    assert.equal(created.length, 1);
    // 3-byte characters, so that piece boundaries fall inside one.
    const texts = Array.from({ length: 3000 }, (_, i) => `${i}:${'€'.repeat(i % 700)}`);
    for (const t of texts) spool.append(t);
    const pieces = [...spool.read()];
    assert.ok(pieces.length > 1, `${pieces.length} pieces`);
    assert.ok(pieces.every((p) => p instanceof Uint8Array && p.length <= 1 << 20));
    // Joined as bytes: a piece may end inside a character.
    assert.equal(Buffer.concat(pieces as Uint8Array[]).toString('utf8'), texts.join(''));
    // One text larger than a piece, between two small ones.
    const big = fileSpool();
    const huge = `${'€'.repeat(400_000)}x`;
    for (const t of ['a', huge, 'b']) big.append(t);
    assert.equal(Buffer.concat([...big.read()] as Uint8Array[]).toString('utf8'), `a${huge}b`);
    big.dispose();
    spool.dispose();
    assert.equal(existsSync(`${tmpdir()}/${created[0]}`), false);
  });

  it('compat -f json written through it is the document kept in memory', () => {
    const verdict = (kernel: string, symbol: string, offered: number): lib.Verdict => ({
      module: 'm',
      from: 'm.ko',
      builtFor: '6.1.0-47-amd64',
      source: 'm.ko',
      kernel,
      loads: false,
      notes: [],
      reasons: [
        {
          code: 'crc-mismatch',
          message: `m: disagrees about version of symbol ${symbol} (0x00000001 vs ${lib.formatCrc(offered)})`,
          symbol,
          wanted: 1,
          offered,
          module: 'vmlinux',
        },
      ],
    });
    const verdicts = ['6.1.0-50', '6.1.0-55'].flatMap((k, i) =>
      Array.from({ length: 2000 }, (_, j) => verdict(k, `sym_${j}`, 2 + (j % (1000 * (i + 1))))),
    );
    const render = (spool?: lib.TextSpool) => {
      const s = lib.compatStreams.json(spool ? { spool } : {});
      const kernels = ['6.1.0-50', '6.1.0-55'];
      return (
        s.begin() +
        kernels.map((k) => s.kernel(verdicts.filter((v) => v.kernel === k))).join('') +
        [...s.end()].map(lib.pieceText).join('')
      );
    };
    const spool = fileSpool();
    try {
      const onDisk = render(spool);
      assert.equal(onDisk, render());
      assert.equal(onDisk, lib.renderCompatStream('json', verdicts));
      const doc = JSON.parse(onDisk) as lib.CompatJson;
      assert.equal(doc.reasons.length, 3000);
    } finally {
      spool.dispose();
    }
  });
});
