/* Dialog code that compiles unchanged with GTK 2 and GTK 3 (see dialogs_gtk.h). */
#include "dialogs_gtk.h"

#include <libgimp/gimp.h>
#include <gdk/gdkkeysyms.h>
#include <libgimp/gimpui.h>
#include <stdio.h>
#include <string.h>

#include "dialog_logic.h"
#include "extend_dialog.h"
#include "i18n.h"
#include "oaimg_dialog.h"

#define PARTIAL_SIDE          256
/* Events handled per progress callback: enough to stay responsive, bounded so a flood of events
 * cannot keep the callback (and the transfer behind it) from returning. */
#define MAX_EVENTS_PER_UPDATE 200
#define PULSE_INTERVAL_US     (100 * 1000)

void
dialogs_pump_events (void)
{
  for (int i = 0; i < MAX_EVENTS_PER_UPDATE && gtk_events_pending (); i++)
    gtk_main_iteration_do (FALSE);
}

#define TEST_TIMEOUT_MS 15000

gboolean
dialogs_settings_begin (const char *profile_dir, OaimgSettings *settings)
{
  char *stored_key = oaimg_secret_load (profile_dir);

  oaimg_settings_load (profile_dir, settings);
  if (stored_key == NULL)
    return FALSE;
  memset (stored_key, 0, strlen (stored_key));
  g_free (stored_key);
  return TRUE;
}

gboolean
dialogs_settings_save (const char *profile_dir, OaimgSettings *settings,
                       const SettingsFields *fields, GError **error)
{
  const char *where = NULL;
  const char *typed_model =
    gtk_entry_get_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (fields->model_combo))));
  gboolean    ok;

  g_free (settings->base_url);
  g_free (settings->default_model);
  g_free (settings->safety_identifier);
  settings->base_url = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (fields->url_entry))));
  /* The name, not the list's remark: "dall-e-2 (retired)" is no model. */
  settings->default_model = g_strstrip (oaimg_dialog_model_from_label (typed_model));
  settings->timeout_s =
    gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (fields->timeout_spin));
  settings->safety_identifier =
    g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (fields->safety_entry))));
  ok = oaimg_dialog_save_settings (profile_dir, settings,
                                   gtk_entry_get_text (GTK_ENTRY (fields->key_entry)),
                                   gtk_toggle_button_get_active (
                                     GTK_TOGGLE_BUTTON (fields->forget)),
                                   &where, error);
  if (ok && where)
    g_message (_("The API key was saved %s."), where);
  return ok;
}

#define RESPONSE_SETTINGS 1

gboolean
dialogs_no_key_run (const char *profile_dir, GtkWidget *message,
                    gboolean (*settings_run) (const char *profile_dir, GError **error))
{
  GtkWidget *dialog;
  gint       response;
  GError    *error = NULL;

  dialog = gimp_dialog_new (_("No API key"), "oaimg", NULL, 0, NULL, NULL,
                            _("_Continue"), GTK_RESPONSE_CANCEL,
                            _("_Settings…"), RESPONSE_SETTINGS, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), RESPONSE_SETTINGS);
  gimp_window_set_transient (GTK_WINDOW (dialog));
  gtk_container_set_border_width (GTK_CONTAINER (message), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), message,
                      TRUE, TRUE, 0);
  gtk_widget_show_all (dialog);
  response = gimp_dialog_run (GIMP_DIALOG (dialog));
  dialogs_dump_texts (dialog);
  gtk_widget_destroy (dialog);
  if (response != RESPONSE_SETTINGS)
    return FALSE;
  if (!settings_run (profile_dir, &error) && error)
    {
      g_message ("%s", error->message);
      g_clear_error (&error);
    }
  return oaimg_key_source (profile_dir) != OAIMG_KEY_NONE;
}

void
dialogs_test_connection (GtkButton *button, ConnectionTest *test)
{
  char *message;

  (void) button;
  gtk_label_set_text (GTK_LABEL (test->result), _("Testing the connection…"));
  dialogs_pump_events ();
  message = oaimg_dialog_test_connection (test->profile_dir,
                                          gtk_entry_get_text (GTK_ENTRY (test->key_entry)),
                                          gtk_entry_get_text (GTK_ENTRY (test->url_entry)),
                                          TEST_TIMEOUT_MS);
  gtk_label_set_text (GTK_LABEL (test->result), message);
  g_free (message);
}

