#!/usr/bin/env bash
# The main job on the embedded default: a fresh SQLite store, the bundled real Debian Module.symvers
# (test/fixtures/debian), ingested as two streams, then the series report and the build gate.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s build
db="$(mktemp -d)/kabi.db"
kabi() { node bin/kabi.js --db "$db" "$@"; }
F=test/fixtures/debian

echo "== kabi ingest (store: $db)"
kabi ingest -l distro=debian -l stream=debian-6.1 -l version=6.1.190-1 "$F/6.1.0-54.symvers.xz"
kabi ingest -l distro=debian -l stream=debian-6.1 -l version=6.1.192-1 "$F/6.1.0-55.symvers.xz"
kabi ingest -l distro=debian -l stream=debian-6.12 -l version=6.12.117-1~deb12u1 "$F/6.12.117+deb12.symvers.xz"
echo; echo "== kabi list"
kabi list
echo; echo "== kabi series distro=debian"
kabi series distro=debian --view steps
kabi series distro=debian --view epochs
echo; echo "== kabi check --baseline release=6.1.0-54 release=6.1.0-55 (the gate)"
status=0
kabi check --baseline release=6.1.0-54 release=6.1.0-55 --limit 5 --abi-version 54 || status=$?
echo "(kabi check exited $status: 0 unchanged, 4 compatible, 12 incompatible)"
