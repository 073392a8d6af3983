# n results fanned out as parallel requests against the delayed stand-in server (a figure, not a
# test): ./tests/bench_fanout [delay_s] [n]
add_executable(bench_fanout bench/bench_fanout.cc)
target_include_directories(bench_fanout PRIVATE ${OAIMG_TEST_SUPPORT_DIR})
target_compile_definitions(bench_fanout PRIVATE OAIMG_FAKE_SERVER="${OAIMG_FAKE_SERVER}"
                                                OAIMG_PYTHON3="${Python3_EXECUTABLE}")
target_link_libraries(bench_fanout PRIVATE oaimg_core PkgConfig::CURL)
