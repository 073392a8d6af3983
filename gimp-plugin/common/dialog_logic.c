/* The dialogs' decisions without a toolkit (oaimg_dialog.h), and the upload preview, saving the
 * Settings dialog and the environment notes (dialog_logic.h). What a model accepts is asked of
 * liboaimg itself: a request carrying only the value in question is checked with
 * oaimg_client_plan(), and the parameter named in its error says whether that value was refused.
 * So the dialog can never offer what the library would then refuse, and needs no table of its own. */
#include "oaimg_dialog.h"
#include "dialog_logic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define HISTORY_GROUP      "prompts"
#define HISTORY_MAX_CHARS  4000
#define UPSCALE_WARN_RATIO 2.0

static gboolean
is_unset (const char *value)
{
  return value == NULL || value[0] == '\0';
}

/* ---- Model order ----------------------------------------------------------------------------- */

/* "gpt-image-2.5-flare" -> 2.5; "chatgpt-image-latest" -> above every version; others -> -1. */
static double
model_version (const char *name)
{
  const char *prefix = "gpt-image-";

  if (strcmp (name, "chatgpt-image-latest") == 0)
    return 1e9;
  if (g_str_has_prefix (name, prefix))
    return g_ascii_strtod (name + strlen (prefix), NULL);
  if (g_str_has_prefix (name, "dall-e-"))
    return g_ascii_strtod (name + strlen ("dall-e-"), NULL) / 100.0;
  return -1.0;
}

/* A dated snapshot ("...-2026-09-08") is listed after its alias. */
static gboolean
is_snapshot (const char *name)
{
  size_t len = strlen (name);

  return len > 11 && name[len - 11] == '-' && g_ascii_isdigit (name[len - 10]) &&
         name[len - 6] == '-' && name[len - 3] == '-';
}

static int
compare_models (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a;
  const char *y = *(const char *const *) b;
  double      vx, vy;

  if (oaimg_model_is_retired (x) != oaimg_model_is_retired (y))
    return oaimg_model_is_retired (x) ? 1 : -1;
  vx = model_version (x);
  vy = model_version (y);
  if (vx != vy)
    return vx > vy ? -1 : 1;
  if (is_snapshot (x) != is_snapshot (y))
    return is_snapshot (x) ? 1 : -1;
  return strcmp (x, y);
}

const char **
oaimg_dialog_models (oaimg_operation operation)
{
  GPtrArray *names = g_ptr_array_new ();

  for (size_t i = 0; i < oaimg_model_count (); i++)
    {
      const char *name = oaimg_model_name (i);
      if (name && (operation == 0 || oaimg_model_supports (name, operation)))
        g_ptr_array_add (names, (gpointer) name);
    }
  g_ptr_array_sort (names, compare_models);
  g_ptr_array_add (names, NULL);
  return (const char **) g_ptr_array_free (names, FALSE);
}

char *
oaimg_dialog_model_label (const char *model)
{
  if (model != NULL && oaimg_model_is_retired (model))
    /* TRANSLATORS: a model OpenAI no longer serves; compatible servers may. */
    return g_strdup_printf (_("%s (retired)"), model);
  return g_strdup (model ? model : "");
}

char *
oaimg_dialog_model_from_label (const char *label)
{
  char *name = g_strstrip (g_strdup (label ? label : ""));
  char *space = strchr (name, ' ');

  /* Model names have no spaces: whatever follows the first one is the label's remark. */
  if (space)
    *space = '\0';
  return name;
}

/* ---- Probing what a model accepts ------------------------------------------------------------ */

static oaimg_client *
probe_client (void)
{
  static oaimg_client *client;

  if (client == NULL && oaimg_client_new (&client) != OAIMG_OK)
    client = NULL;
  /* Not OpenAI's own URL: there a retired model is refused as a whole, before its values are
   * looked at. The probe asks about the values; the run itself reports a retired model. */
  if (client != NULL)
    oaimg_client_set_base_url (client, "http://127.0.0.1/v1");
  return client;
}

/* Plans a request with the model and the given fields only; TRUE when the planner did not refuse
 * `param` (a failure about anything else, such as the missing input image, does not count). */
