# Two copies of liboaimg built from altered sources, to prove that the ABI test catches what it
# must and lets through what it must (the altered copies live only in the build folder):
#   oaimg_abi_planted_incompatible: OAIMG_ERR_SERVER renumbered in oaimg.h       -> must fail
#   oaimg_abi_planted_compatible:   a function and a status appended to oaimg.h, and an internal
#                                   change (a member added to the opaque oaimg_client) -> must pass
get_target_property(OAIMG_CAPI_DIR oaimg SOURCE_DIR)
get_target_property(OAIMG_CAPI_SOURCES oaimg SOURCES)

function(oaimg_abi_planted name)
  cmake_parse_arguments(P "" "" "HEADER_FROM;HEADER_TO;HANDLES_FROM;HANDLES_TO;EXTRA" ${ARGN})
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name})
  file(READ ${OAIMG_CAPI_DIR}/include/oaimg.h header)
  file(READ ${OAIMG_CAPI_DIR}/src/handles.h handles)
  foreach(what header handles)
    string(TOUPPER ${what} WHAT)
    if(P_${WHAT}_FROM)
      string(FIND "${${what}}" "${P_${WHAT}_FROM}" at)
      if(at EQUAL -1)  # the plant must really change something, or the test proves nothing
        message(FATAL_ERROR "${name}: '${P_${WHAT}_FROM}' is no longer in ${what}")
      endif()
      string(REPLACE "${P_${WHAT}_FROM}" "${P_${WHAT}_TO}" ${what} "${${what}}")
    endif()
  endforeach()
  file(CONFIGURE OUTPUT ${dir}/include/oaimg.h CONTENT "${header}" @ONLY)
  configure_file(${OAIMG_CAPI_DIR}/include/oaimg_export.h ${dir}/include/oaimg_export.h COPYONLY)
  # The sources are copied so that their #include "handles.h" finds the altered copy.
  set(sources)
  foreach(source ${OAIMG_CAPI_SOURCES})
    get_filename_component(file ${source} NAME)
    if(file STREQUAL "handles.h")
      continue()
    endif()
    configure_file(${OAIMG_CAPI_DIR}/${source} ${dir}/src/${file} COPYONLY)
    list(APPEND sources ${dir}/src/${file})
  endforeach()
  file(GLOB private_headers ${OAIMG_CAPI_DIR}/src/*.h)
  foreach(h ${private_headers})
    get_filename_component(file ${h} NAME)
    if(NOT file STREQUAL "handles.h")
      configure_file(${h} ${dir}/src/${file} COPYONLY)
    endif()
  endforeach()
  file(CONFIGURE OUTPUT ${dir}/src/handles.h CONTENT "${handles}" @ONLY)
  add_library(${name} SHARED ${sources} ${P_EXTRA})
  target_include_directories(${name} BEFORE PRIVATE ${dir}/include ${dir}/src
    ${PROJECT_BINARY_DIR}/c-api/include)
  target_compile_definitions(${name} PRIVATE OAIMG_BUILDING_LIBRARY)
  # Debug info whatever the build type: abidw reads the ABI from DWARF.
  target_compile_options(${name} PRIVATE -g)
  target_link_libraries(${name} PRIVATE oaimg_core)
  target_link_options(${name} PRIVATE "LINKER:--version-script=${OAIMG_CAPI_DIR}/src/oaimg.map")
  # Named as the real library (SONAME liboaimg.so.1), in a folder of its own.
  set_target_properties(${name} PROPERTIES C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON OUTPUT_NAME oaimg
    LIBRARY_OUTPUT_DIRECTORY ${dir} VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
endfunction()

oaimg_abi_planted(oaimg_abi_planted_incompatible
  HEADER_FROM "OAIMG_ERR_SERVER = 10," HEADER_TO "OAIMG_ERR_SERVER = 21,")
oaimg_abi_planted(oaimg_abi_planted_compatible
  HEADER_FROM "OAIMG_ERR_NO_SELECTION = 20 "
  HEADER_TO "OAIMG_ERR_NO_SELECTION = 20,\n  OAIMG_ERR_PLANTED_NEW_STATUS = 21 "
  HANDLES_FROM "struct oaimg_client {\n"
  HANDLES_TO "struct oaimg_client {\n  long planted_internal_member[3];\n"
  EXTRA ${CMAKE_CURRENT_LIST_DIR}/planted_new_function.c)
