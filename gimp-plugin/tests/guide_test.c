/* Unit tests of common/guide.c: which models take a guide layer, the greyed-out note, what a
 * usable guide is, and that the guide reaches the request as markup at its place relative to
 * the edited layer (checked in the planned upload, pixel by pixel). No network, no display.
 * Exit 0 = pass; ctest plugin.guide_logic. */
#include <stdio.h>
#include <string.h>

#include "guide.h"
#include "oaimg_dialog.h"
#include "dialog_logic.h"
#include "expect.h"

static void
test_offered (void)
{
  char *note;

  EXPECT (oaimg_model_accepts_markup ("gpt-image-2.5-flare"));
  EXPECT (oaimg_model_accepts_markup ("gpt-image-2.5-sunburst-2026-09-08"));
  EXPECT (!oaimg_model_accepts_markup ("gpt-image-1.5"));
  EXPECT (!oaimg_model_accepts_markup ("dall-e-2"));
  EXPECT (oaimg_guide_offered ("gpt-image-2.5-sunburst", OAIMG_EDIT));
  EXPECT (!oaimg_guide_offered ("gpt-image-2.5-sunburst", OAIMG_VARIATION));
  EXPECT (!oaimg_guide_offered ("gpt-image-2.6-flare", OAIMG_EDIT));
  EXPECT (!oaimg_guide_offered ("gpt-image-1.5", OAIMG_EDIT));

  EXPECT (oaimg_guide_note ("gpt-image-2.5-flare", OAIMG_EDIT) == NULL);
  note = oaimg_guide_note ("gpt-image-1.5", OAIMG_EDIT);
  printf ("note: %s\n", note);
  EXPECT (note != NULL && strstr (note, "gpt-image-1.5") != NULL);
  EXPECT (note != NULL && strstr (note, "gpt-image-2.5-sunburst") != NULL);
  EXPECT (note != NULL && strstr (note, "gpt-image-2.5-flare") != NULL);
  /* Aliases only: the dated snapshots would make the line too long to read. */
  EXPECT (note != NULL && strstr (note, "2026-09-08") == NULL);
  EXPECT (note != NULL && strstr (note, "2.6") == NULL);
  g_free (note);
}

static void
test_transparency (void)
{
  uint8_t px[4 * 4 * 4];

  memset (px, 255, sizeof px);
  EXPECT (!oaimg_guide_has_transparency (px, 4, 4));
  px[(2 * 4 + 3) * 4 + 3] = 1;
  EXPECT (!oaimg_guide_has_transparency (px, 4, 4));
  px[(2 * 4 + 3) * 4 + 3] = 0;
  EXPECT (oaimg_guide_has_transparency (px, 4, 4));
  EXPECT (oaimg_guide_message_same_layer () != NULL);
  EXPECT (strstr (oaimg_guide_selection_note (), "mask") != NULL);
}

/* The upload named `name` of the plan decoded to RGBA (oaimg_free), or NULL. */
static uint8_t *
upload (const oaimg_plan *plan, const char *name, uint32_t *w, uint32_t *h)
{
  for (size_t i = 0; i < oaimg_plan_upload_count (plan); i++)
    {
      const char    *n = NULL;
      const uint8_t *data = NULL;
      size_t         size = 0;
      uint8_t       *rgba = NULL;

      if (oaimg_plan_upload (plan, i, &n, &data, &size) == OAIMG_OK && strcmp (n, name) == 0 &&
          oaimg_png_decode (data, size, 0, &rgba, w, h) == OAIMG_OK)
        return rgba;
    }
  return NULL;
}

/* The edited layer: 256 x 256 at (100, 50) in the image; the guide layer: 200 x 150 at
 * (150, 60), transparent but for a 16 x 16 opaque red block at image (228, 114), i.e. at
 * (128, 64) in the edited layer. The whole layer is the region (context "image"), so the block
 * must arrive at (128, 64) scaled by the sent size over 256. */
