/* GIMP 3 dialogs. The job dialog is GIMP's GimpProcedureDialog for the plain arguments; model and
 * size are combo boxes filled from liboaimg's capabilities table, because the sizes depend on the
 * model and a GimpChoice is fixed at registration. */
#include "dialogs_gimp3.h"

#include <libgimp/gimpui.h>
#include <stdlib.h>
#include <string.h>

#include "dialog_logic.h"
#include "guide.h"
#include "i18n.h"
#include "oaimg_dialog.h"

#define PREVIEW_SIDE         200
#define PREVIEW_DELAY_MS     250

/* ---- Job dialog ------------------------------------------------------------------------------ */

#define INFO_MAX_CHARS       64

/* A left-aligned label that wraps within the dialog's width instead of widening it. */
static GtkWidget *
wrapped_label_new (const char *text, gboolean selectable)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), INFO_MAX_CHARS);
  gtk_label_set_selectable (GTK_LABEL (label), selectable);
  return label;
}

typedef struct
{
  GimpProcedureConfig *config;
  oaimg_operation      operation;
  oaimg_client        *client;
  GimpImage           *image;
  GimpDrawable        *drawable;
  OaimgSource         *source;
  const OaimgReferences *references;
  GtkWidget           *references_row;
  char                *source_problem; /* why the source could not be read, or NULL */
  const char          *default_model;
  GtkWidget           *dialog;
  PromptBox            prompt;
  GtkWidget           *prompt_note;
  GtkWidget           *model_combo;
  GtkWidget           *size_combo;
  GtkWidget           *quality_combo;
  GtkWidget           *background_combo;
  GtkWidget           *image_view;
  GtkWidget           *mask_view;
  GtkWidget           *info_label;
  GtkWidget           *problem_label;
  guint                preview_timeout;
  gboolean             syncing;
  GuideChoice          guide; /* Inpaint Selection's guide layer */
  gboolean             writing_guide; /* the row itself is setting the config's guide */
} JobDialog;

static const char *
model_in_use (JobDialog *jd, const char *typed)
{
  return oaimg_dialog_model_in_use (jd->client, jd->operation, typed, jd->default_model);
}

/* The reference row says when the model in use takes no references. */
static void
update_references (JobDialog *jd, const OaimgJobParams *params)
{
  char *note = oaimg_references_note (model_in_use (jd, params->model), params);

  dialogs_references_update (jd->references_row, note);
  g_free (note);
}

/* Recomputes what would be sent (common/dialog_logic.c decides): the preview, the prompt's note,
 * and whether Send may be pressed, with the reason shown when not. */
static gboolean
update_preview (gpointer data)
{
  JobDialog      *jd     = data;
  OaimgJobParams  params = { 0 };
  OaimgPreview    preview;
  gchar          *prompt = NULL, *model = NULL, *size = NULL, *quality = NULL, *background = NULL;
  gint            n      = 1;

  jd->preview_timeout = 0;
  g_object_get (jd->config, "prompt", &prompt, "n", &n, "model", &model, "size", &size,
                "quality", &quality, "background", &background, NULL);
  params.operation  = jd->operation;
  params.prompt     = prompt;
  params.n          = n;
  params.model      = model;
  params.size       = size;
  params.context    = gimp_procedure_config_get_choice_id (jd->config, "context");
  params.quality    = quality;
  params.background = background;
  params.references = jd->references;
  params.guide      = dialogs_guide_sent (&jd->guide);

  oaimg_dialog_preview (jd->client, &params, jd->source, jd->source_problem, jd->default_model,
                        &preview);
  update_references (jd, &params);
  dialogs_image_show (jd->image_view, preview.image_rgba, preview.image_width,
                      preview.image_height, PREVIEW_SIDE);
  dialogs_image_show (jd->mask_view, preview.mask_rgba, preview.mask_width, preview.mask_height,
                      PREVIEW_SIDE);
  gtk_widget_set_sensitive (jd->prompt.view, preview.takes_prompt);
  gtk_label_set_text (GTK_LABEL (jd->prompt_note), preview.prompt_note ? preview.prompt_note : "");
  gtk_widget_set_visible (jd->prompt_note, preview.prompt_note != NULL);
  gtk_label_set_text (GTK_LABEL (jd->info_label), preview.info);
  gtk_label_set_text (GTK_LABEL (jd->problem_label), preview.problem ? preview.problem : "");
  gtk_widget_set_visible (jd->problem_label, preview.problem != NULL);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (jd->dialog), GTK_RESPONSE_OK,
                                     preview.problem == NULL);

  oaimg_dialog_preview_clear (&preview);
  g_free (prompt);
  g_free (model);
  g_free (size);
  g_free (quality);
  g_free (background);
  return G_SOURCE_REMOVE;
}

