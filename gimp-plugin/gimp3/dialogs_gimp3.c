/* GIMP 3 dialogs. The job dialog is GIMP's GimpProcedureDialog for the plain arguments; model and
 * size are combo boxes filled from liboaimg's capabilities table, because the sizes depend on the
 * model and a GimpChoice is fixed at registration. */
#include "dialogs_gimp3.h"

#include <libgimp/gimpui.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "oaimg_dialog.h"

#define PREVIEW_SIDE         200
#define PARTIAL_SIDE         256
#define PREVIEW_DELAY_MS     250
/* Events handled per progress callback: enough to stay responsive, bounded so a flood of events
 * cannot keep the callback (and the transfer behind it) from returning. */
#define MAX_EVENTS_PER_UPDATE 200
#define PULSE_INTERVAL_US    (100 * 1000)

/* ---- Job dialog ------------------------------------------------------------------------------ */

/* The prompt box keeps this size whatever is typed: long prompts wrap and scroll instead of
 * widening the dialog. */
#define PROMPT_WIDTH         460
#define PROMPT_HEIGHT        96
#define HISTORY_LABEL_CHARS  60
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
  char                *source_problem; /* why the source could not be read, or NULL */
  const char          *default_model;
  GtkWidget           *dialog;
  GtkTextBuffer       *prompt_buffer;
  GtkWidget           *prompt_view;
  GtkWidget           *prompt_note;
  GtkWidget           *history_combo;
  char               **history;
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

/* The uploads as pictures, and one translated line each: what it is, its pixels and bytes. The
 * library's own notes are English, so they are not shown as they are. */
static void
show_uploads (JobDialog *jd, const oaimg_plan *plan, GString *info)
{
  for (size_t i = 0; i < oaimg_plan_upload_count (plan); i++)
    {
      const char    *name = NULL;
      const uint8_t *data = NULL;
      size_t         len  = 0;
      GdkPixbuf     *pixbuf;
      uint8_t       *rgba = NULL;
      uint32_t       w = 0, h = 0;
      gboolean       is_mask;

      if (oaimg_plan_upload (plan, i, &name, &data, &len) != OAIMG_OK)
        continue;
      is_mask = strcmp (name, "mask") == 0;
      if (oaimg_png_decode (data, len, 0, &rgba, &w, &h) == OAIMG_OK)
        g_string_append_printf (info, _("\n%s: %u × %u PNG, %.1f kB"),
                                is_mask ? _("Mask") : _("Image"), w, h, len / 1000.0);
      oaimg_free (rgba);
      pixbuf = pixbuf_from_png (data, len, PREVIEW_SIDE);
      if (pixbuf == NULL)
        continue;
      if (g_str_has_prefix (name, "image"))
        gtk_image_set_from_pixbuf (GTK_IMAGE (jd->image_view), pixbuf);
      else if (is_mask)
        gtk_image_set_from_pixbuf (GTK_IMAGE (jd->mask_view), pixbuf);
      g_object_unref (pixbuf);
    }
}

static void
describe_plan (JobDialog *jd, const oaimg_plan *plan, GString *info)
{
  int32_t     x, y;
  uint32_t    w, h, tw, th;
  const char *sent_size = oaimg_plan_size (plan);
  char       *warning;

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
  show_uploads (jd, plan, info);
  warning = oaimg_dialog_upscale_warning (w, h, tw, th,
                                          oaimg_model_allows_custom_size (oaimg_plan_model (plan)));
  if (warning)
    g_string_append_printf (info, "\n%s", warning);
  g_free (warning);
}

/* Recomputes what would be sent: the preview, and whether Send may be pressed (with the reason
 * shown when not). */