static gboolean
probe (const char *model, oaimg_operation operation, const char *param, const char *prompt,
       int n, const char *quality, const char *background)
{
  oaimg_client  *client  = probe_client ();
  oaimg_request *request = NULL;
  oaimg_plan    *plan    = NULL;
  gboolean       taken   = TRUE;

  if (client == NULL || is_unset (model) || oaimg_request_new (operation, &request) != OAIMG_OK)
    return TRUE;
  oaimg_request_set_model (request, model);
  oaimg_request_set_n (request, n);
  if (prompt)
    oaimg_request_set_prompt (request, prompt);
  if (quality)
    oaimg_request_set_quality (request, quality);
  if (background)
    oaimg_request_set_background (request, background);
  if (oaimg_client_plan (client, request, &plan) != OAIMG_OK)
    taken = g_strcmp0 (oaimg_client_error_param (client), param) != 0;
  oaimg_plan_free (plan);
  oaimg_request_free (request);
  return taken;
}

gboolean
oaimg_dialog_takes_prompt (const char *model, oaimg_operation operation)
{
  return probe (model, operation, "prompt", "a picture", 1, NULL, NULL);
}

static const char *
probe_prompt (const char *model, oaimg_operation operation)
{
  return oaimg_dialog_takes_prompt (model, operation) ? "a picture" : NULL;
}

static gboolean
takes_size (const char *model, oaimg_operation operation, const char *size)
{
  size_t count = oaimg_model_size_count (model, operation);

  for (size_t i = 0; i < count; i++)
    if (g_strcmp0 (oaimg_model_size (model, operation, i), size) == 0)
      return TRUE;
  return FALSE;
}

gboolean
oaimg_dialog_accepts (const char *model, oaimg_operation operation, OaimgChoiceParam param,
                      const char *value)
{
  if (is_unset (value) || strcmp (value, "auto") == 0 || param == OAIMG_CHOICE_CONTEXT)
    return TRUE;
  if (param == OAIMG_CHOICE_SIZE)
    return takes_size (model, operation, value);
  if (param == OAIMG_CHOICE_QUALITY)
    return probe (model, operation, "quality", probe_prompt (model, operation), 1, value, NULL);
  return probe (model, operation, "background", probe_prompt (model, operation), 1, NULL, value);
}

OaimgChoice *
oaimg_dialog_choices (const char *model, oaimg_operation operation, OaimgChoiceParam param,
                      const char *current, int *count_out, int *active_out)
{
  static const OaimgChoice quality[] = {
    { "auto", N_("Automatic") }, { "low", N_("Low") }, { "medium", N_("Medium") },
    { "high", N_("High") }, { NULL, NULL } };
  static const OaimgChoice background[] = {
    { "auto", N_("Automatic") }, { "opaque", N_("Opaque") },
    { "transparent", N_("Transparent") }, { NULL, NULL } };
  static const OaimgChoice context[] = {
    { "auto", N_("Selection with a margin") }, { "selection", N_("Selection only") },
    { "image", N_("Whole layer") }, { NULL, NULL } };
  GArray *offered = g_array_new (TRUE, TRUE, sizeof (OaimgChoice));
  int     active  = 0;

  if (param == OAIMG_CHOICE_SIZE)
    {
      size_t      count = oaimg_model_size_count (model, operation);
      OaimgChoice choice = { "auto", _("Automatic (planned from the region)") };

      g_array_append_val (offered, choice);
      for (size_t i = 0; i < count; i++)
        {
          const char *size = oaimg_model_size (model, operation, i);
          if (size && strcmp (size, "auto") != 0)
            {
              OaimgChoice entry = { size, size };
              if (g_strcmp0 (current, size) == 0 && takes_size (model, operation, size))
                active = (int) offered->len;
              g_array_append_val (offered, entry);
            }
        }
    }
  else
    {
      const OaimgChoice *all = param == OAIMG_CHOICE_QUALITY      ? quality
                               : param == OAIMG_CHOICE_BACKGROUND ? background
                                                                  : context;
      for (int i = 0; all[i].id; i++)
        if (param == OAIMG_CHOICE_CONTEXT || oaimg_dialog_accepts (model, operation, param,
                                                                   all[i].id))
          {
            OaimgChoice entry = { all[i].id, _(all[i].label) };
            if (g_strcmp0 (current, all[i].id) == 0)
              active = (int) offered->len;
            g_array_append_val (offered, entry);
          }
    }
  *count_out  = (int) offered->len;
  *active_out = active;
  return (OaimgChoice *) g_array_free (offered, FALSE);
}

int
oaimg_dialog_max_n (const char *model, oaimg_operation operation)
{
  const char *prompt = probe_prompt (model, operation);

  for (int n = 10; n > 1; n--)
    if (probe (model, operation, "n", prompt, n, NULL, NULL))
      return n;
  return 1;
}

gboolean
oaimg_dialog_context_applies (oaimg_operation operation)
{
  return operation != OAIMG_GENERATE;
}

