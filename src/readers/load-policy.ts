// Builds a Policy from a policy file and stablelist files: the policy's `stablelist` lines are resolved
// relative to the policy file, as `#include` is relative to its file.
//
// The references form no graph to walk: a stablelist names nothing further, so there is no recursion.
// What a policy file (input, perhaps a vendor's) can still ask for is bounded here: each distinct file is
// read once, at most MAX_STABLELISTS of them, never the policy itself, and only regular files or
// kabi-module directories (a FIFO or /dev/zero would block or never end).
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ArtifactFormatError } from '../errors.js';
import type { Policy } from '../model/policy.js';
import { DEFAULT_SEVERITIES } from '../model/policy.js';
import type { Stablelist } from '../model/stablelist.js';
import { decompress } from './compression.js';
import { readInputFile } from './file.js';
import { decodeText } from './lines.js';
import type { StablelistRef } from './policy/common.js';
import { parsePolicy } from './policy/index.js';
import { readStablelist } from './stablelist/index.js';

/** RHEL ships one stablelist per architecture; a policy naming more than this is not a policy. */
export const MAX_STABLELISTS = 64;

export interface LoadPolicyOptions {
  /** A policy file (SUSE severities, Debian ignore-changes, or kabi policy). */
  policyPath?: string;
  /** Stablelists given on the command line, added to those the policy names. */
  stablelistPaths?: string[];
}

export async function loadPolicy(opts: LoadPolicyOptions): Promise<Policy> {
  const stablelists: Stablelist[] = [];
  let policy: Policy = { name: 'default', rules: [], stablelists, defaults: DEFAULT_SEVERITIES };
  if (opts.policyPath) {
    const path = opts.policyPath;
    const bytes = await readInputFile(path, 'a policy file');
    const { data } = await decompress(bytes, { source: path });
    const doc = parsePolicy(decodeText(data, path, 'a policy file'), { source: path });
    for (const file of await stablelistFiles(path, doc.stablelistRefs))
      stablelists.push(await readStablelist(file));
    policy = { name: `${path} (${doc.format})`, rules: doc.rules, stablelists, defaults: doc.defaults };
  }
  for (const p of opts.stablelistPaths ?? []) stablelists.push(await readStablelist(p));
  if (!opts.policyPath && stablelists.length > 0) {
    policy.name = `default + stablelist ${stablelists.map((s) => s.name).join(', ')}`;
  }
  return policy;
}

/** The distinct files a policy's `stablelist` lines name, checked before any is read. */
async function stablelistFiles(policyPath: string, refs: StablelistRef[]): Promise<string[]> {
  const self = resolve(policyPath);
  const files = new Set<string>();
  for (const ref of refs) {
    const file = resolve(dirname(policyPath), ref.path);
    const refuse = (reason: string) =>
      new ArtifactFormatError(`stablelist ${ref.path}: ${reason}`, { source: policyPath, line: ref.line });
    if (file === self) throw refuse('names the policy file itself; expected a stablelist');
    if (files.has(file)) continue;
    if (files.size === MAX_STABLELISTS) throw refuse(`more than ${MAX_STABLELISTS} stablelists`);
    const st = await stat(file).catch(() => null); // a missing file is reported by the reader
    if (st && !st.isFile() && !st.isDirectory())
      throw refuse('not a regular file or directory; expected a stablelist');
    files.add(file);
  }
  return [...files];
}
