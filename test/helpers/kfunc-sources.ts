// The committed kernel-source excerpts (test/fixtures/kfuncs/source) as bpf-compat's program-type input.
import { join } from 'node:path';
import {
  type BpfKernel,
  kfuncProgTypes,
  readKfuncRegistrations,
  registrationsForRelease,
} from '../../src/index.js';
import { FIXTURES } from './independent.js';

const SOURCES = ['6.1', '6.12'].map((v) => readKfuncRegistrations(join(FIXTURES, 'kfuncs', 'source', v)));

/** The kernel with the program types its version's source registers each kfunc for. */
export function withKfuncSource(k: BpfKernel): BpfKernel {
  const regs = registrationsForRelease(SOURCES, k.kfuncs?.release ?? k.name);
  if (!regs) throw new Error(`no kernel-source fixture for ${k.name}`);
  return {
    ...k,
    kfuncProgTypes: { source: regs.source, version: regs.version, types: kfuncProgTypes(regs) },
  };
}
