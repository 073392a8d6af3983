/*
 * The host-independent part of the oaimg GIMP plug-in, and the small interface a host implements.
 *
 * Modelled on G'MIC-Qt's GmicQtHost: the host (one file per GIMP version) reads the pixels and the
 * selection, shows progress and inserts the finished layers; everything else — building the job,
 * running it through liboaimg's C API, turning failures into messages, provenance, settings and the
 * key — is here and never sees a GIMP type. Only glib and oaimg.h are used.
 */
#ifndef OAIMG_PLUGIN_H
#define OAIMG_PLUGIN_H

#include <glib.h>
#include <stdint.h>

#include <oaimg.h>

G_BEGIN_DECLS

#define OAIMG_PLUGIN_ERROR (oaimg_plugin_error_quark ())
GQuark oaimg_plugin_error_quark (void);

/* The codes of OAIMG_PLUGIN_ERROR are the oaimg_status values, plus these. */
#define OAIMG_PLUGIN_ERROR_HOST 1000 /* the host could not read or write the image */

/* What a job works on, as the host read it. Pixels are straight-alpha sRGB RGBA8 (stride
 * width * 4) of the source (the active layer, or the canvas for generations). The selection is
 * 8-bit coverage relative to the source, or NULL when nothing is selected. (origin_x, origin_y) is
 * where the source's top-left pixel lies in image coordinates: results are reported there. */
typedef struct
{
  /* g_malloc'ed, or NULL: then read_rgba fills the request's own buffer (a large layer held once,
   * not once by the host and once more by liboaimg), or without read_rgba the source is fully
   * transparent (a generation's, which sends no pixels). */
  uint8_t  *rgba;
  void    (*read_rgba) (const void *read_data, uint8_t *rgba);
  void     *read_data; /* g_free'd by oaimg_source_clear() */
  uint32_t  width;
  uint32_t  height;
  int32_t   origin_x;
  int32_t   origin_y;
  uint8_t  *selection;
  uint32_t  selection_width;
  uint32_t  selection_height;
  int32_t   selection_x;
  int32_t   selection_y;
  /* The canvas results may cover, in source coordinates (the image's bounds relative to the
   * layer), or width 0 for the source's own bounds. Set only when the selection reaches past the
   * layer into canvas it does not cover; the selection is then relative to the source as well
   * and may start at negative x / y. */
  int32_t   canvas_x;
  int32_t   canvas_y;
  uint32_t  canvas_width;
  uint32_t  canvas_height;
} OaimgSource;

void oaimg_source_clear (OaimgSource *source);

/* A rectangle in image coordinates with the selection's 8-bit coverage over it (the source
 * takes the coverage, g_malloc'ed), or coverage NULL when nothing is selected there. */
typedef struct
{
  uint8_t *coverage;
  int32_t  x;
  int32_t  y;
  uint32_t width;
  uint32_t height;
} OaimgCoverage;

/* A generation's source: it sends no pixels, so it only gives the region its shape: the
 * selection's bounds (or, with none, the canvas), fully transparent. */
void oaimg_source_for_generation (OaimgSource *source, uint32_t canvas_width,
                                  uint32_t canvas_height, const OaimgCoverage *selection);
/* A layer's source: its rectangle in image coordinates, rgba pixels (g_malloc'ed, taken) and the
 * selection over it, placed relative to the layer. */
void oaimg_source_for_layer (OaimgSource *source, int32_t x, int32_t y, uint32_t width,
                             uint32_t height, uint8_t *rgba, const OaimgCoverage *selection);
/* The same for an edit whose selection (read over the whole canvas, canvas_width x
 * canvas_height at the image's origin) may reach past the layer: when it does, the source's
 * canvas is set to the image's bounds so that the part outside the layer is filled too. */
void oaimg_source_for_layer_on_canvas (OaimgSource *source, int32_t x, int32_t y, uint32_t width,
                                       uint32_t height, uint8_t *rgba,
                                       const OaimgCoverage *selection, uint32_t canvas_width,
                                       uint32_t canvas_height);
/* Extend Canvas's source: the image as shown (canvas_width x canvas_height RGBA, taken) at the
 * image's origin, without selection (the core makes its own). */
void oaimg_source_for_extend (OaimgSource *source, uint32_t canvas_width, uint32_t canvas_height,
                              uint8_t *rgba);