/* ---- Is the request valid? ------------------------------------------------------------------- */

char *
oaimg_dialog_plan_problem (const oaimg_client *client, const char *model)
{
  const char *param  = oaimg_client_error_param (client);
  const char *detail = oaimg_client_error_message (client);
  char       *headline;
  char       *message;

  if (g_strcmp0 (param, "prompt") == 0)
    headline = g_strdup_printf (_("%s does not accept this prompt."), model);
  else if (g_strcmp0 (param, "size") == 0)
    headline = g_strdup_printf (_("%s does not accept this size. Choose another size."), model);
  else if (g_strcmp0 (param, "quality") == 0)
    headline = g_strdup_printf (_("%s does not accept this quality. Choose another quality."),
                                model);
  else if (g_strcmp0 (param, "background") == 0)
    headline = g_strdup_printf (_("%s does not accept this background. Choose another "
                                  "background."),
                                model);
  else if (g_strcmp0 (param, "n") == 0)
    headline = g_strdup_printf (_("%s does not make this many images in one run."), model);
  else if (g_strcmp0 (param, "model") == 0)
    headline = g_strdup_printf (_("%s cannot be used for this. Choose another model."), model);
  else
    headline = g_strdup (_("This request cannot be sent."));
  /* The library's detail names the value and what would be right; it is English. */
  message = is_unset (detail) ? g_strdup (headline)
                              : g_strdup_printf (_("%s\n(%s)"), headline, detail);
  g_free (headline);
  return message;
}

char *
oaimg_dialog_problem (oaimg_client *client, const OaimgJobParams *params,
                      const OaimgSource *source, const char *default_model)
{
  GError        *error   = NULL;
  char          *model   = NULL;
  oaimg_plan    *plan    = NULL;
  char          *problem = NULL;
  oaimg_request *request = oaimg_job_build_request (client, params, source, default_model, FALSE,
                                                    &model, &error);

  if (request == NULL)
    {
      problem = g_strdup (error->message);
      g_clear_error (&error);
      return problem;
    }
  if (oaimg_client_plan (client, request, &plan) != OAIMG_OK)
    problem = oaimg_dialog_plan_problem (client, model);
  oaimg_plan_free (plan);
  oaimg_request_free (request);
  g_free (model);
  return problem;
}

char *
oaimg_dialog_upscale_warning (uint32_t region_width, uint32_t region_height,
                              uint32_t sent_width, uint32_t sent_height,
                              gboolean model_allows_larger)
{
  double ratio;

  if (sent_width == 0 || sent_height == 0)
    return NULL;
  ratio = MAX ((double) region_width / sent_width, (double) region_height / sent_height);
  if (ratio <= UPSCALE_WARN_RATIO)
    return NULL;
  if (model_allows_larger)
    return g_strdup_printf (_("The results will be enlarged %.1f× to fill the region and look "
                              "soft. Choose a larger size, or select a smaller area."),
                            ratio);
  return g_strdup_printf (_("The results will be enlarged %.1f× to fill the region and look "
                            "soft. A model with larger sizes (gpt-image-2 or later) or a smaller "
                            "selection would help."),
                          ratio);
}

/* ---- Prompt history and last values ---------------------------------------------------------- */

static char *
profile_file (const char *profile_dir, const char *name)
{
  return g_build_filename (profile_dir, "oaimg", name, NULL);
}

