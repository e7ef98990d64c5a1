#!/usr/bin/env bash
# bench/run.sh: the side-by-side benchmark of oauthctl and the tools people would use
# instead. Not a test: nothing in `cargo test` runs or depends on it.
#
# One command reproduces everything:
#   1. installs the peers: Debian packages (hyperfine, wrk, oidc-agent-cli, curl, time,
#      gnome-keyring + dbus for a private Secret Service), `cargo install` of jwt-cli and xh
#      into target/bench-tools (a private --root: nothing global changes), and `npm ci` in
#      tests/interop (node-oidc-provider);
#   2. builds oauthctl twice: the Linux release build measured throughout
#      (scripts/build-static.sh: a static PIE) and the default `cargo build --release
#      --locked` (dynamically linked), which cases 1, 2 and 7 show beside it;
#   3. starts `oauthctl serve` and node-oidc-provider on free loopback ports;
#   4. runs every case (hyperfine for commands, wrk for server load), raw results under
#      target/bench/ (hyperfine --export-json, wrk output, facts.tsv);
#   5. writes the generated part of BENCHMARKS.md and bench/chart.svg (bench/report.py).
# Everything is on 127.0.0.1, every loop is bounded, and every server it starts is stopped
# on exit. About 5 minutes after the builds.
#
# Env: RUNS (hyperfine runs per command, default 200), WRK_DURATION (s, default 10),
#      WRK_THREADS (2), WRK_CONNECTIONS (16), SKIP_INSTALL=1 (use what is installed),
#      ONLY=keyring (case 1b alone: `token` from the OS keyring with its kernel keyring
#      copy beside oidc-token and true; the static build only, raw results in
#      target/bench-keyring/, BENCHMARKS.md left as it is), ONLY=dpop (`call` with a
#      DPoP-bound token beside a bearer one, bench/dpop-case.sh; raw results in
#      target/bench-dpop/, BENCHMARKS.md left as it is).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
ONLY="${ONLY:-}"
case "$ONLY" in
    "") OUT="$REPO/target/bench" ;;
    keyring) OUT="$REPO/target/bench-keyring" ;;
    dpop) OUT="$REPO/target/bench-dpop" ;;
    *) echo "run.sh: ONLY is empty, keyring or dpop, not $ONLY" >&2; exit 2 ;;
esac
TOOLS="$REPO/target/bench-tools"
RUNS="${RUNS:-200}"
WARMUP=10
WRK_DURATION="${WRK_DURATION:-10}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-16}"
JWT_CLI_VERSION=6.2.0
XH_VERSION=0.26.3

log() { printf '\n== %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif have sudo; then sudo "$@"
    else echo "run.sh: need root for: $*" >&2; return 1
    fi
}

