// What a fuzz target is: seeds to start from, how to mutate them, and one call into a reader that must
// either return or throw one of the project's typed errors (KabiError) for any input.
import { accessSync, constants, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where scratch files go: /dev/shm when there is one. Rewriting a file on a journaling disk costs ~2 ms
 * (the truncation), on tmpfs ~15 µs; the file-reading targets write one file per input.
 */
export function fastTmp(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export interface Scratch {
  /** A private directory for this worker. */
  dir: string;
  /** Writes `bytes` to `name` in the scratch directory and returns its path (readers that take a path). */
  file(bytes: Uint8Array, name?: string): string;
}

export interface Target {
  name: string;
  /** What it drives, for --list and docs/fuzzing.md. */
  about: string;
  /** Line- and field-aware mutators join the binary ones. */
  text?: boolean;
  /** Inputs are cut to this many bytes (default 256 KiB). */
  maxLength?: number;
  /** Tokens the mutator inserts whole. */
  dictionary?: readonly string[];
  seeds(): Promise<Uint8Array[]>;
  /** Called once per worker before the first input (build a store, load a module). */
  setup?(scratch: Scratch): Promise<void>;
  run(input: Uint8Array, scratch: Scratch): unknown;
  teardown?(): Promise<void>;
}

export function scratchIn(dir: string): Scratch {
  return {
    dir,
    file(bytes, name = 'input') {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
  };
}
