#!/usr/bin/env bash
# Soak benchmark for `oauthctl serve` (not a test): memory under sustained load. The server
# must stay under LIMIT_MB of resident memory while wrk asks for client-credentials tokens
# at full rate; issue #17 asks for 10 minutes under 150 MB.
#
# Method:
#   1. build the release binary (cargo build --release) unless OAUTHCTL_BIN points at one;
#   2. start `oauthctl serve --port 0 --rate-limit 0` (the per-client limit would otherwise
#      cap the run at 120 requests per minute) and read the issuer from its first stdout line;
#   3. phase 1: wrk (THREADS threads, CONNECTIONS keep-alive connections) for DURATION
#      seconds, each request a POST /token with grant_type=client_credentials
#      (bench/token.lua);
#   4. phase 2 (REVOKE_DURATION seconds, 0 skips it): the same server, wrk alternating
#      POST /token and POST /revoke of the token just issued (bench/revoke.lua), so that the
#      denylist of revoked tokens fills up to its cap;
#   5. meanwhile, every INTERVAL seconds, read VmRSS from /proc/PID/status; print the series
#      (seconds since start, phase, RSS in MB) and the maximum of each phase;
#   6. exit 1 if the maximum reached LIMIT_MB, else 0. The server is stopped (by its PID) on
#      exit in any case.
# Everything stays on 127.0.0.1, and the run ends by itself after DURATION + REVOKE_DURATION
# seconds (and the build).
#
# Usage: bench/serve-soak.sh
#   env: DURATION=600 REVOKE_DURATION=60 INTERVAL=10 LIMIT_MB=150 THREADS=2 CONNECTIONS=16
#        OAUTHCTL_BIN=path/to/oauthctl (skips the build) SERVE_ARGS="extra serve flags"
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-600}"
REVOKE_DURATION="${REVOKE_DURATION:-60}"
INTERVAL="${INTERVAL:-10}"
LIMIT_MB="${LIMIT_MB:-150}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"

[[ -r /proc/self/status ]] || { echo "needs /proc (Linux)" >&2; exit 2; }
if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk not found; installing it (Debian package)" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

BIN="${OAUTHCTL_BIN:-target/release/oauthctl}"
if [[ -z "${OAUTHCTL_BIN:-}" ]]; then
    cargo build --release --quiet
fi

out="$(mktemp)"
series="$(mktemp)"
wrk_out="$(mktemp)"
# SERVE_ARGS is split on purpose (extra flags).
# shellcheck disable=SC2086
"$BIN" serve --port 0 --rate-limit 0 ${SERVE_ARGS:-} >"$out" 2>/dev/null &
server_pid=$!
wrk_pid=""
cleanup() {
    [[ -n "$wrk_pid" ]] && kill "$wrk_pid" 2>/dev/null || true
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -f "$out" "$series" "$wrk_out"
}
trap cleanup EXIT

for _ in $(seq 1 50); do
    [[ -s "$out" ]] && break
    sleep 0.1
done
issuer="$(head -n1 "$out")"
[[ "$issuer" == http://127.0.0.1:* ]] || { echo "serve did not print an issuer" >&2; exit 1; }

status="$(curl -s -o /dev/null -w '%{http_code}' -u demo-service:demo-secret \
    -d grant_type=client_credentials -d scope=api:read "$issuer/token")"
[[ "$status" == 200 ]] || { echo "token request answered $status" >&2; exit 1; }

rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"
}

start_s=$SECONDS
sample() { # phase
    local kb
    kb="$(rss_kb)"
    printf '%d\t%s\t%s\n' "$((SECONDS - start_s))" "$1" "$kb" >>"$series"
}

# Runs wrk with the given script for the given seconds, sampling RSS meanwhile.
phase() { # name script seconds
    local name="$1" script="$2" seconds="$3"
    echo "phase $name: wrk -t$THREADS -c$CONNECTIONS -d${seconds}s -s $script $issuer/token"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s -s "$script" \
        "$issuer/token" >"$wrk_out" 2>&1 &
    wrk_pid=$!
    sample "$name"
    local next=$((SECONDS + INTERVAL))
    while kill -0 "$wrk_pid" 2>/dev/null; do
        if ((SECONDS >= next)); then
            sample "$name"
            next=$((next + INTERVAL))
        fi
        sleep 0.2
    done
    wait "$wrk_pid" || { cat "$wrk_out" >&2; echo "wrk failed" >&2; exit 1; }
    wrk_pid=""
    sample "$name"
    grep '^RESULT' "$wrk_out" | sed "s/^RESULT/RESULT $name/"
}

echo "server: $issuer (pid $server_pid); RSS at start: $(( $(rss_kb) / 1024 )) MB; load: $(cut -d' ' -f1-3 /proc/loadavg)"
phase tokens bench/token.lua "$DURATION"
if ((REVOKE_DURATION > 0)); then
    phase revoke bench/revoke.lua "$REVOKE_DURATION"
fi

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seconds	phase	RSS_MB"
awk -F'\t' '{printf "%s\t%s\t%.1f\n", $1, $2, $3 / 1024}' "$series"
awk -F'\t' -v limit="$LIMIT_MB" '
    { if ($3 > max[$2]) max[$2] = $3; if ($3 > all) all = $3 }
    END {
        for (p in max) printf "max RSS %s: %.1f MB\n", p, max[p] / 1024
        printf "max RSS: %.1f MB (limit %d MB)\n", all / 1024, limit
        exit (all / 1024 >= limit) ? 1 : 0
    }' "$series"
