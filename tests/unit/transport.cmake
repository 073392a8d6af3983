# The transport: the SDK's retry policy as pure functions, and the libcurl client against the
# stand-in server (tests/server/fake_openai.py), one private server per test process.
add_executable(test_retry_policy unit/test_retry_policy.cc)
target_link_libraries(test_retry_policy PRIVATE oaimg_core GTest::gtest_main)
gtest_discover_tests(test_retry_policy)


add_executable(test_client unit/test_client.cc)
# The core's private src/ for http_transport.h: same_origin decides where the key may go.
target_include_directories(test_client PRIVATE ${OAIMG_TEST_SUPPORT_DIR}
                                               ${PROJECT_SOURCE_DIR}/core/src)
target_compile_definitions(test_client PRIVATE OAIMG_FAKE_SERVER="${OAIMG_FAKE_SERVER}"
                                               OAIMG_PYTHON3="${Python3_EXECUTABLE}")
target_link_libraries(test_client
  PRIVATE oaimg_core GTest::gtest_main PkgConfig::CURL PkgConfig::JSONGLIB)
# Each test is its own process with its own server, so CTest may run them in parallel.
gtest_discover_tests(test_client PROPERTIES LABELS "server" TIMEOUT 120)
