/* Unit tests of common/dialog_logic.c: what the dialogs offer and refuse, the prompt history and
 * last values in a scratch profile, result naming and choosing, progress and warning texts. No
 * network. Exit 0 = pass; run by tests/gimp3 (dialog_logic) in the chroot. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "dialog_logic.h"
#include "expect.h"
#include "oaimg_dialog.h"

static int
index_of (const char **models, const char *name)
{
  for (int i = 0; models[i]; i++)
    if (strcmp (models[i], name) == 0)
      return i;
  return -1;
}

static void
test_model_order (void)
{
  const char **all = oaimg_dialog_models (0);
  const char **variation = oaimg_dialog_models (OAIMG_EDIT);
  const char **generate = oaimg_dialog_models (OAIMG_GENERATE);
  int          first_retired = -1, n = 0;

  for (; all[n]; n++)
    if (first_retired < 0 && oaimg_model_is_retired (all[n]))
      first_retired = n;
  EXPECT (n == (int) oaimg_model_count ());
  /* Live first, then every retired one. */
  EXPECT (first_retired > 0);
  for (int i = first_retired; i < n; i++)
    EXPECT (oaimg_model_is_retired (all[i]));
  /* Newest first, the alias before its dated snapshot. */
  EXPECT (index_of (all, "gpt-image-2.6-flare") < index_of (all, "gpt-image-2.5-flare"));
  EXPECT (index_of (all, "gpt-image-2.5-flare") < index_of (all, "gpt-image-2.5-flare-2026-09-08"));
  EXPECT (index_of (all, "gpt-image-2.5-flare-2026-09-08") < index_of (all, "gpt-image-2"));
  EXPECT (index_of (all, "gpt-image-2") < index_of (all, "gpt-image-1.5"));
  EXPECT (index_of (all, "gpt-image-1.5") < index_of (all, "gpt-image-1-mini"));
  EXPECT (index_of (all, "dall-e-3") < index_of (all, "dall-e-2"));
  /* dall-e-3 makes no edits: not offered there. */
  EXPECT (index_of (variation, "dall-e-3") < 0);
  EXPECT (index_of (generate, "dall-e-3") >= 0);
  g_free (all);
  g_free (variation);
  g_free (generate);
}

static void
test_labels (void)
{
  char *retired = oaimg_dialog_model_label ("dall-e-2");
  char *live    = oaimg_dialog_model_label ("gpt-image-1.5");
  char *back    = oaimg_dialog_model_from_label (retired);
  char *typed   = oaimg_dialog_model_from_label ("  my-model  ");

  EXPECT (strcmp (retired, "dall-e-2 (retired)") == 0);
  EXPECT (strcmp (live, "gpt-image-1.5") == 0);
  EXPECT (strcmp (back, "dall-e-2") == 0);
  EXPECT (strcmp (typed, "my-model") == 0);
  g_free (retired);
  g_free (live);
  g_free (back);
  g_free (typed);
}

static void
test_accepts (void)
{
  /* DALL·E 2 takes no quality of the GPT models, and no background. */
  EXPECT (!oaimg_dialog_accepts ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "high"));
  EXPECT (oaimg_dialog_accepts ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "auto"));
  EXPECT (!oaimg_dialog_accepts ("dall-e-2", OAIMG_GENERATE, OAIMG_CHOICE_BACKGROUND,
                                 "transparent"));
  EXPECT (oaimg_dialog_accepts ("gpt-image-1.5", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "high"));
  EXPECT (oaimg_dialog_accepts ("gpt-image-1.5", OAIMG_GENERATE, OAIMG_CHOICE_BACKGROUND,
                                "transparent"));
  EXPECT (!oaimg_dialog_accepts ("gpt-image-1.5", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "max"));
  EXPECT (oaimg_dialog_accepts ("gpt-image-2.5-flare", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "max"));
  /* A model oaimg does not know: the server decides. */
  EXPECT (oaimg_dialog_accepts ("someone-elses-model", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "high"));
  /* DALL·E 2 variations take no prompt; its edits and every GPT variation do. */
  EXPECT (!oaimg_dialog_takes_prompt ("dall-e-2", OAIMG_VARIATION));
  EXPECT (oaimg_dialog_takes_prompt ("dall-e-2", OAIMG_EDIT));
  EXPECT (oaimg_dialog_takes_prompt ("gpt-image-1.5", OAIMG_VARIATION));
  EXPECT (oaimg_dialog_max_n ("gpt-image-1.5", OAIMG_EDIT) == 10);
  EXPECT (oaimg_dialog_context_applies (OAIMG_EDIT));
  EXPECT (!oaimg_dialog_context_applies (OAIMG_GENERATE));
}