void
dialogs_image_show (GtkWidget *view, const uint8_t *rgba, uint32_t width, uint32_t height,
                    int side)
{
  GdkPixbuf *full, *shown;
  double     scale;

  if (rgba == NULL || width == 0 || height == 0)
    {
      gtk_image_clear (GTK_IMAGE (view));
      return;
    }
  /* Borrows the pixels: it is gone before this returns, the scaled copy kept. */
  full  = gdk_pixbuf_new_from_data (rgba, GDK_COLORSPACE_RGB, TRUE, 8, width, height, width * 4,
                                    NULL, NULL);
  scale = MIN ((double) side / width, (double) side / height);
  shown = gdk_pixbuf_composite_color_simple (full, MAX (1, (int) (width * scale)),
                                             MAX (1, (int) (height * scale)),
                                             GDK_INTERP_BILINEAR, 255, 8, 0x808080, 0xc0c0c0);
  gtk_image_set_from_pixbuf (GTK_IMAGE (view), shown);
  g_object_unref (shown);
  g_object_unref (full);
}

/* ---- Reference layers ------------------------------------------------------------------------ */

#define REFERENCE_SIDE        48
#define REFERENCES_PER_LINE   8
#define REFERENCE_NAME_CHARS  9

GtkWidget *
dialogs_references_new (const OaimgReferences *references)
{
  /* gtk_[hv]box_new: GTK 2 has no gtk_box_new; GTK 3 still takes them (deprecated). */
  GtkWidget *row   = gtk_vbox_new (FALSE, 4);
  GtkWidget *title = gtk_label_new (_("Reference layers, sent after the edited one:"));
  GtkWidget *note  = gtk_label_new (NULL);
  GtkWidget *line  = NULL;

  gtk_misc_set_alignment (GTK_MISC (title), 0.0, 0.5);
  gtk_misc_set_alignment (GTK_MISC (note), 0.0, 0.5);
  gtk_label_set_line_wrap (GTK_LABEL (note), TRUE);
  gtk_widget_set_name (row, "oaimg-references");
  gtk_box_pack_start (GTK_BOX (row), title, FALSE, FALSE, 0);
  for (guint i = 0; references && i < references->count; i++)
    {
      const OaimgReference *item  = &references->items[i];
      GtkWidget            *cell  = gtk_vbox_new (FALSE, 2);
      GtkWidget            *thumb = gtk_image_new ();
      GtkWidget            *name  = gtk_label_new (item->name);

      if (i % REFERENCES_PER_LINE == 0)
        {
          line = gtk_hbox_new (FALSE, 6);
          gtk_box_pack_start (GTK_BOX (row), line, FALSE, FALSE, 0);
        }
      gtk_widget_set_size_request (thumb, REFERENCE_SIDE, REFERENCE_SIDE);
      dialogs_image_show (thumb, item->rgba, item->width, item->height, REFERENCE_SIDE);
      /* A long name must not widen the dialog; the whole name is the tooltip. */
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (name), REFERENCE_NAME_CHARS);
      gtk_widget_set_tooltip_text (cell, item->name);
      gtk_box_pack_start (GTK_BOX (cell), thumb, FALSE, FALSE, 0);
      gtk_box_pack_start (GTK_BOX (cell), name, FALSE, FALSE, 0);
      gtk_box_pack_start (GTK_BOX (line), cell, FALSE, FALSE, 0);
    }
  gtk_box_pack_start (GTK_BOX (row), note, FALSE, FALSE, 0);
  g_object_set_data (G_OBJECT (row), "oaimg-note", note);
  gtk_widget_show_all (row);
  gtk_widget_hide (note);
  /* Nothing to show without references: no room is kept for them. */
  gtk_widget_set_no_show_all (row, TRUE);
  if (references == NULL || references->count == 0)
    gtk_widget_hide (row);
  return row;
}

void
dialogs_references_update (GtkWidget *row, const char *note)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "oaimg-note");

  gtk_label_set_text (GTK_LABEL (label), note ? note : "");
  gtk_widget_set_visible (label, note != NULL);
  gtk_widget_set_sensitive (row, note == NULL);
}

/* ---- Texts for the tests --------------------------------------------------------------------- */

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

