#!/usr/bin/env bash
# Builds the Linux release binary as a static PIE: glibc is linked in, so no dynamic loader
# runs at start-up (no shared objects to map, no symbol lookups, no relocation of libc).
# That is about half a millisecond per process, which is most of what `oauthctl token` and
# `decode` cost when scripts call them in loops (BENCHMARKS.md measures this build). The
# binary stays position-independent (ASLR) with full RELRO, like the default build.
#
# glibc's name resolution still works from a static binary for the `files` and `dns`
# sources of /etc/nsswitch.conf; other sources (mdns, sss, ...) need the shared glibc of
# the same version at run time, so on such machines use the default `cargo build`.
#
# Usage: scripts/build-static.sh [cargo build args...]   prints the binary's path last.
# The build goes to target/<host triple>/release/ (an explicit --target is what keeps the
# static flag away from build scripts and proc macros, which must stay dynamic).
set -euo pipefail

cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
    *-linux-gnu) ;;
    *)
        echo "build-static.sh: a static glibc build is for *-linux-gnu hosts, not $host;" \
            "use cargo build --release" >&2
        exit 2
        ;;
esac
cargo build --release --locked --target "$host" \
    --config "target.$host.rustflags = ['-C', 'target-feature=+crt-static']" "$@"
echo "$PWD/target/$host/release/oauthctl"
