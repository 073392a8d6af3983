/*
 * What the plug-in's dialogs decide, apart from any toolkit: which models and values to offer for
 * an operation, whether a request can be sent (and the translated reason why not), the prompt
 * history and the last-entered values kept in the profile, result naming and choosing, progress
 * and warning texts, and where the API key came from. A host (GIMP 3 with GTK 3, GIMP 2.10 with
 * GTK 2) only lays these out. Only glib and oaimg.h.
 */
#ifndef OAIMG_DIALOG_H
#define OAIMG_DIALOG_H

#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* ---- What the chosen model accepts ----------------------------------------------------------- */

/* The models offered for an operation (0 = all, for Settings), in the order shown: live models
 * first, newest version first (an alias before its dated snapshots), then retired ones. A
 * NULL-terminated array of static names; free the array only (g_free). */
const char **oaimg_dialog_models (oaimg_operation operation);
/* The name as listed: "dall-e-2 (retired)" for a retired model. Free with g_free. */
char        *oaimg_dialog_model_label (const char *model);
/* The name in a label made by oaimg_dialog_model_label() (or typed by the user). Free with g_free. */
char        *oaimg_dialog_model_from_label (const char *label);

typedef enum
{
  OAIMG_CHOICE_QUALITY,
  OAIMG_CHOICE_BACKGROUND,
  OAIMG_CHOICE_SIZE,
  OAIMG_CHOICE_CONTEXT
} OaimgChoiceParam;

/* One entry of a closed list as a dialog offers it: the value as the procedures and the API
 * spell it, and its translated label. */
typedef struct
{
  const char *id;
  const char *label;
} OaimgChoice;

/* The entries a dialog offers for the parameter with this model, in order, "auto" first: only
 * what the model takes. *active_out is the entry of `current`, or 0 ("auto") when the model does
 * not take it, so that what is shown is what is sent. A list of one entry is no choice: shown,
 * but insensitive. Free the array with g_free (its strings are static or liboaimg's). */
OaimgChoice *oaimg_dialog_choices (const char *model, oaimg_operation operation,
                                   OaimgChoiceParam param, const char *current, int *count_out,
                                   int *active_out);

/* TRUE when the model takes `value` for the parameter on this operation. "auto" (= not sent) is
 * always taken. Unknown models take everything: the server decides. */
gboolean oaimg_dialog_accepts (const char *model, oaimg_operation operation,
                               OaimgChoiceParam param, const char *value);
/* The most results the dialog lets one run ask for with this model (1-10). */
int      oaimg_dialog_max_n (const char *model, oaimg_operation operation);
/* TRUE when the model takes a prompt for the operation (DALL·E 2 variations take none). */
gboolean oaimg_dialog_takes_prompt (const char *model, oaimg_operation operation);
/* TRUE when the Context choice changes anything: a generation always fills the selection's
 * bounds, so there it does nothing. */
gboolean oaimg_dialog_context_applies (oaimg_operation operation);

/* NULL when the request can be sent, else the translated reason why not, naming what to change
 * (a prompt to type, a size or quality the model does not take, ...). Nothing is sent. */
char *oaimg_dialog_problem (oaimg_client *client, const OaimgJobParams *params,
                            const OaimgSource *source, const char *default_model);
/* The translated reason for a failed oaimg_client_plan() of the dialog's request. */
char *oaimg_dialog_plan_problem (const oaimg_client *client, const char *model);

/* A translated warning when the region is sent much smaller than it is (results enlarged more
 * than 2x), naming what would help; NULL when not. */
char *oaimg_dialog_upscale_warning (uint32_t region_width, uint32_t region_height,
                                    uint32_t sent_width, uint32_t sent_height,
                                    gboolean model_allows_larger);

/* ---- What the user typed, kept in the profile ------------------------------------------------ */

#define OAIMG_PROMPT_HISTORY_MAX 10

/* The last prompts, newest first, NULL-terminated (g_strfreev); never NULL. */
/* How a prompt is listed among them: its first line, at most 60 characters. g_free. */
char   *oaimg_prompt_history_label (const char *prompt);
char   **oaimg_prompt_history_load (const char *profile_dir);
/* Puts the prompt first (once), keeps OAIMG_PROMPT_HISTORY_MAX. Empty prompts are not kept. */
gboolean oaimg_prompt_history_add  (const char *profile_dir, const char *prompt, GError **error);

/* Everything the job dialog holds, stored on every interactive run (sent, failed or cancelled),
 * because GIMP keeps a procedure's last values only after a successful run. */
typedef struct
{
  char    *prompt;
  int      n;
  char    *model;
  char    *size;
  int      context;
  char    *quality;
  char    *background;
  gboolean sample_merged;
} OaimgDialogValues;

/* FALSE when nothing is stored for the operation (values are then untouched). */
gboolean oaimg_dialog_values_load  (const char *profile_dir, oaimg_operation operation,
                                    OaimgDialogValues *values);
gboolean oaimg_dialog_values_save  (const char *profile_dir, oaimg_operation operation,
                                    const OaimgDialogValues *values, GError **error);
void     oaimg_dialog_values_clear (OaimgDialogValues *values);

/* ---- Results --------------------------------------------------------------------------------- */

/* "Result 1", "Result 2", ... (translated), index counted from 0. Free with g_free. */
char *oaimg_result_layer_name (size_t index);

