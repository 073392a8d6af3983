/* A plain C11 program using only oaimg.h: what a C caller (or an FFI binding) relies on, checked
 * without any network traffic. Exits non-zero naming the first broken expectation. */
#include <oaimg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define EXPECT(cond, ...)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      fprintf(stderr, "%s:%d: expected %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                         \
      fputc('\n', stderr);                                  \
      ++failures;                                           \
    }                                                       \
  } while (0)

static void check_status_texts(void) {
  for (int s = OAIMG_OK; s <= OAIMG_ERR_NO_SELECTION; ++s) {
    const char *text = oaimg_status_str((oaimg_status)s);
    EXPECT(text && *text && strcmp(text, "unknown status") != 0, "status %d has a description", s);
  }
  EXPECT(strcmp(oaimg_status_str((oaimg_status)999), "unknown status") == 0, "999 is unknown");
}

static void check_models(void) {
  EXPECT(oaimg_model_count() > 5, "a table of models");
  int saw_dalle2 = 0;
  for (size_t i = 0; oaimg_model_name(i); ++i)
    if (strcmp(oaimg_model_name(i), "dall-e-2") == 0) saw_dalle2 = 1;
  EXPECT(saw_dalle2, "dall-e-2 is listed");
  EXPECT(oaimg_model_name(oaimg_model_count()) == NULL, "NULL past the end");
  EXPECT(oaimg_model_is_retired("dall-e-2") == 1, "dall-e-2 is retired at OpenAI");
  EXPECT(oaimg_model_replacement("dall-e-2") != NULL, "dall-e-2 names a replacement");
  EXPECT(oaimg_model_supports("dall-e-3", OAIMG_EDIT) == 0, "dall-e-3 does not edit");
  EXPECT(oaimg_model_supports("my-own-model", OAIMG_EDIT) == 1, "unknown models: the server decides");
  int has_1024 = 0;
  for (size_t i = 0; i < oaimg_model_size_count("dall-e-2", OAIMG_EDIT); ++i)
    if (strcmp(oaimg_model_size("dall-e-2", OAIMG_EDIT, i), "1024x1024") == 0) has_1024 = 1;
  EXPECT(has_1024, "dall-e-2 edits at 1024x1024");
  EXPECT(oaimg_model_max_n("dall-e-3") == 1, "dall-e-3 makes one image a request");
  EXPECT(oaimg_model_max_input_images("dall-e-2") == 1, "dall-e-2 edits one image");
  EXPECT(oaimg_model_max_input_images("gpt-image-1.5") == 16, "GPT image edits take 16 images");
  EXPECT(oaimg_model_max_input_images("dall-e-3") == 0, "dall-e-3 makes no edits");
  const char *openai_default = oaimg_default_model("https://api.openai.com/v1", OAIMG_EDIT);
  EXPECT(openai_default && !oaimg_model_is_retired(openai_default),
         "OpenAI's default model is live (got %s)", openai_default ? openai_default : "NULL");
}

static void check_request_setters(void) {
  oaimg_request *request = NULL;
  EXPECT(oaimg_request_new((oaimg_operation)42, &request) == OAIMG_ERR_INVALID_ARGUMENT, "bad operation");
  EXPECT(oaimg_request_new(OAIMG_GENERATE, &request) == OAIMG_OK && request, "new request");
  EXPECT(oaimg_request_set_n(request, 0) == OAIMG_ERR_INVALID_ARGUMENT, "n = 0 refused");
  EXPECT(strstr(oaimg_request_error_message(request), "n 0") != NULL, "message names n: %s",
         oaimg_request_error_message(request));
  EXPECT(oaimg_request_set_prompt(request, "caf\xc3") == OAIMG_ERR_INVALID_ARGUMENT, "bad UTF-8");
  EXPECT(oaimg_request_set_prompt(request, "caf\xc3\xa9") == OAIMG_OK, "good UTF-8");
  EXPECT(*oaimg_request_error_message(request) == '\0', "success clears the message");
  EXPECT(oaimg_request_set_stream(request, 4) == OAIMG_ERR_INVALID_ARGUMENT, "partial_images 4");
  static const uint8_t not_an_image[] = "hello";
  EXPECT(oaimg_request_add_image(request, not_an_image, sizeof not_an_image) == OAIMG_ERR_IMAGE,
         "bytes that are no image are refused");
  oaimg_request_free(request);
}