static void
append_to_texts_file (const char *text)
{
  const char *path = g_getenv ("OAIMG_DIALOG_TEXTS");
  FILE       *file;

  if (path == NULL || path[0] == '\0')
    return;
  file = fopen (path, "a");
  if (file)
    {
      fputs (text, file);
      fclose (file);
    }
}

void
dialogs_dump_texts (GtkWidget *dialog)
{
  GString *texts;

  if (g_getenv ("OAIMG_DIALOG_TEXTS") == NULL)
    return;
  texts = g_string_new (NULL);
  g_string_append_printf (texts, "%s\n", gtk_window_get_title (GTK_WINDOW (dialog)));
  collect_texts (dialog, texts);
  append_to_texts_file (texts->str);
  g_string_free (texts, TRUE);
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

ProgressWindow *
progress_window_new (const OaimgJobParams *params)
{
  ProgressWindow *window = g_new0 (ProgressWindow, 1);
  GtkWidget      *box;
  gchar          *title;

  /* Not the job dialog's title: the two windows are told apart, by people and by the tests. */
  title          = oaimg_dialog_progress_title (params);
  window->dialog = gimp_dialog_new (title, "oaimg", NULL, 0, NULL, NULL,
                                    _("_Cancel"), GTK_RESPONSE_CANCEL, NULL);
  g_free (title);
  gimp_window_set_transient (GTK_WINDOW (window->dialog));
  g_signal_connect (window->dialog, "response", G_CALLBACK (on_progress_response), window);
  g_signal_connect (window->dialog, "delete-event", G_CALLBACK (gtk_true), NULL);
  box = gtk_dialog_get_content_area (GTK_DIALOG (window->dialog));
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_box_set_spacing (GTK_BOX (box), 6);
  window->label = gtk_label_new (oaimg_message_for_stage (OAIMG_STAGE_PREPARING));
  /* gtk_misc: GTK 2 has no gtk_label_set_xalign; GTK 3 still takes it. */
  gtk_misc_set_alignment (GTK_MISC (window->label), 0.0, 0.5);
  window->bar     = gtk_progress_bar_new ();
  window->partial = gtk_image_new ();
  gtk_box_pack_start (GTK_BOX (box), window->label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), window->bar, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), window->partial, TRUE, TRUE, 0);
  gtk_widget_set_size_request (window->bar, 320, -1);
  gtk_widget_show_all (window->dialog);
  dialogs_pump_events ();
  return window;
}

