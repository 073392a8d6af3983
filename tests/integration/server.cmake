# The stand-in server's own strictness: every client test trusts it to refuse what the real API
# refuses, so it is tested first (and on its own: Python only, no build products needed).
add_test(NAME server_strictness
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/server/test_strictness.py)
set_tests_properties(server_strictness PROPERTIES LABELS "server;integration" TIMEOUT 300)
