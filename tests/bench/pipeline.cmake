# Selection -> request PNGs and results -> layers; run by hand, see the command at the top of
# bench_pipeline.cc. Reads the core's private headers to survey PNG settings and time the masks.
add_executable(bench_pipeline ${CMAKE_CURRENT_LIST_DIR}/bench_pipeline.cc)
target_include_directories(bench_pipeline PRIVATE ${PROJECT_SOURCE_DIR}/core/src)
target_link_libraries(bench_pipeline PRIVATE oaimg_core PNG::PNG)
