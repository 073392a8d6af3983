#!/usr/bin/env bash
# Builds oaimg with its tests and runs every test under CTest (unit, ABI, integration against the
# stand-in server, GIMP 2.10 end-to-end where it is installed, and GIMP 3 end-to-end natively or
# in the Debian 13 chroot). Extra arguments go to ctest.
#   OAIMG_BUILD       build folder (default ./build, the one install/setup.sh configured)
#   OAIMG_CMAKE_ARGS  extra CMake arguments, space separated (CI: -DOAIMG_WERROR=ON)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${OAIMG_BUILD:-$here/build}
read -ra cmake_args <<<"${OAIMG_CMAKE_ARGS:-}"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOAIMG_BUILD_TESTS=ON -DOAIMG_BUILD_BENCH=ON -DOAIMG_GIMP_PLUGIN=auto "${cmake_args[@]}"
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j2 "$@"