static gboolean
update_preview (gpointer data)
{
  JobDialog      *jd      = data;
  OaimgJobParams  params  = { 0 };
  oaimg_request  *request;
  oaimg_plan     *plan    = NULL;
  GError         *error   = NULL;
  gchar          *prompt = NULL, *model = NULL, *size = NULL, *quality = NULL, *background = NULL;
  char           *problem = NULL;
  char           *resolved = NULL;
  gint            n = 1;
  gboolean        takes_prompt;
  GString        *info    = g_string_new (NULL);

  jd->preview_timeout = 0;
  gtk_image_clear (GTK_IMAGE (jd->image_view));
  gtk_image_clear (GTK_IMAGE (jd->mask_view));

  g_object_get (jd->config, "prompt", &prompt, "n", &n, "model", &model, "size", &size,
                "quality", &quality, "background", &background, NULL);
  takes_prompt = oaimg_dialog_takes_prompt (model_in_use (jd, model), jd->operation);
  params.operation  = jd->operation;
  params.prompt     = takes_prompt ? prompt : NULL;
  params.n          = n;
  params.model      = model;
  params.size       = size;
  params.context    = gimp_procedure_config_get_choice_id (jd->config, "context");
  params.quality    = quality;
  params.background = background;
  if (takes_prompt && (prompt == NULL || prompt[0] == '\0') && jd->operation != OAIMG_VARIATION)
    {
      problem = g_strdup (_("Type a prompt that describes the picture you want."));
      /* The prompt does not change what is uploaded: a stand-in shows the preview meanwhile. */
      params.prompt = "preview";
    }

  request = jd->source_problem ? NULL
                               : oaimg_job_build_request (jd->client, &params, jd->source,
                                                          jd->default_model, FALSE, &resolved,
                                                          &error);
  if (jd->source_problem)
    {
      g_free (problem);
      problem = g_strdup (jd->source_problem);
    }
  else if (request && oaimg_client_plan (jd->client, request, &plan) != OAIMG_OK)
    {
      g_free (problem);
      problem = oaimg_dialog_plan_problem (jd->client, resolved);
    }
  else if (request == NULL)
    {
      g_free (problem);
      problem = g_strdup (error->message);
      g_clear_error (&error);
    }
  else
    {
      describe_plan (jd, plan, info);
    }

  gtk_widget_set_sensitive (jd->prompt_view, takes_prompt);
  if (takes_prompt)
    gtk_label_set_text (GTK_LABEL (jd->prompt_note), "");
  else
    {
      char *note = g_strdup_printf (_("%s takes no prompt for variations: the prompt is not "
                                      "sent."),
                                    model_in_use (jd, model));
      gtk_label_set_text (GTK_LABEL (jd->prompt_note), note);
      g_free (note);
    }
  gtk_widget_set_visible (jd->prompt_note, !takes_prompt);
  gtk_label_set_text (GTK_LABEL (jd->info_label), info->str);
  gtk_label_set_text (GTK_LABEL (jd->problem_label), problem ? problem : "");
  gtk_widget_set_visible (jd->problem_label, problem != NULL);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (jd->dialog), GTK_RESPONSE_OK, problem == NULL);

  g_string_free (info, TRUE);
  g_free (problem);
  g_free (resolved);
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

/* Fills a combo with the values the model takes and shows the config's value; a value the model
 * does not take becomes "auto" in the config too, so that what is shown is what is sent. */
static void
fill_combo (JobDialog *jd, GtkWidget *widget, const char *property, const char *const *ids,
            const char *const *labels, gboolean (*takes) (JobDialog *, const char *, const char *))
{
  GtkComboBoxText *combo = GTK_COMBO_BOX_TEXT (widget);
  gchar           *model = NULL, *current = NULL;
  const char      *name;
  int              offered = 0;

  g_object_get (jd->config, "model", &model, property, &current, NULL);
  name = model_in_use (jd, model);

  jd->syncing = TRUE;
  gtk_combo_box_text_remove_all (combo);
  for (int i = 0; ids[i]; i++)
    if (takes (jd, name, ids[i]))
      {
        gtk_combo_box_text_append (combo, ids[i], _(labels[i]));
        offered++;
      }
  /* One value is no choice: shown, but not offered as one. */
  gtk_widget_set_sensitive (widget, offered > 1);
  if (current == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), current))
    {
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), "auto");
      g_object_set (jd->config, property, "auto", NULL);
    }
  jd->syncing = FALSE;
  g_free (model);
  g_free (current);
}

