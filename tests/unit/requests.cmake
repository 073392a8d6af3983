# Unit tests of the models table, request validation, request bodies and response parsing.
foreach(oaimg_requests_test IN ITEMS models request_validation request_body response sse)
  add_executable(test_${oaimg_requests_test}
    ${CMAKE_CURRENT_LIST_DIR}/test_${oaimg_requests_test}.cc)
  # json-glib lets the body tests read the JSON they assert on instead of comparing strings.
  target_link_libraries(test_${oaimg_requests_test}
    PRIVATE oaimg_core PkgConfig::JSONGLIB GTest::gtest_main)
  gtest_discover_tests(test_${oaimg_requests_test})
endforeach()
