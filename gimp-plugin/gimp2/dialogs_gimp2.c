/* GIMP 2.10 dialogs in GTK 2, laid out as the GIMP 3 ones: the same fields, the same preview of
 * what will be uploaded, the same progress window and Settings. What they compute without a
 * widget (the preview's plan, saving settings) is common/dialog_logic.c, shared with GIMP 3. */
#include "dialogs_gimp2.h"

#include <libgimp/gimpui.h>
#include <string.h>

#include "dialog_logic.h"
#include "guide.h"
#include "i18n.h"
#include "oaimg_dialog.h"

#define PREVIEW_SIDE          200
#define PREVIEW_DELAY_MS      250

/* A labelled row; the label's mnemonic focuses `target`, or the widget itself when NULL. */
static GtkWidget *
table_row_focusing (GtkTable *table, int row, const char *mnemonic, GtkWidget *widget,
                    GtkWidget *target)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), target ? target : widget);
  gtk_table_attach (table, label, 0, 1, row, row + 1, GTK_FILL, GTK_FILL, 0, 0);
  gtk_table_attach (table, widget, 1, 2, row, row + 1, GTK_EXPAND | GTK_FILL, GTK_FILL, 0, 0);
  return widget;
}

static GtkWidget *
table_row (GtkTable *table, int row, const char *mnemonic, GtkWidget *widget)
{
  return table_row_focusing (table, row, mnemonic, widget, NULL);
}

/* The models in the dialogs' order, retired ones marked. */
static GtkWidget *
model_combo_new (oaimg_operation operation, const char *current)
{
  GtkWidget   *combo  = gtk_combo_box_text_new_with_entry ();
  const char **models = oaimg_dialog_models (operation);
  char        *label  = oaimg_dialog_model_label (current);

  for (int i = 0; models[i]; i++)
    {
      char *item = oaimg_dialog_model_label (models[i]);
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (combo), item);
      g_free (item);
    }
  g_free (models);
  gtk_entry_set_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (combo))), label);
  g_free (label);
  return combo;
}

/* The model named in the combo's entry, without the list's remark ("(retired)"); owned by the
 * combo until the next call. */
static const char *
model_combo_text (GtkWidget *combo)
{
  char *name = oaimg_dialog_model_from_label (
    gtk_entry_get_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (combo)))));

  g_object_set_data_full (G_OBJECT (combo), "oaimg-model", name, g_free);
  return name;
}

/* ---- Job dialog ------------------------------------------------------------------------------ */

/* The labels wrap within the prompt box's width (dialogs_prompt_box_init), which never grows. */
#define PROMPT_WIDTH        460

/* A left-aligned label that wraps within the prompt's width instead of widening the dialog. */
static GtkWidget *
wrapped_label_new (const char *text, gboolean selectable)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), selectable);
  /* GTK 2 wraps a label at its requested width, so it is given one. */
  gtk_widget_set_size_request (label, PROMPT_WIDTH, -1);
  return label;
}

typedef struct
{
  oaimg_operation  operation;
  oaimg_client    *client;
  OaimgSource     *source;
  const OaimgReferences *references;
  GtkWidget       *references_row;
  char            *source_problem; /* why the source could not be read, or NULL */
  JobSourceReader  read_source;
  gpointer         read_source_data;
  const char      *default_model;
  JobValues       *values;
  GtkWidget       *dialog;
  PromptBox        prompt;
  GtkWidget       *prompt_note;
  GtkWidget       *n_spin;
  GtkWidget       *model_combo;
  GtkWidget       *size_combo;
  GPtrArray       *size_ids;   /* the size combo's entries as the API spells them */
  GtkWidget       *context_combo;
  GPtrArray       *context_ids;
  GtkWidget       *quality_combo;
  GPtrArray       *quality_ids;
  GtkWidget       *background_combo;
  GPtrArray       *background_ids;
  GtkWidget       *merged_toggle;
  GtkWidget       *image_view;
  GtkWidget       *mask_view;
  GtkWidget       *info_label;
  GtkWidget       *problem_label;
  guint            preview_timeout;
  gboolean         syncing;
  gint32           image;
  gint32           drawable;
  GuideChoice      guide; /* Inpaint Selection's guide layer */
} JobDialog;

