import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directoryPackage } from './module-corpus.js';

describe('the package a directory of modules names', () => {
  it('is the nearest directory named <source>-<version>, from the module up to the root given', () => {
    assert.deepEqual(directoryPackage('kmods/6.1.0-47/xtables-addons-3.23', 'xt_ACCOUNT.ko'), {
      name: 'xtables-addons-3.23',
      version: null,
    });
    assert.deepEqual(directoryPackage('kmods/6.1.0-47', 'lttng-modules-2.13.9/probes/lttng-probe-irq.ko'), {
      name: 'lttng-modules-2.13.9',
      version: null,
    });
    assert.deepEqual(
      directoryPackage('/', 'v4l2loopback-0.12.7+dfsg-2/v4l2loopback.ko')?.name,
      'v4l2loopback-0.12.7+dfsg-2',
    );
  });

  it('is none for a directory of unrelated modules (an ABI, updates/, dkms/)', () => {
    assert.equal(directoryPackage('kmods/6.1.0-47', 'acpi_call.ko'), null);
    assert.equal(directoryPackage('/lib/modules/6.1.0-47-amd64', 'updates/dkms/acpi_call.ko'), null);
  });
});