gboolean
progress_window_update (ProgressWindow *window, const OaimgProgress *progress)
{
  if (!window->cancelled && progress->stage_text)
    {
      char *text = oaimg_progress_text (progress);
      if (strcmp (text, gtk_label_get_text (GTK_LABEL (window->label))) != 0)
        {
          char *line = g_strdup_printf ("%s\n", text);
          gtk_label_set_text (GTK_LABEL (window->label), text);
          /* Each new text as it is shown: a retry's countdown is over before the window
           * closes, and the tests must read what it said. */
          append_to_texts_file (line);
          g_free (line);
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
  dialogs_pump_events ();
  return window->cancelled;
}

void
progress_window_show_partial (ProgressWindow *window, const uint8_t *rgba, uint32_t width,
                              uint32_t height)
{
  if (width == 0 || height == 0)
    return;
  dialogs_image_show (window->partial, rgba, width, height, PARTIAL_SIDE);
  dialogs_pump_events ();
}

void
progress_window_destroy (ProgressWindow *window)
{
  dialogs_dump_texts (window->dialog);
  gtk_widget_destroy (window->dialog);
  dialogs_pump_events ();
  g_free (window);
}

/* ---- Guide layer ----------------------------------------------------------------------------- */

const char *
dialogs_guide_label (void)
{
  return _("_Guide layer:");
}

static void
on_guide_changed (GtkComboBox *combo, GuideChoice *choice)
{
  gint id = -1;

  if (choice->syncing)
    return;
  if (!gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &id))
    id = -1;
  choice->wanted = id;
  choice->changed (choice->data);
}

void
dialogs_guide_init (GuideChoice *choice, GtkWidget *combo, GtkWidget *note, gint last,
                    GuideReader read, void (*changed) (gpointer data), gpointer data)
{
  choice->combo   = combo;
  choice->note    = note;
  choice->wanted  = last;
  choice->read_id = -2; /* nothing read yet */
  choice->read    = read;
  choice->changed = changed;
  choice->data    = data;
  gimp_int_combo_box_prepend (GIMP_INT_COMBO_BOX (combo), GIMP_INT_STORE_VALUE, -1,
                              GIMP_INT_STORE_LABEL, _("None"), -1);
  gtk_widget_set_tooltip_text (combo,
                               _("Paint arrows or scribbles on a transparent layer and choose it "
                                 "here: it is sent over the picture to guide the edit."));
  gtk_widget_set_name (note, "oaimg-guide-note");
  gtk_widget_set_no_show_all (note, TRUE);
  g_signal_connect (combo, "changed", G_CALLBACK (on_guide_changed), choice);
}

void
dialogs_guide_sync (GuideChoice *choice, const char *model, oaimg_operation operation)
{
  char    *note;
  gboolean offered;
  gint     id;

  if (choice->combo == NULL)
    return;
  note    = oaimg_guide_note (model, operation);
  offered = note == NULL;
  /* What is shown is what is sent: None while the model takes no guide. */
  id      = offered ? choice->wanted : -1;
  choice->syncing = TRUE;
  gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (choice->combo), id);
  choice->syncing = FALSE;
  gtk_widget_set_sensitive (choice->combo, offered);
  if (id != choice->read_id)
    {
      oaimg_guide_clear (&choice->guide);
      if (!choice->read (choice->data, id, &choice->guide))
        oaimg_guide_clear (&choice->guide);
      choice->read_id = id;
    }
  gtk_label_set_text (GTK_LABEL (choice->note),
                      note ? note : choice->guide.rgba ? oaimg_guide_selection_note () : "");
  gtk_widget_set_visible (choice->note, note != NULL || choice->guide.rgba != NULL);
  g_free (note);
}

const OaimgGuide *
dialogs_guide_sent (const GuideChoice *choice)
{
  return choice->guide.rgba ? &choice->guide : NULL;
}

void
dialogs_guide_clear (GuideChoice *choice)
{
  oaimg_guide_clear (&choice->guide);
}

/* ---- Extend Canvas dialog -------------------------------------------------------------------- */

/* As the job dialogs: the prompt box keeps this size whatever is typed (long prompts wrap and
 * scroll instead of widening the dialog), and the labels under it wrap within the same width. */
/* Wide enough for a sentence, tall enough for four lines: the same in every dialog. */
#define PROMPT_BOX_WIDTH  460
#define PROMPT_BOX_HEIGHT 96

static void
on_prompt_history_chosen (GtkComboBox *combo, PromptBox *prompt)
{
  gint active = gtk_combo_box_get_active (combo);

  if (active < 0 || prompt->history[active] == NULL)
    return;
  gtk_text_buffer_set_text (prompt->buffer, prompt->history[active], -1);
  gtk_widget_grab_focus (prompt->view);
}

/* Caught on the window, before the focused widget sees the key, so that Ctrl+Return sends from
 * anywhere while Return alone starts a new line in the prompt box. */
static gboolean
on_prompt_dialog_key (GtkWidget *widget, GdkEventKey *event, PromptBox *prompt)
{
  GtkWidget *ok;

  (void) widget;
  if ((event->keyval != GDK_KEY_Return && event->keyval != GDK_KEY_KP_Enter) ||
      !(event->state & GDK_CONTROL_MASK))
    return FALSE;
  /* What was typed in the last moment counts: the dialog decides on it now. */
  if (prompt->settle)
    prompt->settle (prompt->data);
  ok = gtk_dialog_get_widget_for_response (GTK_DIALOG (prompt->dialog), GTK_RESPONSE_OK);
  if (ok && gtk_widget_is_sensitive (ok))
    gtk_dialog_response (GTK_DIALOG (prompt->dialog), GTK_RESPONSE_OK);
  return TRUE;
}

static void
on_prompt_dialog_shown (GtkWidget *dialog, PromptBox *prompt)
{
  (void) dialog;
  gtk_widget_grab_focus (prompt->view);
}