static GKeyFile *
load_key_file (const char *profile_dir, const char *name)
{
  GKeyFile *file = g_key_file_new ();
  char     *path = profile_file (profile_dir, name);

  /* Missing or broken: the dialog starts empty rather than failing. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  g_free (path);
  return file;
}

char **
oaimg_prompt_history_load (const char *profile_dir)
{
  GKeyFile *file    = load_key_file (profile_dir, "history.ini");
  char    **prompts = g_key_file_get_string_list (file, HISTORY_GROUP, "prompt", NULL, NULL);

  g_key_file_unref (file);
  return prompts ? prompts : g_new0 (char *, 1);
}

char *
oaimg_prompt_history_label (const char *prompt)
{
  char *first = g_utf8_substring (prompt ? prompt : "", 0, 60);
  char *nl    = strchr (first, '\n');

  if (nl)
    *nl = '\0';
  return first;
}

gboolean
oaimg_prompt_history_add (const char *profile_dir, const char *prompt, GError **error)
{
  char    **old;
  GPtrArray *kept;
  GKeyFile  *file;
  gboolean   ok;

  if (is_unset (prompt) || g_utf8_strlen (prompt, -1) > HISTORY_MAX_CHARS)
    return TRUE;
  old  = oaimg_prompt_history_load (profile_dir);
  kept = g_ptr_array_new ();
  g_ptr_array_add (kept, (gpointer) prompt);
  for (char **p = old; *p && kept->len < OAIMG_PROMPT_HISTORY_MAX; p++)
    if (strcmp (*p, prompt) != 0)
      g_ptr_array_add (kept, *p);

  file = g_key_file_new ();
  g_key_file_set_comment (file, NULL, NULL,
                          " oaimg GIMP plug-in: the last prompts, newest first.", NULL);
  g_key_file_set_string_list (file, HISTORY_GROUP, "prompt",
                              (const char *const *) kept->pdata, kept->len);
  ok = oaimg_profile_save_key_file (profile_dir, "history.ini", file, error);
  g_key_file_unref (file);
  g_ptr_array_free (kept, TRUE);
  g_strfreev (old);
  return ok;
}

static const char *
operation_group (oaimg_operation operation)
{
  switch (operation)
    {
    case OAIMG_EDIT:      return "edit";
    case OAIMG_VARIATION: return "variation";
    default:              return "generate";
    }
}

void
oaimg_dialog_values_clear (OaimgDialogValues *values)
{
  g_clear_pointer (&values->prompt, g_free);
  g_clear_pointer (&values->model, g_free);
  g_clear_pointer (&values->size, g_free);
  g_clear_pointer (&values->quality, g_free);
  g_clear_pointer (&values->background, g_free);
}

gboolean
oaimg_dialog_values_load (const char *profile_dir, oaimg_operation operation,
                          OaimgDialogValues *values)
{
  GKeyFile   *file  = load_key_file (profile_dir, "last-values.ini");
  const char *group = operation_group (operation);
  gboolean    found = g_key_file_has_group (file, group);

  if (found)
    {
      oaimg_dialog_values_clear (values);
      values->prompt        = g_key_file_get_string (file, group, "prompt", NULL);
      values->n             = CLAMP (g_key_file_get_integer (file, group, "n", NULL), 1, 10);
      values->model         = g_key_file_get_string (file, group, "model", NULL);
      values->size          = g_key_file_get_string (file, group, "size", NULL);
      values->context       = g_key_file_get_integer (file, group, "context", NULL);
      values->quality       = g_key_file_get_string (file, group, "quality", NULL);
      values->background    = g_key_file_get_string (file, group, "background", NULL);
      values->sample_merged = g_key_file_get_boolean (file, group, "sample_merged", NULL);
    }
  g_key_file_unref (file);
  return found;
}

gboolean
oaimg_dialog_values_save (const char *profile_dir, oaimg_operation operation,
                          const OaimgDialogValues *values, GError **error)
{
  GKeyFile   *file  = load_key_file (profile_dir, "last-values.ini");
  const char *group = operation_group (operation);
  gboolean    ok;

  g_key_file_set_comment (file, NULL, NULL,
                          " oaimg GIMP plug-in: what each dialog held when last closed.", NULL);
  g_key_file_set_string (file, group, "prompt", values->prompt ? values->prompt : "");
  g_key_file_set_integer (file, group, "n", values->n);
  g_key_file_set_string (file, group, "model", values->model ? values->model : "");
  g_key_file_set_string (file, group, "size", values->size ? values->size : "auto");
  g_key_file_set_integer (file, group, "context", values->context);
  g_key_file_set_string (file, group, "quality", values->quality ? values->quality : "auto");
  g_key_file_set_string (file, group, "background",
                         values->background ? values->background : "auto");
  g_key_file_set_boolean (file, group, "sample_merged", values->sample_merged);
  ok = oaimg_profile_save_key_file (profile_dir, "last-values.ini", file, error);
  g_key_file_unref (file);
  return ok;
}

/* ---- Results --------------------------------------------------------------------------------- */

char *
oaimg_result_layer_name (size_t index)
{
  return g_strdup_printf (_("Result %zu"), index + 1);
}

static int
first_visible (const gboolean *visible, int count)
{
  for (int i = 0; i < count; i++)
    if (visible[i])
      return i;
  return -1;
}

int
oaimg_results_step (const gboolean *visible, int count, OaimgShowStep step)
{
  int shown;

  if (count <= 0)
    return -1;
  shown = first_visible (visible, count);
  if (shown < 0)
    return step == OAIMG_SHOW_NEXT ? 0 : count - 1;
  return ((shown + (int) step) % count + count) % count;
}

int
oaimg_results_kept (const gboolean *visible, int count)
{
  int shown;

  if (count <= 0)
    return -1;
  shown = first_visible (visible, count);
  return shown < 0 ? 0 : shown;
}

gboolean
oaimg_results_is_group (const gboolean *child_is_result, int count)
{
  if (count <= 0)
    return FALSE;
  for (int i = 0; i < count; i++)
    if (!child_is_result[i])
      return FALSE;
  return TRUE;
}

int
oaimg_results_insert_position (const gboolean *sibling_is_group, int anchor_position)
{
  int position = MAX (anchor_position, 0);

  while (position > 0 && sibling_is_group[position - 1])
    position--;
  return position;
}

int
oaimg_results_choose (OaimgChooseAction action, const gboolean *visible, int count,
                      gboolean *visible_out, gboolean *remove_out)
{
  int chosen;

  if (action == OAIMG_CHOOSE_KEEP)
    chosen = oaimg_results_kept (visible, count);
  else
    chosen = oaimg_results_step (visible, count,
                                 action == OAIMG_CHOOSE_NEXT ? OAIMG_SHOW_NEXT
                                                             : OAIMG_SHOW_PREVIOUS);
  for (int i = 0; i < count; i++)
    {
      visible_out[i] = i == chosen;
      remove_out[i]  = action == OAIMG_CHOOSE_KEEP && i != chosen;
    }
  return chosen;
}

const char *
oaimg_message_no_results (void)
{
  return _("Select a result layer of OpenAI Images, or its group.");
}

/* ---- The procedures -------------------------------------------------------------------------- */

static const OaimgProcedureInfo procedures[OAIMG_PROC_COUNT] = {
  { "plug-in-oaimg-edit", N_("_Inpaint Selection…"), N_("Repaint the selection from a prompt"),
    N_("Sends the selected part of the active layer with its surroundings to the model and adds "
       "the results as a layer group above the layer, each masked to the selection."),
    "Jobs", OAIMG_EDIT },
  { "plug-in-oaimg-variation", N_("_Variations…"), N_("Variations of the selection or the layer"),
    N_("Asks the model for variations of the selected region (or the whole layer) and adds them "
       "as a layer group above the layer."),
    "Jobs", OAIMG_VARIATION },
  { "plug-in-oaimg-generate", N_("_New Layers from Prompt…"),
    N_("Generate new layers from a prompt"),
    N_("Generates images from a prompt to fill the selection's bounds (or the canvas) and adds "
       "them as a layer group."),
    "Jobs", OAIMG_GENERATE },
  { "plug-in-oaimg-extend", N_("_Extend Canvas…"),
    N_("Grow the canvas and fill the new area from the image"),
    N_("Adds pixels on each side of the canvas (or up to an aspect ratio) and fills them from the "
       "image as it is shown, blended across the old edge; the results are a layer group over "
       "the grown canvas, as one undo step."),
    "Jobs", OAIMG_EDIT },
  { "plug-in-oaimg-next-result", N_("Show Ne_xt Result"), N_("Show the next result of the group"),
    N_("Hides the shown result of the group under the active layer and shows the next one "
       "(after the last, the first)."),
    "Results", 0 },
  { "plug-in-oaimg-previous-result", N_("Show _Previous Result"),
    N_("Show the previous result of the group"),
    N_("Hides the shown result of the group under the active layer and shows the one before it "
       "(before the first, the last)."),
    "Results", 0 },
  { "plug-in-oaimg-keep-result", N_("_Keep Shown Result"),
    N_("Keep the shown result and remove the others"),
    N_("Removes every result of the group under the active layer except the shown one, as one "
       "undo step."),
    "Results", 0 },
  { "plug-in-oaimg-settings", N_("_Settings…"), N_("API key, server, default model and timeout"),
    N_("The key is kept in the desktop keyring when one is running, else in a file in the GIMP "
       "profile that only you can read. OPENAI_API_KEY and OPENAI_BASE_URL win when set."),
    "Settings", 0 },
};

const char *
oaimg_menu_branch_label (void)
{
  return N_("_OpenAI Images");
}

const OaimgProcedureInfo *
oaimg_procedures (void)
{
  return procedures;
}

const OaimgProcedureInfo *
oaimg_procedure_for (oaimg_operation operation)
{
  for (int i = 0; i < OAIMG_PROC_COUNT; i++)
    if (procedures[i].operation == operation && operation != 0)
      return &procedures[i];
  return &procedures[OAIMG_PROC_EDIT];
}

const OaimgProcedureInfo *
oaimg_procedure_find (const char *name, OaimgProcedureId *id_out)
{
  for (int i = 0; i < OAIMG_PROC_COUNT; i++)
    if (g_strcmp0 (procedures[i].name, name) == 0)
      {
        if (id_out)
          *id_out = (OaimgProcedureId) i;
        return &procedures[i];
      }
  return NULL;
}

/* ---- Progress and messages ------------------------------------------------------------------- */

char *
oaimg_retry_reason_text (const char *reason)
{
  int status = 0;

  if (reason == NULL || reason[0] == '\0')
    return g_strdup (_("Failed"));
  if (strcmp (reason, "rate limited (HTTP 429)") == 0)
    return g_strdup (_("Rate limited (HTTP 429)"));
  if (strcmp (reason, "timed out") == 0)
    return g_strdup (_("Timed out"));
  if (strcmp (reason, "connection failed") == 0)
    return g_strdup (_("Connection failed"));
  if (sscanf (reason, "HTTP %d", &status) == 1 && status >= 500)
    /* TRANSLATORS: why a request is tried again, e.g. "Server error (HTTP 503)". */
    return g_strdup_printf (_("Server error (HTTP %d)"), status);
  if (status > 0)
    /* TRANSLATORS: why a request is tried again, e.g. "The server answered HTTP 408". */
    return g_strdup_printf (_("The server answered HTTP %d"), status);
  return g_strdup (reason);
}

char *
oaimg_progress_text (const OaimgProgress *progress)
{
  GString *text    = g_string_new (progress->stage_text ? progress->stage_text : "");
  int      seconds = (int) MAX (0.0, progress->elapsed_s);

  /* TRANSLATORS: the stage, then the time since Send, e.g. "Waiting for the server · 12 s". */
  g_string_append_printf (text, _(" · %d s"), seconds);
  if (progress->retry_reason != NULL && progress->retry_in_ms >= 0)
    {
      char *reason = oaimg_retry_reason_text (progress->retry_reason);
      /* Rounded up: "in 0 s" while a wait is still running would look stuck. */
      int   in_s   = (int) ((progress->retry_in_ms + 999) / 1000);

      g_string_append_c (text, '\n');
      if (progress->retry_attempt > 1)
        /* TRANSLATORS: a retry's reason, the seconds until it starts and which retry it is:
         * "Rate limited (HTTP 429) — trying again in 3 s (retry 2)". */
        g_string_append_printf (text, _("%s — trying again in %d s (retry %d)"), reason, in_s,
                                progress->retry_attempt);
      else
        /* TRANSLATORS: a retry's reason and the seconds until it starts:
         * "Rate limited (HTTP 429) — trying again in 3 s". */
        g_string_append_printf (text, _("%s — trying again in %d s"), reason, in_s);
      g_free (reason);
    }
  if (progress->total > 0 && progress->received >= 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%d of %d result received",
                                                 "%d of %d results received", progress->total),
                              MIN (progress->received, progress->total), progress->total);
    }
  return g_string_free (text, FALSE);
}

