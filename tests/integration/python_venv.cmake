# Installs the Python package as a user would, into two fresh virtual environments:
#   WORK/venv        made with --system-site-packages (Debian's setuptools and wheel build the
#                    package offline; Debian's Pillow and numpy are visible), installed with
#                    pip install --no-index --no-build-isolation
#   WORK/venv-plain  no system packages at all (so no Pillow, no numpy), given the wheel built in
#                    the first one
# The package is copied first, so that the build writes nothing into the source tree.
# Usage: cmake -DPYTHON=... -DPACKAGE=c-api/python -DWORK=dir -P python_venv.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(COPY ${PACKAGE}/ DESTINATION ${WORK}/source PATTERN build EXCLUDE PATTERN *.egg-info EXCLUDE)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
  endif()
endfunction()

run(${PYTHON} -m venv --system-site-packages ${WORK}/venv)
run(${WORK}/venv/bin/python -m pip install --no-index --no-build-isolation --no-deps
    --disable-pip-version-check ${WORK}/source)
run(${WORK}/venv/bin/python -m pip wheel --no-index --no-build-isolation --no-deps
    --disable-pip-version-check -w ${WORK}/wheels ${WORK}/source)
file(GLOB wheel ${WORK}/wheels/oaimg-*.whl)
# Without a pip of its own (seconds saved): the first venv's pip installs into it.
run(${PYTHON} -m venv --without-pip ${WORK}/venv-plain)
run(${WORK}/venv/bin/python -m pip --python ${WORK}/venv-plain/bin/python install --no-index
    --no-deps --disable-pip-version-check ${wheel})
message(STATUS "installed ${wheel} into ${WORK}/venv and ${WORK}/venv-plain")
