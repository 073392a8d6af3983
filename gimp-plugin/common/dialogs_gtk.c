/* Dialog code that compiles unchanged with GTK 2 and GTK 3 (see dialogs_gtk.h). */
#include "dialogs_gtk.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <stdio.h>
#include <string.h>

#include "dialog_logic.h"
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
progress_window_new (oaimg_operation operation)
{
  ProgressWindow *window = g_new0 (ProgressWindow, 1);
  GtkWidget      *box;
  gchar          *title;

  /* Not the job dialog's title: the two windows are told apart, by people and by the tests. */
  title          = oaimg_dialog_progress_title (operation);
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
