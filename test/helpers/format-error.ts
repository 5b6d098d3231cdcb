import assert from 'node:assert/strict';
import { ArtifactFormatError } from '../../src/errors.js';

/** The ArtifactFormatError that `run` must throw. */
export function formatErrorOf(run: () => unknown): ArtifactFormatError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ArtifactFormatError, `expected an ArtifactFormatError, got ${String(caught)}`);
  return caught;
}

/** Runs `run`, which must throw an ArtifactFormatError whose message is `message` (or matches it). */
export function assertFormatError(run: () => unknown, message: string | RegExp): ArtifactFormatError {
  const caught = formatErrorOf(run);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}
