#!/usr/bin/env bash
# bench/dpop-case.sh: `oauthctl call` with a DPoP-bound token beside the same call with a
# bearer token, in one hyperfine run (ONLY=dpop bench/run.sh). Expects BIN, RUNS, WARMUP,
# OUT and SCRATCH from run.sh and the start_serve and octl functions exported by it. Two
# dev servers: one that takes DPoP proofs without a nonce, one that wants its nonce
# (`serve --dpop-nonce`). Each home logs in once with client credentials as demo-service;
# the bound ones with `--dpop`. Not a test.
set -euo pipefail
PIDS=()
stop() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT

start_serve dpop --rate-limit 0
ISS_PLAIN="$ISSUER"
start_serve dpop-nonce --rate-limit 0 --dpop-nonce
ISS_NONCE="$ISSUER"

login() {
    local home=$1 iss=$2
    shift 2
    mkdir -m 700 "$home"
    BENCH_SECRET=demo-secret octl "$home" --quiet login --flow client-credentials \
        --issuer "$iss" --client-id demo-service --client-secret-env BENCH_SECRET \
        --scope api:read "$@"
}
H_BEARER="$SCRATCH/home-bearer"
H_DPOP="$SCRATCH/home-dpop"
H_NONCE="$SCRATCH/home-dpop-nonce"
login "$H_BEARER" "$ISS_PLAIN"
login "$H_DPOP" "$ISS_PLAIN" --dpop
login "$H_NONCE" "$ISS_NONCE" --dpop
API="$ISS_PLAIN/api/data"
API_NONCE="$ISS_NONCE/api/data"
for case in "$H_BEARER $API" "$H_DPOP $API" "$H_NONCE $API_NONCE"; do
    set -- $case
    octl "$1" call --fail "$2" >/dev/null
done
AT=$(octl "$H_BEARER" token)
[ "$(OAUTHCTL_HOME="$H_DPOP" "$BIN" token --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_type"])')" = DPoP ] \
    || { echo "dpop-case.sh: the --dpop login is not DPoP-bound" >&2; exit 1; }
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/call-dpop.json" \
    -n "oauthctl call (Bearer)" "env OAUTHCTL_HOME=$H_BEARER OAUTHCTL_TOKEN_STORE=file $BIN call $API" \
    -n "oauthctl call (DPoP)" "env OAUTHCTL_HOME=$H_DPOP OAUTHCTL_TOKEN_STORE=file $BIN call $API" \
    -n "oauthctl call (DPoP, server nonce)" \
    "env OAUTHCTL_HOME=$H_NONCE OAUTHCTL_TOKEN_STORE=file $BIN call $API_NONCE" \
    -n "curl (Bearer)" "curl -sS -H \"Authorization: Bearer $AT\" $API" | tee "$OUT/call-dpop.txt"
# Requests the API saw per call with the server's nonce (1.0: no refusal before the answer).
grep -c 'GET /api/data' "$OUT/dpop-nonce.log" >"$OUT/call-dpop-nonce-requests.txt" || true
