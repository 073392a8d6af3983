# Unit tests of the pixel pipeline: PNG codec, region geometry, masks, resampling, placement.
foreach(oaimg_pipeline_test IN ITEMS png_codec geometry resample masks prepare_and_place)
  add_executable(test_${oaimg_pipeline_test}
    ${CMAKE_CURRENT_LIST_DIR}/test_${oaimg_pipeline_test}.cc)
  # The private headers (resample.h, masks.h...) are tested directly; libpng and zlib let the
  # codec tests write PNGs the codec itself does not produce.
  target_include_directories(test_${oaimg_pipeline_test}
    PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
  target_link_libraries(test_${oaimg_pipeline_test}
    PRIVATE oaimg_core PNG::PNG GTest::gtest_main)
  gtest_discover_tests(test_${oaimg_pipeline_test})
endforeach()

# The fast PNG reader and single-filter writer against libpng, and on damaged files (issue 13).
add_executable(test_png_fast ${CMAKE_CURRENT_LIST_DIR}/test_png_fast.cc)
target_include_directories(test_png_fast PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
target_link_libraries(test_png_fast PRIVATE oaimg_core PNG::PNG GTest::gtest_main)
gtest_discover_tests(test_png_fast)

# The streaming reader in the request, and what it allocates (its own operator new; issue 13).
add_executable(test_png_stream ${CMAKE_CURRENT_LIST_DIR}/test_png_stream.cc)
target_include_directories(test_png_stream PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
target_link_libraries(test_png_stream PRIVATE oaimg_core ZLIB::ZLIB GTest::gtest_main)
gtest_discover_tests(test_png_stream)