static void
schedule_preview (JobDialog *jd)
{
  if (jd->preview_timeout)
    g_source_remove (jd->preview_timeout);
  jd->preview_timeout = g_timeout_add (PREVIEW_DELAY_MS, update_preview, jd);
}

/* Fills a combo with what common/ offers for the parameter with this model and shows the
 * config's value; a value the model does not take becomes "auto" in the config too, so that what
 * is shown is what is sent. */
static void
fill_combo (JobDialog *jd, GtkWidget *widget, const char *property, OaimgChoiceParam param)
{
  GtkComboBoxText *combo = GTK_COMBO_BOX_TEXT (widget);
  gchar           *model = NULL, *current = NULL;
  int              count = 0, active = 0;
  OaimgChoice     *offered;

  g_object_get (jd->config, "model", &model, property, &current, NULL);
  offered = oaimg_dialog_choices (model_in_use (jd, model), jd->operation, param, current,
                                  &count, &active);

  jd->syncing = TRUE;
  gtk_combo_box_text_remove_all (combo);
  for (int i = 0; i < count; i++)
    gtk_combo_box_text_append (combo, offered[i].id, offered[i].label);
  gtk_widget_set_sensitive (widget, count > 1);
  gtk_combo_box_set_active (GTK_COMBO_BOX (combo), active);
  if (g_strcmp0 (current, offered[active].id) != 0)
    g_object_set (jd->config, property, offered[active].id, NULL);
  jd->syncing = FALSE;
  g_free (offered);
  g_free (model);
  g_free (current);
}

/* ---- Guide layer (Inpaint Selection; common/guide.c decides) ---- */

static GtkWidget *labelled (GtkGrid *grid, int row, const char *mnemonic, GtkWidget *widget);

static gboolean
guide_candidate (GimpImage *image, GimpItem *item, gpointer data)
{
  JobDialog *jd = data;

  return image == jd->image && item != GIMP_ITEM (jd->drawable);
}

/* Reads the layer sent as guide (id -1: none), which the config then holds too. */
static gboolean
guide_read (gpointer data, gint id, OaimgGuide *guide)
{
  JobDialog *jd    = data;
  GimpLayer *layer = id > 0 ? gimp_layer_get_by_id (id) : NULL;
  GError    *error = NULL;

  if (layer && !host_gimp3_read_guide (jd->image, layer, jd->drawable, guide, &error))
    {
      layer = NULL;
      g_clear_error (&error);
    }
  jd->writing_guide = TRUE;
  g_object_set (jd->config, "guide", layer, NULL);
  jd->writing_guide = FALSE;
  return layer != NULL;
}

static void
guide_sync (JobDialog *jd)
{
  gchar *model = NULL;

  g_object_get (jd->config, "model", &model, NULL);
  dialogs_guide_sync (&jd->guide, model_in_use (jd, model), jd->operation);
  g_free (model);
}

static void
on_guide_changed (gpointer data)
{
  guide_sync (data);
  schedule_preview (data);
}

/* The config's guide changed behind the row (Reset, Load Saved Settings): the row follows it, so
 * that the guide shown is the one sent. */
static void
on_config_guide (GObject *config, GParamSpec *pspec, JobDialog *jd)
{
  GimpLayer *layer = NULL;

  (void) pspec;
  if (jd->writing_guide || jd->guide.combo == NULL)
    return;
  g_object_get (config, "guide", &layer, NULL);
  jd->guide.wanted = layer && guide_candidate (jd->image, GIMP_ITEM (layer), jd)
                       ? gimp_item_get_id (GIMP_ITEM (layer)) : -1;
  g_clear_object (&layer);
  guide_sync (jd);
  schedule_preview (jd);
}

