# The stand-in server's own strictness: every client test trusts it to refuse what the real API
# refuses, so it is tested first (and on its own: Python only, no build products needed).
add_test(NAME server_strictness
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/server/test_strictness.py)
set_tests_properties(server_strictness PROPERTIES LABELS "server;integration" TIMEOUT 300)

# Optional: the same server cross-checked against the published spec by Stoplight Prism 5.14.2
# (`npm install @stoplight/prism-cli@5.14.2`; pass -DOAIMG_PRISM=.../node_modules/.bin/prism).
set(OAIMG_PRISM "" CACHE FILEPATH "Stoplight Prism 5.14.2, for the stand-in server's spec check")
if(OAIMG_PRISM)
  add_test(NAME server_against_prism
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/server/test_against_prism.py
            ${OAIMG_PRISM} ${CMAKE_CURRENT_SOURCE_DIR}/server/spec/images.openapi.yaml)
  set_tests_properties(server_against_prism PROPERTIES LABELS "server;integration" TIMEOUT 300)
endif()