static void
test_problem (void)
{
  oaimg_client  *client = NULL;
  OaimgJobParams params = { .operation = OAIMG_GENERATE, .n = 1, .model = "dall-e-2",
                            .size = "auto" };
  char          *problem;

  g_assert (oaimg_client_new (&client) == OAIMG_OK);
  oaimg_client_set_base_url (client, "http://127.0.0.1:9/v1");
  problem = oaimg_dialog_problem (client, &params, NULL, NULL);
  EXPECT (problem != NULL && strstr (problem, "prompt") != NULL);
  g_free (problem);

  params.prompt = "a red ball";
  problem = oaimg_dialog_problem (client, &params, NULL, NULL);
  EXPECT (problem == NULL);
  g_free (problem);

  params.quality = "high";
  problem = oaimg_dialog_problem (client, &params, NULL, NULL);
  EXPECT (problem != NULL && strstr (problem, "quality") != NULL &&
          strstr (problem, "dall-e-2") != NULL);
  g_free (problem);

  params.quality = "auto";
  params.size = "1536x1024";
  problem = oaimg_dialog_problem (client, &params, NULL, NULL);
  EXPECT (problem != NULL && strstr (problem, "size") != NULL);
  g_free (problem);
  oaimg_client_free (client);
}

static void
test_history_and_values (void)
{
  char             *profile = g_dir_make_tmp ("oaimg-dialog-test-XXXXXX", NULL);
  char            **history;
  OaimgDialogValues values = { 0 }, loaded = { 0 };
  char              prompt[32];
  char             *path;

  history = oaimg_prompt_history_load (profile);
  EXPECT (history != NULL && history[0] == NULL);
  g_strfreev (history);

  EXPECT (oaimg_prompt_history_add (profile, "a red ball", NULL));
  EXPECT (oaimg_prompt_history_add (profile, "two lines\nof prompt", NULL));
  EXPECT (oaimg_prompt_history_add (profile, "", NULL));
  EXPECT (oaimg_prompt_history_add (profile, "a red ball", NULL));
  history = oaimg_prompt_history_load (profile);
  EXPECT (g_strv_length (history) == 2);
  EXPECT (history[0] && strcmp (history[0], "a red ball") == 0);
  EXPECT (history[1] && strcmp (history[1], "two lines\nof prompt") == 0);
  g_strfreev (history);
  for (int i = 0; i < OAIMG_PROMPT_HISTORY_MAX + 5; i++)
    {
      g_snprintf (prompt, sizeof prompt, "prompt %d", i);
      oaimg_prompt_history_add (profile, prompt, NULL);
    }
  history = oaimg_prompt_history_load (profile);
  EXPECT (g_strv_length (history) == OAIMG_PROMPT_HISTORY_MAX);
  g_snprintf (prompt, sizeof prompt, "prompt %d", OAIMG_PROMPT_HISTORY_MAX + 4);
  EXPECT (strcmp (history[0], prompt) == 0);
  g_strfreev (history);

  EXPECT (!oaimg_dialog_values_load (profile, OAIMG_EDIT, &loaded));
  values.prompt = "typed before a failure";
  values.n = 3;
  values.model = "gpt-image-1.5";
  values.size = "1024x1536";
  values.context = OAIMG_CONTEXT_IMAGE;
  values.quality = "high";
  values.background = "opaque";
  values.sample_merged = TRUE;
  EXPECT (oaimg_dialog_values_save (profile, OAIMG_EDIT, &values, NULL));
  EXPECT (!oaimg_dialog_values_load (profile, OAIMG_GENERATE, &loaded));
  EXPECT (oaimg_dialog_values_load (profile, OAIMG_EDIT, &loaded));
  EXPECT (g_strcmp0 (loaded.prompt, values.prompt) == 0);
  EXPECT (loaded.n == 3 && loaded.context == OAIMG_CONTEXT_IMAGE && loaded.sample_merged);
  EXPECT (g_strcmp0 (loaded.model, "gpt-image-1.5") == 0);
  EXPECT (g_strcmp0 (loaded.size, "1024x1536") == 0);
  EXPECT (g_strcmp0 (loaded.quality, "high") == 0);
  EXPECT (g_strcmp0 (loaded.background, "opaque") == 0);
  oaimg_dialog_values_clear (&loaded);

  path = g_build_filename (profile, "oaimg", "history.ini", NULL);
  g_remove (path);
  g_free (path);
  path = g_build_filename (profile, "oaimg", "last-values.ini", NULL);
  g_remove (path);
  g_free (path);
  path = g_build_filename (profile, "oaimg", NULL);
  g_rmdir (path);
  g_free (path);
  g_rmdir (profile);
  g_free (profile);
}

