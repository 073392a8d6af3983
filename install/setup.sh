#!/usr/bin/env bash
# Sets up a Debian machine (12 or 13) for oaimg: the Debian packages, the GIMP this machine has
# (or `gimp` from the distribution when it has none), and a build and install of the library, the
# command line, the Python module and the GIMP plug-in, so that the next GIMP start shows
# Filters ▸ OpenAI Images. GIMP 2.10 (Debian 12) and GIMP 3 (Debian 13) are both built natively.
# Run as root, or as a user with sudo (it asks sudo for itself). Safe to run again.
#   OAIMG_PREFIX   install prefix (default /usr/local)
#   OAIMG_BUILD    build folder (default ./build)
#   OAIMG_CMAKE_ARGS  extra CMake arguments, space separated (CI: -DOAIMG_WERROR=ON); install/test.sh
#                  reads the same, so that it reuses this build folder
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
prefix=${OAIMG_PREFIX:-/usr/local}
build=${OAIMG_BUILD:-$here/build}
read -ra cmake_args <<<"${OAIMG_CMAKE_ARGS:-}"

if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (apt-get and the install need it)" >&2; exit 1; }
  exec sudo OAIMG_PREFIX="$prefix" OAIMG_BUILD="$build" OAIMG_CMAKE_ARGS="${OAIMG_CMAKE_ARGS:-}" bash "$0" "$@"
fi

packages=(build-essential cmake pkg-config git python3 ca-certificates
          python3-venv python3-setuptools python3-wheel python3-pil python3-numpy abigail-tools
          libcurl4-openssl-dev libjson-glib-dev libpng-dev libgtest-dev libglib2.0-dev
          libsecret-1-dev gettext
          debootstrap   # the Debian 13 chroot in which tests run GIMP 3 on a Debian 12 machine
          xvfb xauth xdotool   # the dialog tests drive GIMP's GUI on Xvfb
          dbus gnome-keyring libsecret-tools  # a Secret Service for the keyring test
          locales              # the Simplified Chinese messages are tested under zh_CN.UTF-8
          libdeflate-dev)      # the fast PNG reader (inflate in one call)
# The CLI decodes JPEG and WebP --image files for --selection; its tests write them with
# cjpeg (libjpeg-turbo-progs) and cwebp (webp).
packages+=(libjpeg62-turbo-dev libwebp-dev libjpeg-turbo-progs webp)
# CI's hardening pass (.ci/hardening.sh, run on the Debian 12 CI machine): clang-14 with its
# sanitizer and libFuzzer runtimes, and valgrind. Debian 13 has no clang-14 and no need of it.
if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ]; then
  packages+=(clang-14 libclang-rt-14-dev valgrind)
fi
missing_of() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}
updated=0
install_packages() {
  [ $# -gt 0 ] || return 0
  echo "setup: installing $*"
  if [ $updated = 0 ]; then apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The GIMP of this machine, or the distribution's when there is none; then the development files
# of that GIMP's major version (Debian 12: 2.10, Debian 13: 3.0).
mapfile -t missing < <(missing_of "${packages[@]}")
[ -n "$(missing_of gimp)" ] && missing+=(gimp)
install_packages "${missing[@]}"
gimp_version=$(dpkg-query -W -f='${Version}' gimp)
case "$gimp_version" in
  2.*) gimp_dev=libgimp2.0-dev; gimp_name="GIMP 2.10" ;;
  *)   gimp_dev=libgimp-3.0-dev; gimp_name="GIMP 3" ;;
esac
mapfile -t missing < <(missing_of "$gimp_dev")
install_packages "${missing[@]}"

locale -a 2>/dev/null | grep -qix 'zh_CN.utf8' || localedef -i zh_CN -f UTF-8 zh_CN.UTF-8

# auto builds the plug-in for every GIMP whose development files are installed.
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DOAIMG_GIMP_PLUGIN=auto -DOAIMG_BUILD_TESTS=OFF -DOAIMG_BUILD_BENCH=OFF "${cmake_args[@]}"
cmake --build "$build" -j"$(nproc)"
cmake --install "$build"
ldconfig

plugins=$(grep -E '/plug-ins/oaimg/oaimg$' "$build/install_manifest.txt" || true)
[ -n "$plugins" ] || { echo "setup: no GIMP plug-in was installed (is $gimp_dev installed?)" >&2; exit 1; }
echo "setup: done: library, oaimg and the Python module in $prefix"
for p in $plugins; do
  case "$p" in
    */gimp/2.0/*) echo "setup: GIMP 2.10 got the plug-in: $p" ;;
    *)            echo "setup: GIMP 3 got the plug-in: $p" ;;
  esac
done
echo "setup: start $gimp_name ($gimp_version): Filters ▸ OpenAI Images"