static const char *
combo_id (GtkWidget *combo, GPtrArray *ids)
{
  gint active = gtk_combo_box_get_active (GTK_COMBO_BOX (combo));

  return active >= 0 && (guint) active < ids->len ? g_ptr_array_index (ids, active) : "auto";
}

/* The widgets' state into values. */
static void
read_widgets (JobDialog *jd)
{
  JobValues     *v      = jd->values;
  gchar         *prompt = dialogs_prompt_box_text (&jd->prompt);

  g_strlcpy (v->prompt, prompt, sizeof v->prompt);
  g_free (prompt);
  v->n = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (jd->n_spin));
  g_strlcpy (v->model, model_combo_text (jd->model_combo), sizeof v->model);
  g_strlcpy (v->size, combo_id (jd->size_combo, jd->size_ids), sizeof v->size);
  if (jd->context_combo)
    g_strlcpy (v->context, combo_id (jd->context_combo, jd->context_ids), sizeof v->context);
  g_strlcpy (v->quality, combo_id (jd->quality_combo, jd->quality_ids), sizeof v->quality);
  g_strlcpy (v->background, combo_id (jd->background_combo, jd->background_ids),
             sizeof v->background);
  v->sample_merged = jd->merged_toggle &&
                     gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (jd->merged_toggle));
  v->guide = dialogs_guide_sent (&jd->guide) ? jd->guide.read_id : -1;
}

static oaimg_context_mode
context_mode (const char *id)
{
  if (strcmp (id, "selection") == 0)
    return OAIMG_CONTEXT_SELECTION;
  if (strcmp (id, "image") == 0)
    return OAIMG_CONTEXT_IMAGE;
  return OAIMG_CONTEXT_AUTO;
}

/* The reference row says when the model in use takes no references. */
static void
update_references (JobDialog *jd, const OaimgJobParams *params)
{
  char *note = oaimg_references_note (oaimg_dialog_model_in_use (jd->client, jd->operation,
                                                                 params->model,
                                                                 jd->default_model),
                                      params);

  dialogs_references_update (jd->references_row, note);
  g_free (note);
}

/* Recomputes what would be sent (common/dialog_logic.c decides): the preview, the prompt's note,
 * and whether Send may be pressed, with the reason shown when not. */
static gboolean
update_preview (gpointer data)
{
  JobDialog     *jd     = data;
  JobValues     *v      = jd->values;
  OaimgJobParams params = { 0 };
  OaimgPreview   preview;

  jd->preview_timeout = 0;
  read_widgets (jd);
  params.operation  = jd->operation;
  params.prompt     = v->prompt;
  params.n          = v->n;
  params.model      = v->model;
  params.size       = v->size;
  params.context    = context_mode (v->context);
  params.quality    = v->quality;
  params.background = v->background;
  params.references = jd->references;
  params.guide      = dialogs_guide_sent (&jd->guide);

  oaimg_dialog_preview (jd->client, &params, jd->source, jd->source_problem, jd->default_model,
                        &preview);
  update_references (jd, &params);
  dialogs_image_show (jd->image_view, preview.image_rgba, preview.image_width,
                      preview.image_height, PREVIEW_SIDE);
  dialogs_image_show (jd->mask_view, preview.mask_rgba, preview.mask_width, preview.mask_height,
                      PREVIEW_SIDE);
  gtk_label_set_text (GTK_LABEL (jd->info_label), preview.info);
  gtk_widget_set_sensitive (jd->prompt.view, preview.takes_prompt);
  gtk_label_set_text (GTK_LABEL (jd->prompt_note), preview.prompt_note ? preview.prompt_note : "");
  gtk_widget_set_visible (jd->prompt_note, preview.prompt_note != NULL);
  gtk_label_set_text (GTK_LABEL (jd->problem_label), preview.problem ? preview.problem : "");
  gtk_widget_set_visible (jd->problem_label, preview.problem != NULL);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (jd->dialog), GTK_RESPONSE_OK,
                                     preview.problem == NULL);
  oaimg_dialog_preview_clear (&preview);
  return G_SOURCE_REMOVE;
}

