#!/usr/bin/env bash
# bench/keyring-case.sh: case 1b of bench/run.sh, `oauthctl token` from the OS keyring.
# Run under scripts/with-secret-service.sh (a private, unlocked gnome-keyring on its own
# D-Bus session bus); expects BIN, ISS, RUNS, WARMUP, OUT and REPO from run.sh. Not a test.
set -euo pipefail
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chmod 700 "$home"
export OAUTHCTL_HOME="$home" OAUTHCTL_TOKEN_STORE=keyring
"$BIN" --quiet login --issuer "$ISS" --client-id oauthctl \
    --scope "openid offline_access api:read" --browser-command "$REPO/bench/follow-login.sh"
"$BIN" token >/dev/null
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/token-keyring.json" \
    -n "oauthctl token (keyring store)" "$BIN token" \
    -n "true" "true" | tee "$OUT/token-keyring.txt"
