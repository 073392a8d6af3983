/* The dialog code that is the same in GTK 2 (GIMP 2.10) and GTK 3 (GIMP 3): the progress window
 * and the dialog texts the tests read. Not part of oaimg_plugin_common (which sees no toolkit):
 * each host compiles dialogs_gtk.c with its own GTK and libgimpui. */
#ifndef OAIMG_DIALOGS_GTK_H
#define OAIMG_DIALOGS_GTK_H

#include <gtk/gtk.h>

#include "guide.h"
#include "oaimg_plugin.h"
#include "references.h"

G_BEGIN_DECLS

typedef struct ProgressWindow ProgressWindow;

/* A small window with the stage, a progress bar, the streamed partial image and Cancel. */
ProgressWindow *progress_window_new          (const OaimgJobParams *params);
/* Shows the stage and lets GTK handle pending events; TRUE once Cancel was pressed. */
gboolean        progress_window_update       (ProgressWindow      *window,
                                              const OaimgProgress *progress);
void            progress_window_show_partial (ProgressWindow *window, const uint8_t *rgba,
                                              uint32_t width, uint32_t height);
void            progress_window_destroy      (ProgressWindow *window);

/* The prompt box every dialog opens with: a fixed-size box that wraps (a long prompt scrolls, it
 * never widens the dialog), has the focus when the dialog shows, sends on Ctrl+Return from
 * anywhere in the dialog, and under it "Used before:", the profile's recent prompts. */
typedef struct
{
  GtkWidget     *view;
  GtkTextBuffer *buffer;
  GtkWidget     *history_combo;
  char         **history;
  GtkWidget     *dialog;
  void         (*settle) (gpointer data); /* brings the dialog up to date before Ctrl+Return */
  gpointer       data;
} PromptBox;

/* Fills prompt and returns the box to pack: the label, the text (text, NULL = empty), note (a
 * host's label shown under the box, or NULL) and the "Used before:" row. The caller connects to
 * prompt->buffer's "changed". */
GtkWidget      *dialogs_prompt_box_init      (PromptBox *prompt, const char *text,
                                              const char *profile_dir, GtkWidget *note);
/* Focus on show and Ctrl+Return for dialog: settle (may be NULL) runs first, then OK is given if
 * the dialog's OK button is sensitive. */
void            dialogs_prompt_box_attach    (PromptBox *prompt, GtkWidget *dialog,
                                              void (*settle) (gpointer data), gpointer data);
/* The text typed (g_free it). */
char           *dialogs_prompt_box_text      (PromptBox *prompt);
/* Frees the history; the widgets go with their dialog. */
void            dialogs_prompt_box_clear     (PromptBox *prompt);

/* Settings' Test Connection: the fields it reads and the label it answers in. */
typedef struct
{
  const char *profile_dir;
  GtkWidget  *key_entry;
  GtkWidget  *url_entry;
  GtkWidget  *result;
} ConnectionTest;

/* The "clicked" handler of the Test Connection button; data is the ConnectionTest. */
void            dialogs_test_connection      (GtkButton *button, ConnectionTest *test);

/* Settings' fields, as each host lays them out. */
typedef struct
{
  GtkWidget *key_entry;
  GtkWidget *forget;       /* check button: forget the stored key */
  GtkWidget *url_entry;
  GtkWidget *model_combo;  /* a combo box with an entry, holding model labels */
  GtkWidget *timeout_spin;
  GtkWidget *safety_entry;
} SettingsFields;

/* Loads settings; TRUE when a key is stored (the key itself is wiped at once, never shown). */
gboolean        dialogs_settings_begin       (const char *profile_dir, OaimgSettings *settings);
/* What the fields hold into settings, then saved with the typed key; says where a key went. */
gboolean        dialogs_settings_save        (const char *profile_dir, OaimgSettings *settings,
                                              const SettingsFields *fields, GError **error);

/* "No API key": Continue, or Settings… which runs settings_run; TRUE when a key is there after.
 * message is the host's label for the words, which this dialog takes. */
