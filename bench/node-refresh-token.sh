#!/usr/bin/env bash
# node-refresh-token.sh ISSUER: signs in to the node-oidc-provider fixture
# (tests/interop/oidc-server.mjs) with curl alone, as client oauthctl-test, through its
# built-in login and consent pages (authorization code + PKCE, scope with offline_access),
# and prints the refresh token. bench/run.sh seeds oidc-agent with it. Not a test.
set -euo pipefail
iss=$1
redirect="http://127.0.0.1/callback"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
jar="$dir/jar"
page="$dir/page"

b64url() { base64 | tr '+/' '-_' | tr -d '=\n'; }
# GET or POST with the cookie jar; prints where the answer redirects to (empty if nowhere).
go() { curl -sS -o "$page" -b "$jar" -c "$jar" -w '%{redirect_url}' "$@"; }

verifier=$(head -c 32 /dev/urandom | b64url)
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | b64url)
next=$(go -G "$iss/auth" -d client_id=oauthctl-test -d response_type=code \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode "scope=openid offline_access" \
    -d state=bench -d "code_challenge=$challenge" -d code_challenge_method=S256 -d prompt=consent)
for _ in 1 2 3 4 5 6 7 8; do
    case "$next" in
        "$redirect"\?*) break ;;
        */interaction/*)
            # Each interaction URL is fetched once (a second GET ends the session).
            go "$next" >/dev/null
            if grep -q 'name="login"' "$page"; then
                next=$(go -d prompt=login -d login=alice -d password=x "$next")
            else
                next=$(go -d prompt=consent "$next")
            fi
            ;;
        "") echo "node-refresh-token.sh: the provider stopped redirecting" >&2; exit 1 ;;
        *) next=$(go "$next") ;;
    esac
done
code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$next")
[[ -n "$code" ]] || { echo "node-refresh-token.sh: no code in $next" >&2; exit 1; }
curl -sS --fail -u oauthctl-test:oauthctl-secret -d grant_type=authorization_code \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "code_verifier=$verifier" "$iss/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])'