static void
schedule_preview (JobDialog *jd)
{
  if (jd->preview_timeout)
    g_source_remove (jd->preview_timeout);
  jd->preview_timeout = g_timeout_add (PREVIEW_DELAY_MS, update_preview, jd);
}

static const char *
model_in_use (JobDialog *jd)
{
  return oaimg_dialog_model_in_use (jd->client, jd->operation, model_combo_text (jd->model_combo),
                                    jd->default_model);
}

/* Fills a combo with what common/ offers for the parameter with this model (their ids kept in
 * `ids`), showing `current`, or "auto" where the model does not take it. */
static void
fill_combo (JobDialog *jd, GtkWidget *widget, GPtrArray *ids, OaimgChoiceParam param,
            const char *current)
{
  GtkComboBoxText *combo  = GTK_COMBO_BOX_TEXT (widget);
  int              count  = 0, active = 0;
  /* Context is the same for every model, and is filled before the model's combo exists. */
  OaimgChoice     *offered = oaimg_dialog_choices (jd->model_combo ? model_in_use (jd) : "",
                                                   jd->operation, param, current, &count,
                                                   &active);

  jd->syncing = TRUE;
  for (guint i = ids->len; i > 0; i--)
    gtk_combo_box_text_remove (combo, (gint) i - 1);
  g_ptr_array_set_size (ids, 0);
  for (int i = 0; i < count; i++)
    {
      gtk_combo_box_text_append_text (combo, offered[i].label);
      g_ptr_array_add (ids, g_strdup (offered[i].id));
    }
  gtk_combo_box_set_active (GTK_COMBO_BOX (combo), active);
  gtk_widget_set_sensitive (widget, count > 1);
  jd->syncing = FALSE;
  g_free (offered);
}

/* ---- Guide layer (Inpaint Selection; common/guide.c decides) ---- */

static gboolean
guide_candidate (gint32 image, gint32 item, gpointer data)
{
  JobDialog *jd = data;

  return image == jd->image && item != jd->drawable;
}

/* Reads the layer sent as guide (id -1: none). */
static gboolean
guide_read (gpointer data, gint id, OaimgGuide *guide)
{
  JobDialog *jd    = data;
  GError    *error = NULL;

  if (id == -1 || host_gimp2_read_guide (jd->image, id, jd->drawable, guide, &error))
    return id != -1;
  g_clear_error (&error);
  return FALSE;
}

static void
guide_sync (JobDialog *jd)
{
  if (jd->model_combo)
    dialogs_guide_sync (&jd->guide, model_in_use (jd), jd->operation);
}

static void
on_guide_changed (gpointer data)
{
  guide_sync (data);
  schedule_preview (data);
}

/* The "Guide layer" row and its note at rows `row` and `row` + 1 of `table` (edits only);
 * returns the next free row. */
static int
guide_rows_new (JobDialog *jd, GtkTable *table, int row)
{
  const gint32 last = jd->values->guide;
  GtkWidget   *note;

  if (jd->operation != OAIMG_EDIT)
    return row;
  note = wrapped_label_new (NULL, FALSE);
  /* A layer the last run used, when it is still one of this image's. */
  dialogs_guide_init (&jd->guide, gimp_layer_combo_box_new (guide_candidate, jd), note,
                      last > 0 && gimp_item_is_valid (last) && gimp_item_is_layer (last) &&
                      guide_candidate (gimp_item_get_image (last), last, jd) ? last : -1,
                      guide_read, on_guide_changed, jd);
  table_row (table, row, dialogs_guide_label (), jd->guide.combo);
  gtk_table_attach (table, note, 1, 2, row + 1, row + 2, GTK_FILL, GTK_FILL, 0, 0);
  return row + 2;
}

