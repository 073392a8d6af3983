# Unit tests of the whole-job planning (core/src/job.cc).
add_executable(test_job ${CMAKE_CURRENT_LIST_DIR}/test_job.cc)
target_link_libraries(test_job PRIVATE oaimg_core PkgConfig::JSONGLIB GTest::gtest_main)
gtest_discover_tests(test_job)
