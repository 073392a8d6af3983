# GIMP 2.10 end to end: the real gimp-console-2.10 of this machine in batch mode, a throwaway
# profile holding the freshly built plug-in, Script-Fu calling the procedures by position against
# the stand-in server, and the pixels, layers, masks and parasites it leaves checked with the same
# rules as the GIMP 3 cases. Built and run when the GIMP 2.10 host is built.
if(NOT TARGET oaimg_gimp2)
  return()
endif()
set(OAIMG_GIMP2_RUN_CASE ${CMAKE_CURRENT_SOURCE_DIR}/gimp2/run_case.py)
# babl's conversion cache, kept across runs: the first GIMP start of a machine builds it.
set(OAIMG_GIMP2_CACHE ${CMAKE_CURRENT_BINARY_DIR}/gimp2-cache)

function(oaimg_gimp2_case case)
  add_test(NAME gimp2.${case}
    COMMAND ${Python3_EXECUTABLE} ${OAIMG_GIMP2_RUN_CASE}
            --plugin-dir $<TARGET_FILE_DIR:oaimg_gimp2> --server ${OAIMG_FAKE_SERVER}
            --cache-dir ${OAIMG_GIMP2_CACHE} --job-test $<TARGET_FILE:oaimg_plugin_job_test>
            ${case})
  set_tests_properties(gimp2.${case} PROPERTIES SKIP_RETURN_CODE 77 LABELS gimp2 ${ARGN})
endfunction()

# First: the procedures are registered with their arguments in the contract's order (and babl's
# cache is built, which may take minutes on a busy machine).
oaimg_gimp2_case(registered FIXTURES_SETUP oaimg_gimp2_profile TIMEOUT 900)

set(OAIMG_GIMP2_CASES
  edit_ellipse                # elliptic selection, non-square RGB without alpha, n = 2
  edit_offset_layer           # an offset layer smaller than the canvas
  edit_edge                   # a selection touching the image's edges
  edit_16bit                  # 16-bit linear RGB: results in the image's precision
  edit_gray                   # grayscale
  edit_indexed                # indexed
  extend_right                # Extend Canvas by 256 px: new area filled, old pixels kept, group
  extend_failure_restores_canvas # a failing server and bad margins: canvas and image as they were
  edit_past_layer             # a selection past the active layer's edges is filled there too
  edit_guide                  # plug-in-oaimg-edit-guided: the guide as markup on 2.5, aligned, no mask
  edit_guide_refused          # a guide on 1.5, the edited layer, an opaque one: words, nothing sent
  usage_total                 # tokens in each provenance, the image's total parasite after two runs
  edit_without_selection      # "select the area to repaint", nothing sent, nothing changed
  edit_without_selection_zh   # the same message from the Simplified Chinese catalogue
  variation                   # whole layer, then a region masked to the selection
  generate                    # fills the selection's bounds, then the canvas
  sample_merged               # sample-merged TRUE: the image as shown is sent
  bad_arguments               # a wrong context or n: a message naming it, nothing sent
  rate_limit_then_success     # 429 with Retry-After, then success
  server_error_leaves_image   # persistent 500: a clear error, the image exactly as it was
  unreachable_server          # nothing listening at the base URL
  stored_settings             # no OPENAI_* variables: settings.ini and the 0600 key file
  results_choose              # two runs: order, names, active layer; next/previous/keep
  safety_identifier           # Settings' safety identifier (settings.ini) is sent
  model_shutdown_warning      # a model shutting down soon: a GIMP message, once a day; runs succeed
  edit_references             # linked layers: one edit, the edited region then two references in stack order; none on dall-e-2, unlinked or past the limit
  job_cancel_before_insert)   # common/job.c, scripted host: a Cancel after the last download
foreach(case IN LISTS OAIMG_GIMP2_CASES)
  oaimg_gimp2_case(${case} FIXTURES_REQUIRED oaimg_gimp2_profile TIMEOUT 300)
endforeach()

# What the dialogs decide without a display (common/dialog_logic.c), which the 2.10 host draws.
add_test(NAME gimp2.dialog_logic COMMAND $<TARGET_FILE:oaimg_plugin_dialog_logic_test>)
set_tests_properties(gimp2.dialog_logic PROPERTIES LABELS gimp2)

# What the Extend Canvas dialog decides (common/extend_logic.c), which both hosts draw.
add_test(NAME gimp2.extend_dialog_logic COMMAND $<TARGET_FILE:oaimg_plugin_extend_dialog_test>)
set_tests_properties(gimp2.extend_dialog_logic PROPERTIES LABELS gimp2)

# The dialogs on GIMP 2.10's GUI under Xvfb, tests/gimp3/interactive.sh playing the user.
set(OAIMG_GIMP2_DIALOG_CASES
  interactive_prompt          # typed straight in, Ctrl+Return; width; back after a failed run
  interactive_edit            # Send by its mnemonic; the progress window
  interactive_cancel          # Cancel in the progress window: the image as it was
  interactive_references      # linked layers as thumbnails with names in the GTK 2 dialog; Send sends them
  interactive_settings        # a key typed into Settings is stored (0600) and used
  interactive_test_connection # Settings ▸ Test Connection: accepted, then a typed wrong key refused
  interactive_dialogs_zh      # LANG=zh_CN.UTF-8: the job, progress and Settings dialogs hold no English
  interactive_guide           # the Guide layer chosen by keyboard once a 2.5 model is typed: sent as markup
  interactive_extend)         # Extend Canvas from the menu: 16:9 chosen, the plan shown, the canvas 16:9
foreach(case IN LISTS OAIMG_GIMP2_DIALOG_CASES)
  oaimg_gimp2_case(${case} FIXTURES_REQUIRED oaimg_gimp2_profile TIMEOUT 400)
endforeach()
