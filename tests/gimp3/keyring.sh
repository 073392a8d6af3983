#!/bin/sh
# Runs inside the chroot under dbus-run-session: a private, unlocked GNOME keyring (a real Secret
# Service) for the session, then interactive.sh; afterwards it looks the key up in the keyring
# with libsecret's own tool, into $OAIMG_E2E_DIR/keyring-lookup, for run_case.py to compare.
#   dbus-run-session -- sh keyring.sh interactive.sh SCRIPT STEP...
set -u
interactive=$1
shift
export XDG_RUNTIME_DIR="$OAIMG_E2E_DIR/run"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the login keyring's password from stdin and creates the keyring (the default
# collection) on first use; a password, so that the keyring file on disk is encrypted.
printf 'e2e-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
  { echo "keyring: gnome-keyring-daemon did not start"; exit 1; }
sh "$interactive" "$@"
status=$?
secret-tool lookup purpose api-key >"$OAIMG_E2E_DIR/keyring-lookup" 2>/dev/null
exit $status