# ---------------------------------------------------------------- 1. peers
if [ -z "${SKIP_INSTALL:-}" ]; then
    log "installing peers"
    missing=()
    have hyperfine || missing+=(hyperfine)
    [ -n "$ONLY" ] || have wrk || missing+=(wrk)
    have oidc-agent || missing+=(oidc-agent-cli)
    have curl || missing+=(curl)
    have openssl || missing+=(openssl)
    [ -x /usr/bin/time ] || missing+=(time)
    have gnome-keyring-daemon || missing+=(gnome-keyring)
    have dbus-run-session || missing+=(dbus)
    have dbus-send || missing+=(dbus-bin)
    have keyctl || missing+=(keyutils)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "apt-get install ${missing[*]}" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if [ -z "$ONLY" ] && ! "$TOOLS/bin/jwt" --version 2>/dev/null | grep -q "$JWT_CLI_VERSION"; then
        cargo install --locked --root "$TOOLS" --version "$JWT_CLI_VERSION" jwt-cli
    fi
    if [ -z "$ONLY" ] && ! "$TOOLS/bin/xh" --version 2>/dev/null | grep -q "$XH_VERSION"; then
        cargo install --locked --root "$TOOLS" --version "$XH_VERSION" xh
    fi
    if [ ! -d tests/interop/node_modules/oidc-provider ]; then
        (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
export PATH="$TOOLS/bin:$PATH"
needed=(hyperfine oidc-agent oidc-gen oidc-token curl node python3 keyctl)
[ -n "$ONLY" ] || needed+=(wrk jwt xh openssl)
for tool in "${needed[@]}"; do
    have "$tool" || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

# ---------------------------------------------------------------- 2. build
if [ -z "$ONLY" ]; then
    log "cargo build --release --locked (the default, dynamically linked build)"
    cargo build --release --locked
    BIN_DYN="$REPO/target/release/oauthctl"
fi
log "scripts/build-static.sh (the Linux release build, a static PIE)"
if BIN=$(scripts/build-static.sh | tail -n1) && [ -x "$BIN" ]; then
    BUILD="static PIE (scripts/build-static.sh)"
else
    echo "run.sh: no static build on this host; measuring the default build only" >&2
    [ -z "$ONLY" ] || cargo build --release --locked
    BIN="$REPO/target/release/oauthctl"
    BUILD="default (cargo build --release)"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
SCRATCH=$(mktemp -d)
FACTS="$OUT/facts.tsv"
: >"$FACTS"
fact() { printf '%s\t%s\n' "$1" "$2" >>"$FACTS"; }

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_serve NAME ARGS...: starts `oauthctl serve --port 0 -v ARGS` and sets ISSUER and
# SERVE_PID; the request log goes to $OUT/NAME.log.
start_serve() {
    local name=$1
    shift
    local first="$SCRATCH/$name.issuer"
    "$BIN" serve --port 0 -v "$@" >"$first" 2>"$OUT/$name.log" &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    local _
    for _ in $(seq 1 100); do
        [ -s "$first" ] && break
        sleep 0.1
    done
    ISSUER=$(head -n1 "$first")
    case "$ISSUER" in
        http://127.0.0.1:*) ;;
        *) echo "run.sh: serve ($name) did not print an issuer" >&2; exit 1 ;;
    esac
}

# hf NAME [hyperfine args]: hyperfine without a shell, raw JSON to $OUT/NAME.json.
hf() {
    local name=$1
    shift
    hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"
}

# oauthctl with a given home and the file store.
octl() { OAUTHCTL_HOME="$1" OAUTHCTL_TOKEN_STORE=file "$BIN" "${@:2}"; }

# ---------------------------------------------------------------- 3. servers
if [ "$ONLY" = dpop ]; then
    log "call with DPoP"
    export BIN RUNS WARMUP OUT SCRATCH
    export -f start_serve octl
    # The functions above add to PIDS in a child shell: the servers are stopped by the
    # case script's own trap.
    bench/dpop-case.sh
    {
        echo "commit: $(git rev-parse HEAD)" \
            "(uncommitted changes: $(git status --porcelain --untracked-files=no | grep -q . && echo yes || echo no))"
        echo "build: $BUILD; kernel: $(uname -sr); cores: $(nproc); $(hyperfine --version)"
    } | tee "$OUT/facts.txt"
    log "done: raw results in target/bench-dpop/"
    exit 0
fi
log "starting servers"
start_serve serve --rate-limit 0
ISS="$ISSUER"
SERVE_MAIN_PID="$SERVE_PID"

NODE_PORT=$(free_port)
NODE_ISS="http://127.0.0.1:$NODE_PORT"
(cd tests/interop && PORT="$NODE_PORT" exec node oidc-server.mjs) >"$OUT/node.log" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
for _ in $(seq 1 150); do
    curl -sf -o /dev/null "$NODE_ISS/.well-known/openid-configuration" && break
    sleep 0.2
done
curl -sf -o /dev/null "$NODE_ISS/.well-known/openid-configuration" \
    || { echo "run.sh: node-oidc-provider did not start" >&2; exit 1; }
echo "oauthctl serve: $ISS; node-oidc-provider: $NODE_ISS" >&2