static gboolean
takes_size (JobDialog *jd, const char *model, const char *size)
{
  size_t count = oaimg_model_size_count (model, jd->operation);

  if (strcmp (size, "auto") == 0)
    return TRUE;
  for (size_t i = 0; i < count; i++)
    if (g_strcmp0 (oaimg_model_size (model, jd->operation, i), size) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
takes_quality (JobDialog *jd, const char *model, const char *quality)
{
  return oaimg_dialog_accepts (model, jd->operation, OAIMG_CHOICE_QUALITY, quality);
}

static gboolean
takes_background (JobDialog *jd, const char *model, const char *background)
{
  return oaimg_dialog_accepts (model, jd->operation, OAIMG_CHOICE_BACKGROUND, background);
}

static void
fill_sizes (JobDialog *jd)
{
  gchar       *model = NULL;
  const char  *name;
  size_t       count;
  GPtrArray   *ids    = g_ptr_array_new ();
  GPtrArray   *labels = g_ptr_array_new ();

  g_object_get (jd->config, "model", &model, NULL);
  name  = model_in_use (jd, model);
  count = oaimg_model_size_count (name, jd->operation);
  g_ptr_array_add (ids, "auto");
  g_ptr_array_add (labels, N_("Automatic (planned from the region)"));
  for (size_t i = 0; i < count; i++)
    {
      const char *size = oaimg_model_size (name, jd->operation, i);
      if (size && strcmp (size, "auto") != 0)
        {
          g_ptr_array_add (ids, (gpointer) size);
          g_ptr_array_add (labels, (gpointer) size);
        }
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  fill_combo (jd, jd->size_combo, "size", (const char *const *) ids->pdata,
              (const char *const *) labels->pdata, takes_size);
  g_ptr_array_free (ids, TRUE);
  g_ptr_array_free (labels, TRUE);
  g_free (model);
}

static const char *const QUALITY_IDS[]    = { "auto", "low", "medium", "high", NULL };
static const char *const QUALITY_LABELS[] = { N_("Automatic"), N_("Low"), N_("Medium"),
                                              N_("High"), NULL };
static const char *const BACKGROUND_IDS[]    = { "auto", "opaque", "transparent", NULL };
static const char *const BACKGROUND_LABELS[] = { N_("Automatic"), N_("Opaque"),
                                                 N_("Transparent"), NULL };

/* Everything that depends on the model. */
static void
fill_for_model (JobDialog *jd)
{
  fill_sizes (jd);
  fill_combo (jd, jd->quality_combo, "quality", QUALITY_IDS, QUALITY_LABELS, takes_quality);
  fill_combo (jd, jd->background_combo, "background", BACKGROUND_IDS, BACKGROUND_LABELS,
              takes_background);
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

static char *
prompt_text (JobDialog *jd)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (jd->prompt_buffer, &start, &end);
  return gtk_text_buffer_get_text (jd->prompt_buffer, &start, &end, FALSE);
}

static void
on_prompt_edited (GtkTextBuffer *buffer, JobDialog *jd)
{
  char *text;

  (void) buffer;
  if (jd->syncing)
    return;
  text = prompt_text (jd);
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
          char *shown = prompt_text (jd);
          g_object_get (jd->config, "prompt", &value, NULL);
          if (g_strcmp0 (shown, value ? value : "") != 0)
            gtk_text_buffer_set_text (jd->prompt_buffer, value ? value : "", -1);
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

static void
on_history_chosen (GtkComboBox *combo, JobDialog *jd)
{
  const char *id = gtk_combo_box_get_active_id (combo);

  if (id == NULL)
    return;
  gtk_text_buffer_set_text (jd->prompt_buffer, jd->history[atoi (id)], -1);
  gtk_widget_grab_focus (jd->prompt_view);
}

/* Ctrl+Return sends from anywhere in the dialog; in the prompt box Return alone starts a new
 * line. Caught on the window, before the focused widget sees the key. */
static gboolean
on_prompt_key (GtkWidget *widget, GdkEventKey *event, JobDialog *jd)
{
  (void) widget;
  if ((event->keyval == GDK_KEY_Return || event->keyval == GDK_KEY_KP_Enter) &&
      (event->state & GDK_CONTROL_MASK))
    {
      /* What was typed in the last moment counts: decide on it now, not after the delay. */
      if (jd->preview_timeout)
        {
          g_source_remove (jd->preview_timeout);
          update_preview (jd);
        }
      if (gtk_widget_is_sensitive (gtk_dialog_get_widget_for_response (GTK_DIALOG (jd->dialog),
                                                                       GTK_RESPONSE_OK)))
        gtk_dialog_response (GTK_DIALOG (jd->dialog), GTK_RESPONSE_OK);
      return TRUE;
    }
  return FALSE;
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

static GtkWidget *
choice_combo_new (JobDialog *jd, const char *property)
{
  GtkWidget *combo = gtk_combo_box_text_new ();

  g_object_set_data (G_OBJECT (combo), "oaimg-property", (gpointer) property);
  g_signal_connect (combo, "changed", G_CALLBACK (on_choice_changed), jd);
  return combo;
}

/* The labelled prompt box, its note and the recent prompts, above everything else. */
static GtkWidget *
prompt_box_new (JobDialog *jd, const char *profile_dir)
{
  GtkWidget *box    = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label  = gtk_label_new_with_mnemonic (_("_Prompt (Ctrl+Return sends):"));
  GtkWidget *scroll = gtk_scrolled_window_new (NULL, NULL);
  GtkWidget *row, *recent;
  gchar     *prompt = NULL;

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  jd->prompt_view   = gtk_text_view_new ();
  jd->prompt_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (jd->prompt_view));
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (jd->prompt_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (jd->prompt_view), FALSE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), jd->prompt_view);
  g_object_get (jd->config, "prompt", &prompt, NULL);
  gtk_text_buffer_set_text (jd->prompt_buffer, prompt ? prompt : "", -1);
  g_free (prompt);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (scroll), GTK_SHADOW_IN);
  gtk_widget_set_size_request (scroll, PROMPT_WIDTH, PROMPT_HEIGHT);
  gtk_container_add (GTK_CONTAINER (scroll), jd->prompt_view);

  jd->prompt_note = wrapped_label_new (NULL, FALSE);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  /* Alt+R is GIMP's Reset, Alt+M the model: this row takes U. */
  recent = gtk_label_new_with_mnemonic (_("_Used before:"));
  jd->history       = oaimg_prompt_history_load (profile_dir);
  jd->history_combo = gtk_combo_box_text_new ();
  for (int i = 0; jd->history[i]; i++)
    {
      char  id[16];
      char *first = g_utf8_substring (jd->history[i], 0, HISTORY_LABEL_CHARS);
      char *nl    = strchr (first, '\n');

      if (nl)
        *nl = '\0';
      g_snprintf (id, sizeof id, "%d", i);
      gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (jd->history_combo), id, first);
      g_free (first);
    }
  gtk_widget_set_sensitive (jd->history_combo, jd->history[0] != NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (recent), jd->history_combo);
  gtk_box_pack_start (GTK_BOX (row), recent, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), jd->history_combo, TRUE, TRUE, 0);
  /* A long prompt in the list must not widen the dialog either. */
  gtk_widget_set_size_request (jd->history_combo, 1, -1);

  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), scroll, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (box), jd->prompt_note, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);

  g_signal_connect (jd->prompt_buffer, "changed", G_CALLBACK (on_prompt_edited), jd);

  g_signal_connect (jd->history_combo, "changed", G_CALLBACK (on_history_chosen), jd);
  return box;
}

