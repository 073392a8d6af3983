/* GIMP 2.10 dialogs in GTK 2, laid out as the GIMP 3 ones: the same fields, the same preview of
 * what will be uploaded, the same progress window and Settings. What they compute without a
 * widget (the preview's plan, saving settings) is common/dialog_logic.c, shared with GIMP 3. */
#include "dialogs_gimp2.h"

#include <libgimp/gimpui.h>
#include <string.h>

#include "dialog_logic.h"
#include "oaimg_dialog.h"
#include "i18n.h"

#define PREVIEW_SIDE          200
#define PARTIAL_SIDE          256
#define PREVIEW_DELAY_MS      250
/* Events handled per progress callback: enough to stay responsive, bounded so a flood of events
 * cannot keep the callback (and the transfer behind it) from returning. */
#define MAX_EVENTS_PER_UPDATE 200
#define PULSE_INTERVAL_US     (100 * 1000)

/* The closed lists, as the procedures take them (first column) and as the dialog shows them. */
typedef struct
{
  const char *id;
  const char *label;
} Choice;

static const Choice context_choices[] = {
  { "auto", N_("Selection with a margin") },
  { "selection", N_("Selection only") },
  { "image", N_("Whole layer") },
};
static const Choice quality_choices[] = {
  { "auto", N_("Automatic") }, { "low", N_("Low") }, { "medium", N_("Medium") },
  { "high", N_("High") },
};
static const Choice background_choices[] = {
  { "auto", N_("Automatic") }, { "opaque", N_("Opaque") }, { "transparent", N_("Transparent") },
};

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

/* A pixbuf of straight-alpha RGBA8 pixels scaled into max_side and composited over a checkerboard
 * (the mask's transparent part is what the model repaints). */
static GdkPixbuf *
pixbuf_scaled (const uint8_t *rgba, uint32_t width, uint32_t height, int max_side)
{
  GdkPixbuf *full, *shown;
  double     scale = MIN ((double) max_side / width, (double) max_side / height);

  full  = gdk_pixbuf_new_from_data (rgba, GDK_COLORSPACE_RGB, TRUE, 8, width, height, width * 4,
                                    NULL, NULL);
  shown = gdk_pixbuf_composite_color_simple (full, MAX (1, (int) (width * scale)),
                                             MAX (1, (int) (height * scale)), GDK_INTERP_BILINEAR,
                                             255, 8, 0x808080, 0xc0c0c0);
  g_object_unref (full);
  return shown;
}

static void
image_show (GtkWidget *view, const uint8_t *rgba, uint32_t width, uint32_t height, int side)
{
  GdkPixbuf *pixbuf;

  if (rgba == NULL || width == 0 || height == 0)
    {
      gtk_image_clear (GTK_IMAGE (view));
      return;
    }
  pixbuf = pixbuf_scaled (rgba, width, height, side);
  gtk_image_set_from_pixbuf (GTK_IMAGE (view), pixbuf);
  g_object_unref (pixbuf);
}

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

static GtkWidget *
choice_combo_new (const Choice *choices, gsize count, const char *current)
{
  GtkWidget *combo = gtk_combo_box_text_new ();

  for (gsize i = 0; i < count; i++)
    {
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (combo), _(choices[i].label));
      if (i == 0 || g_strcmp0 (current, choices[i].id) == 0)
        gtk_combo_box_set_active (GTK_COMBO_BOX (combo), (gint) i);
    }
  return combo;
}

static const char *
choice_id (GtkWidget *combo, const Choice *choices, gsize count)
{
  gint active = gtk_combo_box_get_active (GTK_COMBO_BOX (combo));

  return choices[active >= 0 && (gsize) active < count ? active : 0].id;
}

static GtkWidget *
model_combo_new (oaimg_operation operation, const char *current)
{
  GtkWidget *combo = gtk_combo_box_text_new_with_entry ();

  for (size_t i = 0; i < oaimg_model_count (); i++)
    {
      const char *name = oaimg_model_name (i);
      if (name && (operation == 0 || oaimg_model_supports (name, operation)))
        gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (combo), name);
    }
  gtk_entry_set_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (combo))), current ? current : "");
  return combo;
}

static const char *
model_combo_text (GtkWidget *combo)
{
  return gtk_entry_get_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (combo))));
}

/* ---- Job dialog ------------------------------------------------------------------------------ */

typedef struct
{
  oaimg_operation  operation;
  oaimg_client    *client;
  OaimgSource     *source;
  JobSourceReader  read_source;
  gpointer         read_source_data;
  const char      *default_model;
  JobValues       *values;
  GtkWidget       *prompt_view;
  GtkWidget       *n_spin;
  GtkWidget       *model_combo;
  GtkWidget       *size_combo;
  GPtrArray       *size_ids;   /* the size combo's entries as the API spells them */
  GtkWidget       *context_combo;
  GtkWidget       *quality_combo;
  GtkWidget       *background_combo;
  GtkWidget       *merged_toggle;
  GtkWidget       *image_view;
  GtkWidget       *mask_view;
  GtkWidget       *info_label;
  guint            preview_timeout;
  gboolean         filling_sizes;
} JobDialog;

