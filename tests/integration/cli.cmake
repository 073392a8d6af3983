# The oaimg command line end to end: each test starts its own stand-in server, gives the CLI the
# key through OPENAI_API_KEY and checks the files it writes, its exit status and its stderr.
if(TARGET oaimg_cli)
  add_test(NAME cli_end_to_end
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_cli.py
            $<TARGET_FILE:oaimg_cli> ${OAIMG_FAKE_SERVER})
  set_tests_properties(cli_end_to_end PROPERTIES LABELS "cli;integration" TIMEOUT 600)
endif()