GtkWidget *
dialogs_prompt_box_init (PromptBox *prompt, const char *text, const char *profile_dir,
                         GtkWidget *note)
{
  GtkWidget *box    = gtk_vbox_new (FALSE, 4);
  GtkWidget *label  = gtk_label_new_with_mnemonic (_("_Prompt (Ctrl+Return sends):"));
  GtkWidget *scroll = gtk_scrolled_window_new (NULL, NULL);
  GtkWidget *row    = gtk_hbox_new (FALSE, 6);
  /* Alt+R is GIMP 3's Reset, Alt+M the model, Alt+B the background: this row takes U. */
  GtkWidget *recent = gtk_label_new_with_mnemonic (_("_Used before:"));

  memset (prompt, 0, sizeof *prompt);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  prompt->view   = gtk_text_view_new ();
  prompt->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (prompt->view));
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (prompt->view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (prompt->view), FALSE);
  gtk_text_buffer_set_text (prompt->buffer, text ? text : "", -1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), prompt->view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (scroll), GTK_SHADOW_IN);
  gtk_widget_set_size_request (scroll, PROMPT_BOX_WIDTH, PROMPT_BOX_HEIGHT);
  gtk_container_add (GTK_CONTAINER (scroll), prompt->view);

  prompt->history       = oaimg_prompt_history_load (profile_dir);
  prompt->history_combo = gtk_combo_box_text_new ();
  for (int i = 0; prompt->history[i]; i++)
    {
      char *first = oaimg_prompt_history_label (prompt->history[i]);
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (prompt->history_combo), first);
      g_free (first);
    }
  gtk_widget_set_sensitive (prompt->history_combo, prompt->history[0] != NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (recent), prompt->history_combo);
  gtk_box_pack_start (GTK_BOX (row), recent, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), prompt->history_combo, TRUE, TRUE, 0);
  /* A long prompt in the list must not widen the dialog either. */
  gtk_widget_set_size_request (prompt->history_combo, 1, -1);

  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), scroll, TRUE, TRUE, 0);
  if (note)
    gtk_box_pack_start (GTK_BOX (box), note, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);
  g_signal_connect (prompt->history_combo, "changed", G_CALLBACK (on_prompt_history_chosen),
                    prompt);
  return box;
}

void
dialogs_prompt_box_attach (PromptBox *prompt, GtkWidget *dialog, void (*settle) (gpointer data),
                           gpointer data)
{
  prompt->dialog = dialog;
  prompt->settle = settle;
  prompt->data   = data;
  g_signal_connect (dialog, "key-press-event", G_CALLBACK (on_prompt_dialog_key), prompt);
  g_signal_connect_after (dialog, "show", G_CALLBACK (on_prompt_dialog_shown), prompt);
}

char *
dialogs_prompt_box_text (PromptBox *prompt)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (prompt->buffer, &start, &end);
  return gtk_text_buffer_get_text (prompt->buffer, &start, &end, FALSE);
}

void
dialogs_prompt_box_clear (PromptBox *prompt)
{
  g_clear_pointer (&prompt->history, g_strfreev);
}

#define EXTEND_LABEL_WIDTH  460

typedef struct
{
  OaimgExtendValues *values;
  uint32_t           width;
  uint32_t           height;
  oaimg_client      *client;
  const char        *default_model;
  GtkWidget         *dialog;
  PromptBox          prompt;
  GtkWidget         *n_spin;
  GtkWidget         *model_combo;
  GtkWidget         *pixels_radio;
  GtkWidget         *aspect_radio;
  GtkWidget         *side_spins[4];
  GtkWidget         *aspect_combo;
  GtkWidget         *edge_combo;
  char               edge_axis; /* the axis the edge combo's labels name */
  GtkWidget         *plan_label;
  GtkWidget         *problem_label;
  gboolean           syncing;
} ExtendDialog;

static GtkWidget *
extend_wrapped_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* GTK 2 wraps a label at its requested width, so it is given one (GTK 3 as well). */
  gtk_widget_set_size_request (label, EXTEND_LABEL_WIDTH, -1);
  return label;
}

/* A labelled row of a table; the label's mnemonic focuses the widget. */
static GtkWidget *
extend_row (GtkTable *table, int row, int column, const char *mnemonic, GtkWidget *widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_table_attach (table, label, column, column + 1, row, row + 1, GTK_FILL, GTK_FILL, 0, 0);
  gtk_table_attach (table, widget, column + 1, column + 2, row, row + 1, GTK_EXPAND | GTK_FILL,
                    GTK_FILL, 0, 0);
  return widget;
}

