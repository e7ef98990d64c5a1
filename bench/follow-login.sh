#!/bin/sh
# follow-login.sh URL: a minimal stand-in for the browser in benchmarks, for
# `oauthctl login --browser-command bench/follow-login.sh` against `oauthctl serve`.
# It does what a person does on the dev server's pages, with curl: open the authorization
# URL, sign in (BENCH_USER, default alice; the password equals the name), approve the
# consent page, and follow the redirect to the loopback callback. Not a test.
set -eu
url=$1
user=${BENCH_USER:-alice}
base=${url%%/authorize*}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
jar="$dir/jar"
page="$dir/page"

field() { grep -o "name=\"$1\" value=\"[^\"]*\"" "$page" | head -n1 | sed 's/.*value="//; s/"$//'; }

curl -sS --fail -c "$jar" -b "$jar" -o "$page" "$url"
txn=$(field txn)
csrf=$(field csrf)
curl -sS --fail -c "$jar" -b "$jar" -o "$page" --data-urlencode "txn=$txn" \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=$user" \
    --data-urlencode "password=$user" "$base/authorize/login"
callback=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "txn=$txn" --data-urlencode "csrf=$csrf" -d decision=approve \
    "$base/authorize/consent")
case "$callback" in
    http://127.0.0.1:*/callback\?*) ;;
    *) echo "follow-login.sh: consent did not redirect to the loopback callback" >&2; exit 1 ;;
esac
curl -sS -o /dev/null "$callback"
