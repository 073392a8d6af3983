/* The host-independent job (common/job.c) against the stand-in server, with a scripted host:
 * checks what no GIMP run can hit on purpose. Needs OPENAI_BASE_URL and OPENAI_API_KEY set to the
 * stand-in server (tests/gimp3/run_case.py job_cancel_before_insert runs it in the chroot).
 * Exit 0 = pass. */
#include <stdio.h>
#include <string.h>

#include "oaimg_plugin.h"

#define SIDE 64

typedef struct
{
  const char *cancel_at; /* the progress text on which the host answers "cancel", or NULL */
  int         inserted;
  int         received;  /* the results received and their total at the last progress call */
  int         total;
  int         usage_calls;
  OaimgUsage  usage;
  char       *provenance; /* the first result's */
} ScriptedHost;

static void
scripted_usage (void *self, const OaimgUsage *run)
{
  ScriptedHost *host = self;

  host->usage_calls++;
  host->usage = *run;
}

static gboolean
scripted_progress (void *self, const OaimgProgress *progress)
{
  ScriptedHost *host = self;
  const char   *text = progress->stage_text;

  host->received = progress->received;
  host->total    = progress->total;
  return host->cancel_at != NULL && text != NULL && strcmp (text, host->cancel_at) == 0;
}

static gboolean
scripted_insert (void *self, const char *group_name, const OaimgOutput *outputs, size_t count,
                 GError **error)
{
  ScriptedHost *host = self;

  (void) group_name;
  (void) error;
  host->inserted += (int) count;
  g_free (host->provenance);
  host->provenance = count ? g_strdup (outputs[0].provenance) : NULL;
  return TRUE;
}

static int failures;

static void
expect (gboolean condition, const char *what)
{
  if (!condition)
    {
      printf ("FAIL: %s\n", what);
      failures++;
    }
}

static gboolean
run_edit_on (ScriptedHost *scripted, const char *model, GError **error)
{
  static uint8_t rgba[SIDE * SIDE * 4];
  static uint8_t selection[SIDE / 2 * SIDE / 2];
  OaimgSource    source = { .rgba = rgba, .width = SIDE, .height = SIDE,
                            .selection = selection, .selection_width = SIDE / 2,
                            .selection_height = SIDE / 2, .selection_x = SIDE / 4,
                            .selection_y = SIDE / 4 };
  OaimgJobParams params = { .operation = OAIMG_EDIT, .prompt = "a red ball", .n = 1,
                            .model = model, .size = "auto", .context = OAIMG_CONTEXT_AUTO };
  OaimgHost      host   = { scripted, scripted_progress, NULL, scripted_insert, NULL,
                            scripted_usage };
  oaimg_client  *client = NULL;
  gboolean       ok;

  memset (rgba, 200, sizeof rgba);
  memset (selection, 255, sizeof selection);
  if (oaimg_client_new (&client) != OAIMG_OK)
    {
      printf ("FAIL: no client\n");
      return FALSE;
    }
  ok = oaimg_job_run (&host, client, &params, &source, NULL, error);
  oaimg_client_free (client);
  return ok;
}

static gboolean
run_edit (ScriptedHost *scripted, GError **error)
{
  return run_edit_on (scripted, "dall-e-2", error);
}

/* Tokens: handed to the host after the insertion (the stand-in reports usage for GPT models
 * only), in the provenance, and summed into the image's running total. */
static void
test_usage (void)
{
  ScriptedHost gpt   = { 0 };
  ScriptedHost dalle = { 0 };
  GError      *error = NULL;
  OaimgUsage   total;
  char        *once, *twice, *message;

  expect (run_edit_on (&gpt, "gpt-image-1.5", &error), error ? error->message : "gpt edit");
  g_clear_error (&error);
  expect (gpt.usage_calls == 1, "the host was not told the run's tokens once");
  /* "a red ball": 10 characters, 2 text tokens at the stand-in's 4 a token. */
  expect (gpt.usage.input_text == 2, "input text tokens are not the server's");
  expect (gpt.usage.input_image > 0 && gpt.usage.output > 0, "no image or output tokens");
  expect (gpt.usage.total == gpt.usage.input_text + gpt.usage.input_image + gpt.usage.output,
          "the total is not the sum the server reported");
  expect (gpt.provenance && strstr (gpt.provenance, "\"usage\"") &&
            strstr (gpt.provenance, "\"input_image_tokens\""),
          "the provenance has no usage");
  expect (run_edit (&dalle, &error) && dalle.usage_calls == 0,
          "a run without usage reported tokens");
  g_clear_error (&error);
  expect (dalle.provenance && !strstr (dalle.provenance, "\"usage\""),
          "a provenance has usage the server did not report");

  once  = oaimg_usage_total_add (NULL, &gpt.usage, NULL);
  twice = oaimg_usage_total_add (once, &gpt.usage, &total);
  expect (total.total == 2 * gpt.usage.total && total.input_text == 4, "the total does not add");
  expect (strstr (twice, "\"runs\":2") != NULL, "the total does not count the runs");
  message = oaimg_usage_message (&gpt.usage, &total);
  expect (strstr (message, "2 input text") != NULL, "the message does not carry the tokens");
  g_free (message);
  g_free (once);
  g_free (twice);
  g_free (gpt.provenance);
  g_free (dalle.provenance);
}

int
main (void)
{
  ScriptedHost plain     = { 0 };
  /* LANG=C: the untranslated text of the job's last progress call before the insertion. */
  ScriptedHost late      = { .cancel_at = "Adding the layers" };
  GError      *error     = NULL;
  gboolean     ok;

  ok = run_edit (&plain, &error);
  expect (ok && plain.inserted == 1, error ? error->message : "a plain edit inserted nothing");
  /* What the progress window says last: every result received. */
  expect (plain.received == 1 && plain.total == 1,
          "the last progress call did not count the result received");
  g_clear_error (&error);

  /* Cancel pressed after the library's last callback, while the results were placed. */
  ok = run_edit (&late, &error);
  expect (!ok, "the job succeeded although the host cancelled before the insertion");
  expect (late.inserted == 0, "the results were inserted after Cancel");
  expect (error != NULL && error->domain == OAIMG_PLUGIN_ERROR &&
            error->code == OAIMG_ERR_CANCELLED,
          "a late Cancel did not end as cancelled");
  g_clear_error (&error);

  test_usage ();

  if (failures == 0)
    printf ("PASS: job_test\n");
  return failures == 0 ? 0 : 1;
}