OaimgKeySource
oaimg_key_source (const char *profile_dir)
{
  const char *env = g_getenv ("OPENAI_API_KEY");
  char       *stored;

  if (env != NULL && env[0] != '\0')
    return OAIMG_KEY_ENVIRONMENT;
  stored = oaimg_secret_load (profile_dir);
  if (stored == NULL)
    return OAIMG_KEY_NONE;
  memset (stored, 0, strlen (stored));
  g_free (stored);
  return OAIMG_KEY_STORED;
}

const char *
oaimg_message_no_key (void)
{
  return _("No API key is set: nothing can be sent. Enter one in Settings (the button below, or "
           "Filters ▸ OpenAI Images ▸ Settings…), or set OPENAI_API_KEY.");
}

/* ---- Upload preview, saving the Settings dialog, environment notes (dialog_logic.h) ---------- */
/* First written for the GIMP 2.10 host; any host may use them. */

const char *
oaimg_dialog_model_in_use (oaimg_client *client, oaimg_operation operation, const char *typed,
                           const char *default_model)
{
  if (typed != NULL && typed[0] != '\0')
    return typed;
  if (default_model != NULL && default_model[0] != '\0')
    return default_model;
  return oaimg_default_model (oaimg_client_base_url (client), operation);
}

static void
decode_upload (const uint8_t *png, size_t size, uint8_t **rgba, uint32_t *w, uint32_t *h)
{
  uint8_t *pixels = NULL;

  if (oaimg_png_decode (png, size, 0, &pixels, w, h) != OAIMG_OK || *w == 0 || *h == 0)
    {
      oaimg_free (pixels);
      *w = *h = 0;
      return;
    }
  /* Ours to free with g_free, like everything else the preview holds. */
  g_free (*rgba);
  *rgba = g_memdup2 (pixels, (gsize) *w * *h * 4);
  oaimg_free (pixels);
}

