# Guards of the stable C ABI.
set(OAIMG_ABI_DIR ${CMAKE_CURRENT_LIST_DIR})
set(OAIMG_PUBLIC_HEADER_DIR ${PROJECT_SOURCE_DIR}/c-api/include)
set(OAIMG_GENERATED_HEADER_DIR ${PROJECT_BINARY_DIR}/c-api/include)

# Every public header compiles on its own as strict C11 (and as C++11): a translation unit that
# includes just that header and declares one thing, so a header-only-macros file is not "empty".
foreach(header oaimg.h oaimg_export.h oaimg_version.h)
  string(MAKE_C_IDENTIFIER ${header} id)
  set(source ${CMAKE_CURRENT_BINARY_DIR}/header_alone_${id}.c)
  file(WRITE ${source} "#include <${header}>\ntypedef int oaimg_header_alone_check;\n")
  add_test(NAME abi_header_alone_c11_${id}
    COMMAND ${CMAKE_C_COMPILER} -std=c11 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only
      -I${OAIMG_PUBLIC_HEADER_DIR} -I${OAIMG_GENERATED_HEADER_DIR} -x c ${source})
  add_test(NAME abi_header_alone_cxx_${id}
    COMMAND ${CMAKE_CXX_COMPILER} -std=c++11 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only
      -I${OAIMG_PUBLIC_HEADER_DIR} -I${OAIMG_GENERATED_HEADER_DIR} -x c++ ${source})
endforeach()

# The library exports exactly the declared oaimg_* functions.
add_test(NAME abi_exports_match_header
  COMMAND ${Python3_EXECUTABLE} ${OAIMG_ABI_DIR}/check_exports.py
    ${OAIMG_PUBLIC_HEADER_DIR}/oaimg.h $<TARGET_FILE:oaimg>)
set_tests_properties(abi_exports_match_header PROPERTIES LABELS abi)

# A plain C program using the header, linked against the shared library.
add_executable(abi_c_consumer ${OAIMG_ABI_DIR}/c_consumer.c)
set_target_properties(abi_c_consumer PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
target_compile_options(abi_c_consumer PRIVATE -Wall -Wextra -Werror -pedantic)
target_link_libraries(abi_c_consumer PRIVATE oaimg)
add_test(NAME abi_c_consumer COMMAND abi_c_consumer)
# The consumer must not pick up a key from the developer's environment.
set_tests_properties(abi_c_consumer PROPERTIES ENVIRONMENT "OPENAI_API_KEY=;OPENAI_BASE_URL=")

# Installed, the package is found by find_package(oaimg) and by pkg-config.
add_test(NAME abi_installed_package
  COMMAND ${CMAKE_COMMAND}
    -DBUILD_DIR=${PROJECT_BINARY_DIR}
    -DCONSUMER_DIR=${OAIMG_ABI_DIR}/consumer
    -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/installed-package
    -P ${OAIMG_ABI_DIR}/installed_package.cmake)

# The ABI against the stored baseline (libabigail): an incompatible change to a public type, enum
# value or function signature fails; functions and status codes appended do not. Updating the
# baseline after a compatible addition: tests/abi/README.md.
set(OAIMG_ABI_CHECK ${Python3_EXECUTABLE} ${OAIMG_ABI_DIR}/check_abi.py
  --baseline ${OAIMG_ABI_DIR}/liboaimg.abi)
add_test(NAME abi_baseline
  COMMAND ${OAIMG_ABI_CHECK} --headers ${OAIMG_PUBLIC_HEADER_DIR}
    --headers ${OAIMG_GENERATED_HEADER_DIR} $<TARGET_FILE:oaimg>)
add_custom_target(oaimg_abi_baseline_update
  COMMAND ${OAIMG_ABI_CHECK} --headers ${OAIMG_PUBLIC_HEADER_DIR}
    --headers ${OAIMG_GENERATED_HEADER_DIR} $<TARGET_FILE:oaimg> --update
  DEPENDS oaimg COMMENT "Rewriting tests/abi/liboaimg.abi from the library just built")

include(${OAIMG_ABI_DIR}/planted.cmake)
add_test(NAME abi_baseline_catches_a_renumbered_status
  COMMAND ${OAIMG_ABI_CHECK}
    --headers ${CMAKE_CURRENT_BINARY_DIR}/oaimg_abi_planted_incompatible/include
    --headers ${OAIMG_GENERATED_HEADER_DIR} $<TARGET_FILE:oaimg_abi_planted_incompatible>
    --expect-incompatible OAIMG_ERR_SERVER)
add_test(NAME abi_baseline_allows_additions_and_internal_changes
  COMMAND ${OAIMG_ABI_CHECK}
    --headers ${CMAKE_CURRENT_BINARY_DIR}/oaimg_abi_planted_compatible/include
    --headers ${OAIMG_GENERATED_HEADER_DIR} $<TARGET_FILE:oaimg_abi_planted_compatible>)
set_tests_properties(abi_baseline abi_baseline_catches_a_renumbered_status
  abi_baseline_allows_additions_and_internal_changes PROPERTIES LABELS abi TIMEOUT 300)
