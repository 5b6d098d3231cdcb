import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BpfInsn } from '../model/bpf-object.js';
import { reachable } from './bpf-reach.js';

const i = (code: number, dst = 0, src = 0, off = 0, imm = 0): BpfInsn => ({ code, dst, src, off, imm });
const MOV64_K = 0xb7;
const MOV32_K = 0xb4;
const JEQ_K = 0x15;
const JNE_K = 0x55;
const CALL = 0x85;
const EXIT = 0x95;
const JA = 0x05;

// 0: r1 = <relocated>; 1: if r1 == 0 goto 4; 2: call 113 (guarded); 3: exit; 4: r0 = 0; 5: exit
const GUARDED = [
  i(MOV64_K, 1, 0, 0, 1),
  i(JEQ_K, 1, 0, 2, 0),
  i(CALL, 0, 0, 0, 113),
  i(EXIT),
  i(MOV64_K),
  i(EXIT),
];

describe('reachable', () => {
  it('follows only the branch a relocated constant takes', () => {
    assert.deepEqual(
      [...reachable({ insns: GUARDED, start: 0, immediates: new Map([[0, 0n]]) })].sort(),
      [0, 1, 4, 5],
    );
    assert.deepEqual(
      [...reachable({ insns: GUARDED, start: 0, immediates: new Map([[0, 1n]]) })].sort(),
      [0, 1, 2, 3],
    );
  });

  it('walks both branches of a value it does not know', () => {
    const insns = [i(CALL, 0, 0, 0, 35), i(MOV64_K, 1), ...GUARDED.slice(1)];
    insns[1] = { ...insns[1]!, code: 0xbf, src: 0 }; // r1 = r0 (unknown)
    assert.equal(reachable({ insns, start: 0, immediates: new Map() }).size, insns.length);
  });

  it('an address taken (bpf_ksym_exists) is non-zero; a missing weak one is 0', () => {
    const insns = [i(0x18, 1), i(0), i(JNE_K, 1, 0, 1, 0), i(EXIT), i(CALL, 0, 0, 0, 1), i(EXIT)];
    assert.ok(reachable({ insns, start: 0, immediates: new Map([[0, 'nonzero']]) }).has(4));
    assert.ok(!reachable({ insns, start: 0, immediates: new Map([[0, 0n]]) }).has(4));
  });

  it('mov32 zero-extends: -1 as a 32-bit move is 0xffffffff, not -1', () => {
    // r1 = (u32)-1; if r1 == -1 (64-bit, sign-extended imm) goto exit: not taken
    const insns = [i(MOV32_K, 1, 0, 0, -1), i(JEQ_K, 1, 0, 1, -1), i(CALL, 0, 0, 0, 1), i(EXIT)];
    assert.ok(reachable({ insns, start: 0, immediates: new Map() }).has(2));
  });

  it('ends on loops and on jumps out of the code', () => {
    const insns = [i(MOV64_K, 1), i(JA, 0, 0, -2), i(JA, 0, 0, 100)];
    assert.deepEqual([...reachable({ insns, start: 0, immediates: new Map() })].sort(), [0, 1]);
  });
});