/* The plan in the user's words. The library's own notes are English, so they are not shown as
 * they are: each upload gets a translated line, and the one note that matters (results enlarged)
 * is the dialog's own. */
static void
describe_plan (const oaimg_plan *plan, const OaimgSource *source, GString *info,
               OaimgPreview *preview)
{
  int32_t     x, y;
  uint32_t    w, h, tw, th;
  const char *sent_size = oaimg_plan_size (plan);
  char       *warning;
  guint       references = 0;

  oaimg_plan_region (plan, &x, &y, &w, &h);
  oaimg_plan_target_size (plan, &tw, &th);
  g_string_append_printf (info, _("Model %s, %s\nRegion %u × %u at (%d, %d), sent as %u × %u"),
                          oaimg_plan_model (plan), oaimg_plan_endpoint (plan), w, h,
                          x + source->origin_x, y + source->origin_y, tw, th);
  if (sent_size)
    g_string_append_printf (info, _(", size %s"), sent_size);
  g_string_append_printf (info, g_dngettext (GETTEXT_PACKAGE, "\n%d request", "\n%d requests",
                                             oaimg_plan_request_count (plan)),
                          oaimg_plan_request_count (plan));
  for (size_t i = 0; i < oaimg_plan_upload_count (plan); i++)
    {
      const char    *name = NULL;
      const uint8_t *data = NULL;
      size_t         len  = 0;
      gboolean       is_mask, is_markup;
      uint32_t       uw = 0, uh = 0;

      if (oaimg_plan_upload (plan, i, &name, &data, &len) != OAIMG_OK)
        continue;
      /* A guide's markup takes the mask's place: an edit sends one or the other. */
      is_markup = strcmp (name, "markup") == 0;
      is_mask   = is_markup || strcmp (name, "mask") == 0;
      if (is_mask)
        {
          decode_upload (data, len, &preview->mask_rgba, &preview->mask_width,
                         &preview->mask_height);
          uw = preview->mask_width;
          uh = preview->mask_height;
        }
      else if (g_str_has_prefix (name, "image") && preview->image_rgba == NULL)
        {
          decode_upload (data, len, &preview->image_rgba, &preview->image_width,
                         &preview->image_height);
          uw = preview->image_width;
          uh = preview->image_height;
        }
      else if (g_str_has_prefix (name, "image"))
        {
          /* The edited image is the first; the others are reference layers (references.c),
           * which the dialog shows as thumbnails of their own. */
          uint8_t *reference = NULL;

          decode_upload (data, len, &reference, &uw, &uh);
          g_free (reference);
          if (uw > 0)
            /* TRANSLATORS: a reference image sent after the edited one; %u counts from 1. */
            g_string_append_printf (info, _("\nReference %u: %u × %u PNG, %.1f kB"),
                                    ++references, uw, uh, len / 1000.0);
          continue;
        }
      if (uw > 0)
        g_string_append_printf (info, _("\n%s: %u × %u PNG, %.1f kB"),
                                is_markup ? _("Guide") : is_mask ? _("Mask") : _("Image"), uw,
                                uh, len / 1000.0);
    }
  warning = oaimg_dialog_upscale_warning (w, h, tw, th,
                                          oaimg_model_allows_custom_size (oaimg_plan_model (plan)));
  if (warning)
    g_string_append_printf (info, "\n%s", warning);
  g_free (warning);
}