gboolean        dialogs_no_key_run           (const char *profile_dir, GtkWidget *message,
                                              gboolean (*settings_run) (const char *profile_dir,
                                                                        GError    **error));

/* Lets GTK handle pending events, a bounded number of them. */
void            dialogs_pump_events          (void);

/* Straight-alpha RGBA8 pixels scaled into side × side, over a checkerboard (the mask's
 * transparent part is what the model repaints); NULL pixels clear the view. */
void            dialogs_image_show           (GtkWidget *view, const uint8_t *rgba, uint32_t width,
                                              uint32_t height, int side);

/* The job dialog's row of reference layers: a title, each layer's thumbnail with its name, and a
 * note; hidden when there are none. */
GtkWidget      *dialogs_references_new       (const OaimgReferences *references);
/* note (oaimg_references_note()) NULL: the references are sent; else the row says why not and
 * is insensitive. */
void            dialogs_references_update    (GtkWidget *row, const char *note);

/* OAIMG_DIALOG_TEXTS=FILE: every text the dialog shows (title, visible labels and entries but a
 * hidden one, every item of a combo box) is appended to FILE, so that the tests can check a
 * translation for English left over (a screenshot cannot be read). */
void            dialogs_dump_texts           (GtkWidget *dialog);

/* Inpaint Selection's Guide layer row, as both hosts draw it (common/guide.c decides): the
 * host's GIMP layer combo box with None first, greyed out showing None for a model that takes
 * no guide, and the line under it (which models take one, or what the selection does). */
typedef gboolean (*GuideReader) (gpointer data, gint layer_id, OaimgGuide *guide);

typedef struct
{
  GtkWidget  *combo;    /* NULL: no guide row (not an edit) */
  GtkWidget  *note;
  gint        wanted;   /* the layer chosen, kept while the choice is greyed out; -1 = None */
  gint        read_id;  /* the layer read into guide */
  OaimgGuide  guide;    /* what is sent; rgba NULL = no guide */
  gboolean    syncing;
  GuideReader read;     /* reads layer_id (-1: none) into guide; FALSE when it cannot be sent */
  void      (*changed) (gpointer data); /* the person chose another layer */
  gpointer    data;
} GuideChoice;

/* The row's mnemonic label (translated). */
const char       *dialogs_guide_label (void);
/* Takes the host's layer combo (prepending None) and its note label; last is the layer to start
 * with (-1: None). */
void              dialogs_guide_init  (GuideChoice *choice, GtkWidget *combo, GtkWidget *note,
                                       gint last, GuideReader read,
                                       void (*changed) (gpointer data), gpointer data);
/* Shows the choice for the model the job uses and reads the guide that is then sent. */
void              dialogs_guide_sync  (GuideChoice *choice, const char *model,
                                       oaimg_operation operation);
/* The guide to send (for OaimgJobParams.guide), or NULL. */
const OaimgGuide *dialogs_guide_sent  (const GuideChoice *choice);
void              dialogs_guide_clear (GuideChoice *choice);

/* Extend Canvas's dialog, the same on both GIMPs: the prompt (multi-line, with the focus;
 * Ctrl+Return sends) and the prompts used before, the number of images, the model, and the
 * growth, either by pixels on each side or to an aspect ratio on both sides or one, with the
 * plan line of extend_dialog.h under it (the new canvas, and what is done when the new area is
 * larger than the model makes) and OK insensitive, with the reason shown, while it cannot run.
 * It opens with what it held last time (stored in the profile on every run, also a failed or
 * cancelled one), else with values as given. TRUE when the user chose to send; values holds what
 * the dialog held either way, and plan (cleared by the caller) what they mean for the image. A
 * sent prompt joins the prompts used before. */
struct _OaimgExtendValues;
struct _OaimgExtendPlan;
gboolean        extend_dialog_run            (struct _OaimgExtendValues *values,
                                              uint32_t image_width, uint32_t image_height,
                                              oaimg_client *client, const char *default_model,
                                              const char *profile_dir,
                                              struct _OaimgExtendPlan *plan);

G_END_DECLS

#endif
