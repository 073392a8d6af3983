/* GIMP 3 dialogs. The job dialog is GIMP's GimpProcedureDialog for the plain arguments; model and
 * size are combo boxes filled from liboaimg's capabilities table, because the sizes depend on the
 * model and a GimpChoice is fixed at registration. */
#include "dialogs_gimp3.h"

#include <libgimp/gimpui.h>
#include <string.h>

#include "i18n.h"

#define PREVIEW_SIDE         200
#define PARTIAL_SIDE         256
#define PREVIEW_DELAY_MS     250
/* Events handled per progress callback: enough to stay responsive, bounded so a flood of events
 * cannot keep the callback (and the transfer behind it) from returning. */
#define MAX_EVENTS_PER_UPDATE 200
#define PULSE_INTERVAL_US    (100 * 1000)

/* ---- Job dialog ------------------------------------------------------------------------------ */

typedef struct
{
  GimpProcedureConfig *config;
  oaimg_operation      operation;
  oaimg_client        *client;
  const OaimgSource   *source;
  const char          *default_model;
  GtkWidget           *model_combo;
  GtkWidget           *size_combo;
  GtkWidget           *image_view;
  GtkWidget           *mask_view;
  GtkWidget           *info_label;
  guint                preview_timeout;
  gboolean             filling_sizes;
} JobDialog;

static const char *
model_in_use (JobDialog *jd, const char *typed)
{
  if (typed != NULL && typed[0] != '\0')
    return typed;
  if (jd->default_model != NULL && jd->default_model[0] != '\0')
    return jd->default_model;
  return oaimg_default_model (oaimg_client_base_url (jd->client), jd->operation);
}

/* A pixbuf holding its own copy of straight-alpha RGBA8 pixels. The pixbuf takes its own
 * reference to the bytes: ours is dropped here, or every preview and partial image would leak a
 * full copy of its pixels. */
static GdkPixbuf *
pixbuf_from_rgba (const uint8_t *rgba, uint32_t width, uint32_t height)
{
  GBytes    *bytes  = g_bytes_new (rgba, (gsize) width * height * 4);
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, TRUE, 8, width,
                                                 height, width * 4);
  g_bytes_unref (bytes);
  return pixbuf;
}

static GdkPixbuf *
pixbuf_from_png (const uint8_t *png, size_t size, int max_side)
{
  uint8_t   *rgba = NULL;
  uint32_t   w = 0, h = 0;
  GdkPixbuf *full, *shown;
  double     scale;

  if (oaimg_png_decode (png, size, 0, &rgba, &w, &h) != OAIMG_OK || w == 0 || h == 0)
    {
      oaimg_free (rgba);
      return NULL;
    }
  full = pixbuf_from_rgba (rgba, w, h);
  oaimg_free (rgba);
  scale = MIN ((double) max_side / w, (double) max_side / h);
  /* Composited over a checkerboard: the mask's transparent part is what the model repaints. */
  shown = gdk_pixbuf_composite_color_simple (full, MAX (1, (int) (w * scale)),
                                             MAX (1, (int) (h * scale)), GDK_INTERP_BILINEAR,
                                             255, 8, 0x808080, 0xc0c0c0);
  g_object_unref (full);
  return shown;
}