void
oaimg_dialog_preview (oaimg_client *client, const OaimgJobParams *params,
                      const OaimgSource *source, const char *source_problem,
                      const char *default_model, OaimgPreview *preview)
{
  OaimgJobParams  shown   = *params;
  oaimg_request  *request = NULL;
  oaimg_plan     *plan    = NULL;
  GError         *error   = NULL;
  char           *model   = NULL;
  const char     *in_use;
  GString        *info    = g_string_new (NULL);

  memset (preview, 0, sizeof *preview);
  in_use                = oaimg_dialog_model_in_use (client, params->operation, params->model,
                                                     default_model);
  preview->takes_prompt = oaimg_dialog_takes_prompt (in_use, params->operation);
  if (!preview->takes_prompt)
    {
      shown.prompt         = NULL;
      preview->prompt_note = g_strdup_printf (_("%s takes no prompt for variations: the prompt "
                                                "is not sent."),
                                              in_use);
    }
  else if (is_unset (shown.prompt) && params->operation != OAIMG_VARIATION)
    {
      preview->problem = g_strdup (_("Type a prompt that describes the picture you want."));
      /* The prompt does not change what is uploaded: a stand-in shows the preview meanwhile. */
      shown.prompt = "preview";
    }

  if (source_problem)
    {
      g_free (preview->problem);
      preview->problem = g_strdup (source_problem);
    }
  else if ((request = oaimg_job_build_request (client, &shown, source, default_model, FALSE,
                                               &model, &error)) == NULL)
    {
      g_free (preview->problem);
      preview->problem = g_strdup (error->message);
      g_clear_error (&error);
    }
  else if (oaimg_client_plan (client, request, &plan) != OAIMG_OK)
    {
      g_free (preview->problem);
      preview->problem = oaimg_dialog_plan_problem (client, model);
    }
  else
    describe_plan (plan, source, info, preview);

  preview->info = g_string_free (info, FALSE);
  g_free (model);
  oaimg_plan_free (plan);
  oaimg_request_free (request);
}