static void
collect_texts (GtkWidget *widget, gpointer data)
{
  GString *texts = data;

  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_ENTRY (widget) && gtk_entry_get_visibility (GTK_ENTRY (widget)))
    /* A hidden entry holds the key: never written anywhere. */
    g_string_append_printf (texts, "%s\n", gtk_entry_get_text (GTK_ENTRY (widget)));
  if (GTK_IS_COMBO_BOX (widget) && !gtk_combo_box_get_has_entry (GTK_COMBO_BOX (widget)))
    {
      GtkTreeModel *model = gtk_combo_box_get_model (GTK_COMBO_BOX (widget));
      GtkTreeIter   iter;
      gboolean      more  = model && gtk_tree_model_get_iter_first (model, &iter);
      /* Every item offered, not only the one shown. */
      for (; more && GTK_IS_COMBO_BOX_TEXT (widget); more = gtk_tree_model_iter_next (model, &iter))
        {
          gchar *text = NULL;
          gtk_tree_model_get (model, &iter, 0, &text, -1);
          g_string_append_printf (texts, "%s\n", text ? text : "");
          g_free (text);
        }
    }
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), collect_texts, texts);
}

/* OAIMG_DIALOG_TEXTS=FILE: every text the dialog shows is appended to FILE when it closes, so
 * that the tests can check a translation for English left over (a screenshot cannot be read). */
static void
dump_texts (GtkWidget *dialog)
{
  const char *path = g_getenv ("OAIMG_DIALOG_TEXTS");
  GString    *texts;
  FILE       *file;

  if (path == NULL || path[0] == '\0')
    return;
  texts = g_string_new (NULL);
  g_string_append_printf (texts, "%s\n", gtk_window_get_title (GTK_WINDOW (dialog)));
  collect_texts (dialog, texts);
  file = fopen (path, "a");
  if (file)
    {
      fputs (texts->str, file);
      fclose (file);
    }
  g_string_free (texts, TRUE);
}