static gboolean
update_preview (gpointer data)
{
  JobDialog      *jd      = data;
  OaimgJobParams  params  = { 0 };
  oaimg_request  *request;
  oaimg_plan     *plan    = NULL;
  GError         *error   = NULL;
  gchar          *prompt = NULL, *model = NULL, *size = NULL, *quality = NULL, *background = NULL;
  gint            n = 1;
  GString        *info    = g_string_new (NULL);

  jd->preview_timeout = 0;
  gtk_image_clear (GTK_IMAGE (jd->image_view));
  gtk_image_clear (GTK_IMAGE (jd->mask_view));

  g_object_get (jd->config, "prompt", &prompt, "n", &n, "model", &model, "size", &size,
                "quality", &quality, "background", &background, NULL);
  params.operation  = jd->operation;
  /* The prompt does not change what is uploaded; a stand-in lets the preview show before one
   * is typed. */
  params.prompt     = (prompt && prompt[0]) ? prompt : "preview";
  params.n          = n;
  params.model      = model;
  params.size       = size;
  params.context    = gimp_procedure_config_get_choice_id (jd->config, "context");
  params.quality    = quality;
  params.background = background;

  request = oaimg_job_build_request (jd->client, &params, jd->source, jd->default_model, FALSE,
                                     NULL, &error);
  if (request && oaimg_client_plan (jd->client, request, &plan) != OAIMG_OK)
    g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, 0, oaimg_client_error_message (jd->client));

  if (error)
    {
      g_string_append (info, error->message);
      g_clear_error (&error);
    }
  else
    {
      int32_t     x, y;
      uint32_t    w, h, tw, th;
      const char *sent_size = oaimg_plan_size (plan);
      const char *notes     = oaimg_plan_notes (plan);

      oaimg_plan_region (plan, &x, &y, &w, &h);
      oaimg_plan_target_size (plan, &tw, &th);
      g_string_append_printf (info, _("Model %s, %s\nRegion %u × %u at (%d, %d), sent as %u × %u"),
                              oaimg_plan_model (plan), oaimg_plan_endpoint (plan), w, h,
                              x + jd->source->origin_x, y + jd->source->origin_y, tw, th);
      if (sent_size)
        g_string_append_printf (info, _(", size %s"), sent_size);
      g_string_append_printf (info, g_dngettext (GETTEXT_PACKAGE, "\n%d request", "\n%d requests",
                                              oaimg_plan_request_count (plan)),
                              oaimg_plan_request_count (plan));
      if (notes && notes[0])
        g_string_append_printf (info, "\n%s", notes);

      for (size_t i = 0; i < oaimg_plan_upload_count (plan); i++)
        {
          const char    *name = NULL;
          const uint8_t *data = NULL;
          size_t         len  = 0;
          GdkPixbuf     *pixbuf;

          if (oaimg_plan_upload (plan, i, &name, &data, &len) != OAIMG_OK)
            continue;
          pixbuf = pixbuf_from_png (data, len, PREVIEW_SIDE);
          if (pixbuf == NULL)
            continue;
          if (g_str_has_prefix (name, "image"))
            gtk_image_set_from_pixbuf (GTK_IMAGE (jd->image_view), pixbuf);
          else if (strcmp (name, "mask") == 0)
            gtk_image_set_from_pixbuf (GTK_IMAGE (jd->mask_view), pixbuf);
          g_object_unref (pixbuf);
        }
    }
  gtk_label_set_text (GTK_LABEL (jd->info_label), info->str);

  g_string_free (info, TRUE);
  oaimg_plan_free (plan);
  oaimg_request_free (request);
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

static void
fill_sizes (JobDialog *jd)
{
  GtkComboBoxText *combo = GTK_COMBO_BOX_TEXT (jd->size_combo);
  gchar           *model = NULL, *current = NULL;
  const char      *name;
  size_t           count;

  g_object_get (jd->config, "model", &model, "size", &current, NULL);
  name  = model_in_use (jd, model);
  count = oaimg_model_size_count (name, jd->operation);

  jd->filling_sizes = TRUE;
  gtk_combo_box_text_remove_all (combo);
  gtk_combo_box_text_append (combo, "auto", _("Automatic (planned from the region)"));
  for (size_t i = 0; i < count; i++)
    {
      const char *size = oaimg_model_size (name, jd->operation, i);
      if (size && strcmp (size, "auto") != 0)
        gtk_combo_box_text_append (combo, size, size);
    }
  if (current == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), current))
    {
      /* The size is not one this model takes: fall back to planning it. */
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), "auto");
      g_object_set (jd->config, "size", "auto", NULL);
    }
  jd->filling_sizes = FALSE;
  g_free (model);
  g_free (current);
}