/* The widgets' state into values. */
static void
read_widgets (JobDialog *jd)
{
  JobValues     *v      = jd->values;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (jd->prompt_view));
  GtkTextIter    start, end;
  gchar         *prompt;
  gint           size   = gtk_combo_box_get_active (GTK_COMBO_BOX (jd->size_combo));

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  prompt = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strlcpy (v->prompt, prompt, sizeof v->prompt);
  g_free (prompt);
  v->n = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (jd->n_spin));
  g_strlcpy (v->model, model_combo_text (jd->model_combo), sizeof v->model);
  g_strstrip (v->model);
  g_strlcpy (v->size, size > 0 && (guint) size < jd->size_ids->len
                        ? g_ptr_array_index (jd->size_ids, size) : "auto", sizeof v->size);
  g_strlcpy (v->context, choice_id (jd->context_combo, context_choices,
                                    G_N_ELEMENTS (context_choices)), sizeof v->context);
  g_strlcpy (v->quality, choice_id (jd->quality_combo, quality_choices,
                                    G_N_ELEMENTS (quality_choices)), sizeof v->quality);
  g_strlcpy (v->background, choice_id (jd->background_combo, background_choices,
                                       G_N_ELEMENTS (background_choices)), sizeof v->background);
  v->sample_merged = jd->merged_toggle &&
                     gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (jd->merged_toggle));
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

  oaimg_dialog_preview (jd->client, &params, jd->source, jd->default_model, &preview);
  image_show (jd->image_view, preview.image_rgba, preview.image_width, preview.image_height,
              PREVIEW_SIDE);
  image_show (jd->mask_view, preview.mask_rgba, preview.mask_width, preview.mask_height,
              PREVIEW_SIDE);
  gtk_label_set_text (GTK_LABEL (jd->info_label), preview.info);
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

static void
fill_sizes (JobDialog *jd, const char *current)
{
  GtkComboBoxText *combo = GTK_COMBO_BOX_TEXT (jd->size_combo);
  const char      *name  = oaimg_dialog_model_in_use (jd->client, jd->operation,
                                                      model_combo_text (jd->model_combo),
                                                      jd->default_model);
  size_t           count = oaimg_model_size_count (name, jd->operation);
  gint             active = 0;

  jd->filling_sizes = TRUE;
  for (guint i = jd->size_ids->len; i > 0; i--)
    gtk_combo_box_text_remove (combo, (gint) i - 1);
  g_ptr_array_set_size (jd->size_ids, 0);
  gtk_combo_box_text_append_text (combo, _("Automatic (planned from the region)"));
  g_ptr_array_add (jd->size_ids, g_strdup ("auto"));
  for (size_t i = 0; i < count; i++)
    {
      const char *size = oaimg_model_size (name, jd->operation, i);
      if (size && strcmp (size, "auto") != 0)
        {
          if (g_strcmp0 (current, size) == 0)
            active = (gint) jd->size_ids->len;
          gtk_combo_box_text_append_text (combo, size);
          g_ptr_array_add (jd->size_ids, g_strdup (size));
        }
    }
  /* A size this model does not take falls back to planning it. */
  gtk_combo_box_set_active (GTK_COMBO_BOX (combo), active);
  jd->filling_sizes = FALSE;
}

static void
on_model_changed (GtkComboBox *combo, JobDialog *jd)
{
  gint  size    = gtk_combo_box_get_active (GTK_COMBO_BOX (jd->size_combo));
  gchar *current = g_strdup (size > 0 && (guint) size < jd->size_ids->len
                               ? g_ptr_array_index (jd->size_ids, size) : "auto");

  (void) combo;
  fill_sizes (jd, current);
  g_free (current);
  schedule_preview (jd);
}

static void
on_changed (GtkWidget *widget, JobDialog *jd)
{
  (void) widget;
  if (!jd->filling_sizes)
    schedule_preview (jd);
}

static void
on_merged_toggled (GtkToggleButton *toggle, JobDialog *jd)
{
  /* Sample merged changes the pixels sent: the source is read again from the image. */
  jd->read_source (jd->read_source_data, gtk_toggle_button_get_active (toggle), jd->source);
  schedule_preview (jd);
}

