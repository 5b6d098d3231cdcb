// One hash of all a type digest stores (each node's key, its def and reach hashes, whether a declaration
// added it, each definition's JSON text in the order it is packed): tests pin it to what the digest made
// before a change to how it is made, since the store must keep the same bytes.
import { createHash } from 'node:crypto';
import type { TypeDigest } from '../../src/model/type-digest.js';

export function digestFingerprint(d: TypeDigest): string {
  const h = createHash('sha256');
  h.update(d.index.keys.join('\n'));
  h.update(d.index.hashes);
  h.update(d.index.declared);
  for (const [hex, json] of d.json) h.update(`${hex}\t${json}\n`);
  return h.digest('hex');
}
