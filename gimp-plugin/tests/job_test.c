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
} ScriptedHost;

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
  (void) outputs;
  (void) error;
  host->inserted += (int) count;
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
run_edit (ScriptedHost *scripted, GError **error)
{
  static uint8_t rgba[SIDE * SIDE * 4];
  static uint8_t selection[SIDE / 2 * SIDE / 2];
  OaimgSource    source = { .rgba = rgba, .width = SIDE, .height = SIDE,
                            .selection = selection, .selection_width = SIDE / 2,
                            .selection_height = SIDE / 2, .selection_x = SIDE / 4,
                            .selection_y = SIDE / 4 };
  OaimgJobParams params = { .operation = OAIMG_EDIT, .prompt = "a red ball", .n = 1,
                            .model = "dall-e-2", .size = "auto", .context = OAIMG_CONTEXT_AUTO };
  OaimgHost      host   = { scripted, scripted_progress, NULL, scripted_insert, NULL };
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

int
main (void)
{
  ScriptedHost plain     = { NULL, 0, 0, 0 };
  /* LANG=C: the untranslated text of the job's last progress call before the insertion. */
  ScriptedHost late      = { "Adding the layers", 0, 0, 0 };
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

  if (failures == 0)
    printf ("PASS: job_test\n");
  return failures == 0 ? 0 : 1;
}
