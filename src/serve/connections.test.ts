import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../index.js';
import { httpServerOptions, resolveLimits } from './connections.js';
import { SERVE_LIMITS } from './options.js';

describe('resolveLimits', () => {
  it('fills in the defaults, in seconds not minutes', () => {
    const l = resolveLimits();
    assert.deepEqual(l, SERVE_LIMITS);
    assert.ok(l.headersTimeoutMs <= 10_000 && l.requestTimeoutMs <= 30_000);
    assert.equal(httpServerOptions(l).connectionsCheckingInterval, 1000);
  });

  it('lengthens the request timeout with a longer header timeout given alone', () => {
    assert.equal(resolveLimits({ headersTimeoutMs: 40_000 }).requestTimeoutMs, 40_000);
    assert.equal(resolveLimits({ headersTimeoutMs: 2_000 }).requestTimeoutMs, SERVE_LIMITS.requestTimeoutMs);
  });

  it('refuses limits node would refuse, or that make no sense', () => {
    assert.throws(() => resolveLimits({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }), UsageError);
    assert.throws(() => resolveLimits({ maxConnections: 0 }), UsageError);
    assert.throws(() => resolveLimits({ headersTimeoutMs: 1.5 }), UsageError);
    assert.throws(() => resolveLimits({ connectionsPerAddress: -1 }), UsageError);
    assert.equal(resolveLimits({ connectionsPerAddress: 0 }).connectionsPerAddress, 0);
    assert.deepEqual(resolveLimits({ maxConnections: undefined }), SERVE_LIMITS);
  });
});
