#!/usr/bin/env bash
# Hardening CI (issue 9), run by .ci/run after install/test.sh (whose GCC build in build/ it
# reuses for valgrind). Three more builds, none of them a redundant full one:
#   1. clang, ASan + UBSan (halting on the first report), warnings as errors, libFuzzer coverage:
#      the whole suite except GIMP, then each fuzz target for OAIMG_FUZZ_SECONDS (default 20).
#      This is also the "Clang with warnings as errors" build.
#   2. valgrind memcheck (zero errors, zero definite/indirect leaks) over the C API tests and the
#      CLI against the stand-in server, on the GCC build.
#   3. clang + TSan, only liboaimg, the soak (8 threads x 50 jobs, shared and separate
#      clients, server faults, random cancels), shrink on load's two-thread tests and the tests
#      of placing a job's results side by side.
# Time on the 2-core CI machine: see docs/hardening.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=${OAIMG_JOBS:-2}
fuzz_seconds=${OAIMG_FUZZ_SECONDS:-20}
gcc_build=${OAIMG_BUILD:-$here/build}
asan_build=$here/build-hardening
tsan_build=$here/build-tsan
start=$(date +%s)
step_start=$start
step_name=
times=
# Each step's elapsed seconds, printed as it ends and again as a table at the end.
step() {
  local now; now=$(date +%s)
  if [ -n "$step_name" ]; then
    echo "== hardening: $step_name took $(( now - step_start )) s"
    times+=$(printf '%6d s  %s' $(( now - step_start )) "$step_name")$'\n'
  fi
  step_name=$*; step_start=$now
  [ -n "$step_name" ] && echo "== hardening: $step_name ($(( now - start )) s in)"
  return 0
}

step "clang ASan+UBSan build, -Werror"
sanitize="-fsanitize=address,undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all -fno-omit-frame-pointer -fsanitize=fuzzer-no-link"
# Plain C test programs (abi_c_consumer) are linked by clang, which leaves out UBSan's C++
# runtime: the two checks that need it (vptr, function) are off, every other UBSan check is on.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$asan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOAIMG_BUILD_TESTS=ON -DOAIMG_BUILD_BENCH=OFF -DOAIMG_GIMP_PLUGIN=off -DOAIMG_WERROR=ON \
  -DOAIMG_FUZZ=ON -DOAIMG_FUZZ_SECONDS="$fuzz_seconds" \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$asan_build" -j"$jobs"

step "the suite under ASan+UBSan (GIMP cases aside)"
# Leak checking stays on (ASan's default on Linux). The Python tests are left out: they would load
# the instrumented library into an uninstrumented python3; the C tests cover the same library.
# abi_installed_package builds a consumer with the system compiler and no sanitizer runtime
# against the installed (instrumented) library: a packaging test, run in the GCC pass instead.
export ASAN_OPTIONS=abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$asan_build" --output-on-failure -j"$jobs" \
  -E "gimp|python|^abi_installed_package$|^fuzz_(response|sse|png_decode|plan)$"

step "fuzz targets, ${fuzz_seconds} s each"
# Run once; the log keeps libFuzzer's figures (executions, coverage, corpus) for docs/hardening.md.
fuzz_log=$asan_build/fuzz.log
fuzz_rc=0
ctest --test-dir "$asan_build" --output-on-failure -R "^fuzz_(response|sse|png_decode|plan)$" -V \
  >"$fuzz_log" 2>&1 || fuzz_rc=$?
grep -E "^[0-9]+: (Done|stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))|Test +#|tests passed" \
  "$fuzz_log" || true
if [ "$fuzz_rc" != 0 ]; then tail -60 "$fuzz_log"; echo "a fuzz target failed (log: $fuzz_log)"; exit 1; fi

