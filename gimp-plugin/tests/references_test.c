/* Unit tests of common/references.c: which layers are references and in which order, opacity,
 * the model's limit and the dialog's note, and what the job's request then uploads (liboaimg's
 * plan, no network). Exit 0 = pass. */
#include <stdio.h>
#include <string.h>

#include "dialog_logic.h"
#include "expect.h"
#include "oaimg_dialog.h"
#include "references.h"

static void
test_pick (void)
{
  guint out[16];
  /* Top to bottom: A, group G (chosen) holding B (chosen) and C, D (edited), E (chosen), F. */
  const OaimgStackLayer tree[] = {
    { 0, FALSE, FALSE }, /* 0 A */
    { 0, TRUE,  FALSE }, /* 1 G */
    { 1, TRUE,  FALSE }, /* 2 B, inside the chosen group: already in its pixels */
    { 1, FALSE, FALSE }, /* 3 C */
    { 0, TRUE,  TRUE  }, /* 4 D, edited */
    { 0, TRUE,  FALSE }, /* 5 E */
    { 0, FALSE, FALSE }, /* 6 F */
  };
  /* The edited layer in the middle: the others in stack order, above it and below it. */
  const OaimgStackLayer three[] = {
    { 0, TRUE, FALSE }, { 0, TRUE, TRUE }, { 0, FALSE, FALSE }, { 0, TRUE, FALSE },
  };
  /* GIMP 2.10: linked layers, but the active one is not linked: none. */
  const OaimgStackLayer unlinked[] = {
    { 0, TRUE, FALSE }, { 0, FALSE, TRUE }, { 0, TRUE, FALSE },
  };
  /* A chosen layer in an unchosen group, after the group's end the walk goes on. */
  const OaimgStackLayer nested[] = {
    { 0, FALSE, FALSE }, { 1, TRUE, FALSE }, { 1, TRUE, TRUE }, { 0, TRUE, FALSE },
  };
  guint n;

  n = oaimg_references_pick (tree, G_N_ELEMENTS (tree), out);
  EXPECT (n == 2);
  EXPECT (out[0] == 1 && out[1] == 5);

  n = oaimg_references_pick (three, G_N_ELEMENTS (three), out);
  EXPECT (n == 2);
  EXPECT (out[0] == 0 && out[1] == 3);

  EXPECT (oaimg_references_pick (unlinked, G_N_ELEMENTS (unlinked), out) == 0);

  n = oaimg_references_pick (nested, G_N_ELEMENTS (nested), out);
  EXPECT (n == 2);
  EXPECT (out[0] == 1 && out[1] == 3);

  /* Only the edited layer chosen: no references. */
  EXPECT (oaimg_references_pick (&three[1], 1, out) == 0);
}

static void
test_opacity (void)
{
  uint8_t       px[8]   = { 10, 20, 30, 255, 40, 50, 60, 128 };
  const uint8_t mask[2] = { 255, 0 };

  oaimg_reference_apply_opacity (px, 2, 1, 100.0, NULL);
  EXPECT (px[3] == 255 && px[7] == 128);
  oaimg_reference_apply_opacity (px, 2, 1, 50.0, NULL);
  EXPECT (px[3] == 128 && px[7] == 64);
  /* Colour stays straight: only alpha changes. */
  EXPECT (px[0] == 10 && px[4] == 40);
  oaimg_reference_apply_opacity (px, 2, 1, 100.0, mask);
  EXPECT (px[3] == 128 && px[7] == 0);
}

static void
test_limits_and_note (void)
{
  OaimgJobParams edit   = { .operation = OAIMG_EDIT };
  OaimgJobParams varia  = { .operation = OAIMG_VARIATION };
  OaimgJobParams extend = { .operation = OAIMG_EDIT, .extend_right = 64 };
  char          *note;

  EXPECT (oaimg_references_max ("gpt-image-1.5", &edit) == 15);
  EXPECT (oaimg_references_max ("gpt-image-2.5-flare", &edit) == 15);
  EXPECT (oaimg_references_max ("dall-e-2", &edit) == 0);
  /* A compatible server's own model: the server decides, as for the GPT models. */
  EXPECT (oaimg_references_max ("my-own-model", &edit) == 15);
  /* Only Inpaint Selection sends references. */
  EXPECT (oaimg_references_max ("gpt-image-1.5", &varia) == 0);
  EXPECT (oaimg_references_max ("gpt-image-1.5", &extend) == 0);

  note = oaimg_references_note ("dall-e-2", &edit);
  EXPECT (note && strcmp (note, "dall-e-2 edits one image; references are not sent") == 0);
  g_free (note);
  EXPECT (oaimg_references_note ("gpt-image-1.5", &edit) == NULL);
  EXPECT (oaimg_references_note ("gpt-image-1.5", &varia) == NULL);
}

static uint8_t *
solid (uint32_t w, uint32_t h, uint8_t r, uint8_t g, uint8_t b)
{
  uint8_t *rgba = g_malloc ((gsize) w * h * 4);

  for (size_t i = 0; i < (size_t) w * h; i++)
    {
      rgba[i * 4]     = r;
      rgba[i * 4 + 1] = g;
      rgba[i * 4 + 2] = b;
      rgba[i * 4 + 3] = 255;
    }
  return rgba;
}