# One user login (authorization code + PKCE through the real pages, by the curl follower)
# whose cache serves `token`, `decode` and `call`.
H_USER="$SCRATCH/home-user"
mkdir -m 700 "$H_USER"
octl "$H_USER" --quiet login --issuer "$ISS" --client-id oauthctl \
    --scope "openid offline_access api:read" --browser-command "$REPO/bench/follow-login.sh"
AT=$(octl "$H_USER" token)

# oidc-agent, seeded with a refresh token from node-oidc-provider; its own config directory.
export OIDC_CONFIG_DIR="$SCRATCH/oidc-agent"
mkdir -m 700 "$OIDC_CONFIG_DIR"
eval "$(oidc-agent)" >/dev/null
PIDS+=("$OIDCD_PID")
RT=$(bench/node-refresh-token.sh "$NODE_ISS")
oidc-gen --iss="$NODE_ISS" --client-id=oauthctl-test --client-secret=oauthctl-secret \
    --scope="openid offline_access" --rt="$RT" --pw-cmd="echo bench-agent-pw" --prompt=none \
    --confirm-default --redirect-uri=http://localhost:8765/callback bench </dev/null >/dev/null
oidc-token bench >/dev/null

# ---------------------------------------------------------------- 4. cases
# case_1b: `token` from the keyring (a private Secret Service) in a session keyring of its
# own, where the kernel keyring copy lives.
case_1b() {
    log "case 1b: token from the keyring (private Secret Service, kernel keyring copy)"
    export BIN ISS RUNS WARMUP OUT REPO
    scripts/with-secret-service.sh keyctl session - bench/keyring-case.sh 2>&1 \
        | grep -v -e 'Failed to set fd limit' -e '^Joined session keyring'
}
if [ "$ONLY" = keyring ]; then
    case_1b
    {
        echo "commit: $(git rev-parse HEAD)" \
            "(uncommitted changes: $(git status --porcelain --untracked-files=no | grep -q . && echo yes || echo no))"
        echo "build: $BUILD; kernel: $(uname -sr); cores: $(nproc); $(hyperfine --version);" \
            "oidc-agent $(oidc-agent --version 2>&1 | head -n1 | awk '{print $NF}')"
    } | tee "$OUT/facts.txt"
    log "done: raw results in target/bench-keyring/"
    exit 0
fi

log "case 1: token from the cache"
export OAUTHCTL_HOME="$H_USER" OAUTHCTL_TOKEN_STORE=file
hf token \
    -n "oauthctl token (file store)" "$BIN token" \
    -n "oauthctl token (file store, dynamic build)" "$BIN_DYN token" \
    -n "oidc-token (oidc-agent)" "oidc-token bench" \
    -n "true" "true"

case_1b || echo "keyring case failed" >&2

log "case 2: decode"
hf decode \
    -n "oauthctl decode" "$BIN decode $AT" \
    -n "oauthctl decode --json" "$BIN decode --json $AT" \
    -n "oauthctl decode (dynamic build)" "$BIN_DYN decode $AT" \
    -n "jwt decode" "jwt decode $AT" \
    -n "jwt decode --json" "jwt decode --json $AT"

log "case 3: call"
API="$ISS/api/data"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AT" "$API")" = 200 ] \
    || { echo "run.sh: GET /api/data with the cached token is not 200" >&2; exit 1; }
hf call \
    -n "oauthctl call" "$BIN call $API" \
    -n "curl" "curl -sS -H \"Authorization: Bearer $AT\" $API" \
    -n "xh" "xh --ignore-stdin $API \"Authorization:Bearer $AT\""

log "case 4: login"
H_CC="$SCRATCH/home-cc"
mkdir -m 700 "$H_CC"
export OAUTHCTL_HOME="$H_CC" BENCH_SECRET=demo-secret
hf login-cc \
    -n "oauthctl login --flow client-credentials" \
    "$BIN --quiet login --flow client-credentials --issuer $ISS --client-id demo-service --client-secret-env BENCH_SECRET --scope api:read" \
    -n "curl client_credentials" \
    "curl -sS --fail -u demo-service:demo-secret -d grant_type=client_credentials -d scope=api:read $ISS/token"
