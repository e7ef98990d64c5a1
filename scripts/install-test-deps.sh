#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, from Debian packages and the
# npm registry. Idempotent: what is already there is not installed again.
#   apt: gnome-keyring, libsecret-tools, dbus (a real Secret Service for the keyring tests),
#        keyutils (`keyctl session`: session keyrings for the kernel keyring tests),
#        chromium (the headless browser for the end-to-end login tests),
#        kubernetes-client (kubectl, for the exec credential plugin test; skipped when a
#        kubectl is already installed), git (the credential helper tests), curl and
#        python3 (the MCP conformance client and the "browser" it logs in with)
#   npm: tests/interop (oidc-provider, a certified OpenID provider; playwright-core),
#        tests/mcp (the MCP conformance suite, and Node 22 for it from the npm package
#        `node`, whatever node runs npm)
#   pip: PyJWT[crypto] (an independent verifier of `jwt sign` tokens)
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif have sudo; then sudo "$@"
  else echo "install-test-deps: need root for: $*" >&2; return 1
  fi
}

missing=()
have gnome-keyring-daemon || missing+=(gnome-keyring)
have secret-tool || missing+=(libsecret-tools)
have dbus-run-session || missing+=(dbus)
have dbus-send || missing+=(dbus-bin)
have keyctl || missing+=(keyutils)
have chromium || missing+=(chromium)
have ss || missing+=(iproute2)
have openssl || missing+=(openssl)
have kubectl || missing+=(kubernetes-client)
have git || missing+=(git)
have curl || missing+=(curl)
have python3 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: apt-get install ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

have node || { echo "install-test-deps: node and npm are needed for tests/interop" >&2; exit 1; }
if [ ! -d tests/interop/node_modules/oidc-provider ] || [ ! -d tests/interop/node_modules/playwright-core ]; then
  echo "install-test-deps: npm ci in tests/interop" >&2
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -x tests/mcp/node_modules/.bin/conformance ] || [ ! -x tests/mcp/node_modules/.bin/node ]; then
  echo "install-test-deps: npm ci in tests/mcp" >&2
  (cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
  echo "install-test-deps: pip install PyJWT[crypto]" >&2
  python3 -m pip install --quiet --disable-pip-version-check 'PyJWT[crypto]'
fi
