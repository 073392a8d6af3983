# Fuzz targets (libFuzzer). In every build each target replays its committed corpus
# (tests/fuzz/corpus/TARGET) as a CTest test, so an input that once crashed stays a regression
# test. With clang and -DOAIMG_FUZZ=ON (as .ci/hardening.sh builds) each is also a libFuzzer
# binary that CTest runs for OAIMG_FUZZ_SECONDS on a scratch copy of its corpus. For hours:
#   build-hardening/tests/fuzz_response -max_total_time=14400 -jobs=2 \
#     /tmp/corpus-response tests/fuzz/corpus/response
# then copy any crash-* file it reports into tests/fuzz/corpus/response/ and fix the bug.
option(OAIMG_FUZZ "Build the fuzz targets as libFuzzer binaries (clang only)" OFF)
set(OAIMG_FUZZ_SECONDS 20 CACHE STRING "Seconds CTest runs each libFuzzer target")
set(OAIMG_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

# response, sse and png_region (the streaming PNG reader) fuzz the core directly; png_decode and
# plan go through liboaimg.so.
foreach(target IN ITEMS response sse png_region png_decode plan)
  if(target STREQUAL "response" OR target STREQUAL "sse" OR target STREQUAL "png_region")
    set(library oaimg_core)
    set(support_sources "")
  else()
    set(library oaimg)
    set(support_sources ${OAIMG_TEST_SUPPORT_DIR}/enum_calls.c)
  endif()
  add_executable(replay_${target} ${OAIMG_FUZZ_DIR}/fuzz_${target}.cc ${OAIMG_FUZZ_DIR}/replay_main.cc
                 ${support_sources})
  target_include_directories(replay_${target} PRIVATE ${OAIMG_TEST_SUPPORT_DIR}
                             ${PROJECT_SOURCE_DIR}/core/src)
  target_link_libraries(replay_${target} PRIVATE ${library})
  add_test(NAME fuzz_replay_${target} COMMAND replay_${target} ${OAIMG_FUZZ_DIR}/corpus/${target})
  set_tests_properties(fuzz_replay_${target} PROPERTIES LABELS "hardening;fuzz" TIMEOUT 120)

  if(OAIMG_FUZZ AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_executable(fuzz_${target} ${OAIMG_FUZZ_DIR}/fuzz_${target}.cc ${support_sources})
    target_include_directories(fuzz_${target} PRIVATE ${OAIMG_TEST_SUPPORT_DIR}
                               ${PROJECT_SOURCE_DIR}/core/src)
    target_compile_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${target} PRIVATE ${library})
    set(scratch ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus/${target})
    # New inputs go to the scratch folder; the committed seeds are only read.
    add_test(NAME fuzz_${target}
      COMMAND sh -c "mkdir -p '${scratch}' && exec \"$0\" -max_total_time=${OAIMG_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix='${CMAKE_CURRENT_BINARY_DIR}/fuzz-' '${scratch}' '${OAIMG_FUZZ_DIR}/corpus/${target}'"
              $<TARGET_FILE:fuzz_${target}>)
    math(EXPR fuzz_timeout "${OAIMG_FUZZ_SECONDS} + 120")
    set_tests_properties(fuzz_${target} PROPERTIES LABELS "hardening;fuzz;libfuzzer" TIMEOUT ${fuzz_timeout})
  endif()
endforeach()
