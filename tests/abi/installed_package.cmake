# Installs the build into a scratch prefix and builds a consumer against it with find_package()
# and with pkg-config: what a packager or a downstream project does.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install into ${prefix} failed")
endif()
foreach(how find_package pkg_config)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/${how}
      -DCMAKE_PREFIX_PATH=${prefix} -DHOW=${how}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "configuring the consumer with ${how} failed:\n${out}\n${err}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/${how}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "building the consumer with ${how} failed:\n${out}\n${err}")
  endif()
  execute_process(COMMAND ${WORK_DIR}/${how}/consumer
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "oaimg [0-9]+\\.[0-9]+\\.[0-9]+")
    message(FATAL_ERROR "the consumer built with ${how} did not run: ${rc}\n${out}\n${err}")
  endif()
endforeach()