/* Everything that depends on the model, keeping what was chosen where the model takes it. */
static void
fill_for_model (JobDialog *jd, const char *size, const char *quality, const char *background)
{
  gchar  *keep_size       = g_strdup (size ? size : combo_id (jd->size_combo, jd->size_ids));
  gchar  *keep_quality    = g_strdup (quality ? quality
                                              : combo_id (jd->quality_combo, jd->quality_ids));
  gchar  *keep_background = g_strdup (background ? background
                                                 : combo_id (jd->background_combo,
                                                             jd->background_ids));
  gdouble value           = gtk_spin_button_get_value (GTK_SPIN_BUTTON (jd->n_spin));

  fill_combo (jd, jd->size_combo, jd->size_ids, OAIMG_CHOICE_SIZE, keep_size);
  fill_combo (jd, jd->quality_combo, jd->quality_ids, OAIMG_CHOICE_QUALITY, keep_quality);
  fill_combo (jd, jd->background_combo, jd->background_ids, OAIMG_CHOICE_BACKGROUND,
              keep_background);
  /* No more results than the model makes in one run. */
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (jd->n_spin), 1,
                             oaimg_dialog_max_n (model_in_use (jd), jd->operation));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (jd->n_spin), value);
  guide_sync (jd);
  g_free (keep_size);
  g_free (keep_quality);
  g_free (keep_background);
}

static void
on_model_changed (GtkComboBox *combo, JobDialog *jd)
{
  (void) combo;
  if (jd->syncing)
    return;
  fill_for_model (jd, NULL, NULL, NULL);
  schedule_preview (jd);
}

static void
on_changed (GtkWidget *widget, JobDialog *jd)
{
  (void) widget;
  if (!jd->syncing)
    schedule_preview (jd);
}

static void
on_merged_toggled (GtkToggleButton *toggle, JobDialog *jd)
{
  GError *error = NULL;

  /* Sample merged changes the pixels sent: the source is read again from the image. */
  g_clear_pointer (&jd->source_problem, g_free);
  if (!jd->read_source (jd->read_source_data, gtk_toggle_button_get_active (toggle), jd->source,
                        &error))
    {
      jd->source_problem = g_strdup (error ? error->message : "");
      g_clear_error (&error);
    }
  schedule_preview (jd);
}

/* Before Ctrl+Return decides: what was typed in the last moment counts. */
static void
settle_preview (gpointer data)
{
  JobDialog *jd = data;

  if (jd->preview_timeout)
    {
      g_source_remove (jd->preview_timeout);
      update_preview (jd);
    }
}

