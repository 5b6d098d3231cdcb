// Property: any set of exports written as Module.symvers by the project's writer reads back to the same
// exports, and a symvers text cut at any byte either reads or fails with a typed error naming the line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ArtifactFormatError,
  type Export,
  formatModuleSymvers,
  KabiError,
  parseModuleSymvers,
} from '../../src/index.js';

const symbol = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.$]{0,40}$/);
const module = fc.oneof(
  fc.constant('vmlinux'),
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}(\/[a-z0-9_-]{1,12}){0,3}$/),
);
const exportType = fc.constantFrom('EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL');
const namespace = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/));

const exportsArb = fc.uniqueArray(
  fc.record({ symbol, crc: fc.nat({ max: 0xffffffff }), module, exportType, namespace }),
  { selector: (e) => e.symbol, maxLength: 40 },
);

describe('Module.symvers property tests', () => {
  it('reads back what formatModuleSymvers wrote, field for field', () => {
    fc.assert(
      fc.property(exportsArb, (list) => {
        const text = formatModuleSymvers(list as Export[]);
        if (list.length === 0) return;
        const back = [...parseModuleSymvers(text, { source: 'p' }).exports.values()];
        assert.deepEqual(
          back.map((e) => [e.symbol, e.crc, e.module, e.exportType, e.namespace ?? '']),
          list.map((e) => [e.symbol, e.crc, e.module, e.exportType, e.namespace]),
        );
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('fails only with typed errors on the written text cut or corrupted at any byte', () => {
    fc.assert(
      fc.property(exportsArb, fc.nat(), fc.nat({ max: 255 }), (list, at, byte) => {
        const bytes = Buffer.from(formatModuleSymvers(list as Export[]));
        const cut = bytes.subarray(0, bytes.length === 0 ? 0 : at % (bytes.length + 1));
        const corrupt = Buffer.from(bytes);
        if (corrupt.length > 0) corrupt[at % corrupt.length] = byte;
        for (const input of [cut, corrupt]) {
          try {
            parseModuleSymvers(input.toString('latin1'), { source: 'p' });
          } catch (e) {
            assert.ok(e instanceof KabiError, `untyped error: ${(e as Error)?.stack}`);
            if (e instanceof ArtifactFormatError && input.length > 0) assert.equal(e.source, 'p');
          }
        }
      }),
      { numRuns: 500, seed: 16 },
    );
  });
});