/* What the user asked for: the procedures' arguments. Strings may be NULL or "". */
typedef struct
{
  oaimg_operation    operation;
  const char        *prompt;
  int                n;
  const char        *model;      /* "" = the configured default */
  const char        *size;       /* "auto" or "" = planned from the region */
  oaimg_context_mode context;
  const char        *quality;    /* "" or "auto" = not sent */
  const char        *background; /* "" or "auto" = not sent (edits default to opaque) */
  /* Extend Canvas (an OAIMG_EDIT): pixels added on each side; all 0 = not an extension. The
   * outputs are then in the grown image's coordinates, and the host's insert grows the canvas
   * by these margins (the old image moving by (left, top)) in the same undo step. */
  uint32_t           extend_left;
  uint32_t           extend_top;
  uint32_t           extend_right;
  uint32_t           extend_bottom;
  /* Inpaint Selection's guide layer (guide.h), sent as markup; NULL = none. Not owned. */
  const struct _OaimgGuide *guide;
  /* Inpaint Selection: the layers sent after the edited one to guide it (references.h),
   * borrowed; NULL or empty = none. Sent only where the model takes them. */
  const struct _OaimgReferences *references;
} OaimgJobParams;

/* TRUE when the params ask for Extend Canvas (extend_logic.c). */
gboolean oaimg_job_is_extend (const OaimgJobParams *params);

/* The most pixels Extend Canvas adds on one side (the core limits the grown canvas anyway). */
#define OAIMG_EXTEND_MAX_MARGIN 8192
/* The aspect ratios Extend Canvas offers, NULL-terminated: "none" (the pixels given), then
 * "16:9", "3:2", ... (static). */
const char *const *oaimg_extend_aspects (void);
/* Sets params' extend margins for a width x height image: from aspect ("W:H") when it is set
 * and not "none", else the pixels given. FALSE with a message naming what to change when
 * nothing would be added (all 0, or the image already has that aspect) or aspect is not W:H. */
gboolean oaimg_extend_margins (uint32_t width, uint32_t height, const char *aspect, int left,
                               int top, int right, int bottom, OaimgJobParams *params,
                               GError **error);

/* One finished result, ready to become a layer. rgba is straight-alpha sRGB RGBA8; (x, y) is in
 * image coordinates; mask is the put-back coverage of the same size, or NULL for none. */
typedef struct
{
  const uint8_t *rgba;
  uint32_t       width;
  uint32_t       height;
  int32_t        x;
  int32_t        y;
  const uint8_t *mask;
  char          *name;
  char          *provenance; /* JSON text for the layer's parasite */
} OaimgOutput;

/* Tokens a run used as the server reported them (summed over its requests); -1 where it
 * reported none. output = output text + output image tokens. */
typedef struct
{
  int64_t input_text;
  int64_t input_image;
  int64_t output;
  int64_t total;
} OaimgUsage;

/* The image parasite holding the running total of an image's tokens (JSON, usage.c). */
#define OAIMG_USAGE_PARASITE "oaimg-usage"

/* The run's usage; FALSE (usage all -1) when the server reported none (DALL·E 2). */
gboolean oaimg_usage_of_result (const oaimg_result *result, OaimgUsage *usage);
/* The running total: old_json (the parasite's text, or NULL / unreadable = none yet) plus run,
 * as JSON for the parasite ({"input_text_tokens":..,"input_image_tokens":..,"output_tokens":..,
 * "total_tokens":..,"runs":..}); total_out, when not NULL, receives the sums. */
char    *oaimg_usage_total_add (const char *old_json, const OaimgUsage *run,
                                OaimgUsage *total_out);
/* The finished run's message (translated): the tokens used, and the image's total so far when
 * image_total is not NULL. */
char    *oaimg_usage_message (const OaimgUsage *run, const OaimgUsage *image_total);
/* What a host does after a run, in one call: the image's new total (the parasite's JSON) from
 * the old one (NULL: none) and, for_a_person (interactive), the finished run's message in
 * *message (else NULL). */
char    *oaimg_usage_record (const char *old_json, const OaimgUsage *run, gboolean for_a_person,
                             char **message);

/* Where a job is, for a progress display: what the host shows comes from oaimg_progress_text()
 * (oaimg_dialog.h), so that both hosts say the same. */
typedef struct
{
  const char *stage_text;    /* translated; one static string per stage (compare pointers) */
  double      fraction;      /* [0, 1], or < 0 while nothing measurable moves (pulse instead) */
  double      elapsed_s;     /* since the job started */
  int         received;      /* results received so far, of total; total 0 = not known yet */
  int         total;
  const char *retry_reason;  /* while a retry waits: the library's English reason, else NULL */
  int         retry_attempt; /* 1 = the first retry */
  int64_t     retry_in_ms;   /* until the retry starts; -1 when none waits */
} OaimgProgress;