static void
test_apply (void)
{
  static uint8_t layer[256 * 256 * 4];
  static uint8_t selection[64 * 64];
  uint8_t       *guide_px = g_malloc0 (200 * 150 * 4);
  OaimgGuide     guide;
  OaimgSource    source = { .rgba = layer, .width = 256, .height = 256, .origin_x = 100,
                            .origin_y = 50, .selection = selection, .selection_width = 64,
                            .selection_height = 64, .selection_x = 96, .selection_y = 96 };
  OaimgJobParams params = { .operation = OAIMG_EDIT, .prompt = "follow the arrow", .n = 1,
                            .model = "gpt-image-2.5-flare", .size = "auto",
                            .context = OAIMG_CONTEXT_IMAGE };
  oaimg_client  *client = NULL;
  oaimg_request *request;
  oaimg_plan    *plan = NULL;
  GError        *error = NULL;
  OaimgPreview   preview;

  memset (layer, 128, sizeof layer);
  memset (selection, 255, sizeof selection);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      {
        uint8_t *p = guide_px + (((size_t) (114 - 60 + y)) * 200 + (228 - 150 + x)) * 4;
        p[0] = 255;
        p[3] = 255;
      }
  oaimg_guide_init (&guide, guide_px, 200, 150, 150, 60, "Arrows");
  {
    int32_t ox, oy;
    oaimg_guide_offset (&guide, &source, &ox, &oy);
    EXPECT (ox == 50 && oy == 10);
  }
  params.guide = &guide;
  EXPECT (oaimg_client_new (&client) == OAIMG_OK);
  EXPECT (oaimg_client_set_base_url (client, "http://127.0.0.1:1/v1") == OAIMG_OK);

  request = oaimg_job_build_request (client, &params, &source, NULL, FALSE, NULL, &error);
  EXPECT (request != NULL && error == NULL);
  EXPECT (request != NULL && oaimg_client_plan (client, request, &plan) == OAIMG_OK);
  if (plan)
    {
      uint32_t iw = 0, ih = 0, mw = 0, mh = 0, dummy_w = 0, dummy_h = 0;
      uint8_t *image  = upload (plan, "image", &iw, &ih);
      uint8_t *markup = upload (plan, "markup", &mw, &mh);
      uint8_t *mask   = upload (plan, "mask", &dummy_w, &dummy_h);
      int32_t  rx, ry;
      uint32_t rw, rh;

      oaimg_plan_region (plan, &rx, &ry, &rw, &rh);
      printf ("region %d,%d %ux%u; image %ux%u markup %ux%u\n", rx, ry, rw, rh, iw, ih, mw, mh);
      EXPECT (rx == 0 && ry == 0 && rw == 256 && rh == 256);
      EXPECT (image != NULL && markup != NULL && mask == NULL);
      EXPECT (mw == iw && mh == ih && mw > 0);
      if (markup && mw > 0)
        {
          const double s = mw / 256.0;
          /* Inside the block, where it was painted relative to the edited layer. */
          const uint8_t *in = markup + ((size_t) ((64 + 8) * s) * mw + (size_t) ((128 + 8) * s)) * 4;
          /* Where it would be if the guide's offsets were ignored. */
          const uint8_t *off = markup + ((size_t) ((54 + 8) * s) * mw + (size_t) ((78 + 8) * s)) * 4;
          EXPECT (in[3] == 255 && in[0] == 255);
          EXPECT (off[3] == 0);
          EXPECT (markup[3] == 0);
        }
      oaimg_free (image);
      oaimg_free (markup);
      oaimg_free (mask);
      oaimg_plan_free (plan);
    }
  oaimg_request_free (request);

  /* The dialog's preview shows the guide where the mask would be, with its line. */
  oaimg_dialog_preview (client, &params, &source, NULL, NULL, &preview);
  EXPECT (preview.problem == NULL);
  EXPECT (preview.mask_rgba != NULL && preview.mask_width > 0);
  EXPECT (preview.info && strstr (preview.info, "\nGuide: ") != NULL);
  oaimg_dialog_preview_clear (&preview);

  /* A model without markup: refused before anything is planned, naming the ones that take it. */
  params.model = "gpt-image-1.5";
  request = oaimg_job_build_request (client, &params, &source, NULL, FALSE, NULL, &error);
  EXPECT (request == NULL && error != NULL);
  if (error)
    {
      printf ("1.5: %s\n", error->message);
      EXPECT (strstr (error->message, "gpt-image-1.5") != NULL);
      EXPECT (strstr (error->message, "gpt-image-2.5-flare") != NULL);
      g_clear_error (&error);
    }
  oaimg_dialog_preview (client, &params, &source, NULL, NULL, &preview);
  EXPECT (preview.problem != NULL && strstr (preview.problem, "guide") != NULL);
  oaimg_dialog_preview_clear (&preview);

  /* No transparent pixel: refused, naming the layer and what would be right. */
  params.model = "gpt-image-2.5-sunburst";
  memset (guide.rgba, 255, (size_t) guide.width * guide.height * 4);
  request = oaimg_job_build_request (client, &params, &source, NULL, FALSE, NULL, &error);
  EXPECT (request == NULL && error != NULL);
  if (error)
    {
      printf ("opaque: %s\n", error->message);
      EXPECT (strstr (error->message, "“Arrows”") != NULL);
      EXPECT (strstr (error->message, "transparent") != NULL);
      g_clear_error (&error);
    }

  /* A guide only guides edits. */
  guide.rgba[3] = 0;
  params.operation = OAIMG_VARIATION;
  request = oaimg_job_build_request (client, &params, &source, NULL, FALSE, NULL, &error);
  EXPECT (request == NULL && error != NULL);
  g_clear_error (&error);
  oaimg_request_free (request);

  oaimg_client_free (client);
  oaimg_guide_clear (&guide);
  EXPECT (guide.rgba == NULL && guide.name == NULL);
}

int
main (void)
{
  test_offered ();
  test_transparency ();
  test_apply ();
  if (failures == 0)
    printf ("guide_test: all passed\n");
  return failures == 0 ? 0 : 1;
}