/* The "Guide layer" row and its note, at `row` of the dialog's grid (edits only). */
static void
guide_row_new (JobDialog *jd, GtkGrid *grid, int row)
{
  GimpLayer *layer = NULL;
  gint       last  = -1;
  GtkWidget *note;

  if (jd->operation != OAIMG_EDIT)
    return;
  /* A layer the last run used, when it is still one of this image's. */
  g_object_get (jd->config, "guide", &layer, NULL);
  if (layer && guide_candidate (jd->image, GIMP_ITEM (layer), jd))
    last = gimp_item_get_id (GIMP_ITEM (layer));
  g_clear_object (&layer);

  gtk_grid_insert_row (grid, row);
  gtk_grid_insert_row (grid, row);
  note = wrapped_label_new (NULL, FALSE);
  dialogs_guide_init (&jd->guide, gimp_layer_combo_box_new (guide_candidate, jd, NULL), note,
                      last, guide_read, on_guide_changed, jd);
  labelled (grid, row, dialogs_guide_label (), jd->guide.combo);
  gtk_grid_attach (grid, note, 1, row + 1, 1, 1);
  guide_sync (jd);
}

/* Everything that depends on the model. */
static void
fill_for_model (JobDialog *jd)
{
  fill_combo (jd, jd->size_combo, "size", OAIMG_CHOICE_SIZE);
  fill_combo (jd, jd->quality_combo, "quality", OAIMG_CHOICE_QUALITY);
  fill_combo (jd, jd->background_combo, "background", OAIMG_CHOICE_BACKGROUND);
  guide_sync (jd);
}

static void
on_model_changed (GtkComboBox *combo, JobDialog *jd)
{
  GtkWidget *entry = gtk_bin_get_child (GTK_BIN (combo));
  char      *name;

  if (jd->syncing)
    return;
  name = oaimg_dialog_model_from_label (gtk_entry_get_text (GTK_ENTRY (entry)));
  jd->syncing = TRUE;
  g_object_set (jd->config, "model", name, NULL);
  jd->syncing = FALSE;
  g_free (name);
  fill_for_model (jd);
  schedule_preview (jd);
}

static void
on_choice_changed (GtkComboBox *combo, JobDialog *jd)
{
  const char *id       = gtk_combo_box_get_active_id (combo);
  const char *property = g_object_get_data (G_OBJECT (combo), "oaimg-property");

  if (jd->syncing || id == NULL)
    return;
  jd->syncing = TRUE;
  g_object_set (jd->config, property, id, NULL);
  jd->syncing = FALSE;
  schedule_preview (jd);
}

static void
on_prompt_edited (GtkTextBuffer *buffer, JobDialog *jd)
{
  char *text;

  (void) buffer;
  if (jd->syncing)
    return;
  text = dialogs_prompt_box_text (&jd->prompt);
  jd->syncing = TRUE;
  g_object_set (jd->config, "prompt", text, NULL);
  jd->syncing = FALSE;
  g_free (text);
  schedule_preview (jd);
}

/* The config changed behind the widgets (Reset, Load Saved Settings): show its values, so that
 * the dialog never shows one value and sends another. */
static void
on_config_changed (GObject *config, GParamSpec *pspec, JobDialog *jd)
{
  (void) config;
  if (!jd->syncing)
    {
      const char *name = g_param_spec_get_name (pspec);
      gchar      *value = NULL;

      jd->syncing = TRUE;
      if (strcmp (name, "prompt") == 0)
        {
          char *shown = dialogs_prompt_box_text (&jd->prompt);
          g_object_get (jd->config, "prompt", &value, NULL);
          if (g_strcmp0 (shown, value ? value : "") != 0)
            gtk_text_buffer_set_text (jd->prompt.buffer, value ? value : "", -1);
          g_free (shown);
        }
      else if (strcmp (name, "model") == 0)
        {
          char *label;
          g_object_get (jd->config, "model", &value, NULL);
          label = oaimg_dialog_model_label (value);
          gtk_entry_set_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (jd->model_combo))), label);
          g_free (label);
        }
      jd->syncing = FALSE;
      g_free (value);
      if (strcmp (name, "n") != 0 && strcmp (name, "context") != 0)
        fill_for_model (jd);
    }
  schedule_preview (jd);
}