static void
on_dialog_shown (GtkWidget *dialog, JobDialog *jd)
{
  (void) dialog;
  gtk_widget_grab_focus (jd->prompt_view);
}

gboolean
job_dialog_run (GimpProcedure       *procedure,
                GimpProcedureConfig *config,
                oaimg_operation      operation,
                oaimg_client        *client,
                GimpImage           *image,
                GimpDrawable        *drawable,
                OaimgSource         *source,
                const char          *default_model,
                const char          *profile_dir)
{
  JobDialog  jd = { .config = config, .operation = operation, .client = client,
                    .image = image, .drawable = drawable, .source = source,
                    .default_model = default_model };
  GtkWidget *dialog, *frame, *grid, *previews, *content, *prompt_box;
  gchar     *model = NULL;
  gchar     *placeholder;
  gboolean   run;

  dialog = gimp_procedure_dialog_new (procedure, config, dialog_title (operation));
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
  gtk_widget_show_all (frame);

  g_signal_connect (jd.model_combo, "changed", G_CALLBACK (on_model_changed), &jd);
  for (const char *const *p = (const char *const[]) { "notify::prompt", "notify::n",
                                                      "notify::model", "notify::size",
                                                      "notify::context", "notify::quality",
                                                      "notify::background", NULL };
       *p; p++)
    g_signal_connect (config, *p, G_CALLBACK (on_config_changed), &jd);
  g_signal_connect (config, "notify::sample-merged", G_CALLBACK (on_sample_merged), &jd);
  g_signal_connect_after (dialog, "show", G_CALLBACK (on_dialog_shown), &jd);
  g_signal_connect (dialog, "key-press-event", G_CALLBACK (on_prompt_key), &jd);
  update_preview (&jd);
  gtk_widget_grab_focus (jd.prompt_view);

  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  dump_texts (dialog);

  g_signal_handlers_disconnect_by_data (config, &jd);
  if (jd.preview_timeout)
    g_source_remove (jd.preview_timeout);
  gtk_widget_destroy (dialog);
  g_strfreev (jd.history);
  g_free (jd.source_problem);
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
  gchar          *title;

  /* TRANSLATORS: the progress window's title; %s is the operation, e.g. "Inpaint Selection". */
  title          = g_strdup_printf (_("Working: %s"), dialog_title (operation));
  window->dialog = gimp_dialog_new (title, "oaimg", NULL, 0, NULL, NULL,
                                    _("_Cancel"), GTK_RESPONSE_CANCEL, NULL);
  g_free (title);
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

/* With OAIMG_DIALOG_TEXTS set, each new progress text is appended as it is shown: a retry's
 * countdown is over before the window closes, and the tests must read what it said. */
static void
log_text (const char *text)
{
  const char *path = g_getenv ("OAIMG_DIALOG_TEXTS");
  FILE       *file;

  if (path == NULL || path[0] == '\0')
    return;
  file = fopen (path, "a");
  if (file)
    {
      fprintf (file, "%s\n", text);
      fclose (file);
    }
}

gboolean
progress_window_update (ProgressWindow *window, const OaimgProgress *progress)
{
  if (!window->cancelled && progress->stage_text)
    {
      char *text = oaimg_progress_text (progress);
      if (strcmp (text, gtk_label_get_text (GTK_LABEL (window->label))) != 0)
        {
          gtk_label_set_text (GTK_LABEL (window->label), text);
          log_text (text);
        }
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
  dump_texts (window->dialog);
  gtk_widget_destroy (window->dialog);
  pump_events ();
  g_free (window);
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

#define RESPONSE_SETTINGS 1
#define TEST_TIMEOUT_MS   15000

typedef struct
{
  const char *profile_dir;
  GtkWidget  *key_entry;
  GtkWidget  *url_entry;
  GtkWidget  *result;
} ConnectionTest;

/* Tests what a run would use: the typed key (else OPENAI_API_KEY, else the stored one) and
 * OPENAI_BASE_URL, else the typed base URL, else OpenAI's. */
static void
on_test_connection (GtkButton *button, ConnectionTest *test)
{
  const char *typed   = gtk_entry_get_text (GTK_ENTRY (test->key_entry));
  const char *env_key = g_getenv ("OPENAI_API_KEY");
  const char *env_url = g_getenv ("OPENAI_BASE_URL");
  const char *url     = gtk_entry_get_text (GTK_ENTRY (test->url_entry));
  char       *key, *message = NULL;

  (void) button;
  if (typed[0])
    key = g_strstrip (g_strdup (typed));
  else if (env_key && env_key[0])
    key = g_strdup (env_key);
  else
    key = oaimg_secret_load (test->profile_dir);
  if (env_url && env_url[0])
    url = env_url;
  else if (url[0] == '\0')
    url = "https://api.openai.com/v1";

  gtk_label_set_text (GTK_LABEL (test->result), _("Testing the connection…"));
  pump_events ();
  if (key == NULL || key[0] == '\0')
    message = g_strdup (oaimg_message_no_key ());
  else
    oaimg_test_connection (url, key, TEST_TIMEOUT_MS, &message);
  gtk_label_set_text (GTK_LABEL (test->result), message);
  if (key)
    memset (key, 0, strlen (key));
  g_free (key);
  g_free (message);
}

gboolean
no_key_dialog_run (const char *profile_dir)
{
  GtkWidget *dialog, *label;
  gint       response;
  GError    *error = NULL;

  dialog = gimp_dialog_new (_("No API key"), "oaimg", NULL, 0, NULL, NULL,
                            _("_Continue"), GTK_RESPONSE_CANCEL,
                            _("_Settings…"), RESPONSE_SETTINGS, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), RESPONSE_SETTINGS);
  label = wrapped_label_new (oaimg_message_no_key (), FALSE);
  gtk_container_set_border_width (GTK_CONTAINER (label), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), label, TRUE,
                      TRUE, 0);
  gtk_widget_show_all (dialog);
  response = gimp_dialog_run (GIMP_DIALOG (dialog));
  dump_texts (dialog);
  gtk_widget_destroy (dialog);
  if (response != RESPONSE_SETTINGS)
    return FALSE;
  if (!settings_dialog_run (profile_dir, &error) && error)
    {
      g_message ("%s", error->message);
      g_clear_error (&error);
    }
  return oaimg_key_source (profile_dir) != OAIMG_KEY_NONE;
}

gboolean
settings_dialog_run (const char *profile_dir, GError **error)
{
  OaimgSettings settings;
  GtkWidget    *dialog, *grid, *key_entry, *forget, *url_entry, *model_combo, *timeout_spin;
  GtkWidget    *note, *safety_entry;
  char         *stored_key = oaimg_secret_load (profile_dir);
  gboolean      has_key    = stored_key != NULL;
  gboolean      ok         = FALSE;
  GString      *notes      = g_string_new (NULL);
  gint          response;
  GtkWidget    *test_button;
  ConnectionTest test;

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

  if (g_getenv ("OPENAI_API_KEY") && g_getenv ("OPENAI_API_KEY")[0])
    g_string_append (notes, _("OPENAI_API_KEY is set and is used instead of the stored key.\n"));
  if (g_getenv ("OPENAI_BASE_URL") && g_getenv ("OPENAI_BASE_URL")[0])
    g_string_append (notes, _("OPENAI_BASE_URL is set and is used instead of the base URL.\n"));
  /* Wrapped within the dialog's width instead of cut off at its edge. */
  note = wrapped_label_new (notes->str, FALSE);
  gtk_grid_attach (GTK_GRID (grid), note, 0, 6, 2, 1);
  g_string_free (notes, TRUE);

  test_button = gtk_button_new_with_mnemonic (_("Test Co_nnection"));
  gtk_widget_set_halign (test_button, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (grid), test_button, 1, 7, 1, 1);
  test.profile_dir = profile_dir;
  test.key_entry   = key_entry;
  test.url_entry   = url_entry;
  test.result      = wrapped_label_new (NULL, TRUE);
  gtk_grid_attach (GTK_GRID (grid), test.result, 0, 8, 2, 1);
  g_signal_connect (test_button, "clicked", G_CALLBACK (on_test_connection), &test);

  gtk_widget_show_all (dialog);
  response = gimp_dialog_run (GIMP_DIALOG (dialog));
  dump_texts (dialog);
  if (response == GTK_RESPONSE_OK)
    {
      const char *key = gtk_entry_get_text (GTK_ENTRY (key_entry));
      const char *where;

      g_free (settings.base_url);
      g_free (settings.default_model);
      settings.base_url = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (url_entry))));
      settings.default_model = g_strstrip (g_strdup (gtk_entry_get_text (
        GTK_ENTRY (gtk_bin_get_child (GTK_BIN (model_combo))))));
      settings.timeout_s = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (timeout_spin));
      g_free (settings.safety_identifier);
      settings.safety_identifier =
        g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (safety_entry))));

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
