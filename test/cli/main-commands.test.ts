// `kabi <command>` registers only the command it runs (main.ts COMMANDS): each entry must name exactly the
// top-level commands its register function adds, or a command would be missing when named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, kabiProgram } from '../../src/cli/main.js';

const names = (only?: (typeof COMMANDS)[number][1]) =>
  kabiProgram({ exitCode: 0 }, only)
    .commands.map((c) => c.name())
    .filter((n) => n !== 'help');

describe('kabi commands', () => {
  it('each register function adds exactly the commands listed for it', () => {
    for (const [listed, register] of COMMANDS) assert.deepEqual(names(register), listed);
  });

  it('all of them, in the listed order, make the whole program', () => {
    assert.deepEqual(
      names(),
      COMMANDS.flatMap(([listed]) => listed),
    );
    assert.ok(names().length >= 20);
  });
});
