# The Python package (c-api/python/) as a user has it: pip-installed into fresh virtual
# environments (never imported from the source folder), loading the library just built, against
# the stand-in server. The Python is Debian's (its setuptools/wheel build the package offline).
if(EXISTS /usr/bin/python3)
  set(OAIMG_PACKAGE_PYTHON_DEFAULT /usr/bin/python3)
else()
  set(OAIMG_PACKAGE_PYTHON_DEFAULT ${Python3_EXECUTABLE})
endif()
set(OAIMG_PACKAGE_PYTHON ${OAIMG_PACKAGE_PYTHON_DEFAULT} CACHE FILEPATH
  "Python with venv, setuptools and wheel, to install and test the oaimg package")
set(OAIMG_PY_WORK ${CMAKE_CURRENT_BINARY_DIR}/python-package)
set(OAIMG_PY_ENV "OAIMG_LIBRARY=$<TARGET_FILE:oaimg>;OPENAI_API_KEY=;OPENAI_BASE_URL=;PYTHONPATH=;OAIMG_TEST_SERVER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/server")

add_test(NAME python_package_install
  COMMAND ${CMAKE_COMMAND} -DPYTHON=${OAIMG_PACKAGE_PYTHON}
    -DPACKAGE=${PROJECT_SOURCE_DIR}/c-api/python -DWORK=${OAIMG_PY_WORK}
    -P ${CMAKE_CURRENT_LIST_DIR}/python_venv.cmake)
set_tests_properties(python_package_install PROPERTIES
  LABELS "python;integration" TIMEOUT 300 FIXTURES_SETUP oaimg_python_venvs)

add_test(NAME python_package
  COMMAND ${OAIMG_PY_WORK}/venv/bin/python ${CMAKE_CURRENT_LIST_DIR}/test_python_package.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME python_package_without_pillow_or_numpy
  COMMAND ${OAIMG_PY_WORK}/venv-plain/bin/python
    ${CMAKE_CURRENT_LIST_DIR}/test_python_without_extras.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(python_package python_package_without_pillow_or_numpy PROPERTIES
  LABELS "python;integration" TIMEOUT 300 FIXTURES_REQUIRED oaimg_python_venvs
  ENVIRONMENT "${OAIMG_PY_ENV};OAIMG_EXPECTED_VERSION=${PROJECT_VERSION}")

# `cmake --install` puts the package where this Python reads it (Debian: lib/python3.X/
# dist-packages), next to a stripped library, and the installed package finds that library.
add_test(NAME python_package_cmake_install
  COMMAND ${OAIMG_PACKAGE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_python_cmake_install.py
    ${PROJECT_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/python-cmake-install
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(python_package_cmake_install PROPERTIES
  LABELS "python;integration" TIMEOUT 300
  ENVIRONMENT "OAIMG_LIBRARY=;PYTHONPATH=;LD_LIBRARY_PATH=")
