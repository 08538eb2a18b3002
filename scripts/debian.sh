#!/usr/bin/env bash
# Install Debian packages that the tests need, unless a command they provide is already there.
# Usage: scripts/debian.sh COMMAND PACKAGE... (as root, or with password-less sudo).
# Exit 0 when COMMAND is on PATH afterwards, 1 otherwise, 2 on usage.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/debian.sh COMMAND PACKAGE..." >&2; exit 2; }
command=$1; shift
command -v "$command" >/dev/null && exit 0
runner=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    runner=(sudo)
  else
    echo "debian.sh: not root and no password-less sudo; as root, run: apt-get install -y $*" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${runner[@]}" apt-get install -y -q "$@" >&2 \
  || { "${runner[@]}" apt-get update -q >&2 && "${runner[@]}" apt-get install -y -q "$@" >&2; }
command -v "$command" >/dev/null