static void
on_model_changed (GtkComboBox *combo, JobDialog *jd)
{
  GtkWidget   *entry = gtk_bin_get_child (GTK_BIN (combo));
  const char  *text  = gtk_entry_get_text (GTK_ENTRY (entry));

  g_object_set (jd->config, "model", text, NULL);
  fill_sizes (jd);
  schedule_preview (jd);
}

static void
on_size_changed (GtkComboBox *combo, JobDialog *jd)
{
  const char *id = gtk_combo_box_get_active_id (combo);

  if (jd->filling_sizes || id == NULL)
    return;
  g_object_set (jd->config, "size", id, NULL);
  schedule_preview (jd);
}

static void
on_config_changed (GObject *config, GParamSpec *pspec, JobDialog *jd)
{
  (void) config;
  (void) pspec;
  schedule_preview (jd);
}

static GtkWidget *
model_combo_new (oaimg_operation operation, const char *current, const char *placeholder)
{
  GtkWidget *combo = gtk_combo_box_text_new_with_entry ();
  GtkWidget *entry = gtk_bin_get_child (GTK_BIN (combo));

  for (size_t i = 0; i < oaimg_model_count (); i++)
    {
      const char *name = oaimg_model_name (i);
      if (name && (operation == 0 || oaimg_model_supports (name, operation)))
        gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (combo), name);
    }
  gtk_entry_set_text (GTK_ENTRY (entry), current ? current : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
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

static const char *
dialog_title (oaimg_operation operation)
{
  switch (operation)
    {
    case OAIMG_EDIT:      return _("Inpaint Selection");
    case OAIMG_VARIATION: return _("Variations");
    default:              return _("New Layers from Prompt");
    }
}

gboolean
job_dialog_run (GimpProcedure       *procedure,
                GimpProcedureConfig *config,
                oaimg_operation      operation,
                oaimg_client        *client,
                const OaimgSource   *source,
                const char          *default_model)
{
  JobDialog  jd = { .config = config, .operation = operation, .client = client,
                    .source = source, .default_model = default_model };
  GtkWidget *dialog, *frame, *grid, *previews, *content;
  gchar     *model = NULL;
  gchar     *placeholder;
  gboolean   run;

  dialog = gimp_procedure_dialog_new (procedure, config, dialog_title (operation));
  /* Alt+S belongs to GIMP's own "Save Settings" button. */
  gimp_procedure_dialog_set_ok_label (GIMP_PROCEDURE_DIALOG (dialog), _("S_end"));
  gimp_procedure_dialog_get_widget (GIMP_PROCEDURE_DIALOG (dialog), "prompt",
                                    GTK_TYPE_TEXT_VIEW);
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "prompt", "n", "context",
                              "quality", "background", NULL);

  content = gtk_dialog_get_content_area (GTK_DIALOG (dialog));
  frame   = gimp_frame_new (_("What will be sent"));
  gtk_box_pack_start (GTK_BOX (content), frame, FALSE, FALSE, 0);
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_container_add (GTK_CONTAINER (frame), grid);

  g_object_get (config, "model", &model, NULL);
  placeholder    = g_strdup_printf (_("Default (%s)"), model_in_use (&jd, NULL));
  jd.model_combo = labelled (GTK_GRID (grid), 0, _("_Model:"),
                             model_combo_new (operation, model, placeholder));
  jd.size_combo  = labelled (GTK_GRID (grid), 1, _("Si_ze:"), gtk_combo_box_text_new ());
  g_free (placeholder);
  g_free (model);
  fill_sizes (&jd);

  previews = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  jd.image_view = gtk_image_new ();
  jd.mask_view  = gtk_image_new ();
  gtk_widget_set_size_request (jd.image_view, PREVIEW_SIDE, PREVIEW_SIDE);
  gtk_widget_set_size_request (jd.mask_view, operation == OAIMG_EDIT ? PREVIEW_SIDE : -1,
                               PREVIEW_SIDE);
  gtk_box_pack_start (GTK_BOX (previews), jd.image_view, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (previews), jd.mask_view, FALSE, FALSE, 0);
  gtk_grid_attach (GTK_GRID (grid), previews, 0, 2, 2, 1);
  jd.info_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (jd.info_label), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (jd.info_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (jd.info_label), TRUE);
  gtk_grid_attach (GTK_GRID (grid), jd.info_label, 0, 3, 2, 1);
  gtk_widget_show_all (frame);

  g_signal_connect (jd.model_combo, "changed", G_CALLBACK (on_model_changed), &jd);
  g_signal_connect (jd.size_combo, "changed", G_CALLBACK (on_size_changed), &jd);
  g_signal_connect (config, "notify::n", G_CALLBACK (on_config_changed), &jd);
  g_signal_connect (config, "notify::context", G_CALLBACK (on_config_changed), &jd);
  g_signal_connect (config, "notify::quality", G_CALLBACK (on_config_changed), &jd);
  g_signal_connect (config, "notify::background", G_CALLBACK (on_config_changed), &jd);
  update_preview (&jd);

  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));

  g_signal_handlers_disconnect_by_data (config, &jd);
  if (jd.preview_timeout)
    g_source_remove (jd.preview_timeout);
  gtk_widget_destroy (dialog);
  return run;
}

