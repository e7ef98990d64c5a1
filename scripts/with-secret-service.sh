#!/bin/sh
# with-secret-service.sh CMD [ARGS...]
#
# Runs CMD with a private, unlocked Secret Service (gnome-keyring on its own D-Bus session
# bus), for the keyring tests on a headless machine:
#
#   scripts/with-secret-service.sh cargo test --test integration keyring -- --include-ignored
#
# (scripts/test.sh also puts the tests in a session keyring of their own: CMD is
# `keyctl session - cargo test …` there.)
#
# Needs: dbus (dbus-run-session, dbus-send), gnome-keyring. On Debian/Ubuntu:
#   apt-get install -y --no-install-recommends gnome-keyring libsecret-tools dbus-bin
#
# The keyring lives in a throw-away directory unlocked with a throw-away password
# (KEYRING_PASSWORD, default "ci-pass"); HOME is left alone because cargo needs it.
set -eu

for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "with-secret-service.sh: $tool not found (install gnome-keyring and dbus)" >&2
    exit 127
  }
done

KR_DIR=$(mktemp -d)
trap 'rm -rf "$KR_DIR"' EXIT INT TERM
export XDG_DATA_HOME="$KR_DIR/data" XDG_RUNTIME_DIR="$KR_DIR/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# Not exec: the trap must run to remove the throw-away keyring afterwards.
dbus-run-session -- sh -c '
  printf %s "${KEYRING_PASSWORD:-ci-pass}" \
    | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  i=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
          org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q "boolean true"; do
    i=$((i + 1))
    if [ "$i" -ge 25 ]; then
      echo "with-secret-service.sh: org.freedesktop.secrets did not appear on the bus" >&2
      exit 1
    fi
    sleep 0.2
  done
  exec "$@"' sh "$@"
