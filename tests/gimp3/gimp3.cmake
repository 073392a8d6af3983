# GIMP 3 end to end: the real GIMP 3.0 in batch mode (gimp-console-3.0, python-fu-eval) inside the
# Debian 13 chroot of install/gimp3-chroot.sh, calling the plug-in non-interactively against the
# stand-in server on the host, and checking the pixels, layers, masks and parasites it leaves.
# Needs root (chroot); without it every test here is skipped (exit 77).
set(OAIMG_GIMP3_CHROOT_SCRIPT ${PROJECT_SOURCE_DIR}/install/gimp3-chroot.sh)
set(OAIMG_GIMP3_RUN_CASE ${CMAKE_CURRENT_SOURCE_DIR}/gimp3/run_case.py)

# Where GIMP 3 is native (the plug-in was built for it here, e.g. on Debian 13) the cases run this
# machine's GIMP with the built plug-in in a throwaway profile. Elsewhere (Debian 12) a fixture
# builds the current source tree into the chroot (creating the chroot on first use), so that the
# cases always test the plug-in and library of this checkout.
if(TARGET oaimg_gimp3)
  pkg_get_variable(OAIMG_GIMP3_LIBDIR gimp-3.0 gimplibdir)
  set(OAIMG_GIMP3_MODE_ARGS --native-plugin-dir $<TARGET_FILE_DIR:oaimg_gimp3>
      --system-plugins ${OAIMG_GIMP3_LIBDIR}/plug-ins
      --job-test $<TARGET_FILE:oaimg_plugin_job_test>
      --dialog-logic-test $<TARGET_FILE:oaimg_plugin_dialog_logic_test>)
  set(OAIMG_GIMP3_FIXTURE)
else()
  set(OAIMG_GIMP3_MODE_ARGS)
  set(OAIMG_GIMP3_FIXTURE FIXTURES_REQUIRED oaimg_gimp3_chroot)
add_test(NAME gimp3.install_into_chroot
  COMMAND sh -c "if [ \"$(id -u)\" != 0 ]; then echo 'SKIP: needs root'; exit 77; fi; \
exec bash '${OAIMG_GIMP3_CHROOT_SCRIPT}' install")
set_tests_properties(gimp3.install_into_chroot PROPERTIES
  FIXTURES_SETUP oaimg_gimp3_chroot
  SKIP_RETURN_CODE 77
  TIMEOUT 1800
  # One build at a time in the chroot's build folder, whatever else runs in parallel.
  RESOURCE_LOCK oaimg_gimp3_chroot_build)
endif()

set(OAIMG_GIMP3_CASES
  edit_ellipse                # elliptic selection, non-square RGB without alpha, n = 2
  edit_offset_layer           # an offset layer smaller than the canvas
  edit_edge                   # a selection touching the image's edges
  edit_16bit                  # 16-bit linear RGB: results in the image's precision
  edit_float_alpha            # 32-bit float linear RGBA
  edit_soft_selection         # a feathered selection keeps its soft edge in the mask
  edit_gray                   # grayscale
  edit_indexed                # indexed
  extend_right                # Extend Canvas by 256 px: new area filled, old pixels kept, group
  extend_failure_restores_canvas # a failing server and bad margins: canvas and image as they were
  edit_past_layer             # a selection past the active layer's edges is filled there too
  edit_guide                  # a guide layer sent as markup on 2.5: the image's size, aligned, no mask
  edit_guide_refused          # a guide on 1.5, an opaque one, the edited layer: words, nothing sent
  edit_references             # three layers given: one edit, the edited region then two references in stack order; none on dall-e-2
  edit_references_limit       # 16 references on a model taking 15: the limit named, nothing sent, image unchanged
  usage_total                 # tokens in each provenance, the image's total parasite after two runs
  edit_without_selection      # "select the area to repaint", nothing sent, nothing changed
  edit_without_selection_zh   # the same message from the Simplified Chinese catalogue
  variation                   # whole layer, no selection
  generate                    # fills the selection's bounds
  rate_limit_then_success     # 429 with Retry-After, then success
  failure_messages            # 429 with its wait, blocked prompt, refused key: clear words, no change
  unreachable_server          # nothing listening at the base URL
  server_error_leaves_image   # persistent 500: a clear error, the image exactly as it was
  stored_settings             # no OPENAI_* variables: settings.ini and the 0600 key file
  interactive_edit            # GIMP's GUI on Xvfb: the dialog, its preview, Send, progress window
  interactive_busy_displays   # the same while other X servers hold :90-:189 (parallel cases)
  interactive_stream          # a streaming model: partial images seen in the progress window
  interactive_retry           # a 429's reason and countdown, elapsed time, results received of n
  interactive_no_key          # no key: said when the dialog opens, its button opens Settings
  interactive_sample_merged   # the Sample merged checkbox sends the visible image
  interactive_guide           # the Guide layer choice: sent as markup on 2.5, greyed out on 1.5
  interactive_guide_reset     # Reset to Factory Defaults sets the Guide layer row back to None
  interactive_references      # three selected layers: the references' thumbnails and names, Send; greyed out on dall-e-2
  help_domain                 # the plug-in's help domain and a page for every help id (en, zh_CN)
  safety_identifier           # Settings' safety identifier sent, an empty one not
  model_shutdown_warning      # a model shutting down soon: a GIMP message, once a day; run succeeds
  interactive_undo            # one Ctrl+Z in the image window undoes the whole insertion
  interactive_cancel          # Cancel in the progress window aborts a slow request, image intact
  job_cancel_before_insert    # common/job.c, scripted host: a Cancel after the last download
  dialog_logic                # common/dialog_logic.c: what the dialogs offer, refuse and keep
  interactive_prompt          # typed into the fresh dialog, Ctrl+Return, narrow; back after a failure
  interactive_model_limits    # only what the model takes is offered; Send insensitive when invalid
  results_choose              # active result layer, new group on top, Result n, next/previous/keep
  large_region_results        # result layers only as large as the selection and its seam band
  interactive_dialogs_zh      # LANG=zh_CN.UTF-8: the job, progress and Settings dialogs hold no English
  interactive_test_connection # Settings ▸ Test Connection: success, and a refused key in words
  interactive_reset_defaults  # Reset to Factory Defaults: the widgets show what will be sent
  interactive_menu            # Filters ▸ OpenAI Images by keyboard; Settings in its own last section
  interactive_extend          # Extend Canvas from the menu: 16:9 chosen, the plan shown, the canvas 16:9
  interactive_menu_zh         # LANG=zh_CN.UTF-8: Filters ▸ OpenAI 图像(E) ▸ 重绘选区(I) by keyboard opens the dialog
  interactive_settings        # a key typed into Settings is stored (0600 file) and then used
  interactive_settings_keyring) # the same with a running Secret Service: in the keyring, no file
foreach(case IN LISTS OAIMG_GIMP3_CASES)
  add_test(NAME gimp3.${case}
    COMMAND ${Python3_EXECUTABLE} ${OAIMG_GIMP3_RUN_CASE}
            --chroot-script ${OAIMG_GIMP3_CHROOT_SCRIPT} --server ${OAIMG_FAKE_SERVER}
            ${OAIMG_GIMP3_MODE_ARGS} ${case})
  set_tests_properties(gimp3.${case} PROPERTIES
    ${OAIMG_GIMP3_FIXTURE}
    SKIP_RETURN_CODE 77
    TIMEOUT 600
    LABELS gimp3)
endforeach()
