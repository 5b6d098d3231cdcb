// What the report tests share: a store of the three fixture builds, an HTML parser that fails on parse
// errors, the self-containment check, and the PNG header reader.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';

type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];

export const ABIS = ['6.1.0-54', '6.1.0-55', '6.12.117+deb12'];
export const VERSIONS = ['6.1.190-1', '6.1.192-1', '6.12.117-1~deb12u1'];
export const KMODS = join(FIXTURES, 'modules', 'kmods');

/** A store holding the three fixture builds as one series (version order = ABIS order). */
export function fixtureStore(extra: string[][] = []): string {
  const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-report-')));
  ABIS.forEach((abi, i) => {
    const labels = ['-l', 'distro=debian', '-l', `version=${VERSIONS[i]}`, ...(extra[i] ?? [])];
    const r = kabi(['--db', db, 'ingest', ...labels, join(FIXTURES, 'debian', `${abi}.symvers.xz`)]);
    assert.equal(r.status, 0, r.stderr);
  });
  return db;
}

/** Parses as a browser would; a parse error fails the test. */
export function parseHtml(html: string): Element[] {
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  assert.deepEqual(errors, []);
  const out: Element[] = [];
  const walk = (n: Node): void => {
    if ('tagName' in n) out.push(n);
    const kids = 'childNodes' in n ? n.childNodes : [];
    for (const k of kids) walk(k);
    if ('content' in n && n.content) walk(n.content as Node);
  };
  walk(doc);
  return out;
}

const URL_ATTRS = new Set([
  'src',
  'href',
  'xlink:href',
  'action',
  'formaction',
  'srcset',
  'poster',
  'data',
  'ping',
]);

/** No element fetches anything: no URL attribute but #fragments, no url() or @import, one script. */
export function assertSelfContained(html: string): Element[] {
  const els = parseHtml(html);
  for (const el of els) {
    for (const a of el.attrs) {
      const name = a.prefix ? `${a.prefix}:${a.name}` : a.name;
      if (URL_ATTRS.has(name)) assert.match(a.value, /^#/, `${el.tagName} ${name}="${a.value}"`);
      assert.doesNotMatch(name, /^on/i, `event handler ${name} on ${el.tagName}`);
    }
    assert.ok(
      !['link', 'iframe', 'object', 'embed', 'img', 'base', 'foreignobject'].includes(el.tagName),
      el.tagName,
    );
  }
  assert.doesNotMatch(html, /url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i);
  assert.equal(els.filter((e) => e.tagName === 'script').length, 1, 'only the page script');
  return els;
}

export const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

/** The PNG's width and height from its IHDR chunk, after checking the signature. */
export function pngSize(bytes: Buffer): [number, number] {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}