/* The uploads of the request the job builds, by name and decoded size. */
static int
plan_uploads (const OaimgJobParams *params, const OaimgSource *source, GString *names,
              GError **error)
{
  oaimg_client  *client  = NULL;
  oaimg_request *request;
  oaimg_plan    *plan    = NULL;
  int            count   = -1;

  g_assert (oaimg_client_new (&client) == OAIMG_OK);
  g_assert (oaimg_client_set_base_url (client, "http://127.0.0.1:9/v1") == OAIMG_OK);
  request = oaimg_job_build_request (client, params, source, NULL, FALSE, NULL, error);
  if (request && oaimg_client_plan (client, request, &plan) == OAIMG_OK)
    {
      count = (int) oaimg_plan_upload_count (plan);
      for (int i = 0; i < count; i++)
        {
          const char    *name;
          const uint8_t *data;
          size_t         size;
          uint8_t       *rgba = NULL;
          uint32_t       w = 0, h = 0;

          oaimg_plan_upload (plan, i, &name, &data, &size);
          oaimg_png_decode (data, size, 0, &rgba, &w, &h);
          g_string_append_printf (names, "%s %ux%u %02x%02x%02x;", name, w, h,
                                  rgba ? rgba[0] : 0, rgba ? rgba[1] : 0, rgba ? rgba[2] : 0);
          oaimg_free (rgba);
        }
    }
  oaimg_plan_free (plan);
  oaimg_request_free (request);
  oaimg_client_free (client);
  return count;
}

static void
dialog_preview (const OaimgJobParams *params, const OaimgSource *source, OaimgPreview *preview)
{
  oaimg_client *client = NULL;

  g_assert (oaimg_client_new (&client) == OAIMG_OK);
  oaimg_dialog_preview (client, params, source, NULL, NULL, preview);
  oaimg_client_free (client);
}

static void
test_request (void)
{
  OaimgReferences references = { 0 };
  OaimgSource     source     = { 0 };
  OaimgCoverage   selection  = { g_malloc0 (64 * 64), 0, 0, 64, 64 };
  OaimgJobParams  params     = { .operation = OAIMG_EDIT, .prompt = "a cat", .n = 1,
                                 .model = "gpt-image-1.5", .size = "auto" };
  GString        *names      = g_string_new (NULL);
  GError         *error      = NULL;

  memset (selection.coverage + 16 * 64, 255, 32 * 64);
  oaimg_source_for_layer (&source, 0, 0, 64, 64, solid (64, 64, 0, 0, 255), &selection);
  oaimg_references_add (&references, "green", solid (40, 30, 0, 255, 0), 40, 30);
  oaimg_references_add (&references, "red", solid (20, 10, 255, 0, 0), 20, 10);
  params.references = &references;

  /* The edited image first, then the references in their order, at their own sizes. */
  EXPECT (plan_uploads (&params, &source, names, &error) == 4);
  EXPECT (strstr (names->str, "image[] 40x30 00ff00;image[] 20x10 ff0000;mask ") != NULL);
  EXPECT (g_str_has_prefix (names->str, "image[] "));
  if (failures)
    printf ("uploads: %s %s\n", names->str, error ? error->message : "");
  g_clear_error (&error);

  /* The dialog's preview shows the edited image, and lists the references by number. */
  {
    OaimgPreview preview;

    dialog_preview (&params, &source, &preview);
    EXPECT (preview.problem == NULL);
    EXPECT (preview.image_rgba != NULL && preview.image_rgba[2] == 255 &&
            preview.image_rgba[1] == 0);
    EXPECT (strstr (preview.info, "Reference 1: 40 × 30 PNG") != NULL);
    EXPECT (strstr (preview.info, "Reference 2: 20 × 10 PNG") != NULL);
    oaimg_dialog_preview_clear (&preview);
  }

  /* One image on dall-e-2: nothing but the edited image and the mask. */
  g_string_truncate (names, 0);
  params.model = "dall-e-2";
  EXPECT (plan_uploads (&params, &source, names, &error) == 2);
  EXPECT (strstr (names->str, "image ") == names->str);
  g_clear_error (&error);

  /* Sixteen references on a model taking fifteen: refused, naming the limit. */
  for (int i = 2; i < 16; i++)
    oaimg_references_add (&references, "more", solid (8, 8, 9, 9, 9), 8, 8);
  params.model = "gpt-image-1.5";
  EXPECT (plan_uploads (&params, &source, names, &error) == -1);
  EXPECT (error && strstr (error->message, "16 reference layers") &&
          strstr (error->message, "at most 15") && strstr (error->message, "16 images"));
  g_clear_error (&error);
  /* The dialog keeps Send off with the same words. */
  {
    OaimgPreview preview;

    dialog_preview (&params, &source, &preview);
    EXPECT (preview.problem && strstr (preview.problem, "at most 15"));
    oaimg_dialog_preview_clear (&preview);
  }
  /* Fifteen are fine. */
  g_free (references.items[15].name);
  g_free (references.items[15].rgba);
  references.count = 15;
  g_string_truncate (names, 0);
  EXPECT (plan_uploads (&params, &source, names, &error) == 17);
  g_clear_error (&error);

  oaimg_references_clear (&references);
  EXPECT (references.count == 0 && references.items == NULL);
  oaimg_source_clear (&source);
  g_string_free (names, TRUE);
}

int
main (void)
{
  /* The messages are checked in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  test_pick ();
  test_opacity ();
  test_limits_and_note ();
  test_request ();
  if (failures == 0)
    printf ("references: all passed\n");
  return failures ? 1 : 0;
}