gboolean
job_dialog_run (oaimg_operation operation, oaimg_client *client, OaimgSource *source,
                JobSourceReader read_source, gpointer read_source_data,
                const OaimgReferences *references,
                const char *default_model, const char *profile_dir, JobValues *values,
                gint32 image, gint32 drawable)
{
  JobDialog  jd = { .operation = operation, .client = client, .source = source,
                    .references = references,
                    .read_source = read_source, .read_source_data = read_source_data,
                    .default_model = default_model, .values = values, .image = image,
                    .drawable = drawable };
  GtkWidget *dialog, *vbox, *table, *frame, *sent, *previews;
  gchar     *placeholder;
  gboolean   run;
  int        row = 0;

  jd.size_ids       = g_ptr_array_new_with_free_func (g_free);
  jd.context_ids    = g_ptr_array_new_with_free_func (g_free);
  jd.quality_ids    = g_ptr_array_new_with_free_func (g_free);
  jd.background_ids = g_ptr_array_new_with_free_func (g_free);
  dialog = gimp_dialog_new (oaimg_dialog_title (operation), "oaimg", NULL, 0,
                            gimp_standard_help_func, oaimg_procedure_for (operation)->name, _("_Cancel"), GTK_RESPONSE_CANCEL, _("S_end"), GTK_RESPONSE_OK,
                            NULL);
  jd.dialog = dialog;
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog), GTK_RESPONSE_OK,
                                            GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (dialog));

  vbox = gtk_vbox_new (FALSE, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), vbox, TRUE,
                      TRUE, 0);
  jd.prompt_note = wrapped_label_new (NULL, FALSE);
  gtk_box_pack_start (GTK_BOX (vbox),
                      dialogs_prompt_box_init (&jd.prompt, values->prompt, profile_dir,
                                               jd.prompt_note),
                      FALSE, FALSE, 0);
  g_signal_connect (jd.prompt.buffer, "changed", G_CALLBACK (on_changed), &jd);

  table = gtk_table_new (3, 2, FALSE);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_table_set_col_spacings (GTK_TABLE (table), 12);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);

  jd.n_spin = gtk_spin_button_new_with_range (1, 10, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (jd.n_spin), CLAMP (values->n, 1, 10));
  table_row (GTK_TABLE (table), row++, _("_Number of images:"), jd.n_spin);
  /* Context only matters where the model sees the selection's surroundings. */
  if (oaimg_dialog_context_applies (operation))
    {
      jd.context_combo = table_row (GTK_TABLE (table), row++, _("Con_text:"),
                                    gtk_combo_box_text_new ());
      fill_combo (&jd, jd.context_combo, jd.context_ids, OAIMG_CHOICE_CONTEXT, values->context);
    }
  if (operation != OAIMG_GENERATE)
    {
      jd.merged_toggle = gtk_check_button_new_with_mnemonic (_("Sample merge_d"));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (jd.merged_toggle),
                                    values->sample_merged);
      gtk_table_attach (GTK_TABLE (table), jd.merged_toggle, 1, 2, row, row + 1,
                        GTK_EXPAND | GTK_FILL, GTK_FILL, 0, 0);
      row++;
    }
  row = guide_rows_new (&jd, GTK_TABLE (table), row);

  frame = gimp_frame_new (_("What will be sent"));
  gtk_box_pack_start (GTK_BOX (vbox), frame, FALSE, FALSE, 0);
  sent = gtk_table_new (7, 2, FALSE);
  gtk_table_set_row_spacings (GTK_TABLE (sent), 6);
  gtk_table_set_col_spacings (GTK_TABLE (sent), 12);
  gtk_container_add (GTK_CONTAINER (frame), sent);

  jd.model_combo = table_row (GTK_TABLE (sent), 0, _("_Model:"),
                              model_combo_new (operation, values->model));
  placeholder = g_strdup_printf (_("Default (%s)"),
                                 oaimg_dialog_model_in_use (client, operation, NULL,
                                                            default_model));
  /* GTK 2 entries have no placeholder text: the default is named in the tooltip instead. */
  gtk_widget_set_tooltip_text (jd.model_combo, placeholder);
  g_free (placeholder);
  jd.size_combo = table_row (GTK_TABLE (sent), 1, _("Si_ze:"), gtk_combo_box_text_new ());
  jd.quality_combo = table_row (GTK_TABLE (sent), 2, _("_Quality:"), gtk_combo_box_text_new ());
  jd.background_combo = table_row (GTK_TABLE (sent), 3, _("_Background:"),
                                   gtk_combo_box_text_new ());
  fill_for_model (&jd, values->size, values->quality, values->background);

  previews = gtk_hbox_new (FALSE, 12);
  jd.image_view = gtk_image_new ();
  jd.mask_view  = gtk_image_new ();
  /* A generation uploads nothing: no room is kept for pictures that never come. */
  if (operation != OAIMG_GENERATE)
    gtk_widget_set_size_request (jd.image_view, PREVIEW_SIDE, PREVIEW_SIDE);
  if (operation == OAIMG_EDIT)
    gtk_widget_set_size_request (jd.mask_view, PREVIEW_SIDE, PREVIEW_SIDE);
  gtk_box_pack_start (GTK_BOX (previews), jd.image_view, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (previews), jd.mask_view, FALSE, FALSE, 0);
  gtk_table_attach (GTK_TABLE (sent), previews, 0, 2, 4, 5, GTK_FILL, GTK_FILL, 0, 0);
  jd.info_label = wrapped_label_new (NULL, TRUE);
  gtk_table_attach (GTK_TABLE (sent), jd.info_label, 0, 2, 5, 6, GTK_FILL, GTK_FILL, 0, 0);
  /* Why Send cannot be pressed, in the words of the control to change. */
  jd.problem_label = wrapped_label_new (NULL, TRUE);
  gtk_table_attach (GTK_TABLE (sent), jd.problem_label, 0, 2, 6, 7, GTK_FILL, GTK_FILL, 0, 0);
  jd.references_row = dialogs_references_new (references);
  gtk_table_attach (GTK_TABLE (sent), jd.references_row, 0, 2, 7, 8, GTK_FILL, GTK_FILL, 0, 0);

  g_signal_connect (jd.model_combo, "changed", G_CALLBACK (on_model_changed), &jd);
  g_signal_connect (jd.size_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.n_spin, "value-changed", G_CALLBACK (on_changed), &jd);
  if (jd.context_combo)
    g_signal_connect (jd.context_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.quality_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.background_combo, "changed", G_CALLBACK (on_changed), &jd);
  if (jd.merged_toggle)
    g_signal_connect (jd.merged_toggle, "toggled", G_CALLBACK (on_merged_toggled), &jd);
  dialogs_prompt_box_attach (&jd.prompt, dialog, settle_preview, &jd);

  gtk_widget_show_all (dialog);
  update_preview (&jd);
  gtk_widget_grab_focus (jd.prompt.view);

  run = gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK;
  dialogs_dump_texts (dialog);
  /* Kept whether sent or not: a cancelled dialog comes back as the user left it. */
  read_widgets (&jd);

  if (jd.preview_timeout)
    g_source_remove (jd.preview_timeout);
  gtk_widget_destroy (dialog);
  g_ptr_array_free (jd.size_ids, TRUE);
  g_ptr_array_free (jd.context_ids, TRUE);
  g_ptr_array_free (jd.quality_ids, TRUE);
  g_ptr_array_free (jd.background_ids, TRUE);
  dialogs_prompt_box_clear (&jd.prompt);
  g_free (jd.source_problem);
  dialogs_guide_clear (&jd.guide);
  return run;
}