static const char *
extend_model_typed (ExtendDialog *ed)
{
  char *name = oaimg_dialog_model_from_label (
    gtk_entry_get_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (ed->model_combo)))));

  g_object_set_data_full (G_OBJECT (ed->model_combo), "oaimg-model", name, g_free);
  return name;
}

/* The widgets' state into the values. */
static void
extend_read_widgets (ExtendDialog *ed)
{
  OaimgExtendValues *v      = ed->values;
  int                aspect = gtk_combo_box_get_active (GTK_COMBO_BOX (ed->aspect_combo));

  g_free (v->prompt);
  v->prompt = dialogs_prompt_box_text (&ed->prompt);
  v->n      = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ed->n_spin));
  g_free (v->model);
  v->model = g_strdup (extend_model_typed (ed));
  v->mode  = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (ed->pixels_radio))
               ? OAIMG_EXTEND_BY_PIXELS : OAIMG_EXTEND_TO_ASPECT;
  for (int i = 0; i < 4; i++)
    v->margins[i] = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ed->side_spins[i]));
  if (aspect >= 0)
    {
      g_free (v->aspect);
      /* The combo lists oaimg_extend_aspects() without its leading "none". */
      v->aspect = g_strdup (oaimg_extend_aspects ()[aspect + 1]);
    }
  v->edge = (OaimgExtendEdge) MAX (0, gtk_combo_box_get_active (GTK_COMBO_BOX (ed->edge_combo)));
}

/* The edge choice's labels for the axis the chosen aspect grows, keeping the choice. */
static void
extend_fill_edges (ExtendDialog *ed)
{
  char axis   = oaimg_extend_axis (ed->width, ed->height, ed->values->aspect);
  int  active = gtk_combo_box_get_active (GTK_COMBO_BOX (ed->edge_combo));

  if (active >= 0 && axis == ed->edge_axis)
    return;
  ed->syncing = TRUE;
  for (int i = 2; active >= 0 && i >= 0; i--)
    gtk_combo_box_text_remove (GTK_COMBO_BOX_TEXT (ed->edge_combo), i);
  for (int e = OAIMG_EXTEND_BOTH_SIDES; e <= OAIMG_EXTEND_SECOND_SIDE; e++)
    gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (ed->edge_combo),
                                    oaimg_extend_edge_label (axis, (OaimgExtendEdge) e));
  gtk_combo_box_set_active (GTK_COMBO_BOX (ed->edge_combo),
                            active >= 0 ? active : (int) ed->values->edge);
  ed->edge_axis = axis;
  ed->syncing   = FALSE;
}

/* The plan line and whether OK may be pressed (extend_dialog.h decides), on every change: it
 * is geometry alone, nothing is encoded. */
static void
extend_update (ExtendDialog *ed)
{
  OaimgExtendPlan plan;
  gboolean        by_pixels;
  const char     *model;

  extend_read_widgets (ed);
  extend_fill_edges (ed);
  by_pixels = ed->values->mode == OAIMG_EXTEND_BY_PIXELS;
  for (int i = 0; i < 4; i++)
    gtk_widget_set_sensitive (ed->side_spins[i], by_pixels);
  gtk_widget_set_sensitive (ed->aspect_combo, !by_pixels);
  gtk_widget_set_sensitive (ed->edge_combo, !by_pixels && ed->edge_axis != 0);
  model = oaimg_dialog_model_in_use (ed->client, OAIMG_EDIT, ed->values->model,
                                     ed->default_model);
  oaimg_extend_dialog_plan (ed->values, ed->width, ed->height, model, &plan);
  gtk_label_set_text (GTK_LABEL (ed->plan_label), plan.plan ? plan.plan : "");
  gtk_widget_set_visible (ed->plan_label, plan.plan != NULL);
  gtk_label_set_text (GTK_LABEL (ed->problem_label), plan.problem ? plan.problem : "");
  gtk_widget_set_visible (ed->problem_label, plan.problem != NULL);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (ed->dialog), GTK_RESPONSE_OK,
                                     plan.problem == NULL);
  /* No more results than the model makes in one run. */
  ed->syncing = TRUE;
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (ed->n_spin), 1,
                             oaimg_dialog_max_n (model, OAIMG_EDIT));
  ed->syncing = FALSE;
  oaimg_extend_plan_clear (&plan);
}

