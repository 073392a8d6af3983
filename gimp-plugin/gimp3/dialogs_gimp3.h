/* GIMP 3 dialogs: the job dialog with its preview, the progress window, the settings dialog. */
#ifndef OAIMG_DIALOGS_GIMP3_H
#define OAIMG_DIALOGS_GIMP3_H

#include <libgimp/gimp.h>

#include "dialogs_gtk.h"
#include "host_gimp3.h"
#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* The procedure dialog: prompt, n, a model list from liboaimg's capabilities table with only the
 * sizes that model accepts, and a preview of exactly what will be uploaded (liboaimg's plan).
 * TRUE when the user chose to send; the values are in config. Turning Sample merged on or off
 * reads `source` again from image and drawable. references (may be NULL) are shown as
 * thumbnails, greyed out with a note when the model takes none. */
gboolean        job_dialog_run              (GimpProcedure       *procedure,
                                             GimpProcedureConfig *config,
                                             oaimg_operation      operation,
                                             oaimg_client        *client,
                                             GimpImage           *image,
                                             GimpDrawable        *drawable,
                                             OaimgSource         *source,
                                             const OaimgReferences *references,
                                             const char          *default_model,
                                             const char          *profile_dir);

/* Said when a job dialog opens without any API key: offers Settings. TRUE when a key was then
 * stored. */
gboolean        no_key_dialog_run            (const char *profile_dir);

/* API key, base URL, default model and timeout. FALSE with error unset means cancelled. */
gboolean        settings_dialog_run          (const char *profile_dir, GError **error);

G_END_DECLS

#endif
