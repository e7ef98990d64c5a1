#!/usr/bin/env bash
# Compares two builds of `oauthctl serve` under the same wrk load (not a test): tokens per
# second (`POST /token`, client credentials, ES256, bench/token.lua) and `GET /api/data`
# requests per second (bench/api.lua), and the server's CPU time per answered request.
#
# Method, per round and per binary (BEFORE and AFTER alternate which goes first, round by
# round):
#   1. start `BIN serve --port 0 --rate-limit 0` and read the issuer from its first line;
#   2. for /api/data, fetch one client-credentials access token for `demo-service` (scope
#      api:read) with curl;
#   3. run wrk for WARMUP seconds, read the server's CPU time (user + system of all its
#      threads, /proc/PID/stat), run wrk for DURATION seconds, read it again;
#   4. CPU per request = the CPU time used during the measured run / the requests wrk
#      counted (every answer must be 200: non-2xx answers and socket errors are reported).
# CPU per request depends far less on other work on the machine than requests per second
# do; the 1-minute load average is printed with every run. At the end: per case and
# binary the median of the rounds, and the after/before ratios of the medians; then per case
# the geometric mean of the rounds' own after/before ratios with an interval of two standard
# errors, which the machine's drift from round to round disturbs far less.
#
# Usage: BEFORE=path/to/old/oauthctl AFTER=path/to/new/oauthctl bench/serve-compare.sh
#   env: ROUNDS=5 THREADS=2 CONNECTIONS=16 DURATION=10 WARMUP=2 CASES="token api"
# Everything stays on 127.0.0.1; every server started is stopped (by its PID) on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${BEFORE:?set BEFORE to the old binary}"
: "${AFTER:?set AFTER to the new binary}"
ROUNDS="${ROUNDS:-5}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
CASES="${CASES:-token api}"
TICK="$(getconf CLK_TCK)"

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "serve-compare.sh: $tool not found" >&2; exit 1; }
done
for bin in "$BEFORE" "$AFTER"; do
    [[ -x "$bin" ]] || { echo "serve-compare.sh: $bin is not an executable" >&2; exit 1; }
done

work="$(mktemp -d)"
server_pid=""
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# user + system CPU time of a process and all its threads, in clock ticks
cpu_ticks() {
    # The command name (field 2) may contain spaces: count fields after its closing ")".
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    awk '{print $12 + $13}' <<<"$stat"
}

# one measured run: prints "req_per_s cpu_us_per_req requests load1 errors"
run_case() { # BIN CASE
    local bin="$1" case="$2" out="$work/serve.out" issuer url script token
    : >"$out"
    "$bin" serve --port 0 --rate-limit 0 >"$out" 2>/dev/null &
    server_pid=$!
    for _ in $(seq 1 100); do
        [[ -s "$out" ]] && break
        sleep 0.1
    done
    issuer="$(head -n1 "$out")"
    [[ "$issuer" == http://127.0.0.1:* ]] || { echo "serve did not print an issuer" >&2; exit 1; }
    token="$(curl -sf -u demo-service:demo-secret -d grant_type=client_credentials \
        -d scope=api:read "$issuer/token" | jq -r .access_token)"
    [[ -n "$token" && "$token" != null ]] || { echo "no access token from $issuer" >&2; exit 1; }
    case "$case" in
        token) url="$issuer/token"; script=bench/token.lua ;;
        api) url="$issuer/api/data"; script=bench/api.lua ;;
        unknown) url="$issuer/bench/unknown"; script=bench/unknown.lua ;;
        *) echo "unknown case $case" >&2; exit 2 ;;
    esac
    WRK_TOKEN="$token" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$url" >/dev/null
    local before after load result
    load="$(cut -d' ' -f1 /proc/loadavg)"
    before="$(cpu_ticks "$server_pid")"
    result="$(WRK_TOKEN="$token" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$script" "$url" \
        | grep '^RESULT')"
    after="$(cpu_ticks "$server_pid")"
    stop_server
    awk -v r="$result" -v case="$case" -v t0="$before" -v t1="$after" -v tick="$TICK" -v load="$load" 'BEGIN {
        n = split(r, f, " ")
        for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
        rps = (v["tokens_per_s"] != "") ? v["tokens_per_s"] : v["requests_per_s"]
        # every answer is 404 in the unknown case
        errors = v["socket_errors"] + (case == "unknown" ? 0 : v["non2xx_or_3xx"])
        printf "%d %.1f %d %s %d\n", rps, (t1 - t0) * 1e6 / tick / v["requests"], v["requests"], load, errors
    }'
}

results="$work/results"
: >"$results"
printf '%-6s %-5s %-6s %10s %12s %10s %6s %6s\n' round case build "req/s" "CPU us/req" requests load errors
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then order="before after"; else order="after before"; fi
    for case in $CASES; do
        for which in $order; do
            if [[ "$which" == before ]]; then bin="$BEFORE"; else bin="$AFTER"; fi
            read -r rps cpu requests load errors < <(run_case "$bin" "$case")
            printf '%-6s %-5s %-6s %10s %12s %10s %6s %6s\n' \
                "$round" "$case" "$which" "$rps" "$cpu" "$requests" "$load" "$errors"
            echo "$case $which $rps $cpu $load $round" >>"$results"
        done
    done
done

echo
python3 - "$results" <<'EOF'
import math, statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
cases = list(dict.fromkeys(r[0] for r in rows))
loads = [float(r[4]) for r in rows]
print(f"1-minute load average during the runs: {min(loads):.2f} to {max(loads):.2f}")
print(f"{'case':6} {'req/s before':>13} {'req/s after':>12} {'ratio':>6}   "
      f"{'us/req before':>13} {'us/req after':>12} {'ratio':>6}")
for case in cases:
    def med(which, col):
        return statistics.median(float(r[col]) for r in rows if r[0] == case and r[1] == which)
    rb, ra = med("before", 2), med("after", 2)
    cb, ca = med("before", 3), med("after", 3)
    print(f"{case:6} {rb:13.0f} {ra:12.0f} {ra / rb:6.3f}   {cb:13.1f} {ca:12.1f} {ca / cb:6.3f}")

# Each round runs both builds back to back, so the machine's drift over the rounds cancels
# in the round's after/before ratio: their geometric mean, with an interval of two standard
# errors either side (about 95 %; wider than that for fewer than about 8 rounds).
print()
print(f"{'case':6} {'rounds':>6}   {'req/s after/before (interval)':>30}   {'CPU/req after/before (interval)':>32}")
for case in cases:
    by_round = {}
    for r in rows:
        if r[0] == case:
            by_round.setdefault(r[5], {})[r[1]] = (float(r[2]), float(r[3]))
    pairs = [v for v in by_round.values() if len(v) == 2]
    def paired(col):
        logs = [math.log(p["after"][col] / p["before"][col]) for p in pairs]
        mean = statistics.mean(logs)
        half = 2 * statistics.stdev(logs) / math.sqrt(len(logs)) if len(logs) > 1 else float("nan")
        return f"{math.exp(mean):.3f} ({math.exp(mean - half):.3f}-{math.exp(mean + half):.3f})"
    print(f"{case:6} {len(pairs):6}   {paired(0):>30}   {paired(1):>32}")
EOF