step "valgrind memcheck: C API and CLI (GCC 12 -Werror build)"
unset ASAN_OPTIONS UBSAN_OPTIONS
# The GCC build is also CI's "GCC 12 with warnings as errors" build of the whole tree: .ci/run
# makes install/test.sh's build a -Werror one. Run by hand on a build without it, it becomes one.
if ! grep -q "^OAIMG_WERROR:BOOL=ON" "$gcc_build/CMakeCache.txt" 2>/dev/null; then
  echo "== $gcc_build is not a -Werror build: reconfiguring it with -DOAIMG_WERROR=ON"
  cmake -S . -B "$gcc_build" -DOAIMG_WERROR=ON >/dev/null
fi
cmake --build "$gcc_build" -j"$jobs"
valgrind_log=$(mktemp -d /tmp/oaimg-valgrind-XXXXXX)
wrapper=$valgrind_log/oaimg
cat > "$wrapper" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --log-file=$valgrind_log/cli.%p.log "$gcc_build/c-api/oaimg" "\$@"
WRAP
chmod +x "$wrapper"
memcheck() {
  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$@" >/dev/null
}
# The PNG budget test asserts peak memory, which valgrind's allocator changes: left out here.
memcheck "$gcc_build/tests/test_capi_hostile" --gtest_filter=-CapiPng.*
OPENAI_API_KEY= OPENAI_BASE_URL= memcheck "$gcc_build/tests/abi_c_consumer"
python3 tests/hardening/test_cli_hostile.py "$wrapper" -k empty_out_dir
# One CLI case of each path (results, url downloads, put back under a selection, dry run, 401,
# 500 after retries, an HTML page): the whole suite under valgrind would take too long.
python3 tests/integration/test_cli.py "$wrapper" tests/server/fake_openai.py -k gpt_generate \
  -k dalle2_urls -k results_are_put_back -k dry_run -k 401 -k 500_after -k html_from
if grep -l "ERROR SUMMARY: [1-9]" "$valgrind_log"/cli.*.log 2>/dev/null; then
  echo "valgrind found errors in the CLI (logs in $valgrind_log)"; exit 1
fi
echo "valgrind: $(ls "$valgrind_log"/cli.*.log | wc -l) CLI runs, 0 errors, 0 leaks"

step "TSan soak: 8 threads x 50 jobs"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$tsan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOAIMG_BUILD_TESTS=ON -DOAIMG_BUILD_BENCH=OFF -DOAIMG_GIMP_PLUGIN=off -DOAIMG_BUILD_CLI=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$tsan_build" -j"$jobs" --target soak test_png_fast test_hostile_server
# GLib 2.74's slice allocator (json-glib nodes) hands blocks between threads under GLib's own,
# uninstrumented locks, which TSan reports as races inside g_slice_alloc0: plain malloc instead.
G_SLICE=always-malloc TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$tsan_build/tests/soak" 8 50 2>"$tsan_build/soak.stderr" || {
  grep -A30 "WARNING: ThreadSanitizer" "$tsan_build/soak.stderr" | head -80; exit 1; }
if grep -q "WARNING: ThreadSanitizer" "$tsan_build/soak.stderr"; then
  grep -A30 "WARNING: ThreadSanitizer" "$tsan_build/soak.stderr" | head -80; exit 1
fi

# Shrink on load inflates on a second thread while the caller resamples: its tests under TSan.
TSAN_OPTIONS="halt_on_error=1" "$tsan_build/tests/test_png_fast" --gtest_filter='PngShrinkOnLoad.*' \
  >"$tsan_build/shrink.log" 2>&1 || { grep -A30 "WARNING: ThreadSanitizer\|FAILED" "$tsan_build/shrink.log" | head -80; exit 1; }

# The results of one job are decoded and placed on threads of their own: those tests under TSan.
G_SLICE=always-malloc TSAN_OPTIONS="halt_on_error=1" "$tsan_build/tests/test_hostile_server" \
  --gtest_filter='*ServersOrder*:*FirstBadResult*:*Placed*' >"$tsan_build/place.log" 2>&1 || {
  grep -A30 "WARNING: ThreadSanitizer\|FAILED" "$tsan_build/place.log" | head -80; exit 1; }

step ""
echo "== hardening: passed in $(( $(date +%s) - start )) s"
printf '%s' "$times"
