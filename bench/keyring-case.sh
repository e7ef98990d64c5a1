#!/usr/bin/env bash
# bench/keyring-case.sh: case 1b of bench/run.sh, `oauthctl token` from the OS keyring.
# Run under scripts/with-secret-service.sh (a private, unlocked gnome-keyring on its own
# D-Bus session bus) and `keyctl session -` (a session keyring of its own, as a login
# session has, for the kernel keyring copy); expects BIN, ISS, RUNS, WARMUP, OUT and REPO
# from run.sh, and OIDC_SOCK for oidc-agent's `oidc-token bench`. Not a test.
set -euo pipefail
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chmod 700 "$home"
export OAUTHCTL_HOME="$home" OAUTHCTL_TOKEN_STORE=keyring
"$BIN" --quiet login --issuer "$ISS" --client-id oauthctl \
    --scope "openid offline_access api:read" --browser-command "$REPO/bench/follow-login.sh"
"$BIN" token >/dev/null
# The copy must be what answers: without the session bus, `token` still works.
DBUS_SESSION_BUS_ADDRESS="unix:path=$home/no-such-bus" "$BIN" token >/dev/null || {
    echo "keyring-case.sh: no kernel keyring copy (is this under keyctl session -?)" >&2
    exit 1
}
# `env` runs the copy-off command: an exec more than the others (see the `true` floor).
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/token-keyring.json" \
    -n "oauthctl token (keyring store, kernel keyring copy)" "$BIN token" \
    -n "oauthctl token (keyring store, copy off: Secret Service)" \
    "env OAUTHCTL_KERNEL_KEYRING=off $BIN token" \
    -n "oidc-token (oidc-agent)" "oidc-token bench" \
    -n "true" "true" | tee "$OUT/token-keyring.txt"