/* The host interface. Every callback receives `self`. */
typedef struct
{
  void *self;
  /* Where the job is. Return TRUE to cancel the job. Called at least every 100 ms while the
   * server works (a retry's countdown included). */
  gboolean (*progress) (void *self, const OaimgProgress *progress);
  /* A streamed partial image, decoded, for display; may be NULL (no streaming is asked then). */
  void     (*partial)  (void *self, const uint8_t *rgba, uint32_t width, uint32_t height);
  /* Inserts all outputs as one layer group named group_name, as one undo step (for Extend
   * Canvas, growing the canvas first within that step). On failure it must leave the image as
   * it was, canvas size included, and return FALSE with error set. The host keeps what it made
   * for its own return values. */
  gboolean (*insert)   (void *self, const char *group_name, const OaimgOutput *outputs,
                        size_t count, GError **error);
  /* A translated warning the user should see without the job stopping (the model shuts down
   * soon), e.g. as a GIMP message; NULL = g_message(). */
  void     (*warn)     (void *self, const char *message);
  /* After a successful insert, when the server reported tokens: the host adds them to the
   * image's running total (OAIMG_USAGE_PARASITE, oaimg_usage_total_add()) and may show
   * oaimg_usage_message(). NULL = not recorded. */
  void     (*usage)    (void *self, const OaimgUsage *run);
} OaimgHost;

/* A request for the job, with the source and selection attached; NULL and error on bad input
 * (an edit without a selection gives "Select the area to repaint"). model_out, when not NULL,
 * receives the model the request will use (owned by the caller). */
oaimg_request *oaimg_job_build_request (oaimg_client        *client,
                                        const OaimgJobParams *params,
                                        const OaimgSource    *source,
                                        const char           *default_model,
                                        gboolean              stream,
                                        char                **model_out,
                                        GError              **error);

/* Runs the whole job: builds the request (with the settings' default model and safety
 * identifier; settings may be NULL), warns through host->warn when the model shuts down within
 * OAIMG_SHUTDOWN_WARNING_DAYS (asked at most once a day; that check never fails the job), sends
 * the request, and hands the placed results to host->insert. Nothing reaches the image unless
 * every result arrived. */
#define OAIMG_SHUTDOWN_WARNING_DAYS 90
struct _OaimgSettings;
gboolean oaimg_job_run (const OaimgHost             *host,
                        oaimg_client                *client,
                        const OaimgJobParams        *params,
                        const OaimgSource           *source,
                        const struct _OaimgSettings *settings,
                        GError                     **error);

/* The layer group's name for a run: the prompt's first line, shortened, or a fallback. */
char *oaimg_job_group_name (const OaimgJobParams *params);

/* A translated, readable message for a failed client call: what went wrong and what to do
 * (a refused key, a rate limit with its wait, a blocked prompt, an unreachable server, ...). */
char *oaimg_message_for_failure (oaimg_status status, const oaimg_client *client);

/* The stage's translated name for progress bars. */
const char *oaimg_message_for_stage (oaimg_stage stage);

/* The provenance stored with each result layer, as JSON. */
char *oaimg_provenance_json (const OaimgJobParams *params, const oaimg_result *result,
                             size_t index);

/* ---- Settings (GKeyFile in <profile>/oaimg/settings.ini) and the API key ---------------------- */

typedef struct _OaimgSettings
{
  char *base_url;      /* "" = OpenAI's default */
  char *default_model; /* "" = oaimg's default for the server */
  int   timeout_s;     /* per attempt, > 0 */
  /* A stable id of the user (a hash of a name or e-mail address) that OpenAI's safety
   * monitoring may use; "" = none, and nothing is sent. */
  char *safety_identifier;
} OaimgSettings;

#define OAIMG_SETTINGS_DEFAULT_TIMEOUT_S 600

/* Loads the settings; missing or unreadable files give the defaults. */
void     oaimg_settings_load  (const char *profile_dir, OaimgSettings *settings);
gboolean oaimg_settings_save  (const char *profile_dir, const OaimgSettings *settings,
                               GError **error);
void     oaimg_settings_clear (OaimgSettings *settings);
/* Saves a key file as <profile>/oaimg/NAME, creating the folder (0700) when needed. */
gboolean oaimg_profile_save_key_file (const char *profile_dir, const char *name, GKeyFile *file,
                                      GError **error);

/* The stored API key, or NULL. Looked up in the desktop keyring (libsecret, schema
 * "org.oaimg.ApiKey") when one is running, else in <profile>/oaimg/api-key. */
char    *oaimg_secret_load  (const char *profile_dir);
/* Stores the key ("" or NULL removes it) in the keyring when one is running, else in the 0600
 * file; *where_out (static, translated) says which. */
gboolean oaimg_secret_store (const char *profile_dir, const char *api_key,
                             const char **where_out, GError **error);

/* A client configured from the settings and the stored key. OPENAI_API_KEY and OPENAI_BASE_URL,
 * when set and not empty, win over what is stored. */
oaimg_client *oaimg_settings_make_client (const char *profile_dir, const OaimgSettings *settings,
                                          GError **error);

G_END_DECLS

#endif /* OAIMG_PLUGIN_H */