static void
test_results (void)
{
  gboolean none[3]   = { FALSE, FALSE, FALSE };
  gboolean first[3]  = { TRUE, FALSE, FALSE };
  gboolean last[3]   = { FALSE, FALSE, TRUE };
  char    *name      = oaimg_result_layer_name (0);

  EXPECT (strcmp (name, "Result 1") == 0);
  g_free (name);
  EXPECT (oaimg_results_step (first, 3, OAIMG_SHOW_NEXT) == 1);
  EXPECT (oaimg_results_step (last, 3, OAIMG_SHOW_NEXT) == 0);
  EXPECT (oaimg_results_step (first, 3, OAIMG_SHOW_PREVIOUS) == 2);
  EXPECT (oaimg_results_step (none, 3, OAIMG_SHOW_NEXT) == 0);
  EXPECT (oaimg_results_step (none, 3, OAIMG_SHOW_PREVIOUS) == 2);
  EXPECT (oaimg_results_step (first, 1, OAIMG_SHOW_NEXT) == 0);
  EXPECT (oaimg_results_step (none, 0, OAIMG_SHOW_NEXT) == -1);
  EXPECT (oaimg_results_kept (last, 3) == 2);
  EXPECT (oaimg_results_kept (none, 3) == 0);
}

static void
test_results_choose (void)
{
  gboolean second[3] = { FALSE, TRUE, FALSE };
  gboolean all[2]    = { TRUE, TRUE };
  gboolean mixed[2]  = { TRUE, FALSE };
  gboolean visible[3], removed[3];
  /* Siblings from the top: another layer, two groups of earlier runs, then the anchor. */
  gboolean groups[5] = { FALSE, TRUE, TRUE, FALSE, FALSE };

  EXPECT (oaimg_results_choose (OAIMG_CHOOSE_NEXT, second, 3, visible, removed) == 2);
  EXPECT (!visible[0] && !visible[1] && visible[2] && !removed[0] && !removed[1] && !removed[2]);
  EXPECT (oaimg_results_choose (OAIMG_CHOOSE_PREVIOUS, second, 3, visible, removed) == 0);
  EXPECT (visible[0] && !visible[1] && !visible[2]);
  EXPECT (oaimg_results_choose (OAIMG_CHOOSE_KEEP, second, 3, visible, removed) == 1);
  EXPECT (removed[0] && !removed[1] && removed[2] && visible[1]);
  EXPECT (oaimg_results_choose (OAIMG_CHOOSE_KEEP, second, 0, visible, removed) == -1);

  EXPECT (oaimg_results_is_group (all, 2));
  EXPECT (!oaimg_results_is_group (mixed, 2));
  EXPECT (!oaimg_results_is_group (all, 0));

  /* The new group goes above the earlier runs' groups right above the anchor (position 3). */
  EXPECT (oaimg_results_insert_position (groups, 3) == 1);
  EXPECT (oaimg_results_insert_position (groups, 4) == 4);
  EXPECT (oaimg_results_insert_position (groups, 0) == 0);
}

static void
test_choices (void)
{
  int          count = 0, active = -1;
  OaimgChoice *offered;
  char        *label;

  /* DALL·E 2 takes no quality: only Automatic is offered, and "high" shows (and sends) it. */
  offered = oaimg_dialog_choices ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_QUALITY, "high", &count,
                                  &active);
  EXPECT (count == 1 && strcmp (offered[0].id, "auto") == 0 && active == 0);
  g_free (offered);
  offered = oaimg_dialog_choices ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_SIZE, "512x512", &count,
                                  &active);
  EXPECT (count > 1 && strcmp (offered[0].id, "auto") == 0 &&
          strcmp (offered[active].id, "512x512") == 0);
  g_free (offered);
  offered = oaimg_dialog_choices ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_SIZE, "4096x4096", &count,
                                  &active);
  EXPECT (active == 0);
  g_free (offered);
  offered = oaimg_dialog_choices ("dall-e-2", OAIMG_EDIT, OAIMG_CHOICE_CONTEXT, "image", &count,
                                  &active);
  EXPECT (count == 3 && strcmp (offered[active].id, "image") == 0);
  g_free (offered);

  label = oaimg_prompt_history_label ("first line\nsecond");
  EXPECT (strcmp (label, "first line") == 0);
  g_free (label);
}

