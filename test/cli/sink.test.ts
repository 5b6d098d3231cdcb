// openSink encodes pieces as they come into chunks: the bytes written must be those of the pieces joined
// (a surrogate pair split between two pieces included), whatever the pieces' sizes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { openSink } from '../../src/cli/output.js';

describe('openSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-sink-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unit = fc.constantFrom('a', '\u00e9', '\ud83d', '\ude00', '\ud83d\ude00', '\n', '\u0000', '\u202e');
  const piece = fc.oneof(
    { weight: 9, arbitrary: fc.array(unit, { maxLength: 40 }).map((u) => u.join('')) },
    // Larger than a chunk (1 MiB) once encoded, and near it.
    {
      weight: 1,
      arbitrary: fc.tuple(unit, fc.integer({ min: 300_000, max: 600_000 })).map(([u, n]) => u.repeat(n)),
    },
  );

  it('writes the bytes of the pieces joined', async () => {
    const file = join(dir, 'out');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), async (pieces) => {
        const sink = openSink(file);
        for (const p of pieces) await sink.write(p);
        await sink.close();
        assert.ok(readFileSync(file).equals(Buffer.from(pieces.join(''))));
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});
