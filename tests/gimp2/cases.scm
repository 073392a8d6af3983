; The GIMP side of the GIMP 2.10 end-to-end tests, in Script-Fu (GIMP 2.10 on Debian has no
; Python-Fu). Each case builds an image, calls the oaimg procedures by position exactly as a script
; would, and writes what GIMP ends up with into DIR: report.txt (one "key<TAB>value" a line),
; PNGs of layers, masks, selection and composite, and the provenance parasites. run_case.py checks
; them with the same pixel checks as the GIMP 3 cases (tests/support/gimp_checks.py).
;   gimp-console-2.10 -i -b '(begin (load "cases.scm") (oaimg-e2e "CASE" "DIR"))' -b '(gimp-quit 0)'

(define e2e-dir "")
(define e2e-port #f)

(define (report key . values)
  (display key e2e-port)
  (for-each (lambda (v) (display "\t" e2e-port) (display v e2e-port)) values)
  (newline e2e-port))

(define (path name) (string-append e2e-dir "/" name))

; Runs thunk; ('ok . result) or ('error . what Script-Fu said).
(define (try thunk)
  (call/cc
    (lambda (k)
      (let ((old *error-hook*))
        (set! *error-hook* (lambda args (set! *error-hook* old) (k (cons 'error args))))
        (let ((r (thunk))) (set! *error-hook* old) (cons 'ok r))))))

(define (new-image width height type fill)
  (let* ((image (car (gimp-image-new width height
                                     (cond ((= type GRAY-IMAGE) GRAY) (else RGB)))))
         (layer (car (gimp-layer-new image width height type "Background" 100
                                     LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image layer 0 0)
    (fill-rect image layer 0 0 width height fill)
    (list image layer)))

; Fills a rectangle given in the drawable's own coordinates.
(define (fill-rect image drawable x y w h rgb)
  (let ((saved (car (gimp-selection-save image)))
        (offsets (gimp-drawable-offsets drawable)))
    (gimp-image-select-rectangle image CHANNEL-OP-REPLACE (+ x (car offsets))
                                 (+ y (cadr offsets)) w h)
    (gimp-context-set-foreground rgb)
    (gimp-drawable-edit-fill drawable FILL-FOREGROUND)
    (gimp-image-select-item image CHANNEL-OP-REPLACE saved)
    (gimp-image-remove-channel image saved)))

(define (save-png image drawable name)
  (file-png-save2 RUN-NONINTERACTIVE image drawable (path name) name 0 9 0 0 0 0 0 0 0))

; The image as shown, in 8-bit sRGB of its own mode (gray stays gray): a layer from the visible
; projection of a duplicate at 8-bit perceptual precision.
(define (export-composite image name)
  (let* ((dup (car (gimp-image-duplicate image))))
    (if (not (= (car (gimp-image-get-precision dup)) PRECISION-U8-GAMMA))
        (gimp-image-convert-precision dup PRECISION-U8-GAMMA))
    (let ((visible (car (gimp-layer-new-from-visible dup dup "composite"))))
      (gimp-image-insert-layer dup visible 0 0)
      (save-png dup visible name))
    (gimp-image-delete dup)))

(define (export-selection image name)
  (let ((saved (car (gimp-selection-save image))))
    (save-png image saved name)
    (gimp-image-remove-channel image saved)))

(define (export-layer image layer name)
  (let* ((dup (car (gimp-image-duplicate image)))
         (copy (car (gimp-layer-new-from-drawable layer dup))))
    (if (not (= (car (gimp-image-get-precision dup)) PRECISION-U8-GAMMA))
        (gimp-image-convert-precision dup PRECISION-U8-GAMMA))
    (gimp-image-insert-layer dup copy 0 0)
    (if (not (= (car (gimp-layer-get-mask copy)) -1))
        (gimp-layer-remove-mask copy MASK-DISCARD))
    (save-png dup copy name)
    (gimp-image-delete dup)))

(define (report-tree image key)
  (let* ((layers (gimp-image-get-layers image))
         (ids (vector->list (cadr layers))))
    (report key (length ids)
            (apply string-append
                   (map (lambda (id)
                          (string-append (number->string id) ":"
                                         (car (gimp-item-get-name id)) ":"
                                         (if (= 1 (car (gimp-item-is-group id))) "group" "layer")
                                         ";"))
                        ids)))))

(define (report-image image)
  (report "image" (car (gimp-image-width image)) (car (gimp-image-height image))
          (car (gimp-image-base-type image)) (car (gimp-image-get-precision image))))

(define (write-file name text)
  (let ((port (open-output-file (path name))))
    (display text port)
    (close-output-port port)))

; Everything about one result layer: geometry, group, mask, type, parasite, pixels.
(define (report-result image call-tag index id)
  (let* ((offsets (gimp-drawable-offsets id))
         (mask (car (gimp-layer-get-mask id)))
         (parasite (try (lambda () (gimp-item-get-parasite id "oaimg-provenance"))))
         (tag (string-append call-tag "-result-" (number->string index))))
    (report tag id (car (gimp-item-get-name id)) (car offsets) (cadr offsets)
            (car (gimp-drawable-width id)) (car (gimp-drawable-height id))
            (car (gimp-item-get-visible id)) (car (gimp-item-get-parent id)) mask
            (car (gimp-drawable-type id)) (car (gimp-drawable-bpp id)))
    (if (eq? (car parasite) 'ok)
        (write-file (string-append tag "-provenance.json") (caddr (cadr parasite))))
    (export-layer image id (string-append tag ".png"))
    (if (not (= mask -1))
        (save-png image mask (string-append tag "-mask.png")))))

(define (report-group image call-tag ids)
  (if (> (length ids) 0)
      (let ((group (car (gimp-item-get-parent (car ids)))))
        (if (> group 0)
            (report (string-append call-tag "-group") group (car (gimp-item-get-name group))
                    (car (gimp-image-get-item-position image group))
                    (car (gimp-item-get-parent group))
                    (vector-length (cadr (gimp-item-get-children group))))))))

; Calls procedure by position and reports what came back and what the image looks like after.
(define (call tag image layer procedure . args)
  (apply call-mode (append (list RUN-NONINTERACTIVE tag image layer procedure) args)))

(define (call-mode mode tag image layer procedure . args)
  (report-tree image (string-append tag "-tree-before"))
  (export-composite image (string-append tag "-before.png"))
  (save-png image layer (string-append tag "-source-before.png"))
  (let ((result (try (lambda ()
                       (apply procedure (append (list mode image layer) args))))))
    ; A cancelled call gives Script-Fu fewer values than the procedure returns on success.
    (if (and (eq? (car result) 'ok)
             (not (and (pair? (cdr result)) (pair? (cddr result)))))
        (set! result (list 'cancelled)))
    (if (eq? (car result) 'ok)
        (let ((ids (vector->list (cadr (cdr result)))))
          (report tag "ok" (car (cdr result)) (length ids))
          (let loop ((i 0) (rest ids))
            (if (pair? rest)
                (begin (report-result image tag i (car rest)) (loop (+ i 1) (cdr rest)))))
          (report-group image tag ids))
        (report tag (if (eq? (car result) 'cancelled) "cancelled" "error"))))
  (report-tree image (string-append tag "-tree-after"))
  (save-png image layer (string-append tag "-source-after.png"))
  (export-composite image (string-append tag "-after.png")))

(define RED '(255 0 0))
(define GREEN '(0 255 0))
(define BLUE '(0 0 255))
(define WHITE '(255 255 255))
(define MODEL "dall-e-2")
(define PROMPT "a red ball")

(define (edit tag image layer n)
  (export-selection image (string-append tag "-selection.png"))
  (call tag image layer plug-in-oaimg-edit PROMPT n MODEL "auto" "auto" "auto" "auto" FALSE))

(define (case-edit_ellipse)
  (let* ((made (new-image 200 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 60 30 80 50)
    (edit "edit" image layer 2)
    ; The second result shown instead of the first shows its own colour.
    (let ((children (vector->list (cadr (gimp-item-get-children
                                          (car (gimp-image-get-layer-by-name image PROMPT)))))))
      (if (= (length children) 2)
          (begin (gimp-item-set-visible (car children) FALSE)
                 (gimp-item-set-visible (cadr children) TRUE)
                 (export-composite image "second-shown.png"))))))

(define (case-edit_offset_layer)
  (let* ((made (new-image 200 120 RGB-IMAGE WHITE)) (image (car made))
         (layer (car (gimp-layer-new image 120 80 RGBA-IMAGE "offset" 100 LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image layer 0 0)
    (gimp-layer-set-offsets layer 50 30)
    (fill-rect image layer 0 0 120 80 BLUE)
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 80 50 50 36)
    (edit "edit" image layer 1)))

(define (case-edit_edge)
  (let* ((made (new-image 180 100 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE -40 -30 120 90)
    (edit "edit" image layer 1)))

(define (case-edit_16bit)
  (let* ((made (new-image 160 96 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-convert-precision image PRECISION-U16-LINEAR)
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 40 20 70 50)
    (edit "edit" image layer 1)
    (report-image image)
    (let ((result (car (vector->list (cadr (gimp-item-get-children
                                             (car (gimp-image-get-layer-by-name image
                                                                                PROMPT))))))))
      ; The result's centre in the layer's own format: 16-bit linear RGBA.
      (let ((px (gimp-drawable-get-pixel result (quotient (car (gimp-drawable-width result)) 2)
                                         (quotient (car (gimp-drawable-height result)) 2))))
        (report "centre-pixel" (car px)
                (apply string-append (map (lambda (b) (string-append (number->string b) " "))
                                          (vector->list (cadr px)))))))))

(define (case-edit_gray)
  (let* ((made (new-image 150 100 GRAY-IMAGE '(200 200 200))) (image (car made))
         (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 30 20 80 60)
    ; Red in the image's gray, as GEGL converts it.
    (let ((probe (car (gimp-layer-new image 1 1 GRAY-IMAGE "probe" 100 LAYER-MODE-NORMAL))))
      (gimp-image-insert-layer image probe 0 0)
      (fill-rect image probe 0 0 1 1 RED)
      (report "red-as-gray" (vector-ref (cadr (gimp-drawable-get-pixel probe 0 0)) 0))
      (gimp-image-remove-layer image probe))
    (edit "edit" image layer 1)
    (report-image image)))

(define (case-edit_indexed)
  (let* ((made (new-image 150 100 RGB-IMAGE BLUE)) (image (car made)))
    (fill-rect image (cadr made) 0 0 10 10 RED)
    (gimp-image-convert-indexed image CONVERT-DITHER-NONE CONVERT-PALETTE-GENERATE 16 FALSE
                                FALSE "")
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 40 30 80 50)
    (edit "edit" image (vector-ref (cadr (gimp-image-get-layers image)) 0) 1)
    (report-image image)))

(define (case-edit_without_selection)
  (let* ((made (new-image 100 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-selection-none image)
    (call "edit" image layer plug-in-oaimg-edit PROMPT 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)))

(define (case-edit_without_selection_zh) (case-edit_without_selection))

(define (case-variation)
  (let* ((made (new-image 128 96 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-selection-none image)
    (call "whole" image layer plug-in-oaimg-variation "" 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)
    (gimp-item-set-visible (car (gimp-image-get-layer-by-name image "Variations")) FALSE)
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 20 20 60 40)
    (export-selection image "region-selection.png")
    (call "region" image layer plug-in-oaimg-variation "" 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)))

(define (case-generate)
  (let* ((made (new-image 200 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-rectangle image CHANNEL-OP-REPLACE 20 10 100 60)
    (export-selection image "bounds-selection.png")
    (call "bounds" image layer plug-in-oaimg-generate PROMPT 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)
    (gimp-item-set-visible (car (gimp-image-get-layer-by-name image PROMPT)) FALSE)
    (gimp-selection-none image)
    (call "canvas" image layer plug-in-oaimg-generate PROMPT 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)))

(define (small-edit)
  (let* ((made (new-image 120 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 30 20 50 40)
    (edit "edit" image layer 1)))

(define (case-rate_limit_then_success) (small-edit))
(define (case-server_error_leaves_image) (small-edit))
(define (case-unreachable_server) (small-edit))
(define (case-stored_settings) (small-edit))

; Edits on a GPT image model, which takes the safety identifier and announces shutdowns here.
(define (gpt-edit tag image layer)
  (call tag image layer plug-in-oaimg-edit PROMPT 1 "gpt-image-1.5" "auto" "auto" "auto" "auto"
        FALSE))

(define (case-safety_identifier)
  (let* ((made (new-image 120 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 30 20 50 40)
    (gpt-edit "edit" image layer)))

; Twice the same day: the model check (and its warning) only the first time.
(define (case-model_shutdown_warning)
  (let* ((made (new-image 120 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 30 20 50 40)
    (gpt-edit "edit" image layer)
    (gpt-edit "again" image layer)))

; A top layer half covering the one worked on: with sample-merged the upload is what is shown.
(define (case-sample_merged)
  (let* ((made (new-image 160 100 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made))
         (top (car (gimp-layer-new image 160 100 RGBA-IMAGE "top" 100 LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image top 0 0)
    (gimp-drawable-fill top FILL-TRANSPARENT)
    (fill-rect image top 0 0 80 100 GREEN)
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 40 20 80 60)
    (export-selection image "edit-selection.png")
    (call "edit" image layer plug-in-oaimg-edit PROMPT 1 MODEL "auto" "selection" "auto" "auto"
          TRUE)
    (gimp-item-set-visible (car (gimp-image-get-layer-by-name image PROMPT)) FALSE)
    (call "layer-only" image layer plug-in-oaimg-edit PROMPT 1 MODEL "auto" "selection" "auto"
          "auto" FALSE)))

; Arguments a script gets wrong: a clear calling error, nothing sent, nothing changed.
(define (case-bad_arguments)
  (let* ((made (new-image 100 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 20 20 40 30)
    (call "context" image layer plug-in-oaimg-edit PROMPT 1 MODEL "auto" "everything" "auto"
          "auto" FALSE)
    (call "n" image layer plug-in-oaimg-edit PROMPT 0 MODEL "auto" "auto" "auto" "auto" FALSE)))

(define (children-of group) (vector->list (cadr (gimp-item-get-children group))))

(define (report-active image key)
  (let ((active (car (gimp-image-get-active-drawable image))))
    (report key active (car (gimp-item-get-name active)) (car (gimp-item-is-layer-mask active)))))

(define (report-shown key group)
  (report key (apply string-append
                     (map (lambda (id) (number->string (car (gimp-item-get-visible id))))
                          (children-of group)))))

; Two runs on one layer, then next / previous / keep on the second run's group: which result is
; shown and active after each, what keep leaves, and next on a layer that is no result.
(define (case-results_choose)
  (let* ((made (new-image 200 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 60 30 80 50)
    (let* ((first (plug-in-oaimg-edit RUN-NONINTERACTIVE image layer PROMPT 2 MODEL "auto" "auto"
                                      "auto" "auto" FALSE))
           (first-ids (vector->list (cadr first))))
      (report-active image "active-after-first")
      (report "first" (length first-ids)
              (apply string-append (map (lambda (id) (string-append (car (gimp-item-get-name id))
                                                                    ";"))
                                        first-ids)))
      (let* ((second (plug-in-oaimg-edit RUN-NONINTERACTIVE image layer "a blue cube" 3 MODEL
                                         "auto" "auto" "auto" "auto" FALSE))
             (second-ids (vector->list (cadr second)))
             (group1 (car (gimp-item-get-parent (car first-ids))))
             (group2 (car (gimp-item-get-parent (car second-ids)))))
        (report "groups" group1 group2 (car (gimp-item-get-name group2)) layer)
        (report-tree image "tree")
        (let loop ((steps (list (cons "next" plug-in-oaimg-next-result)
                                (cons "next" plug-in-oaimg-next-result)
                                (cons "next" plug-in-oaimg-next-result)
                                (cons "previous" plug-in-oaimg-previous-result)
                                (cons "previous" plug-in-oaimg-previous-result)))
                   (i 0))
          (if (pair? steps)
              (begin
                ((cdar steps) RUN-NONINTERACTIVE image
                              (car (gimp-image-get-active-drawable image)))
                (report-shown (string-append "step-" (number->string i) "-shown") group2)
                (report-active image (string-append "step-" (number->string i) "-active"))
                (loop (cdr steps) (+ i 1)))))
        ; Run on the group itself. (GIMP 2.10's PDB has no call that undoes.)
        (plug-in-oaimg-keep-result RUN-NONINTERACTIVE image group2)
        (report "kept" (apply string-append
                              (map (lambda (id) (string-append (car (gimp-item-get-name id)) ";"))
                                   (children-of group2)))
                (length (children-of group1)))
        (report "on-plain-layer"
                (car (try (lambda () (plug-in-oaimg-next-result RUN-NONINTERACTIVE image
                                                                 layer)))))))))

; ---- Dialog cases: GIMP 2.10's GUI on Xvfb, tests/gimp3/interactive.sh playing the user -------
; In interactive mode GIMP 2.10 passes the dialog what it held last, not these arguments.

(define (interactive-edit tag)
  (let* ((made (new-image 200 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 60 30 80 50)
    (export-selection image (string-append tag "-selection.png"))
    (call-mode RUN-INTERACTIVE tag image layer plug-in-oaimg-edit "" 1 "" "auto" "auto" "auto"
               "auto" FALSE)))

; A prompt typed straight into the freshly opened dialog and sent with Ctrl+Return; the server
; fails that run; the next dialog comes back with the prompt and Ctrl+Return sends it again.
(define (case-interactive_prompt)
  (interactive-edit "failed")
  (interactive-edit "edit"))

; Send, then Cancel in the progress window while the server is slow.
(define (case-interactive_cancel) (interactive-edit "edit"))

; Send on a typed prompt: the run ends as a non-interactive one does.
(define (case-interactive_edit) (interactive-edit "edit"))

; The job dialog, its progress window and Settings in Simplified Chinese (run_case.py checks
; the texts they showed).
(define (case-interactive_dialogs_zh)
  (interactive-edit "edit")
  (report "settings" (car (try (lambda () (plug-in-oaimg-settings RUN-INTERACTIVE))))))

; The dialog with a guide layer chosen in it (guide-image is defined further down).
(define (case-interactive_guide)
  (let* ((made (guide-image)) (image (car made)) (layer (cadr made)))
    (call-mode RUN-INTERACTIVE "edit" image layer plug-in-oaimg-edit "" 1 "" "auto" "auto" "auto"
               "auto" FALSE)))

; Settings opened twice, Test Connection pressed in each and closed without saving.
(define (case-interactive_test_connection)
  (report "first" (car (try (lambda () (plug-in-oaimg-settings RUN-INTERACTIVE)))))
  (report "second" (car (try (lambda () (plug-in-oaimg-settings RUN-INTERACTIVE))))))

; The Settings dialog stores a typed key; a run without OPENAI_API_KEY then uses it.
(define (case-interactive_settings)
  (report "settings" (car (try (lambda () (plug-in-oaimg-settings RUN-INTERACTIVE)))))
  (small-edit))

(define (oaimg-e2e name dir)
  (set! e2e-dir dir)
  (set! e2e-port (open-output-file (path "report.txt")))
  (report "case" name)
  (let ((result (try (lambda () ((eval (string->symbol (string-append "case-" name))))))))
    (if (eq? (car result) 'error)
        (report "script-error" (cdr result))))
  (report "end" name)
  (close-output-port e2e-port))

; The procedures as GIMP registered them from the profile's plug-in folder, with their arguments
; in the order scripts pass them.
(define (case-registered)
  (for-each
    (lambda (name)
      (if (= 1 (car (gimp-procedural-db-proc-exists name)))
          (let* ((info (gimp-procedural-db-proc-info name))
                 (nargs (list-ref info 6)) (nvals (list-ref info 7)))
            (report name nargs nvals
                    (let loop ((i 0) (names ""))
                      (if (< i nargs)
                          (loop (+ i 1)
                                (string-append names
                                               (cadr (gimp-procedural-db-proc-arg name i))
                                               " "))
                          names))))
          (report name "missing")))
    '("plug-in-oaimg-edit" "plug-in-oaimg-variation" "plug-in-oaimg-generate"
      "plug-in-oaimg-next-result" "plug-in-oaimg-previous-result" "plug-in-oaimg-keep-result"
      "plug-in-oaimg-settings" "plug-in-oaimg-extend" "plug-in-oaimg-edit-guided")))

; ---- Extend Canvas and edits past the layer (issue 12) ----

(define (case-extend_right)
  (let* ((made (new-image 160 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (fill-rect image layer 0 0 40 120 GREEN)
    (call "extend" image layer plug-in-oaimg-extend PROMPT 2 MODEL 0 0 256 0)
    (report-image image)
    (report "layer-offsets" (car (gimp-drawable-offsets layer)) (cadr (gimp-drawable-offsets layer)))
    (let ((ids (vector->list (cadr (gimp-item-get-children
                                     (car (gimp-image-get-layer-by-name image PROMPT)))))))
      (if (= (length ids) 2)
          (begin (plug-in-oaimg-next-result RUN-NONINTERACTIVE image (car ids))
                 (report "after-next" (car (gimp-item-get-visible (car ids)))
                         (car (gimp-item-get-visible (cadr ids))))
                 (export-composite image "second-shown.png"))))))

(define (case-extend_failure_restores_canvas)
  (let* ((made (new-image 160 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (call "extend" image layer plug-in-oaimg-extend PROMPT 1 MODEL 0 0 256 0)
    (report-image image)
    (call "nothing" image layer plug-in-oaimg-extend PROMPT 1 MODEL 0 0 0 0)
    (report "nothing-image" (car (gimp-image-width image)) (car (gimp-image-height image)))))

; Extend Canvas opened from the image window's menu (interactive.sh plays the user). Script-Fu
; cannot sleep, so it waits in the Settings dialog, which the user closes after the run.
(define (case-interactive_extend)
  (let* ((made (new-image 512 512 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (fill-rect image layer 0 0 100 512 GREEN)
    (let ((display (car (gimp-display-new image))))
      (gimp-displays-flush)
      (write-file "ready" "")
      (report "settings" (car (try (lambda () (plug-in-oaimg-settings RUN-INTERACTIVE)))))
      (report-image image)
      (report "layer-offsets" (car (gimp-drawable-offsets layer))
              (cadr (gimp-drawable-offsets layer)))
      (report-tree image "extend-tree-after")
      ; Else (gimp-quit 0) asks about the changed image and GIMP never ends.
      (gimp-image-clean-all image)
      (gimp-display-delete display))))

(define (case-edit_past_layer)
  (let* ((made (new-image 200 120 RGB-IMAGE WHITE)) (image (car made))
         (layer (car (gimp-layer-new image 100 80 RGBA-IMAGE "small" 100 LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image layer 0 0)
    (gimp-layer-set-offsets layer 20 20)
    (fill-rect image layer 0 0 100 80 BLUE)
    (gimp-image-select-rectangle image CHANNEL-OP-REPLACE 90 40 90 40)
    (export-selection image "edit-selection.png")
    (call "edit" image layer plug-in-oaimg-edit PROMPT 1 MODEL "auto" "auto" "auto" "auto"
          FALSE)))


; Two runs on a GPT model, which reports tokens: the image's running total in its parasite.
(define (case-usage_total)
  (let* ((made (new-image 120 80 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 30 20 50 40)
    (call "first" image layer plug-in-oaimg-edit PROMPT 1 "gpt-image-1.5" "auto" "auto" "auto"
          "auto" FALSE)
    (let ((p (try (lambda () (gimp-image-get-parasite image "oaimg-usage")))))
      (if (eq? (car p) 'ok) (write-file "usage-1.json" (caddr (cadr p)))))
    (call "second" image layer plug-in-oaimg-edit PROMPT 1 "gpt-image-1.5" "auto" "auto" "auto"
          "auto" FALSE)
    (let ((p (try (lambda () (gimp-image-get-parasite image "oaimg-usage")))))
      (if (eq? (car p) 'ok) (write-file "usage-2.json" (caddr (cadr p)))))))

; ---- The guide layer (markup), on its own procedure plug-in-oaimg-edit-guided ----

(define GUIDE-MODEL "gpt-image-2.5-flare")

; An offset layer "photo" (160 x 120 at (40, 20)) with a green block at image (120, 70), a
; selection on it, and a transparent guide layer "Arrows" (120 x 80 at (90, 50)) above it with a
; red block at the same place: (image layer guide).
(define (guide-image)
  (let* ((made (new-image 240 160 RGB-IMAGE WHITE)) (image (car made))
         (layer (car (gimp-layer-new image 160 120 RGBA-IMAGE "photo" 100 LAYER-MODE-NORMAL)))
         (guide (car (gimp-layer-new image 120 80 RGBA-IMAGE "Arrows" 100 LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image layer 0 0)
    (gimp-layer-set-offsets layer 40 20)
    (fill-rect image layer 0 0 160 120 BLUE)
    (fill-rect image layer 80 50 12 12 GREEN)
    (gimp-image-insert-layer image guide 0 0)
    (gimp-layer-set-offsets guide 90 50)
    (gimp-drawable-fill guide FILL-TRANSPARENT)
    (fill-rect image guide 30 20 12 12 RED)
    (gimp-image-select-ellipse image CHANNEL-OP-REPLACE 60 30 50 40)
    (list image layer guide)))

(define (case-edit_guide)
  (let* ((made (guide-image)) (image (car made)) (layer (cadr made)) (guide (caddr made)))
    (call "edit" image layer plug-in-oaimg-edit-guided PROMPT 1 GUIDE-MODEL "auto" "image"
          "auto" "auto" FALSE guide)))

(define (case-edit_guide_refused)
  (let* ((made (guide-image)) (image (car made)) (layer (cadr made)) (guide (caddr made)))
    (call "model" image layer plug-in-oaimg-edit-guided PROMPT 1 "gpt-image-1.5" "auto" "auto"
          "auto" "auto" FALSE guide)
    (call "same" image layer plug-in-oaimg-edit-guided PROMPT 1 GUIDE-MODEL "auto" "auto"
          "auto" "auto" FALSE layer)
    (fill-rect image guide 0 0 120 80 WHITE)
    (call "opaque" image layer plug-in-oaimg-edit-guided PROMPT 1 GUIDE-MODEL "auto" "auto"
          "auto" "auto" FALSE guide)
    ; The edit as every script called it before: unchanged, and no guide.
    (call "plain" image layer plug-in-oaimg-edit PROMPT 1 GUIDE-MODEL "auto" "auto" "auto"
          "auto" FALSE)))

; Reference layers: the layers linked to the active one go after it, in stack order (top first).
(define (linked-layer image name w h rgb opacity)
  (let ((layer (car (gimp-layer-new image w h RGBA-IMAGE name opacity LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image layer 0 0)
    (gimp-layer-set-offsets layer 100 70)
    (fill-rect image layer 0 0 w h rgb)
    (gimp-item-set-linked layer TRUE)
    layer))

; Background (blue, active and linked) under "red ref" (40x30) and "green ref" (20x10, 50%),
; both linked, and a selection on the background: (image layer).
(define (reference-image)
  (let* ((made (new-image 160 120 RGB-IMAGE BLUE)) (image (car made)) (layer (cadr made)))
    (linked-layer image "green ref" 20 10 GREEN 50)
    (linked-layer image "red ref" 40 30 RED 100)
    (gimp-item-set-linked layer TRUE)
    (gimp-image-select-rectangle image CHANNEL-OP-REPLACE 20 20 60 40)
    made))

(define (gpt-references-edit tag image layer model)
  (call tag image layer plug-in-oaimg-edit PROMPT 1 model "auto" "auto" "auto" "auto" FALSE))

(define (case-edit_references)
  (let* ((made (reference-image)) (image (car made)) (layer (cadr made)))
    (gpt-references-edit "edit" image layer "gpt-image-1.5")
    ; DALL-E 2 edits one image: the linked layers are not sent.
    (gpt-references-edit "dalle" image layer MODEL)
    ; The active layer not linked: no references.
    (gimp-item-set-linked layer FALSE)
    (gpt-references-edit "unlinked" image layer "gpt-image-1.5")
    ; Sixteen references on a model taking fifteen: refused, nothing sent, nothing changed.
    (gimp-item-set-linked layer TRUE)
    (let loop ((i 0))
      (if (< i 14)
          (begin (linked-layer image (string-append "more " (number->string i)) 8 8 WHITE 100)
                 (loop (+ i 1)))))
    (gpt-references-edit "limit" image layer "gpt-image-1.5")))

; Two layers linked to the active one, under Xvfb: the dialog opens on the default model
; (dall-e-2 for the stand-in: the row greyed out), gpt-image-1.5 is typed in, Send.
(define (case-interactive_references)
  (let* ((made (reference-image)) (image (car made)) (layer (cadr made)))
    (call-mode RUN-INTERACTIVE "edit" image layer plug-in-oaimg-edit "" 1 "" "auto" "auto" "auto"
               "auto" FALSE)))

