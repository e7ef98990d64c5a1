#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, then runs format
# and lint checks, every test (unit, integration, and the suites that need real parts), and
# the documentation build. Prints one closing line: "total: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { printf '\n==> %s\n' "$*" >&2; }

step "installing test dependencies"
scripts/install-test-deps.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --all-targets --locked -- -D warnings

# Every test, including the ones ignored in a plain `cargo test` because they need real
# parts: a Secret Service (the wrapper starts a private one), node-oidc-provider and
# headless Chromium (installed above). `keyctl session -` runs them in a fresh session
# keyring of their own, as a login session has, so the keyring tests also go through the
# kernel keyring copy and leave nothing in the caller's session keyring.
step "cargo test (with a private Secret Service and session keyring, --include-ignored)"
status=0
scripts/with-secret-service.sh keyctl session - cargo test --locked -- --include-ignored 2>&1 | tee -a "$log" || status=$?

if [ "$status" -eq 0 ]; then
step "rustdoc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --document-private-items --quiet
fi

passed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
ignored=$(grep -Eo '[0-9]+ ignored' "$log" | awk '{s+=$1} END {print s+0}')
echo "total: ${passed} passed, ${failed} failed, ${ignored} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
