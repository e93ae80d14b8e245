#!/bin/sh
# Runs a command in a private D-Bus session with an unlocked GNOME Keyring of its own, so
# that QtKeychain uses its real Secret Service backend. Where neither is installed the
# console's in-memory store stands in, and this says so.
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    keyring_home=$(mktemp -d)
    trap 'rm -rf "$keyring_home"' EXIT
    XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c '
        printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
        exec "$@"' sh "$@"
    exit $?
fi
echo "no D-Bus session bus or GNOME Keyring here: secrets kept in memory (PUSH_CONSOLE_SECRETS=memory)" >&2
PUSH_CONSOLE_SECRETS=memory exec "$@"