/* ---- Progress window ------------------------------------------------------------------------- */

struct ProgressWindow
{
  GtkWidget *dialog;
  GtkWidget *label;
  GtkWidget *bar;
  GtkWidget *partial;
  gboolean   cancelled;
  gint64     last_pulse;
};

static void
on_progress_response (GtkDialog *dialog, gint response, ProgressWindow *window)
{
  (void) dialog;
  (void) response;
  /* Any response (Cancel, Escape, closing the window) cancels the request. */
  window->cancelled = TRUE;
  gtk_label_set_text (GTK_LABEL (window->label), _("Cancelling…"));
}

static void
pump_events (void)
{
  for (int i = 0; i < MAX_EVENTS_PER_UPDATE && gtk_events_pending (); i++)
    gtk_main_iteration_do (FALSE);
}

ProgressWindow *
progress_window_new (oaimg_operation operation)
{
  ProgressWindow *window = g_new0 (ProgressWindow, 1);
  GtkWidget      *box;

  window->dialog = gimp_dialog_new (dialog_title (operation), "oaimg", NULL, 0, NULL, NULL,
                                    _("_Cancel"), GTK_RESPONSE_CANCEL, NULL);
  g_signal_connect (window->dialog, "response", G_CALLBACK (on_progress_response), window);
  g_signal_connect (window->dialog, "delete-event", G_CALLBACK (gtk_true), NULL);
  box = gtk_dialog_get_content_area (GTK_DIALOG (window->dialog));
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_box_set_spacing (GTK_BOX (box), 6);
  window->label = gtk_label_new (oaimg_message_for_stage (OAIMG_STAGE_PREPARING));
  gtk_label_set_xalign (GTK_LABEL (window->label), 0.0);
  window->bar     = gtk_progress_bar_new ();
  window->partial = gtk_image_new ();
  gtk_box_pack_start (GTK_BOX (box), window->label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), window->bar, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), window->partial, TRUE, TRUE, 0);
  gtk_widget_set_size_request (window->bar, 320, -1);
  gtk_widget_show_all (window->dialog);
  pump_events ();
  return window;
}

gboolean
progress_window_update (ProgressWindow *window, const char *text, double fraction)
{
  if (!window->cancelled && text)
    gtk_label_set_text (GTK_LABEL (window->label), text);
  if (fraction >= 0.0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (window->bar), CLAMP (fraction, 0.0, 1.0));
  else if (g_get_monotonic_time () - window->last_pulse >= PULSE_INTERVAL_US)
    {
      gtk_progress_bar_pulse (GTK_PROGRESS_BAR (window->bar));
      window->last_pulse = g_get_monotonic_time ();
    }
  pump_events ();
  return window->cancelled;
}

