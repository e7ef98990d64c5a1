#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain. Idempotent; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

need_cmd() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif need_cmd sudo; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }

rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
