# Extend Canvas, references and markup: the geometry as pure functions, and the whole job through
# the C API against the stand-in server.
add_executable(test_extend ${CMAKE_CURRENT_LIST_DIR}/test_extend.cc)
target_include_directories(test_extend PRIVATE ${PROJECT_SOURCE_DIR}/core/src
                                               ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_extend PRIVATE oaimg_core GTest::gtest_main)
gtest_discover_tests(test_extend)

add_executable(test_extend_job ${CMAKE_CURRENT_LIST_DIR}/test_extend_job.cc)
target_include_directories(test_extend_job PRIVATE ${OAIMG_TEST_SUPPORT_DIR})
target_compile_definitions(test_extend_job PRIVATE OAIMG_FAKE_SERVER="${OAIMG_FAKE_SERVER}"
                                                   OAIMG_PYTHON3="${Python3_EXECUTABLE}")
target_link_libraries(test_extend_job
  PRIVATE oaimg GTest::gtest_main PkgConfig::CURL PkgConfig::JSONGLIB)
# Each test is its own process with its own server, so CTest may run them in parallel.
gtest_discover_tests(test_extend_job PROPERTIES LABELS "server" TIMEOUT 120)