static void
extend_settle (gpointer ed)
{
  extend_update (ed);
}

static void
on_extend_changed (GtkWidget *widget, ExtendDialog *ed)
{
  (void) widget;
  if (!ed->syncing)
    extend_update (ed);
}

/* By pixels (four spin buttons) or to an aspect ratio (the ratio and where it grows). */
static GtkWidget *
extend_growth_frame (ExtendDialog *ed)
{
  static const char *const sides[4] = { N_("_Left:"), N_("_Top:"), N_("_Right:"),
                                        N_("B_ottom:") };
  const char *const *aspects = oaimg_extend_aspects ();
  GtkWidget         *frame   = gimp_frame_new (_("Growth"));
  GtkWidget         *table   = gtk_table_new (5, 4, FALSE);
  GtkWidget         *aspects_table;

  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_table_set_col_spacings (GTK_TABLE (table), 12);
  gtk_container_add (GTK_CONTAINER (frame), table);

  ed->pixels_radio = gtk_radio_button_new_with_mnemonic (NULL, _("By pi_xels"));
  gtk_table_attach (GTK_TABLE (table), ed->pixels_radio, 0, 4, 0, 1, GTK_FILL, GTK_FILL, 0, 0);
  for (int i = 0; i < 4; i++)
    {
      ed->side_spins[i] = gtk_spin_button_new_with_range (0, OAIMG_EXTEND_MAX_MARGIN, 1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (ed->side_spins[i]),
                                 CLAMP (ed->values->margins[i], 0, OAIMG_EXTEND_MAX_MARGIN));
      /* Left and top in the first column, right and bottom in the second. */
      extend_row (GTK_TABLE (table), 1 + i % 2, (i / 2) * 2, _(sides[i]), ed->side_spins[i]);
      g_signal_connect (ed->side_spins[i], "value-changed", G_CALLBACK (on_extend_changed), ed);
    }

  ed->aspect_radio = gtk_radio_button_new_with_mnemonic_from_widget (
    GTK_RADIO_BUTTON (ed->pixels_radio), _("To _aspect ratio"));
  gtk_table_attach (GTK_TABLE (table), ed->aspect_radio, 0, 4, 3, 4, GTK_FILL, GTK_FILL, 0, 0);
  aspects_table = gtk_table_new (1, 4, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (aspects_table), 12);
  gtk_table_attach (GTK_TABLE (table), aspects_table, 0, 4, 4, 5, GTK_FILL, GTK_FILL, 0, 0);
  ed->aspect_combo = extend_row (GTK_TABLE (aspects_table), 0, 0, _("Rat_io:"),
                                 gtk_combo_box_text_new ());
  for (int i = 1; aspects[i]; i++)
    {
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (ed->aspect_combo), aspects[i]);
      if (g_strcmp0 (aspects[i], ed->values->aspect) == 0)
        gtk_combo_box_set_active (GTK_COMBO_BOX (ed->aspect_combo), i - 1);
    }
  if (gtk_combo_box_get_active (GTK_COMBO_BOX (ed->aspect_combo)) < 0)
    gtk_combo_box_set_active (GTK_COMBO_BOX (ed->aspect_combo), 0);
  ed->edge_combo = extend_row (GTK_TABLE (aspects_table), 0, 2, _("_Grow:"),
                               gtk_combo_box_text_new ());
  extend_fill_edges (ed);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ed->values->mode == OAIMG_EXTEND_BY_PIXELS
                                                     ? ed->pixels_radio : ed->aspect_radio),
                                TRUE);
  g_signal_connect (ed->pixels_radio, "toggled", G_CALLBACK (on_extend_changed), ed);
  g_signal_connect (ed->aspect_combo, "changed", G_CALLBACK (on_extend_changed), ed);
  g_signal_connect (ed->edge_combo, "changed", G_CALLBACK (on_extend_changed), ed);
  return frame;
}

