#!/usr/bin/env bash
# Runs a command with some tools hidden from PATH, as on a machine that lacks them:
#   scripts/without-tools.sh modprobe rpm bpftool -- node --test dist/test/cli/modules.test.js
# PATH becomes one directory of links to every other command of the current PATH (first one wins, as
# the shell would pick), so the command still finds node, sh, tar and the rest.
set -euo pipefail
hidden=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do hidden+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "usage: $0 TOOL... -- COMMAND [ARG...]" >&2; exit 2; }
shift
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*; do
    name="${f##*/}"
    [ -x "$f" ] && [ ! -d "$f" ] && [ ! -e "$bin/$name" ] || continue
    skip=
    for h in "${hidden[@]}"; do
      # qemu-system-* and the like: a trailing * hides every tool with that prefix.
      case "$name" in $h) skip=1 ;; esac
    done
    [ -n "$skip" ] || ln -s "$f" "$bin/$name"
  done
done
PATH="$bin" "$@"
