#!/bin/sh
# curl-authcode.sh ISSUER: the authorization code + PKCE exchange of `oauthctl login`
# against `oauthctl serve`, done with curl alone (the peer of the `login` case in
# bench/run.sh). Same pages and requests as bench/follow-login.sh plus the code exchange;
# no discovery, no loopback listener (the code is read from the redirect), no ID token
# verification, nothing stored. Prints the token response. Not a test.
set -eu
iss=$1
user=${BENCH_USER:-alice}
redirect="http://127.0.0.1:8765/callback"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
jar="$dir/jar"
page="$dir/page"

b64url() { base64 | tr '+/' '-_' | tr -d '=\n'; }
field() { grep -o "name=\"$1\" value=\"[^\"]*\"" "$page" | head -n1 | sed 's/.*value="//; s/"$//'; }

verifier=$(head -c 32 /dev/urandom | b64url)
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | b64url)
state=$(head -c 16 /dev/urandom | b64url)
curl -sS --fail -c "$jar" -b "$jar" -o "$page" -G "$iss/authorize" \
    -d response_type=code -d client_id=oauthctl --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "scope=openid offline_access" -d "state=$state" \
    -d "code_challenge=$challenge" -d code_challenge_method=S256
txn=$(field txn)
csrf=$(field csrf)
curl -sS --fail -c "$jar" -b "$jar" -o "$page" --data-urlencode "txn=$txn" \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=$user" \
    --data-urlencode "password=$user" "$iss/authorize/login"
callback=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "txn=$txn" --data-urlencode "csrf=$csrf" -d decision=approve \
    "$iss/authorize/consent")
code=$(printf %s "$callback" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
[ -n "$code" ] || { echo "curl-authcode.sh: no code in the redirect" >&2; exit 1; }
curl -sS --fail -d grant_type=authorization_code -d client_id=oauthctl \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "code_verifier=$verifier" "$iss/token"