void
progress_window_show_partial (ProgressWindow *window, const uint8_t *rgba, uint32_t width,
                              uint32_t height)
{
  GdkPixbuf *full, *shown;
  double     scale;

  if (width == 0 || height == 0)
    return;
  full  = pixbuf_from_rgba (rgba, width, height);
  scale = MIN ((double) PARTIAL_SIDE / width, (double) PARTIAL_SIDE / height);
  shown = gdk_pixbuf_composite_color_simple (full, MAX (1, (int) (width * scale)),
                                             MAX (1, (int) (height * scale)),
                                             GDK_INTERP_BILINEAR, 255, 8, 0x808080, 0xc0c0c0);
  gtk_image_set_from_pixbuf (GTK_IMAGE (window->partial), shown);
  g_object_unref (shown);
  g_object_unref (full);
  pump_events ();
}

void
progress_window_destroy (ProgressWindow *window)
{
  gtk_widget_destroy (window->dialog);
  pump_events ();
  g_free (window);
}

/* ---- Settings dialog ------------------------------------------------------------------------- */

gboolean
settings_dialog_run (const char *profile_dir, GError **error)
{
  OaimgSettings settings;
  GtkWidget    *dialog, *grid, *key_entry, *forget, *url_entry, *model_combo, *timeout_spin;
  GtkWidget    *note;
  char         *stored_key = oaimg_secret_load (profile_dir);
  gboolean      has_key    = stored_key != NULL;
  gboolean      ok         = FALSE;
  GString      *notes      = g_string_new (NULL);

  if (stored_key)
    {
      memset (stored_key, 0, strlen (stored_key));
      g_free (stored_key);
    }
  oaimg_settings_load (profile_dir, &settings);

  dialog = gimp_dialog_new (_("OpenAI Images Settings"), "oaimg", NULL, 0, NULL, NULL,
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

  if (g_getenv ("OPENAI_API_KEY") && g_getenv ("OPENAI_API_KEY")[0])
    g_string_append (notes, _("OPENAI_API_KEY is set and is used instead of the stored key.\n"));
  if (g_getenv ("OPENAI_BASE_URL") && g_getenv ("OPENAI_BASE_URL")[0])
    g_string_append (notes, _("OPENAI_BASE_URL is set and is used instead of the base URL.\n"));
  note = gtk_label_new (notes->str);
  gtk_label_set_xalign (GTK_LABEL (note), 0.0);
  gtk_grid_attach (GTK_GRID (grid), note, 0, 5, 2, 1);
  g_string_free (notes, TRUE);

  gtk_widget_show_all (dialog);
  if (gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK)
    {
      const char *key = gtk_entry_get_text (GTK_ENTRY (key_entry));
      const char *where;

      g_free (settings.base_url);
      g_free (settings.default_model);
      settings.base_url = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (url_entry))));
      settings.default_model = g_strstrip (g_strdup (gtk_entry_get_text (
        GTK_ENTRY (gtk_bin_get_child (GTK_BIN (model_combo))))));
      settings.timeout_s = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (timeout_spin));

      ok = oaimg_settings_save (profile_dir, &settings, error);
      if (ok && key[0] != '\0')
        {
          char *trimmed = g_strstrip (g_strdup (key));
          ok = oaimg_secret_store (profile_dir, trimmed, &where, error);
          memset (trimmed, 0, strlen (trimmed));
          g_free (trimmed);
          if (ok)
            g_message (_("The API key was saved %s."), where);
        }
      else if (ok && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (forget)))
        ok = oaimg_secret_store (profile_dir, NULL, &where, error);
    }
  gtk_widget_destroy (dialog);
  oaimg_settings_clear (&settings);
  return ok;
}