typedef enum
{
  OAIMG_SHOW_NEXT = 1,
  OAIMG_SHOW_PREVIOUS = -1
} OaimgShowStep;

/* Which of a group's `count` results to show after a step, wrapping round: the one after (or
 * before) the first visible one; with none visible, the first (or last). -1 when count is 0. */
int oaimg_results_step (const gboolean *visible, int count, OaimgShowStep step);
/* The result to keep: the first visible one, else 0; -1 when count is 0. */
int oaimg_results_kept (const gboolean *visible, int count);

/* The parasite that marks a layer as an oaimg result (its provenance as JSON). */
#define OAIMG_PROVENANCE_PARASITE "oaimg-provenance"

/* A layer group is a run's group of results when it holds layers and every one of them is a
 * result (child_is_result[i]: the i-th child carries the provenance parasite). */
gboolean oaimg_results_is_group (const gboolean *child_is_result, int count);

/* Where a new run's group goes among the anchor layer's siblings (0 = top): right above the
 * anchor, and above the groups earlier runs put right above it (sibling_is_group[i]: the i-th
 * sibling is a results group), so that the new results are what the canvas shows. */
int oaimg_results_insert_position (const gboolean *sibling_is_group, int anchor_position);

typedef enum
{
  OAIMG_CHOOSE_NEXT,
  OAIMG_CHOOSE_PREVIOUS,
  OAIMG_CHOOSE_KEEP
} OaimgChooseAction;

/* What next / previous / keep does to a group's `count` results: visible_out[i] whether result
 * i is shown afterwards, remove_out[i] whether it is removed (keep removes all but the shown
 * one). Returns the result shown, which becomes the active layer; -1 when count is 0. */
int oaimg_results_choose (OaimgChooseAction action, const gboolean *visible, int count,
                          gboolean *visible_out, gboolean *remove_out);

/* Said when next / previous / keep runs on a layer that is no result (translated, static). */
const char *oaimg_message_no_results (void);

/* ---- The procedures, as every host registers them -------------------------------------------- */

typedef enum
{
  OAIMG_PROC_EDIT,
  OAIMG_PROC_VARIATION,
  OAIMG_PROC_GENERATE,
  OAIMG_PROC_EXTEND,
  OAIMG_PROC_NEXT,
  OAIMG_PROC_PREVIOUS,
  OAIMG_PROC_KEEP,
  OAIMG_PROC_SETTINGS,
  OAIMG_PROC_COUNT
} OaimgProcedureId;

/* Names are the scripting contract; texts are untranslated (N_): GIMP 2.10 translates them with
 * the plug-in's domain itself, GIMP 3 wants them translated. section groups the menu: "Jobs",
 * "Results", then "Settings" last. */
typedef struct
{
  const char      *name;
  const char      *menu_label;
  const char      *blurb;
  const char      *help;
  const char      *section;
  oaimg_operation  operation; /* for the jobs (Extend Canvas: OAIMG_EDIT); 0 otherwise */
} OaimgProcedureInfo;

#define OAIMG_MENU_PARENT "<Image>/Filters"
/* The help domain each host registers for help/LANG/ beside its executable; a procedure's help
 * id is its name (help/LANG/gimp-help.xml maps it to its page). */
#define OAIMG_HELP_DOMAIN "org.oaimg.help"
#define OAIMG_MENU_PATH   "<Image>/Filters/OpenAI Images"
/* The submenu's label with its mnemonic (untranslated). */
const char               *oaimg_menu_branch_label (void);
/* The procedures in menu order, OAIMG_PROC_COUNT of them. */
const OaimgProcedureInfo *oaimg_procedures (void);
/* The job procedure of an operation: its name is the job dialog's help id. */
const OaimgProcedureInfo *oaimg_procedure_for (oaimg_operation operation);
/* The procedure of that name, or NULL. */
const OaimgProcedureInfo *oaimg_procedure_find (const char *name, OaimgProcedureId *id_out);

/* ---- Progress and messages ------------------------------------------------------------------- */

/* The progress window's text, translated, one to three lines: the stage and the time since Send
 * ("Waiting for the server · 12 s"); while a retry waits, its reason and countdown ("Rate limited
 * (HTTP 429) — trying again in 3 s"); once the total is known, "1 of 3 results received". */
char *oaimg_progress_text (const OaimgProgress *progress);
/* The library's English retry reason ("rate limited (HTTP 429)", "HTTP 503", "timed out",
 * "connection failed") in the user's language; unknown ones as they are. Free with g_free. */
char *oaimg_retry_reason_text (const char *reason);

typedef enum
{
  OAIMG_KEY_NONE,
  OAIMG_KEY_ENVIRONMENT, /* OPENAI_API_KEY, which wins over what is stored */
  OAIMG_KEY_STORED       /* the keyring or the profile's key file (Settings) */
} OaimgKeySource;

OaimgKeySource oaimg_key_source (const char *profile_dir);
/* One cheap authenticated request (GET {base_url}/models): TRUE when the server accepted the
 * key. *message_out (g_free) says so, or names the exact failure (unreachable, HTTP status and
 * the server's own message). The key goes only into the request's header. */
gboolean oaimg_test_connection (const char *base_url, const char *api_key, long timeout_ms,
                                char **message_out);

/* Shown when a job dialog opens without any key (translated, static). */
const char *oaimg_message_no_key (void);

G_END_DECLS

#endif /* OAIMG_DIALOG_H */
