# The transport: the SDK's retry policy as pure functions, and the libcurl client against the
# stand-in server (tests/server/fake_openai.py), one private server per test process.
add_executable(test_retry_policy unit/test_retry_policy.cc)
target_link_libraries(test_retry_policy PRIVATE oaimg_core GTest::gtest_main)
gtest_discover_tests(test_retry_policy)

