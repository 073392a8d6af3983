#!/usr/bin/env bash
# Sets up a Debian 12 machine for oaimg: Debian packages, build, install of the library, the
# command line and the GIMP plug-in. Run as root (or with sudo). Safe to run again.
#   OAIMG_PREFIX   install prefix (default /usr/local)
#   OAIMG_BUILD    build folder (default ./build)
#   OAIMG_NO_GIMP3=1  skip the GIMP 3 chroot (library and command line only)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
prefix=${OAIMG_PREFIX:-/usr/local}
build=${OAIMG_BUILD:-$here/build}

packages=(build-essential cmake pkg-config git python3 ca-certificates
          python3-venv python3-setuptools python3-wheel python3-pil python3-numpy abigail-tools
          libcurl4-openssl-dev libjson-glib-dev libpng-dev libgtest-dev libglib2.0-dev
          libsecret-1-dev gettext debootstrap libdeflate-dev)
# The CLI decodes JPEG and WebP --image files for --selection; its tests write them with
# cjpeg (libjpeg-turbo-progs) and cwebp (webp).
packages+=(libjpeg62-turbo-dev libwebp-dev libjpeg-turbo-progs webp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DOAIMG_GIMP_PLUGIN=off -DOAIMG_BUILD_TESTS=OFF -DOAIMG_BUILD_BENCH=OFF
cmake --build "$build" -j"$(nproc)"
cmake --install "$build"
ldconfig

if [ "${OAIMG_NO_GIMP3:-0}" != 1 ]; then
  # GIMP 3 is not in Debian 12: build and install the plug-in inside a Debian 13 chroot.
  bash "$here/install/gimp3-chroot.sh" install
fi
echo "setup: done (library and oaimg in $prefix)"
