#!/usr/bin/env bash
# Builds oaimg with its tests and runs every test under CTest (unit, ABI, integration against the
# stand-in server, and the GIMP 3 end-to-end tests in the Debian 13 chroot).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${OAIMG_BUILD:-$here/build}
# OAIMG_WERROR=ON (as .ci/run sets it) makes every warning of oaimg's own code an error.
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOAIMG_BUILD_TESTS=ON -DOAIMG_BUILD_BENCH=ON -DOAIMG_GIMP_PLUGIN=auto \
  -DOAIMG_WERROR="${OAIMG_WERROR:-OFF}"
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j2 "$@"