static void check_client(void) {
  oaimg_client *client = NULL;
  EXPECT(oaimg_client_new(&client) == OAIMG_OK && client, "new client");
  EXPECT(oaimg_client_set_base_url(client, "ftp://example.com") == OAIMG_ERR_INVALID_ARGUMENT, "ftp");
  EXPECT(strstr(oaimg_client_error_message(client), "http") != NULL, "says what would be right");
  EXPECT(oaimg_client_set_base_url(client, "https://api.openai.com/v1/") == OAIMG_OK, "openai");
  EXPECT(strcmp(oaimg_client_base_url(client), "https://api.openai.com/v1") == 0, "trailing / dropped");

  oaimg_request *request = NULL;
  oaimg_request_new(OAIMG_GENERATE, &request);
  oaimg_request_set_prompt(request, "a lighthouse");
  oaimg_request_set_model(request, "dall-e-2");
  oaimg_plan *plan = NULL;
  oaimg_status st = oaimg_client_plan(client, request, &plan);
  EXPECT(st == OAIMG_ERR_MODEL_RETIRED, "dall-e-2 at OpenAI is refused before sending (got %d)", st);
  EXPECT(plan == NULL, "no plan on failure");
  const char *replacement = oaimg_model_replacement("dall-e-2");
  EXPECT(replacement && strstr(oaimg_client_error_message(client), replacement) != NULL,
         "the message names the replacement: %s", oaimg_client_error_message(client));

  /* A compatible server still serves dall-e-2; n is checked against the model. */
  oaimg_client_set_base_url(client, "http://127.0.0.1:9/v1");
  oaimg_request_set_n(request, 11);
  st = oaimg_client_plan(client, request, &plan);
  EXPECT(st == OAIMG_ERR_UNSUPPORTED || st == OAIMG_ERR_INVALID_ARGUMENT, "n = 11 refused (got %d)", st);
  EXPECT(strstr(oaimg_client_error_message(client), "11") != NULL, "message names the value: %s",
         oaimg_client_error_message(client));

  oaimg_request_set_n(request, 2);
  EXPECT(oaimg_client_plan(client, request, &plan) == OAIMG_OK, "a valid plan: %s",
         oaimg_client_error_message(client));
  if (plan) {
    EXPECT(strcmp(oaimg_plan_endpoint(plan), "/images/generations") == 0, "endpoint");
    EXPECT(strstr(oaimg_plan_fields_json(plan), "a lighthouse") != NULL, "fields carry the prompt");
    EXPECT(oaimg_plan_upload_count(plan) == 0, "generations upload nothing");
    oaimg_plan_free(plan);
  }

  /* Without a key nothing is sent. The environment's key was cleared by the test. */
  oaimg_result *result = NULL;
  st = oaimg_client_run(client, request, &result);
  EXPECT(st == OAIMG_ERR_NO_API_KEY, "no key, no traffic (got %d: %s)", st, oaimg_client_error_message(client));
  EXPECT(result == NULL, "no result on failure");
  oaimg_request_free(request);
  oaimg_client_free(client);
}