/* Sample merged changes what is sent: read the source again, as the run will send it. */
static void
on_sample_merged (GObject *config, GParamSpec *pspec, JobDialog *jd)
{
  gboolean merged = FALSE;
  GError  *error  = NULL;

  (void) pspec;
  g_object_get (config, "sample-merged", &merged, NULL);
  oaimg_source_clear (jd->source);
  g_clear_pointer (&jd->source_problem, g_free);
  if (!host_gimp3_read_source (jd->image, jd->drawable, jd->operation, merged, jd->source,
                               &error))
    {
      jd->source_problem = g_strdup (error->message);
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

static GtkWidget *
model_combo_new (oaimg_operation operation, const char *current, const char *placeholder)
{
  GtkWidget   *combo  = gtk_combo_box_text_new_with_entry ();
  GtkWidget   *entry  = gtk_bin_get_child (GTK_BIN (combo));
  const char **models = oaimg_dialog_models (operation);
  char        *label  = oaimg_dialog_model_label (current);

  for (int i = 0; models[i]; i++)
    {
      char *item = oaimg_dialog_model_label (models[i]);
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (combo), item);
      g_free (item);
    }
  g_free (models);
  gtk_entry_set_text (GTK_ENTRY (entry), label);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  g_free (label);
  return combo;
}

static GtkWidget *
labelled (GtkGrid *grid, int row, const char *mnemonic, GtkWidget *widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, widget, 1, row, 1, 1);
  return widget;
}

static GtkWidget *
choice_combo_new (JobDialog *jd, const char *property)
{
  GtkWidget *combo = gtk_combo_box_text_new ();

  g_object_set_data (G_OBJECT (combo), "oaimg-property", (gpointer) property);
  g_signal_connect (combo, "changed", G_CALLBACK (on_choice_changed), jd);
  return combo;
}

/* The prompt box with the config's prompt and the note under it, above everything else. */
static GtkWidget *
prompt_box_new (JobDialog *jd, const char *profile_dir)
{
  gchar     *prompt = NULL;
  GtkWidget *box;

  g_object_get (jd->config, "prompt", &prompt, NULL);
  jd->prompt_note = wrapped_label_new (NULL, FALSE);
  box = dialogs_prompt_box_init (&jd->prompt, prompt, profile_dir, jd->prompt_note);
  g_free (prompt);
  g_signal_connect (jd->prompt.buffer, "changed", G_CALLBACK (on_prompt_edited), jd);
  return box;
}

