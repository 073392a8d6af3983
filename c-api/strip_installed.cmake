# Install step: moves the installed library's debug info into a separate file and strips it.
# Set by the install(CODE) before it: OAIMG_INSTALLED_LIBRARY, OAIMG_OBJCOPY, OAIMG_STRIP.
if(NOT OAIMG_OBJCOPY OR NOT OAIMG_STRIP)
  message(STATUS "oaimg: no objcopy/strip; the installed library keeps its debug info")
  return()
endif()
get_filename_component(dir ${OAIMG_INSTALLED_LIBRARY} DIRECTORY)
get_filename_component(name ${OAIMG_INSTALLED_LIBRARY} NAME)
set(debug_file ${dir}/.debug/${name}.debug)
file(MAKE_DIRECTORY ${dir}/.debug)
foreach(step
    "${OAIMG_OBJCOPY};--only-keep-debug;${OAIMG_INSTALLED_LIBRARY};${debug_file}"
    "${OAIMG_STRIP};--strip-debug;--strip-unneeded;${OAIMG_INSTALLED_LIBRARY}"
    "${OAIMG_OBJCOPY};--add-gnu-debuglink=${debug_file};${OAIMG_INSTALLED_LIBRARY}")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "oaimg: stripping ${OAIMG_INSTALLED_LIBRARY} failed: ${err}")
  endif()
endforeach()
message(STATUS "Stripped: ${OAIMG_INSTALLED_LIBRARY} (debug info in ${debug_file})")
