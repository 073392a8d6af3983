/* GIMP 2.10 dialogs (GTK 2): the job dialog with its preview, the progress window, Settings. */
#ifndef OAIMG_DIALOGS_GIMP2_H
#define OAIMG_DIALOGS_GIMP2_H

#include <libgimp/gimp.h>

#include "dialogs_gtk.h"
#include "host_gimp2.h"
#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* A job's arguments as GIMP 2.10 remembers them between runs (gimp_set_data stores the bytes
 * under the procedure's name, so this is fixed-size and holds no pointer). Strings are
 * NUL-terminated and cut at their array's size. */
typedef struct
{
  gchar    prompt[4096];
  gint     n;
  gchar    model[128];
  gchar    size[32];
  gchar    context[16];
  gchar    quality[16];
  gchar    background[16];
  gboolean sample_merged;
  gint32   guide; /* Inpaint Selection's guide layer, -1 = none */
} JobValues;

/* The job dialog, as GIMP 3's: a labelled multi-line prompt with the focus (Ctrl+Return sends)
 * and the last prompts, the number of images, a model list from liboaimg's capabilities table
 * with only the sizes, qualities and backgrounds that model takes, context, sample merged, and a
 * preview of exactly what will be uploaded; Send is insensitive, with the reason shown, while
 * the request cannot be sent. TRUE when the user chose to send; values holds what the dialog
 * held either way. read_source reads the source again when "Sample merged" changes.
 * references (may be NULL) are shown as thumbnails, greyed out with a note when the model takes
 * none. Edits offer the image's other layers as guide (values->guide). */
typedef gboolean (*JobSourceReader) (gpointer data, gboolean sample_merged, OaimgSource *source,
                                     GError **error);

gboolean        job_dialog_run               (oaimg_operation  operation,
                                              oaimg_client    *client,
                                              OaimgSource     *source,
                                              JobSourceReader  read_source,
                                              gpointer         read_source_data,
                                              const OaimgReferences *references,
                                              const char      *default_model,
                                              const char      *profile_dir,
                                              JobValues       *values,
                                              gint32           image,
                                              gint32           drawable);

/* Said when a job dialog opens without any API key: offers Settings. TRUE when a key was then
 * stored. */
gboolean        no_key_dialog_run            (const char *profile_dir);

/* API key, base URL, default model and timeout. FALSE with error unset means cancelled. */
gboolean        settings_dialog_run          (const char *profile_dir, GError **error);

G_END_DECLS

#endif
