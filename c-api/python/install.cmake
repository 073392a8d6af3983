# Installs the Python package where the system's python3 reads it under the install prefix: on
# Debian lib/python3.X/dist-packages (/usr/local/lib/python3.11/dist-packages on Debian 12; the
# lib/python3/dist-packages of old was read only by /usr/bin/python3 under /usr), elsewhere
# lib/python3.X/site-packages. Beside the modules, _installed_library.py names the library
# installed with them, so the package finds it even under a prefix outside the loader's path.
if(EXISTS /usr/bin/python3)
  set(OAIMG_INSTALL_PYTHON_DEFAULT /usr/bin/python3)
else()
  find_program(OAIMG_INSTALL_PYTHON_DEFAULT NAMES python3)
endif()
set(OAIMG_INSTALL_PYTHON ${OAIMG_INSTALL_PYTHON_DEFAULT} CACHE FILEPATH
  "The python3 the oaimg package is installed for")
set(OAIMG_PYTHON_INSTALL_DIR "" CACHE PATH
  "Where the oaimg Python package goes, relative to the prefix (empty: ask OAIMG_INSTALL_PYTHON)")
if(NOT OAIMG_PYTHON_INSTALL_DIR AND OAIMG_INSTALL_PYTHON)
  execute_process(COMMAND ${OAIMG_INSTALL_PYTHON} -c
    "import sys; v = sys.version_info; d = any(p.endswith('/dist-packages') for p in sys.path); print('lib/python%d.%d/%s' % (v[0], v[1], 'dist-packages' if d else 'site-packages'))"
    OUTPUT_VARIABLE OAIMG_PYTHON_INSTALL_DIR OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(rc)
    set(OAIMG_PYTHON_INSTALL_DIR "")
  endif()
endif()
if(OAIMG_PYTHON_INSTALL_DIR)
  install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/src/oaimg DESTINATION ${OAIMG_PYTHON_INSTALL_DIR}
    FILES_MATCHING PATTERN "*.py" PATTERN "py.typed" PATTERN "__pycache__" EXCLUDE)
  # Evaluated at install time, so that `cmake --install --prefix P` records P.
  install(CODE "file(WRITE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${OAIMG_PYTHON_INSTALL_DIR}/oaimg/_installed_library.py\"
\"# Written by cmake --install: the liboaimg installed with this package.\\nLIBRARY_PATH = \\\"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/liboaimg.so.${PROJECT_VERSION_MAJOR}\\\"\\n\")")
else()
  message(STATUS "oaimg: no python3 found; the Python package is not installed")
endif()