gboolean
job_dialog_run (oaimg_operation operation, oaimg_client *client, OaimgSource *source,
                JobSourceReader read_source, gpointer read_source_data,
                const char *default_model, JobValues *values)
{
  JobDialog  jd = { .operation = operation, .client = client, .source = source,
                    .read_source = read_source, .read_source_data = read_source_data,
                    .default_model = default_model, .values = values };
  GtkWidget *dialog, *vbox, *table, *frame, *sent, *previews, *scrolled;
  gchar     *placeholder;
  gboolean   run;
  int        row = 0;

  jd.size_ids = g_ptr_array_new_with_free_func (g_free);
  dialog = gimp_dialog_new (dialog_title (operation), "oaimg", NULL, 0, gimp_standard_help_func,
                            NULL, _("_Cancel"), GTK_RESPONSE_CANCEL, _("S_end"), GTK_RESPONSE_OK,
                            NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog), GTK_RESPONSE_OK,
                                            GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (dialog));

  vbox = gtk_vbox_new (FALSE, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), vbox, TRUE,
                      TRUE, 0);

  table = gtk_table_new (8, 2, FALSE);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_table_set_col_spacings (GTK_TABLE (table), 12);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);

  jd.prompt_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (jd.prompt_view), GTK_WRAP_WORD_CHAR);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (jd.prompt_view)),
                            values->prompt, -1);
  scrolled = gtk_scrolled_window_new (NULL, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (scrolled), GTK_SHADOW_IN);
  gtk_widget_set_size_request (scrolled, 320, 72);
  gtk_container_add (GTK_CONTAINER (scrolled), jd.prompt_view);
  table_row_focusing (GTK_TABLE (table), row++, _("_Prompt:"), scrolled, jd.prompt_view);

  jd.n_spin = gtk_spin_button_new_with_range (1, 10, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (jd.n_spin), CLAMP (values->n, 1, 10));
  table_row (GTK_TABLE (table), row++, _("_Number of images:"), jd.n_spin);
  jd.context_combo = table_row (GTK_TABLE (table), row++, _("Con_text:"),
                                choice_combo_new (context_choices,
                                                  G_N_ELEMENTS (context_choices),
                                                  values->context));
  jd.quality_combo = table_row (GTK_TABLE (table), row++, _("_Quality:"),
                                choice_combo_new (quality_choices,
                                                  G_N_ELEMENTS (quality_choices),
                                                  values->quality));
  jd.background_combo = table_row (GTK_TABLE (table), row++, _("_Background:"),
                                   choice_combo_new (background_choices,
                                                     G_N_ELEMENTS (background_choices),
                                                     values->background));
  if (operation != OAIMG_GENERATE)
    {
      jd.merged_toggle = gtk_check_button_new_with_mnemonic (_("Sample _merged"));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (jd.merged_toggle),
                                    values->sample_merged);
      gtk_table_attach (GTK_TABLE (table), jd.merged_toggle, 1, 2, row, row + 1,
                        GTK_EXPAND | GTK_FILL, GTK_FILL, 0, 0);
      row++;
    }

  frame = gimp_frame_new (_("What will be sent"));
  gtk_box_pack_start (GTK_BOX (vbox), frame, FALSE, FALSE, 0);
  sent = gtk_table_new (4, 2, FALSE);
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
  fill_sizes (&jd, values->size);

  previews = gtk_hbox_new (FALSE, 12);
  jd.image_view = gtk_image_new ();
  jd.mask_view  = gtk_image_new ();
  gtk_widget_set_size_request (jd.image_view, PREVIEW_SIDE, PREVIEW_SIDE);
  gtk_widget_set_size_request (jd.mask_view, operation == OAIMG_EDIT ? PREVIEW_SIDE : -1,
                               PREVIEW_SIDE);
  gtk_box_pack_start (GTK_BOX (previews), jd.image_view, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (previews), jd.mask_view, FALSE, FALSE, 0);
  gtk_table_attach (GTK_TABLE (sent), previews, 0, 2, 2, 3, GTK_FILL, GTK_FILL, 0, 0);
  jd.info_label = gtk_label_new (NULL);
  gtk_misc_set_alignment (GTK_MISC (jd.info_label), 0.0, 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (jd.info_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (jd.info_label), TRUE);
  gtk_table_attach (GTK_TABLE (sent), jd.info_label, 0, 2, 3, 4, GTK_FILL, GTK_FILL, 0, 0);

  g_signal_connect (jd.model_combo, "changed", G_CALLBACK (on_model_changed), &jd);
  g_signal_connect (jd.size_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.n_spin, "value-changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.context_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.quality_combo, "changed", G_CALLBACK (on_changed), &jd);
  g_signal_connect (jd.background_combo, "changed", G_CALLBACK (on_changed), &jd);
  if (jd.merged_toggle)
    g_signal_connect (jd.merged_toggle, "toggled", G_CALLBACK (on_merged_toggled), &jd);

  gtk_widget_show_all (dialog);
  gtk_widget_grab_focus (jd.prompt_view);
  update_preview (&jd);

  run = gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK;
  if (run)
    read_widgets (&jd);

  if (jd.preview_timeout)
    g_source_remove (jd.preview_timeout);
  gtk_widget_destroy (dialog);
  g_ptr_array_free (jd.size_ids, TRUE);
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
  gimp_window_set_transient (GTK_WINDOW (window->dialog));
  g_signal_connect (window->dialog, "response", G_CALLBACK (on_progress_response), window);
  g_signal_connect (window->dialog, "delete-event", G_CALLBACK (gtk_true), NULL);
  box = gtk_dialog_get_content_area (GTK_DIALOG (window->dialog));
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_box_set_spacing (GTK_BOX (box), 6);
  window->label = gtk_label_new (oaimg_message_for_stage (OAIMG_STAGE_PREPARING));
  gtk_misc_set_alignment (GTK_MISC (window->label), 0.0, 0.5);
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
progress_window_update (ProgressWindow *window, const OaimgProgress *progress)
{
  if (!window->cancelled && progress->stage_text)
    {
      char *text = oaimg_progress_text (progress);
      if (strcmp (text, gtk_label_get_text (GTK_LABEL (window->label))) != 0)
        gtk_label_set_text (GTK_LABEL (window->label), text);
      g_free (text);
    }
  if (progress->fraction >= 0.0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (window->bar),
                                   CLAMP (progress->fraction, 0.0, 1.0));
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
  image_show (window->partial, rgba, width, height, PARTIAL_SIDE);
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
  GtkWidget    *dialog, *table, *key_entry, *forget, *url_entry, *model_combo, *timeout_spin;
  GtkWidget    *note, *key_hint, *safety_entry;
  char         *stored_key = oaimg_secret_load (profile_dir);
  char         *notes;
  gboolean      has_key    = stored_key != NULL;
  gboolean      ok         = FALSE;

  if (stored_key)
    {
      memset (stored_key, 0, strlen (stored_key));
      g_free (stored_key);
    }
  oaimg_settings_load (profile_dir, &settings);

  dialog = gimp_dialog_new (_("OpenAI Images Settings"), "oaimg", NULL, 0, NULL, NULL,
                            _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Save"), GTK_RESPONSE_OK,
                            NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog), GTK_RESPONSE_OK,
                                            GTK_RESPONSE_CANCEL, -1);
  table = gtk_table_new (8, 2, FALSE);
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

  url_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (url_entry), settings.base_url);
  gtk_widget_set_tooltip_text (url_entry, "https://api.openai.com/v1");
  table_row (GTK_TABLE (table), 3, _("_Base URL:"), url_entry);

  model_combo = model_combo_new (0, settings.default_model);
  gtk_widget_set_tooltip_text (model_combo, _("Automatic for the server"));
  table_row (GTK_TABLE (table), 4, _("Default _model:"), model_combo);

  timeout_spin = gtk_spin_button_new_with_range (10, 3600, 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (timeout_spin), settings.timeout_s);
  table_row (GTK_TABLE (table), 5, _("_Timeout (seconds):"), timeout_spin);

  safety_entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (safety_entry), settings.safety_identifier);
  gtk_widget_set_tooltip_text (safety_entry,
                               _("A stable identifier of you for OpenAI's safety monitoring, "
                                 "e.g. a hash of your e-mail address. Sent with every request "
                                 "when set; never your key."));
  table_row (GTK_TABLE (table), 6, _("Safety _identifier:"), safety_entry);

  notes = oaimg_dialog_environment_notes ();
  note  = gtk_label_new (notes);
  gtk_misc_set_alignment (GTK_MISC (note), 0.0, 0.5);
  gtk_table_attach (GTK_TABLE (table), note, 0, 2, 7, 8, GTK_FILL, GTK_FILL, 0, 0);
  g_free (notes);

  gtk_widget_show_all (dialog);
  if (gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK)
    {
      const char *where = NULL;

      g_free (settings.base_url);
      g_free (settings.default_model);
      settings.base_url      = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (url_entry))));
      settings.default_model = g_strstrip (g_strdup (model_combo_text (model_combo)));
      settings.timeout_s = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (timeout_spin));
      g_free (settings.safety_identifier);
      settings.safety_identifier =
        g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (safety_entry))));

      ok = oaimg_dialog_save_settings (profile_dir, &settings,
                                       gtk_entry_get_text (GTK_ENTRY (key_entry)),
                                       gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (forget)),
                                       &where, error);
      if (ok && where)
        g_message (_("The API key was saved %s."), where);
    }
  gtk_widget_destroy (dialog);
  oaimg_settings_clear (&settings);
  return ok;
}