/* ---- Without a key -------------------------------------------------------------------------- */

gboolean
no_key_dialog_run (const char *profile_dir)
{
  return dialogs_no_key_run (profile_dir, wrapped_label_new (oaimg_message_no_key (), FALSE),
                             settings_dialog_run);
}

/* ---- Settings dialog ------------------------------------------------------------------------- */

static void
on_show_key_toggled (GtkToggleButton *toggle, GtkEntry *key_entry)
{
  gtk_entry_set_visibility (key_entry, gtk_toggle_button_get_active (toggle));
}

gboolean
settings_dialog_run (const char *profile_dir, GError **error)
{
  OaimgSettings settings;
  GtkWidget    *dialog, *table, *key_entry, *forget, *url_entry, *model_combo, *timeout_spin;
  GtkWidget    *note, *key_hint, *safety_entry, *show_key, *test_button;
  ConnectionTest test;
  char         *notes;
  gboolean      has_key    = dialogs_settings_begin (profile_dir, &settings);
  gboolean      ok         = FALSE;
  gint          response;


  dialog = gimp_dialog_new (_("OpenAI Images Settings"), "oaimg", NULL, 0,
                            gimp_standard_help_func, oaimg_procedures ()[OAIMG_PROC_SETTINGS].name,
                            _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Save"), GTK_RESPONSE_OK,
                            NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog), GTK_RESPONSE_OK,
                                            GTK_RESPONSE_CANCEL, -1);
  table = gtk_table_new (11, 2, FALSE);
  gtk_container_set_border_width (GTK_CONTAINER (table), 12);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_table_set_col_spacings (GTK_TABLE (table), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), table, TRUE,
                      TRUE, 0);

  /* The stored key is never shown or put back into a widget: typing replaces it. */
  key_entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (key_entry), FALSE);
  table_row (GTK_TABLE (table), 0, _("API _key:"), key_entry);
  key_hint = gtk_label_new (has_key ? _("A key is stored; type a new one to replace it")
                                    : _("sk-…"));
  gtk_misc_set_alignment (GTK_MISC (key_hint), 0.0, 0.5);
  gtk_table_attach (GTK_TABLE (table), key_hint, 1, 2, 1, 2, GTK_FILL, GTK_FILL, 0, 0);
  forget = gtk_check_button_new_with_mnemonic (_("_Forget the stored key"));
  gtk_widget_set_sensitive (forget, has_key);
  gtk_table_attach (GTK_TABLE (table), forget, 1, 2, 2, 3, GTK_FILL, GTK_FILL, 0, 0);
  /* GTK 2 has no symbolic eye icon to put in the entry: a check button does the same. */
  show_key = gtk_check_button_new_with_mnemonic (_("Sho_w the typed key"));
  g_signal_connect (show_key, "toggled", G_CALLBACK (on_show_key_toggled), key_entry);
  gtk_table_attach (GTK_TABLE (table), show_key, 1, 2, 3, 4, GTK_FILL, GTK_FILL, 0, 0);

  url_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (url_entry), settings.base_url);
  gtk_widget_set_tooltip_text (url_entry, "https://api.openai.com/v1");
  table_row (GTK_TABLE (table), 4, _("_Base URL:"), url_entry);

  model_combo = model_combo_new (0, settings.default_model);
  gtk_widget_set_tooltip_text (model_combo, _("Automatic for the server"));
  table_row (GTK_TABLE (table), 5, _("Default _model:"), model_combo);

  timeout_spin = gtk_spin_button_new_with_range (10, 3600, 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (timeout_spin), settings.timeout_s);
  table_row (GTK_TABLE (table), 6, _("_Timeout (seconds):"), timeout_spin);

  safety_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (safety_entry), settings.safety_identifier);
  gtk_widget_set_tooltip_text (safety_entry,
                               _("A stable identifier of you for OpenAI's safety monitoring, "
                                 "e.g. a hash of your e-mail address. Sent with every request "
                                 "when set; never your key."));
  table_row (GTK_TABLE (table), 7, _("Safety _identifier:"), safety_entry);

  notes = oaimg_dialog_environment_notes ();
  /* Wrapped within the dialog's width instead of cut off at its edge. */
  note = wrapped_label_new (notes, FALSE);
  gtk_table_attach (GTK_TABLE (table), note, 0, 2, 8, 9, GTK_FILL, GTK_FILL, 0, 0);
  g_free (notes);

  test_button = gtk_button_new_with_mnemonic (_("Test Co_nnection"));
  gtk_table_attach (GTK_TABLE (table), test_button, 1, 2, 9, 10, GTK_FILL, GTK_FILL, 0, 0);
  test.profile_dir = profile_dir;
  test.key_entry   = key_entry;
  test.url_entry   = url_entry;
  test.result      = wrapped_label_new (NULL, TRUE);
  gtk_table_attach (GTK_TABLE (table), test.result, 0, 2, 10, 11, GTK_FILL, GTK_FILL, 0, 0);
  g_signal_connect (test_button, "clicked", G_CALLBACK (dialogs_test_connection), &test);

  gtk_widget_show_all (dialog);
  response = gimp_dialog_run (GIMP_DIALOG (dialog));
  dialogs_dump_texts (dialog);
  if (response == GTK_RESPONSE_OK)
    {
      SettingsFields fields = { .key_entry = key_entry, .forget = forget,
                                .url_entry = url_entry, .model_combo = model_combo,
                                .timeout_spin = timeout_spin, .safety_entry = safety_entry };

      ok = dialogs_settings_save (profile_dir, &settings, &fields, error);
    }
  gtk_widget_destroy (dialog);
  oaimg_settings_clear (&settings);
  return ok;
}