static void
test_procedures (void)
{
  const OaimgProcedureInfo *procs = oaimg_procedures ();
  OaimgProcedureId          id    = OAIMG_PROC_COUNT;

  EXPECT (strcmp (procs[OAIMG_PROC_EDIT].name, "plug-in-oaimg-edit") == 0);
  EXPECT (procs[OAIMG_PROC_GENERATE].operation == OAIMG_GENERATE);
  EXPECT (oaimg_procedure_find ("plug-in-oaimg-keep-result", &id) == &procs[OAIMG_PROC_KEEP]);
  EXPECT (id == OAIMG_PROC_KEEP);
  EXPECT (oaimg_procedure_find ("plug-in-oaimg-nothing", NULL) == NULL);
  /* Settings last, after its own separator. */
  EXPECT (strcmp (procs[OAIMG_PROC_COUNT - 1].section, "Settings") == 0);
  EXPECT (strchr (oaimg_menu_branch_label (), '_') != NULL);
}

static void
test_texts (void)
{
  OaimgProgress waiting  = { oaimg_message_for_stage (OAIMG_STAGE_WAITING), -1.0, 12.7, 1, 3,
                             NULL, 0, -1 };
  OaimgProgress sending  = { oaimg_message_for_stage (OAIMG_STAGE_SENDING), 0.1, 0.2, 0, 0,
                             NULL, 0, -1 };
  OaimgProgress retrying = { oaimg_message_for_stage (OAIMG_STAGE_RETRYING), -1.0, 4.0, 0, 1,
                             "rate limited (HTTP 429)", 1, 2001 };
  char         *text = oaimg_progress_text (&waiting);
  char         *warn;

  EXPECT (strcmp (text, "Waiting for the server · 12 s\n1 of 3 results received") == 0);
  g_free (text);
  /* Before the total is known nothing is counted. */
  text = oaimg_progress_text (&sending);
  EXPECT (strcmp (text, "Sending to the server · 0 s") == 0);
  g_free (text);
  /* A retry: its reason in words and the seconds left, rounded up (2.001 s is "3 s"). */
  text = oaimg_progress_text (&retrying);
  EXPECT (strcmp (text, "Waiting before trying again · 4 s\n"
                        "Rate limited (HTTP 429) — trying again in 3 s\n"
                        "0 of 1 result received") == 0);
  g_free (text);
  retrying.retry_reason  = "HTTP 503";
  retrying.retry_attempt = 2;
  retrying.retry_in_ms   = 0;
  text = oaimg_progress_text (&retrying);
  EXPECT (strstr (text, "\nServer error (HTTP 503) — trying again in 0 s (retry 2)\n") != NULL);
  g_free (text);
  /* No countdown once the retry has started (retry_in_ms -1), whatever the reason says. */
  retrying.retry_in_ms = -1;
  text = oaimg_progress_text (&retrying);
  EXPECT (strstr (text, "Rate limited") == NULL && strstr (text, " s (retry") == NULL);
  g_free (text);
  text = oaimg_retry_reason_text ("timed out");
  EXPECT (strcmp (text, "Timed out") == 0);
  g_free (text);
  text = oaimg_retry_reason_text ("HTTP 408");
  EXPECT (strcmp (text, "The server answered HTTP 408") == 0);
  g_free (text);
  text = oaimg_retry_reason_text ("something new");
  EXPECT (strcmp (text, "something new") == 0);
  g_free (text);

  /* 5900 px sent as 1024: 5.8x. */
  warn = oaimg_dialog_upscale_warning (5900, 5900, 1024, 1024, FALSE);
  EXPECT (warn != NULL && strstr (warn, "5.8") != NULL && strstr (warn, "smaller") != NULL);
  g_free (warn);
  EXPECT (oaimg_dialog_upscale_warning (2000, 2000, 1024, 1024, FALSE) == NULL);
}