gboolean
job_dialog_run (GimpProcedure       *procedure,
                GimpProcedureConfig *config,
                oaimg_operation      operation,
                oaimg_client        *client,
                GimpImage           *image,
                GimpDrawable        *drawable,
                OaimgSource         *source,
                const OaimgReferences *references,
                const char          *default_model,
                const char          *profile_dir)
{
  JobDialog  jd = { .config = config, .operation = operation, .client = client,
                    .image = image, .drawable = drawable, .source = source,
                    .references = references, .default_model = default_model };
  GtkWidget *dialog, *frame, *grid, *previews, *content, *prompt_box;
  gchar     *model = NULL;
  gchar     *placeholder;
  gboolean   run;

  dialog = gimp_procedure_dialog_new (procedure, config, oaimg_dialog_title (operation));
  jd.dialog = dialog;
  /* Alt+S belongs to GIMP's own "Save Settings" button. */
  gimp_procedure_dialog_set_ok_label (GIMP_PROCEDURE_DIALOG (dialog), _("S_end"));
  /* Context only matters where the model sees the selection's surroundings. */
  if (oaimg_dialog_context_applies (operation))
    gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "n", "context", "sample-merged",
                                NULL);
  else
    gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "n", NULL);

  content    = gtk_dialog_get_content_area (GTK_DIALOG (dialog));
  prompt_box = prompt_box_new (&jd, profile_dir);
  gtk_box_pack_start (GTK_BOX (content), prompt_box, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (content), prompt_box, 0);
  gtk_widget_show_all (prompt_box);

  frame = gimp_frame_new (_("What will be sent"));
  gtk_box_pack_start (GTK_BOX (content), frame, FALSE, FALSE, 0);
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_container_add (GTK_CONTAINER (frame), grid);

  g_object_get (config, "model", &model, NULL);
  placeholder    = g_strdup_printf (_("Default (%s)"), model_in_use (&jd, NULL));
  jd.model_combo = labelled (GTK_GRID (grid), 0, _("_Model:"),
                             model_combo_new (operation, model, placeholder));
  jd.size_combo  = labelled (GTK_GRID (grid), 1, _("Si_ze:"), choice_combo_new (&jd, "size"));
  jd.quality_combo = labelled (GTK_GRID (grid), 2, _("_Quality:"),
                               choice_combo_new (&jd, "quality"));
  jd.background_combo = labelled (GTK_GRID (grid), 3, _("_Background:"),
                                  choice_combo_new (&jd, "background"));
  g_free (placeholder);
  g_free (model);
  fill_for_model (&jd);

  previews = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  jd.image_view = gtk_image_new ();
  jd.mask_view  = gtk_image_new ();
  /* A generation uploads nothing: no room is kept for pictures that never come. */
  if (operation != OAIMG_GENERATE)
    gtk_widget_set_size_request (jd.image_view, PREVIEW_SIDE, PREVIEW_SIDE);
  if (operation == OAIMG_EDIT)
    gtk_widget_set_size_request (jd.mask_view, PREVIEW_SIDE, PREVIEW_SIDE);
  gtk_box_pack_start (GTK_BOX (previews), jd.image_view, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (previews), jd.mask_view, FALSE, FALSE, 0);
  gtk_grid_attach (GTK_GRID (grid), previews, 0, 4, 2, 1);
  jd.info_label = wrapped_label_new (NULL, TRUE);
  gtk_grid_attach (GTK_GRID (grid), jd.info_label, 0, 5, 2, 1);
  /* Why Send cannot be pressed, in the words of the control to change. */
  jd.problem_label = wrapped_label_new (NULL, TRUE);
  gtk_widget_set_name (jd.problem_label, "oaimg-problem");
  gtk_grid_attach (GTK_GRID (grid), jd.problem_label, 0, 6, 2, 1);
  jd.references_row = dialogs_references_new (references);
  gtk_grid_attach (GTK_GRID (grid), jd.references_row, 0, 7, 2, 1);
  /* Below the background, above the previews (the rows below move down). */
  guide_row_new (&jd, GTK_GRID (grid), 4);
  gtk_widget_show_all (frame);

  g_signal_connect (jd.model_combo, "changed", G_CALLBACK (on_model_changed), &jd);
  for (const char *const *p = (const char *const[]) { "notify::prompt", "notify::n",
                                                      "notify::model", "notify::size",
                                                      "notify::context", "notify::quality",
                                                      "notify::background", NULL };
       *p; p++)
    g_signal_connect (config, *p, G_CALLBACK (on_config_changed), &jd);
  g_signal_connect (config, "notify::sample-merged", G_CALLBACK (on_sample_merged), &jd);
  if (jd.guide.combo)
    g_signal_connect (config, "notify::guide", G_CALLBACK (on_config_guide), &jd);
  dialogs_prompt_box_attach (&jd.prompt, dialog, settle_preview, &jd);
  update_preview (&jd);
  gtk_widget_grab_focus (jd.prompt.view);

  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  dialogs_dump_texts (dialog);

  g_signal_handlers_disconnect_by_data (config, &jd);
  if (jd.preview_timeout)
    g_source_remove (jd.preview_timeout);
  gtk_widget_destroy (dialog);
  dialogs_prompt_box_clear (&jd.prompt);
  g_free (jd.source_problem);
  dialogs_guide_clear (&jd.guide);
  return run;
}

/* ---- Settings dialog ------------------------------------------------------------------------- */

static void
on_key_icon (GtkEntry *entry, GtkEntryIconPosition position, GdkEvent *event, gpointer data)
{
  gboolean shown = !gtk_entry_get_visibility (entry);

  (void) position;
  (void) event;
  (void) data;
  gtk_entry_set_visibility (entry, shown);
  gtk_entry_set_icon_from_icon_name (entry, GTK_ENTRY_ICON_SECONDARY,
                                     shown ? "view-conceal-symbolic" : "view-reveal-symbolic");
}

