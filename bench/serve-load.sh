#!/usr/bin/env bash
# Load benchmark for `oauthctl serve` (not a test): client-credentials tokens per second and
# latency percentiles on loopback.
#
# Method:
#   1. build the release binary (cargo build --release) unless OAUTHCTL_BIN points at one;
#   2. start `oauthctl serve --port 0 --rate-limit 0` (the per-client limit would otherwise
#      cap the run at 120 requests per minute) and read the issuer from its first stdout line;
#   3. check one token request by hand (curl), then run wrk for a short warm-up and for the
#      measured run: THREADS threads, CONNECTIONS keep-alive connections, DURATION seconds,
#      each request a POST /token with grant_type=client_credentials and client_secret_basic
#      authentication for the built-in `demo-service` client (bench/token.lua builds it);
#   4. report requests/s (every 200 answer is one signed ES256 access token), p50/p90/p99
#      latency from wrk's latency histogram, and the count of non-200 answers and socket errors;
#   5. stop the server (by its PID) on exit.
# Everything stays on 127.0.0.1, and the run ends by itself after WARMUP + DURATION seconds.
#
# Usage: bench/serve-load.sh            (env: THREADS=2 CONNECTIONS=16 DURATION=10 WARMUP=2)
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk not found; installing it (Debian package)" >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

BIN="${OAUTHCTL_BIN:-target/release/oauthctl}"
if [[ -z "${OAUTHCTL_BIN:-}" ]]; then
    cargo build --release --quiet
fi

out="$(mktemp)"
"$BIN" serve --port 0 --rate-limit 0 >"$out" 2>/dev/null &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$out"' EXIT

for _ in $(seq 1 50); do
    [[ -s "$out" ]] && break
    sleep 0.1
done
issuer="$(head -n1 "$out")"
[[ "$issuer" == http://127.0.0.1:* ]] || { echo "serve did not print an issuer" >&2; exit 1; }

status="$(curl -s -o /dev/null -w '%{http_code}' -u demo-service:demo-secret \
    -d grant_type=client_credentials -d scope=api:read "$issuer/token")"
[[ "$status" == 200 ]] || { echo "token request answered $status" >&2; exit 1; }

echo "server: $issuer (pid $server_pid); wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/token.lua "$issuer/token" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/token.lua "$issuer/token"
