# The oaimg command line end to end: each test starts its own stand-in server, gives the CLI the
# key through OPENAI_API_KEY and checks the files it writes, its exit status and its stderr.
if(TARGET oaimg_cli)
  add_test(NAME cli_end_to_end
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_cli.py
            $<TARGET_FILE:oaimg_cli> ${OAIMG_FAKE_SERVER})
  set_tests_properties(cli_end_to_end PROPERTIES LABELS "cli;integration" TIMEOUT 600)
endif()
# The man page and bash completion as `cmake --install` lays them out.
if(TARGET oaimg_cli AND OAIMG_INSTALL)
  add_test(NAME cli_installed_docs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_cli_install.py
            ${CMAKE_BINARY_DIR})
  set_tests_properties(cli_installed_docs PROPERTIES LABELS "cli;integration" TIMEOUT 180)
endif()
