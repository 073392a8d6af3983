#!/usr/bin/env bash
# Installs a built oaimg GIMP 3 plug-in into your own GIMP profiles (GIMP 3.0 and 3.2), for
# machines where GIMP 3 runs natively. Run it as the user who runs GIMP, not as root.
#
#   install-gimp3-profile.sh [BUILD_DIR]     default: ./build
#
# Build first with the plug-in enabled, e.g.
#   cmake -S . -B build -DOAIMG_GIMP_PLUGIN=gimp3 && cmake --build build && sudo cmake --install build
# (the plug-in needs liboaimg.so.1 installed, or on LD_LIBRARY_PATH when GIMP starts).
#   OAIMG_GIMP_VERSIONS  profile versions to install into (default "3.0 3.2")
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
built=$build/gimp-plugin/gimp3/oaimg
config=${XDG_CONFIG_HOME:-$HOME/.config}

die() { echo "install-gimp3-profile: $*" >&2; exit 1; }

[ -x "$built/oaimg" ] || die "no built plug-in at $built/oaimg: configure with -DOAIMG_GIMP_PLUGIN=gimp3 and build"
if [ "$(id -u)" = 0 ] && [ -z "${OAIMG_ALLOW_ROOT:-}" ]; then
  die "run as the user who runs GIMP (root's profile is rarely the one you want; OAIMG_ALLOW_ROOT=1 overrides)"
fi
if command -v ldd >/dev/null && ldd "$built/oaimg" | grep -q 'not found'; then
  echo "install-gimp3-profile: warning: some libraries are not found yet:" >&2
  ldd "$built/oaimg" | grep 'not found' >&2
  echo "install-gimp3-profile: install liboaimg (sudo cmake --install $build) before starting GIMP" >&2
fi

for version in ${OAIMG_GIMP_VERSIONS:-3.0 3.2}; do
  dest=$config/GIMP/$version/plug-ins/oaimg
  # GIMP 3 only loads plug-ins from plug-ins/NAME/NAME; a stale copy of old files is removed.
  rm -rf "$dest"
  mkdir -p "$dest"
  install -m 0755 "$built/oaimg" "$dest/oaimg"
  if [ -d "$built/locale" ]; then
    cp -R "$built/locale" "$dest/locale"
  fi
  echo "install-gimp3-profile: installed $dest/oaimg"
done
echo "install-gimp3-profile: restart GIMP; the plug-in is in Filters ▸ OpenAI Images"
