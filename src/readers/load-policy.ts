// Builds a Policy from a policy file and stablelist files: the policy's `stablelist` lines are resolved
// relative to the policy file, as `#include` is relative to its file.
import { dirname, resolve } from 'node:path';
import type { Policy } from '../model/policy.js';
import { DEFAULT_SEVERITIES } from '../model/policy.js';
import type { Stablelist } from '../model/stablelist.js';
import { decompress } from './compression.js';
import { readInputFile } from './file.js';
import { decodeText } from './lines.js';
import { parsePolicy } from './policy/index.js';
import { readStablelist } from './stablelist/index.js';

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
    for (const ref of doc.stablelistRefs)
      stablelists.push(await readStablelist(resolve(dirname(path), ref.path)));
    policy = { name: `${path} (${doc.format})`, rules: doc.rules, stablelists, defaults: doc.defaults };
  }
  for (const p of opts.stablelistPaths ?? []) stablelists.push(await readStablelist(p));
  if (!opts.policyPath && stablelists.length > 0) {
    policy.name = `default + stablelist ${stablelists.map((s) => s.name).join(', ')}`;
  }
  return policy;
}