H_AC="$SCRATCH/home-ac"
mkdir -m 700 "$H_AC"
export OAUTHCTL_HOME="$H_AC"
RUNS_SAVED=$RUNS
RUNS=10 WARMUP=1 hf login-code \
    -n "oauthctl login (code + PKCE, curl follower)" \
    "$BIN --quiet login --issuer $ISS --client-id oauthctl --scope \"openid offline_access\" --browser-command $REPO/bench/follow-login.sh" \
    -n "curl alone (code + PKCE)" \
    "$REPO/bench/curl-authcode.sh $ISS"
RUNS=$RUNS_SAVED
export OAUTHCTL_HOME="$H_USER"

log "case 5: server load (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s)"
# wrk_run NAME URL SCRIPT: a 2 s warm-up, then the measured run to $OUT/wrk-NAME.txt.
wrk_run() {
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d2s -s "$3" "$2" >/dev/null
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --latency -s "$3" "$2" \
        | tee "$OUT/wrk-$1.txt"
}
NODE_BASIC=$(printf %s oauthctl-test:oauthctl-secret | base64)
for body in "grant_type=client_credentials&scope=api%3Aread" \
    "grant_type=client_credentials&scope=api%3Aread&resource=urn%3Aoauthctl%3Aapi"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -u oauthctl-test:oauthctl-secret \
        -d "$body" "$NODE_ISS/token")
    [ "$status" = 200 ] || { echo "run.sh: node token request answered $status" >&2; exit 1; }
done
wrk_run serve-es256 "$ISS/token" bench/token.lua
fact serve_es256_vmhwm_kb "$(awk '/VmHWM/ {print $2}' "/proc/$SERVE_MAIN_PID/status")"
start_serve serve-rs256 --rate-limit 0 --alg RS256
wrk_run serve-rs256 "$ISSUER/token" bench/token.lua
kill "$SERVE_PID"
WRK_BASIC="$NODE_BASIC" wrk_run node-opaque "$NODE_ISS/token" bench/token.lua
WRK_BASIC="$NODE_BASIC" WRK_BODY="grant_type=client_credentials&scope=api%3Aread&resource=urn%3Aoauthctl%3Aapi" \
    wrk_run node-jwt "$NODE_ISS/token" bench/token.lua
fact node_vmhwm_kb "$(awk '/VmHWM/ {print $2}' "/proc/$NODE_PID/status")"
WRK_TOKEN="$AT" wrk_run serve-api "$API" bench/api.lua

