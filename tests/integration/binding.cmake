# The Python binding against the stand-in server, loading the library just built.
add_test(NAME python_binding
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_python_binding.py)
set_tests_properties(python_binding PROPERTIES
  LABELS integration TIMEOUT 120
  ENVIRONMENT "OAIMG_LIBRARY=$<TARGET_FILE:oaimg>;PYTHONPATH=${PROJECT_SOURCE_DIR}/c-api/python;OPENAI_API_KEY=;OPENAI_BASE_URL=")
