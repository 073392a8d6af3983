# Hostile servers, files and callers (issue 9): each test failed before the fix it covers.
# docs/hardening.md lists every case with its outcome.
add_executable(test_hostile_server ${CMAKE_CURRENT_LIST_DIR}/test_hostile_server.cc)
target_include_directories(test_hostile_server PRIVATE ${OAIMG_TEST_SUPPORT_DIR})
target_link_libraries(test_hostile_server PRIVATE oaimg_core GTest::gtest_main Threads::Threads)
gtest_discover_tests(test_hostile_server PROPERTIES LABELS "hardening" TIMEOUT 120)

# Through liboaimg.so only: what a C caller or a hostile file can do.
foreach(oaimg_capi_test IN ITEMS capi_hostile key_in_memory)
  add_executable(test_${oaimg_capi_test} ${CMAKE_CURRENT_LIST_DIR}/test_${oaimg_capi_test}.cc
                 ${OAIMG_TEST_SUPPORT_DIR}/enum_calls.c)
  target_include_directories(test_${oaimg_capi_test} PRIVATE ${OAIMG_TEST_SUPPORT_DIR})
  target_link_libraries(test_${oaimg_capi_test} PRIVATE oaimg GTest::gtest_main Threads::Threads)
  gtest_discover_tests(test_${oaimg_capi_test} PROPERTIES LABELS "hardening;capi" TIMEOUT 120)
endforeach()

if(TARGET oaimg_cli)
  add_test(NAME cli_hostile
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_cli_hostile.py $<TARGET_FILE:oaimg_cli>)
  set_tests_properties(cli_hostile PROPERTIES LABELS "hardening;cli" TIMEOUT 300)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/../fuzz/fuzz.cmake)

# The soak for ThreadSanitizer; .ci/hardening.sh builds and runs it in a TSan build. Built here so
# that it compiles (and warns) with every compiler; as a test it runs a short round.
add_executable(soak ${CMAKE_CURRENT_LIST_DIR}/soak.cc)
target_include_directories(soak PRIVATE ${OAIMG_TEST_SUPPORT_DIR})
target_compile_definitions(soak PRIVATE OAIMG_FAKE_SERVER="${OAIMG_FAKE_SERVER}"
                                        OAIMG_PYTHON3="${Python3_EXECUTABLE}")
target_link_libraries(soak PRIVATE oaimg PkgConfig::CURL Threads::Threads)
add_test(NAME soak_short COMMAND soak 4 5)
set_tests_properties(soak_short PROPERTIES LABELS "hardening;soak" TIMEOUT 300)