static void
test_key_source (void)
{
  char *profile = g_dir_make_tmp ("oaimg-dialog-key-XXXXXX", NULL);

  g_setenv ("OPENAI_API_KEY", "sk-test-environment", TRUE);
  EXPECT (oaimg_key_source (profile) == OAIMG_KEY_ENVIRONMENT);
  g_unsetenv ("OPENAI_API_KEY");
  /* No keyring in this test: the key file decides. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  EXPECT (oaimg_key_source (profile) == OAIMG_KEY_NONE);
  EXPECT (oaimg_secret_store (profile, "sk-test-stored", NULL, NULL));
  EXPECT (oaimg_key_source (profile) == OAIMG_KEY_STORED);
  EXPECT (oaimg_secret_store (profile, NULL, NULL, NULL));
  EXPECT (oaimg_key_source (profile) == OAIMG_KEY_NONE);
  {
    char *dir = g_build_filename (profile, "oaimg", NULL);
    g_rmdir (dir);
    g_free (dir);
  }
  g_rmdir (profile);
  g_free (profile);
}

/* What both hosts' job dialogs show (dialog_logic.h): the model in use, the preview's problem,
 * note and description, and the window titles. */
static void
test_preview (void)
{
  static uint8_t rgba[64 * 64 * 4];
  static uint8_t selection[32 * 32];
  OaimgSource    source = { .rgba = rgba, .width = 64, .height = 64, .origin_x = 10,
                            .origin_y = 20, .selection = selection, .selection_width = 32,
                            .selection_height = 32, .selection_x = 16, .selection_y = 16 };
  OaimgJobParams params = { .operation = OAIMG_EDIT, .prompt = "", .n = 1, .model = "dall-e-2",
                            .size = "auto", .context = OAIMG_CONTEXT_AUTO };
  oaimg_client  *client = NULL;
  OaimgPreview   preview;
  char          *title;

  memset (rgba, 200, sizeof rgba);
  memset (selection, 255, sizeof selection);
  EXPECT (oaimg_client_new (&client) == OAIMG_OK);
  /* A compatible server still serves the retired dall-e-2 (OpenAI's own no longer does). */
  EXPECT (oaimg_client_set_base_url (client, "http://127.0.0.1:1/v1") == OAIMG_OK);
  EXPECT (strcmp (oaimg_dialog_model_in_use (client, OAIMG_EDIT, "dall-e-2", "gpt-image-1"),
                  "dall-e-2") == 0);
  EXPECT (strcmp (oaimg_dialog_model_in_use (client, OAIMG_EDIT, "", "gpt-image-1"),
                  "gpt-image-1") == 0);
  EXPECT (oaimg_dialog_model_in_use (client, OAIMG_EDIT, NULL, NULL) != NULL);

  /* No prompt: Send stays insensitive, the preview is still shown. */
  oaimg_dialog_preview (client, &params, &source, NULL, NULL, &preview);
  EXPECT (preview.problem != NULL && strstr (preview.problem, "prompt") != NULL);
  EXPECT (preview.takes_prompt && preview.prompt_note == NULL);
  EXPECT (strstr (preview.info, "Model dall-e-2") != NULL);
  /* The region in image coordinates: the layer's origin added. */
  EXPECT (strstr (preview.info, "at (10, 20)") != NULL);
  EXPECT (strstr (preview.info, "\nImage: ") != NULL);
  EXPECT (preview.image_rgba != NULL && preview.image_width > 0);
  oaimg_dialog_preview_clear (&preview);

  params.prompt = "a red ball";
  oaimg_dialog_preview (client, &params, &source, NULL, NULL, &preview);
  EXPECT (preview.problem == NULL);
  EXPECT (strstr (preview.info, "1 request") != NULL);
  oaimg_dialog_preview_clear (&preview);

  /* A source that could not be read is the problem as it is, and nothing is planned. */
  oaimg_dialog_preview (client, &params, &source, "no layer", NULL, &preview);
  EXPECT (g_strcmp0 (preview.problem, "no layer") == 0 && preview.image_rgba == NULL);
  oaimg_dialog_preview_clear (&preview);

  /* DALL-E 2 variations take no prompt: said, and it is not a problem. */
  params.operation = OAIMG_VARIATION;
  params.prompt    = "";
  oaimg_dialog_preview (client, &params, &source, NULL, NULL, &preview);
  EXPECT (!preview.takes_prompt && preview.prompt_note != NULL);
  EXPECT (strstr (preview.prompt_note, "dall-e-2") != NULL);
  EXPECT (preview.problem == NULL);
  oaimg_dialog_preview_clear (&preview);
  oaimg_client_free (client);

  EXPECT (strcmp (oaimg_dialog_title (OAIMG_EDIT), "Inpaint Selection") == 0);
  EXPECT (strcmp (oaimg_dialog_title (OAIMG_GENERATE), "New Layers from Prompt") == 0);
  params.operation = OAIMG_VARIATION;
  title = oaimg_dialog_progress_title (&params);
  EXPECT (strcmp (title, "Working: Variations") == 0);
  g_free (title);
  /* Extend Canvas is an edit with margins: its progress window says what the person chose. */
  params.operation    = OAIMG_EDIT;
  params.extend_right = 256;
  title = oaimg_dialog_progress_title (&params);
  EXPECT (strcmp (title, "Working: Extend Canvas") == 0);
  g_free (title);
  params.extend_right = 0;
}

/* Saving Settings and testing the connection with what a run would use (dialog_logic.h). */
static void
test_settings_dialog (void)
{
  char         *profile  = g_dir_make_tmp ("oaimg-dialog-settings-XXXXXX", NULL);
  OaimgSettings settings = { g_strdup (""), g_strdup ("dall-e-3"), 60, g_strdup ("") };
  OaimgSettings loaded;
  const char   *where    = "unset";
  char         *key, *notes, *message;

  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  /* Nothing typed, nothing stored: no key is said, no request made. */
  message = oaimg_dialog_test_connection (profile, "  ", "", 1000);
  EXPECT (strcmp (message, oaimg_message_no_key ()) == 0);
  g_free (message);

  /* A typed key is stored trimmed; where it went is said. */
  EXPECT (oaimg_dialog_save_settings (profile, &settings, "  sk-typed  ", FALSE, &where, NULL));
  EXPECT (where != NULL);
  key = oaimg_secret_load (profile);
  EXPECT (g_strcmp0 (key, "sk-typed") == 0);
  g_free (key);
  oaimg_settings_load (profile, &loaded);
  EXPECT (strcmp (loaded.default_model, "dall-e-3") == 0);
  oaimg_settings_clear (&loaded);
  /* Nothing typed keeps the stored key; Forget removes it. */
  EXPECT (oaimg_dialog_save_settings (profile, &settings, "", FALSE, &where, NULL));
  EXPECT (where == NULL);
  key = oaimg_secret_load (profile);
  EXPECT (g_strcmp0 (key, "sk-typed") == 0);
  g_free (key);

  /* The stored key is tested when nothing is typed, and OPENAI_BASE_URL wins over the typed
   * base URL (nothing listens on port 1). */
  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:1/v1", TRUE);
  message = oaimg_dialog_test_connection (profile, "", "http://example.invalid/v1", 1000);
  EXPECT (strstr (message, "127.0.0.1:1") != NULL && strstr (message, "example") == NULL);
  g_free (message);
  notes = oaimg_dialog_environment_notes ();
  EXPECT (strstr (notes, "OPENAI_BASE_URL") != NULL && strstr (notes, "OPENAI_API_KEY") == NULL);
  g_free (notes);
  g_unsetenv ("OPENAI_BASE_URL");
  notes = oaimg_dialog_environment_notes ();
  EXPECT (strcmp (notes, "") == 0);
  g_free (notes);

  EXPECT (oaimg_dialog_save_settings (profile, &settings, "", TRUE, &where, NULL));
  EXPECT (oaimg_secret_load (profile) == NULL);
  oaimg_settings_clear (&settings);
  {
    char *file = g_build_filename (profile, "oaimg", "settings.ini", NULL);
    char *dir  = g_build_filename (profile, "oaimg", NULL);
    g_unlink (file);
    g_rmdir (dir);
    g_free (file);
    g_free (dir);
  }
  g_rmdir (profile);
  g_free (profile);
}

int
main (void)
{
  test_model_order ();
  test_labels ();
  test_accepts ();
  test_problem ();
  test_history_and_values ();
  test_results ();
  test_results_choose ();
  test_procedures ();
  test_choices ();
  test_texts ();
  test_key_source ();
  test_preview ();
  test_settings_dialog ();
  if (failures == 0)
    printf ("dialog_logic_test: all passed\n");
  return failures == 0 ? 0 : 1;
}