static void check_whole_job_plan(void) {
  enum { W = 300, H = 200 };
  static uint8_t rgb[W * H * 3], selection[W * H];
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      uint8_t *p = rgb + (y * W + x) * 3;
      p[0] = (uint8_t)x; p[1] = (uint8_t)y; p[2] = 90;
      double dx = (x - 150) / 60.0, dy = (y - 100) / 40.0;
      selection[y * W + x] = dx * dx + dy * dy <= 1 ? 255 : 0;
    }
  oaimg_client *client = NULL;
  oaimg_client_new(&client);
  oaimg_client_set_base_url(client, "http://127.0.0.1:9/v1");
  oaimg_request *request = NULL;
  oaimg_request_new(OAIMG_EDIT, &request);
  oaimg_request_set_prompt(request, "a pond");
  oaimg_request_set_model(request, "dall-e-2");
  EXPECT(oaimg_request_set_source(request, rgb, W, H, 0, OAIMG_RGB8) == OAIMG_OK, "source");

  oaimg_plan *plan = NULL;
  EXPECT(oaimg_client_plan(client, request, &plan) == OAIMG_ERR_NO_SELECTION,
         "an edit without selection is refused: %s", oaimg_client_error_message(client));
  EXPECT(oaimg_request_set_selection(request, selection, W, H, 0, 0, 0) == OAIMG_OK, "selection");
  EXPECT(oaimg_client_plan(client, request, &plan) == OAIMG_OK, "plan: %s", oaimg_client_error_message(client));
  if (plan) {
    int32_t x, y;
    uint32_t w, h, tw, th;
    oaimg_plan_region(plan, &x, &y, &w, &h);
    oaimg_plan_target_size(plan, &tw, &th);
    EXPECT(x <= 90 && y <= 60 && x + (int32_t)w >= 210 && y + (int32_t)h >= 140,
           "region %d,%d %ux%u covers the selection", x, y, w, h);
    EXPECT(tw == th && (tw == 256 || tw == 512 || tw == 1024), "a DALL-E 2 square, got %ux%u", tw, th);
    EXPECT(oaimg_plan_upload_count(plan) == 2, "image and mask");
    for (size_t i = 0; i < oaimg_plan_upload_count(plan); ++i) {
      const char *name;
      const uint8_t *data;
      size_t size;
      uint8_t *rgba = NULL;
      uint32_t pw = 0, ph = 0;
      oaimg_plan_upload(plan, i, &name, &data, &size);
      EXPECT(size < 4000000, "%s under 4 MB", name);
      EXPECT(oaimg_png_decode(data, size, 0, &rgba, &pw, &ph) == OAIMG_OK, "%s decodes", name);
      EXPECT(pw == tw && ph == th, "%s is %ux%u", name, pw, ph);
      if (rgba && strcmp(name, "mask") == 0)
        EXPECT(rgba[((ph / 2) * pw + pw / 2) * 4 + 3] == 0, "the mask is transparent at the centre");
      oaimg_free(rgba);
    }
    oaimg_plan_free(plan);
  }
  oaimg_request_free(request);
  oaimg_client_free(client);
}

static void check_png_round_trip(void) {
  uint8_t ga[4 * 3 * 2];
  for (size_t i = 0; i < sizeof ga; ++i) ga[i] = (uint8_t)(i * 10);
  uint8_t *png = NULL, *rgba = NULL;
  size_t size = 0;
  uint32_t w = 0, h = 0;
  EXPECT(oaimg_png_encode(ga, 4, 3, 0, OAIMG_GRAYA8, &png, &size) == OAIMG_OK, "encode");
  EXPECT(oaimg_png_decode(png, size, 0, &rgba, &w, &h) == OAIMG_OK && w == 4 && h == 3, "decode");
  if (rgba) EXPECT(rgba[4 * 5] == ga[2 * 5] && rgba[4 * 5 + 3] == ga[2 * 5 + 1], "pixel 5 survives");
  EXPECT(oaimg_png_decode(png, size, 11, &rgba, &w, &h) == OAIMG_ERR_IMAGE, "over max_pixels refused");
  EXPECT(oaimg_png_decode(png, size / 2, 0, &rgba, &w, &h) == OAIMG_ERR_IMAGE, "truncated refused");
  oaimg_free(png);
  oaimg_free(rgba);
}

/* Sides the caller claims are not trusted to multiply safely: 2^31 x 2^31 RGBA is 2^64 bytes,
 * which wraps to 0 in size_t. */
static void check_png_encode_refuses_sizes_that_wrap(void) {
  uint8_t pixel[4] = {0};
  uint8_t *png = NULL;
  size_t size = 0;
  EXPECT(oaimg_png_encode(pixel, 0x80000000u, 0x80000000u, 0, OAIMG_RGBA8, &png, &size) ==
             OAIMG_ERR_INVALID_ARGUMENT,
         "a size that wraps is refused");
  EXPECT(png == NULL, "nothing handed out");
}

int main(void) {
  check_status_texts();
  check_models();
  check_request_setters();
  check_client();
  check_whole_job_plan();
  check_png_round_trip();
  check_png_encode_refuses_sizes_that_wrap();
  /* Every free function takes NULL. */
  oaimg_client_free(NULL);
  oaimg_request_free(NULL);
  oaimg_plan_free(NULL);
  oaimg_result_free(NULL);
  oaimg_free(NULL);
  if (failures) fprintf(stderr, "%d expectation(s) failed\n", failures);
  else printf("c consumer: all expectations hold\n");
  return failures ? 1 : 0;
}
