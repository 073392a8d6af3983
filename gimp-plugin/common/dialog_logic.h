/* What every host's dialogs compute without a widget: the model a dialog shows as its default,
 * the preview of exactly what a job will upload, and saving what the Settings dialog holds.
 * Each host draws these with its own toolkit (GTK 2 for GIMP 2.10, GTK 3 for GIMP 3). */
#ifndef OAIMG_DIALOG_LOGIC_H
#define OAIMG_DIALOG_LOGIC_H

#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* The model a job will use: the typed one, else the configured default, else liboaimg's default
 * for the server. Static or borrowed from the arguments. */
const char *oaimg_dialog_model_in_use (oaimg_client *client, oaimg_operation operation,
                                       const char *typed, const char *default_model);

/* Everything the job dialog shows about what will be sent, decided once for every host: a
 * translated description (model, endpoint, region, size, requests, each upload, an upscale
 * warning), why Send must stay insensitive (NULL when the request can be sent), whether the model
 * takes the prompt (and the note saying it is not sent when not), and the uploads decoded to
 * straight-alpha RGBA8 (NULL when the job sends none). */
typedef struct
{
  char     *info;
  char     *problem;
  gboolean  takes_prompt;
  char     *prompt_note;
  uint8_t  *image_rgba;
  uint32_t  image_width;
  uint32_t  image_height;
  uint8_t  *mask_rgba;
  uint32_t  mask_width;
  uint32_t  mask_height;
} OaimgPreview;

/* Never fails. An empty prompt makes a problem (except for variations), and a stand-in prompt
 * keeps the preview meanwhile, since the prompt does not change what is uploaded. A
 * source_problem (the source could not be read, e.g. a layer group without Sample merged) is
 * the problem as it is. */
void oaimg_dialog_preview       (oaimg_client *client, const OaimgJobParams *params,
                                 const OaimgSource *source, const char *source_problem,
                                 const char *default_model, OaimgPreview *preview);
void oaimg_dialog_preview_clear (OaimgPreview *preview);

/* Saves the Settings dialog's fields: the settings file, then the typed key (trimmed; "" keeps
 * the stored one) or, when forget is set and nothing was typed, removes the stored key.
 * *where_out is set (static, translated) when a key was stored, else NULL. */
gboolean oaimg_dialog_save_settings (const char *profile_dir, const OaimgSettings *settings,
                                     const char *typed_key, gboolean forget,
                                     const char **where_out, GError **error);

/* The notes the Settings dialog shows when the environment overrides what it stores; "" when
 * nothing does. Owned by the caller. */
char *oaimg_dialog_environment_notes (void);

/* The job dialog's title for the operation, and the progress window's ("Working: …"), so that the
 * two windows are told apart by people and by the tests. Translated; the second is g_free'd. */
const char *oaimg_dialog_title          (oaimg_operation operation);
/* Extend Canvas's title (translated). */
const char *oaimg_dialog_extend_title (void);
char       *oaimg_dialog_progress_title (const OaimgJobParams *params);

/* Settings' Test Connection with what a run would use: the typed key (trimmed), else
 * OPENAI_API_KEY, else the stored key; OPENAI_BASE_URL, else the typed base URL, else OpenAI's.
 * Returns the translated outcome (g_free); the key is wiped after use. */
char *oaimg_dialog_test_connection (const char *profile_dir, const char *typed_key,
                                    const char *typed_url, long timeout_ms);

G_END_DECLS

#endif