log "case 6: 32 parallel token calls with an expired access token"
# One round: the cached access token (3 s) has expired; 32 processes at once; the server's
# request log counts the refreshes (one `POST /token` line each).
parallel_round() { # HOME LOG ROUND ARGS...
    local home=$1 slog=$2 round=$3
    shift 3
    local dir="$SCRATCH/par-$round"
    mkdir "$dir"
    local before after t0 t1 i fails=0
    before=$(grep -c 'POST /token ' "$slog" || true)
    t0=$(date +%s%N)
    local pids=()
    for i in $(seq 1 32); do
        OAUTHCTL_HOME="$home" OAUTHCTL_TOKEN_STORE=file "$BIN" token "$@" \
            >"$dir/out.$i" 2>"$dir/err.$i" &
        pids+=("$!")
    done
    for i in "${pids[@]}"; do wait "$i" || fails=$((fails + 1)); done
    t1=$(date +%s%N)
    sleep 0.2
    after=$(grep -c 'POST /token ' "$slog" || true)
    local distinct
    distinct=$(cat "$dir"/out.* | sort -u | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$(((t1 - t0) / 1000000))" "$((after - before))" \
        "$distinct" "$fails" | tee -a "$OUT/parallel.tsv"
}
start_serve serve-ttl3 --rate-limit 0 --access-token-ttl 3s
H_PAR="$SCRATCH/home-par"
mkdir -m 700 "$H_PAR"
octl "$H_PAR" --quiet login --issuer "$ISSUER" --client-id oauthctl \
    --scope "openid offline_access api:read" --browser-command "$REPO/bench/follow-login.sh"
printf 'round\twall_ms\trefreshes\tdistinct_tokens\tfailed\n' >"$OUT/parallel.tsv"
for round in 1 2 3; do
    sleep 4
    parallel_round "$H_PAR" "$OUT/serve-ttl3.log" "default-$round"
done
for round in 1 2 3; do
    sleep 4
    parallel_round "$H_PAR" "$OUT/serve-ttl3.log" "min-ttl-1s-$round" --min-ttl 1s
done
kill "$SERVE_PID"

log "case 7: size, start-up, peak RSS"
fact oauthctl_size_bytes "$(stat -c %s "$BIN")"
fact oauthctl_dynamic_size_bytes "$(stat -c %s "$BIN_DYN")"
fact oauthctl_stripped "$(file -b "$BIN" | grep -q 'not stripped' && echo no || echo yes)"
for t in jwt xh; do fact "${t}_size_bytes" "$(stat -c %s "$(command -v $t)")"; done
hf startup \
    -n "oauthctl --version" "$BIN --version" \
    -n "oauthctl --version (dynamic build)" "$BIN_DYN --version" \
    -n "jwt --version" "jwt --version" \
    -n "xh --version" "xh --version" \
    -n "true" "true"
# rss NAME CMD...: the largest peak RSS (KiB) of 5 runs.
rss() {
    local name=$1 max=0 kb _
    shift
    for _ in 1 2 3 4 5; do
        /usr/bin/time -o "$SCRATCH/rss" -f %M "$@" >/dev/null 2>&1 </dev/null
        kb=$(tail -n1 "$SCRATCH/rss")
        [ "$kb" -gt "$max" ] && max=$kb
    done
    fact "rss_kb:$name" "$max"
}
rss "true" true
rss "oauthctl --version" "$BIN" --version
rss "oauthctl token (file)" "$BIN" token
rss "oidc-token" oidc-token bench
rss "oauthctl decode" "$BIN" decode "$AT"
rss "jwt decode" jwt decode "$AT"
rss "oauthctl call" "$BIN" call "$API"
rss "curl" curl -sS -H "Authorization: Bearer $AT" "$API"
rss "xh" xh --ignore-stdin "$API" "Authorization:Bearer $AT"
OAUTHCTL_HOME="$H_CC" rss "oauthctl login --flow client-credentials" "$BIN" --quiet login \
    --flow client-credentials --issuer "$ISS" --client-id demo-service \
    --client-secret-env BENCH_SECRET --scope api:read

# ---------------------------------------------------------------- 5. report
log "machine and versions"
fact commit "$(git rev-parse HEAD)"
fact dirty "$(git status --porcelain --untracked-files=no | grep -q . && echo yes || echo no)"
fact nproc "$(nproc)"
fact memory "$(free -h | awk '/^Mem:/ {print $2}')"
fact cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
fact kernel "$(uname -sr)"
fact "version:oauthctl" "$("$BIN" --version)"
fact "version:rustc" "$(rustc --version)"
fact "version:hyperfine" "$(hyperfine --version)"
fact "version:wrk" "$(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"
fact "version:oidc-agent" "$(oidc-agent --version 2>&1 | head -n1)"
fact "version:jwt-cli" "$(jwt --version)"
fact "version:xh" "$(xh --version | head -n1)"
fact "version:curl" "$(curl --version | head -n1 | cut -d' ' -f1-2)"
fact "version:node" "$(node --version)"
fact "version:oidc-provider" "$(node -p 'require("./tests/interop/node_modules/oidc-provider/package.json").version')"
fact wrk_params "-t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s"
fact runs "$RUNS"
fact warmup "$WARMUP"
fact build "$BUILD"

python3 bench/report.py "$OUT" BENCHMARKS.md bench/chart.svg
log "done: raw results in target/bench/, BENCHMARKS.md and bench/chart.svg updated"