gboolean
no_key_dialog_run (const char *profile_dir)
{
  return dialogs_no_key_run (profile_dir, wrapped_label_new (oaimg_message_no_key (), FALSE),
                             settings_dialog_run);
}

gboolean
settings_dialog_run (const char *profile_dir, GError **error)
{
  OaimgSettings settings;
  GtkWidget    *dialog, *grid, *key_entry, *forget, *url_entry, *model_combo, *timeout_spin;
  GtkWidget    *note, *safety_entry;
  gboolean      has_key    = dialogs_settings_begin (profile_dir, &settings);
  gboolean      ok         = FALSE;
  char         *notes;
  gint          response;
  GtkWidget    *test_button;
  ConnectionTest test;


  dialog = gimp_dialog_new (_("OpenAI Images Settings"), "oaimg", NULL, 0,
                            gimp_standard_help_func, oaimg_procedures ()[OAIMG_PROC_SETTINGS].name,
                            _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Save"), GTK_RESPONSE_OK,
                            NULL);
  grid = gtk_grid_new ();
  gtk_container_set_border_width (GTK_CONTAINER (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), grid, TRUE,
                      TRUE, 0);

  /* The stored key is never shown or put back into a widget: typing replaces it. */
  key_entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (key_entry), FALSE);
  gtk_entry_set_icon_from_icon_name (GTK_ENTRY (key_entry), GTK_ENTRY_ICON_SECONDARY,
                                     "view-reveal-symbolic");
  gtk_entry_set_icon_tooltip_text (GTK_ENTRY (key_entry), GTK_ENTRY_ICON_SECONDARY,
                                   _("Show or hide the typed key"));
  g_signal_connect (key_entry, "icon-press", G_CALLBACK (on_key_icon), NULL);
  gtk_entry_set_input_purpose (GTK_ENTRY (key_entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_placeholder_text (GTK_ENTRY (key_entry),
                                  has_key ? _("A key is stored; type a new one to replace it")
                                          : _("sk-…"));
  labelled (GTK_GRID (grid), 0, _("API _key:"), key_entry);
  forget = gtk_check_button_new_with_mnemonic (_("_Forget the stored key"));
  gtk_widget_set_sensitive (forget, has_key);
  gtk_grid_attach (GTK_GRID (grid), forget, 1, 1, 1, 1);

  url_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (url_entry), settings.base_url);
  gtk_entry_set_placeholder_text (GTK_ENTRY (url_entry), "https://api.openai.com/v1");
  labelled (GTK_GRID (grid), 2, _("_Base URL:"), url_entry);

  model_combo = model_combo_new (0, settings.default_model,
                                 _("Automatic for the server"));
  labelled (GTK_GRID (grid), 3, _("Default _model:"), model_combo);

  timeout_spin = gtk_spin_button_new_with_range (10, 3600, 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (timeout_spin), settings.timeout_s);
  labelled (GTK_GRID (grid), 4, _("_Timeout (seconds):"), timeout_spin);

  safety_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (safety_entry), settings.safety_identifier);
  gtk_entry_set_placeholder_text (GTK_ENTRY (safety_entry), _("Optional"));
  gtk_widget_set_tooltip_text (safety_entry,
                               _("A stable identifier of you for OpenAI's safety monitoring, "
                                 "e.g. a hash of your e-mail address. Sent with every request "
                                 "when set; never your key."));
  labelled (GTK_GRID (grid), 5, _("Safety _identifier:"), safety_entry);

  notes = oaimg_dialog_environment_notes ();
  /* Wrapped within the dialog's width instead of cut off at its edge. */
  note = wrapped_label_new (notes, FALSE);
  gtk_grid_attach (GTK_GRID (grid), note, 0, 6, 2, 1);
  g_free (notes);

  test_button = gtk_button_new_with_mnemonic (_("Test Co_nnection"));
  gtk_widget_set_halign (test_button, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (grid), test_button, 1, 7, 1, 1);
  test.profile_dir = profile_dir;
  test.key_entry   = key_entry;
  test.url_entry   = url_entry;
  test.result      = wrapped_label_new (NULL, TRUE);
  gtk_grid_attach (GTK_GRID (grid), test.result, 0, 8, 2, 1);
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