void
oaimg_dialog_preview_clear (OaimgPreview *preview)
{
  g_free (preview->info);
  g_free (preview->problem);
  g_free (preview->prompt_note);
  g_free (preview->image_rgba);
  g_free (preview->mask_rgba);
  memset (preview, 0, sizeof *preview);
}

static void
wipe (char *secret)
{
  if (secret)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

gboolean
oaimg_dialog_save_settings (const char *profile_dir, const OaimgSettings *settings,
                            const char *typed_key, gboolean forget, const char **where_out,
                            GError **error)
{
  char    *trimmed = g_strstrip (g_strdup (typed_key ? typed_key : ""));
  gboolean ok      = oaimg_settings_save (profile_dir, settings, error);
  const char *where = NULL;

  *where_out = NULL;
  if (ok && trimmed[0] != '\0')
    {
      ok = oaimg_secret_store (profile_dir, trimmed, &where, error);
      if (ok)
        *where_out = where;
    }
  else if (ok && forget)
    ok = oaimg_secret_store (profile_dir, NULL, &where, error);
  wipe (trimmed);
  return ok;
}

char *
oaimg_dialog_environment_notes (void)
{
  GString *notes = g_string_new (NULL);

  if (g_getenv ("OPENAI_API_KEY") && g_getenv ("OPENAI_API_KEY")[0])
    g_string_append (notes, _("OPENAI_API_KEY is set and is used instead of the stored key.\n"));
  if (g_getenv ("OPENAI_BASE_URL") && g_getenv ("OPENAI_BASE_URL")[0])
    g_string_append (notes, _("OPENAI_BASE_URL is set and is used instead of the base URL.\n"));
  return g_string_free (notes, FALSE);
}

const char *
oaimg_dialog_title (oaimg_operation operation)
{
  switch (operation)
    {
    case OAIMG_EDIT:      return _("Inpaint Selection");
    case OAIMG_VARIATION: return _("Variations");
    default:              return _("New Layers from Prompt");
    }
}

const char *
oaimg_dialog_extend_title (void)
{
  return _("Extend Canvas");
}

char *
oaimg_dialog_progress_title (const OaimgJobParams *params)
{
  /* An extend is an edit to the API, but not to the person who asked for it. */
  const char *what = oaimg_job_is_extend (params) ? oaimg_dialog_extend_title ()
                                                   : oaimg_dialog_title (params->operation);

  /* TRANSLATORS: the progress window's title; %s is the operation, e.g. "Inpaint Selection". */
  return g_strdup_printf (_("Working: %s"), what);
}

char *
oaimg_dialog_test_connection (const char *profile_dir, const char *typed_key,
                              const char *typed_url, long timeout_ms)
{
  const char *env_key = g_getenv ("OPENAI_API_KEY");
  const char *env_url = g_getenv ("OPENAI_BASE_URL");
  const char *url     = typed_url ? typed_url : "";
  char       *key, *message = NULL;

  if (typed_key && typed_key[0])
    key = g_strstrip (g_strdup (typed_key));
  else if (env_key && env_key[0])
    key = g_strdup (env_key);
  else
    key = oaimg_secret_load (profile_dir);
  if (env_url && env_url[0])
    url = env_url;
  else if (url[0] == '\0')
    url = "https://api.openai.com/v1";

  if (key == NULL || key[0] == '\0')
    message = g_strdup (oaimg_message_no_key ());
  else
    oaimg_test_connection (url, key, timeout_ms, &message);
  wipe (key);
  return message;
}