static gboolean
extend_dialog_show (OaimgExtendValues *values, uint32_t image_width, uint32_t image_height,
                    oaimg_client *client, const char *default_model, const char *profile_dir)
{
  ExtendDialog ed = { .values = values, .width = image_width, .height = image_height,
                      .client = client, .default_model = default_model };
  GtkWidget   *dialog, *vbox, *table, *models;
  const char **names = oaimg_dialog_models (OAIMG_EDIT);
  char        *label, *tip;
  gboolean     run;

  dialog = gimp_dialog_new (oaimg_dialog_extend_title (), "oaimg", NULL, 0,
                            gimp_standard_help_func, oaimg_procedures ()[OAIMG_PROC_EXTEND].name,
                            _("_Cancel"), GTK_RESPONSE_CANCEL, _("S_end"), GTK_RESPONSE_OK,
                            NULL);
  ed.dialog = dialog;
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog), GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (dialog));

  vbox = gtk_vbox_new (FALSE, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), vbox, TRUE,
                      TRUE, 0);
  gtk_box_pack_start (GTK_BOX (vbox),
                      dialogs_prompt_box_init (&ed.prompt, values->prompt, profile_dir, NULL),
                      FALSE, FALSE, 0);
  g_signal_connect (ed.prompt.buffer, "changed", G_CALLBACK (on_extend_changed), &ed);

  table = gtk_table_new (2, 2, FALSE);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_table_set_col_spacings (GTK_TABLE (table), 12);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);
  ed.n_spin = extend_row (GTK_TABLE (table), 0, 0, _("_Number of images:"),
                          gtk_spin_button_new_with_range (1, 10, 1));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ed.n_spin), CLAMP (values->n, 1, 10));
  models = gtk_combo_box_text_new_with_entry ();
  for (int i = 0; names[i]; i++)
    {
      char *item = oaimg_dialog_model_label (names[i]);
      gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (models), item);
      g_free (item);
    }
  g_free (names);
  label = oaimg_dialog_model_label (values->model ? values->model : "");
  gtk_entry_set_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (models))), label);
  g_free (label);
  /* An empty Model box names its default: a tooltip, which GTK 2 entries also have. */
  tip = g_strdup_printf (_("Default (%s)"),
                         oaimg_dialog_model_in_use (client, OAIMG_EDIT, NULL, default_model));
  gtk_widget_set_tooltip_text (models, tip);
  g_free (tip);
  ed.model_combo = extend_row (GTK_TABLE (table), 1, 0, _("_Model:"), models);

  gtk_box_pack_start (GTK_BOX (vbox), extend_growth_frame (&ed), FALSE, FALSE, 0);
  /* What the run will do, and why Send cannot be pressed, in the words of what to change. */
  ed.plan_label    = extend_wrapped_label ();
  ed.problem_label = extend_wrapped_label ();
  gtk_box_pack_start (GTK_BOX (vbox), ed.plan_label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (vbox), ed.problem_label, FALSE, FALSE, 0);

  g_signal_connect (ed.n_spin, "value-changed", G_CALLBACK (on_extend_changed), &ed);
  g_signal_connect (ed.model_combo, "changed", G_CALLBACK (on_extend_changed), &ed);
  dialogs_prompt_box_attach (&ed.prompt, dialog, extend_settle, &ed);

  gtk_widget_show_all (dialog);
  extend_update (&ed);
  gtk_widget_grab_focus (ed.prompt.view);

  run = gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK;
  dialogs_dump_texts (dialog);
  /* Kept whether sent or not: a cancelled dialog comes back as the user left it. */
  extend_read_widgets (&ed);
  gtk_widget_destroy (dialog);
  dialogs_prompt_box_clear (&ed.prompt);
  return run;
}

gboolean
extend_dialog_run (OaimgExtendValues *values, uint32_t image_width, uint32_t image_height,
                   oaimg_client *client, const char *default_model, const char *profile_dir,
                   OaimgExtendPlan *plan)
{
  gboolean send;

  oaimg_extend_values_load (profile_dir, values);
  send = extend_dialog_show (values, image_width, image_height, client, default_model,
                             profile_dir);
  /* Not being able to remember is no reason to fail the run. */
  oaimg_extend_values_save (profile_dir, values, NULL);
  oaimg_extend_dialog_plan (values, image_width, image_height,
                            oaimg_dialog_model_in_use (client, OAIMG_EDIT, values->model,
                                                       default_model),
                            plan);
  if (send)
    oaimg_prompt_history_add (profile_dir, values->prompt, NULL);
  return send;
}
