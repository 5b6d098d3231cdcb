import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { clearsignedText, parseDebianRelease } from './debian-release.js';

const SHA = 'b'.repeat(64);
const source = 'dists/bookworm/InRelease';

// The shape of a real InRelease, shortened: armor header, a dash-escaped line, the signature block.
const SIGNED = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

Origin: Debian
Suite: oldstable
Codename: bookworm
Date: Sat, 10 Jun 2023 08:53:33 UTC
Acquire-By-Hash: yes
Description: Debian 12
- Label: Debian-Security
SHA256:
 ${SHA}   1655296 main/binary-amd64/Packages.xz
 ${'c'.repeat(64)}  8124 main/binary-amd64/Release
-----BEGIN PGP SIGNATURE-----

iQIzBAEBCgAdFiEE
-----END PGP SIGNATURE-----
`;

describe('parseDebianRelease', () => {
  test('takes the armor off an InRelease and reads its SHA256 list', () => {
    const r = parseDebianRelease(SIGNED, { source });
    assert.equal(r.suite, 'oldstable');
    assert.equal(r.date, 'Sat, 10 Jun 2023 08:53:33 UTC');
    assert.equal(r.acquireByHash, true);
    assert.deepEqual(r.files.get('main/binary-amd64/Packages.xz'), {
      path: 'main/binary-amd64/Packages.xz',
      size: 1655296,
      sha256: SHA,
    });
    assert.equal(r.files.size, 2);
    assert.match(clearsignedText(SIGNED, source), /^Label: Debian-Security$/m);
  });

  test('reads an unsigned Release as it is', () => {
    const text = `Suite: bookworm\nSHA256:\n ${SHA} 10 main/binary-amd64/Packages\n`;
    assert.equal(parseDebianRelease(text, { source }).files.get('main/binary-amd64/Packages')?.size, 10);
    assert.equal(parseDebianRelease(text, { source }).acquireByHash, false);
  });

  test('a hash line that is not "<sha256> <size> <path>" is an error naming its line', () => {
    const text = `Suite: bookworm\nSHA256:\n ${SHA} 10 main/binary-amd64/Packages\n deadbeef 10 x\n`;
    assert.throws(
      () => parseDebianRelease(text, { source }),
      (e) => e instanceof ArtifactFormatError && e.line === 4 && /sha256/.test(e.reason),
    );
    assert.throws(() => parseDebianRelease('Suite: x\n', { source }), /no SHA256 field/);
    assert.throws(() => parseDebianRelease(`${SIGNED.slice(0, 60)}`, { source }), /clearsigned/);
  });

  // Real: apt's own copy of the security suite's InRelease, checked against gpgv's reading of the
  // signed text, and against the Packages list apt downloaded and verified with it.
  const apt = '/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_InRelease';
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const missing = !existsSync(apt) || !existsSync(keyring) ? 'no apt list of bookworm-security here' : false;
  test('a real InRelease: the text gpgv verifies, the hash of the Packages list apt kept', {
    skip: missing || needs('gpgv', 'lz4'),
  }, () => {
    const text = readFileSync(apt, 'utf8');
    const verified = execFileSync('gpgv', ['--keyring', keyring, '--output', '-', apt], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    assert.equal(clearsignedText(text, apt).trimEnd(), verified.trimEnd());
    const r = parseDebianRelease(text, { source: apt });
    assert.ok(r.files.size > 100, `${r.files.size} files`);
    const packages = execFileSync(
      'lz4',
      ['-dc', apt.replace('_InRelease', '_main_binary-amd64_Packages.lz4')],
      {
        maxBuffer: 1 << 28,
      },
    );
    const entry = r.files.get('main/binary-amd64/Packages');
    assert.equal(entry?.size, packages.length);
    assert.equal(entry?.sha256, createHash('sha256').update(packages).digest('hex'));
  });
});
