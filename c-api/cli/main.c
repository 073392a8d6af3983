/* oaimg: generate, edit and vary images from the command line, on the public C API only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oaimg.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

static volatile sig_atomic_t interrupted = 0;
static void on_interrupt(int signal_number) {
  (void)signal_number;
  interrupted = 1;
}

static const char *stage_name(oaimg_stage stage) {
  switch (stage) {
    case OAIMG_STAGE_PREPARING: return "preparing";
    case OAIMG_STAGE_SENDING: return "sending";
    case OAIMG_STAGE_WAITING: return "waiting for the server";
    case OAIMG_STAGE_RECEIVING: return "receiving";
    case OAIMG_STAGE_RETRYING: return "waiting to retry";
    case OAIMG_STAGE_PLACING: return "placing results";
    case OAIMG_STAGE_DONE: return "done";
  }
  return "working";
}

/* Ctrl-C cancels the transfers rather than killing the process mid-write. */
static int on_progress(void *user_data, oaimg_stage stage, double fraction) {
  const cli_options *o = user_data;
  static oaimg_stage last = 0;
  if (o->verbose && stage != last) {
    if (fraction >= 0)
      fprintf(stderr, "oaimg: %s (%.0f%%)\n", stage_name(stage), fraction * 100);
    else
      fprintf(stderr, "oaimg: %s\n", stage_name(stage));
    last = stage;
  }
  return interrupted ? 1 : 0;
}

static int fail_client(const oaimg_client *client, oaimg_status status) {
  const char *message = oaimg_client_error_message(client);
  fprintf(stderr, "oaimg: %s: %s", oaimg_status_str(status), message && *message ? message : "");
  int http = oaimg_client_error_http_status(client);
  const char *request_id = oaimg_client_error_request_id(client);
  if (http) fprintf(stderr, " (HTTP %d", http);
  if (http && request_id) fprintf(stderr, ", request %s", request_id);
  if (http) fputc(')', stderr);
  int64_t wait_ms = oaimg_client_error_retry_after_ms(client);
  if (status == OAIMG_ERR_RATE_LIMITED && wait_ms >= 0)
    fprintf(stderr, "; try again in %.0f s", (double)wait_ms / 1000.0 + 0.5);
  fputc('\n', stderr);
  return EXIT_FAILED;
}

static int fail_request(const oaimg_request *request, oaimg_status status) {
  fprintf(stderr, "oaimg: %s: %s\n", oaimg_status_str(status), oaimg_request_error_message(request));
  return status == OAIMG_ERR_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED;
}

static int fail_file(const char *what, const char *path) {
  fprintf(stderr, "oaimg: cannot %s '%s': %s\n", what, path, strerror(errno));
  return EXIT_FAILED;
}

typedef struct decoded_image {
  uint8_t *rgba;
  uint32_t width, height;
} decoded_image;

static int decode_file(const char *path, decoded_image *out) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  if (cli_read_file(path, &bytes, &size) != 0) return fail_file("read", path);
  oaimg_status st = oaimg_png_decode(bytes, size, 0, &out->rgba, &out->width, &out->height);
  free(bytes);
  if (st != OAIMG_OK) {
    fprintf(stderr, "oaimg: '%s' could not be decoded as PNG: %s\n", path, oaimg_status_str(st));
    return EXIT_FAILED;
  }
  return 0;
}

/* Source pixels and selection coverage (white = selected) for the whole-job path, decoded by the
 * library straight from the mapped files into the request. */
static int set_png(oaimg_request *request, const char *path,
                   oaimg_status (*set)(oaimg_request *, const uint8_t *, size_t)) {
  cli_file file;
  if (cli_map_file(path, &file) != 0) return fail_file("read", path);
  oaimg_status st = set(request, file.data, file.size);
  cli_release_file(&file);
  if (st == OAIMG_OK) return 0;
  fprintf(stderr, "oaimg: '%s': %s\n", path, oaimg_request_error_message(request));
  return st == OAIMG_ERR_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED;
}

static int set_source_and_selection(oaimg_request *request, const cli_options *o) {
  int rc = set_png(request, o->images[0], oaimg_request_set_source_png);
  if (rc == 0 && o->selection) rc = set_png(request, o->selection, oaimg_request_set_selection_png);
  if (rc) return rc;
  oaimg_status st;
  if (o->context) {
    oaimg_context_mode mode;
    if (strcmp(o->context, "auto") == 0) mode = OAIMG_CONTEXT_AUTO;
    else if (strcmp(o->context, "selection") == 0) mode = OAIMG_CONTEXT_SELECTION;
    else if (strcmp(o->context, "image") == 0) mode = OAIMG_CONTEXT_IMAGE;
    else {
      fprintf(stderr, "oaimg: --context '%s' is not known; use auto, selection or image\n", o->context);
      return EXIT_USAGE;
    }
    st = oaimg_request_set_context_mode(request, mode);
    if (st != OAIMG_OK) return fail_request(request, st);
  }
  return 0;
}

/* With a selection (or an image to generate over) the library plans the region and places every
 * result back; otherwise the files go to the server as they are. */
static int places_results(const cli_options *o) {
  return o->selection || (strcmp(o->command, "generate") == 0 && o->image_count == 1);
}

static int add_files(oaimg_request *request, const cli_options *o) {
  for (int i = 0; i < o->image_count; ++i) {
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (cli_read_file(o->images[i], &bytes, &size) != 0) return fail_file("read", o->images[i]);
    oaimg_status st = oaimg_request_add_image(request, bytes, size);
    free(bytes);
    if (st != OAIMG_OK) {
      fprintf(stderr, "oaimg: '%s': %s\n", o->images[i], oaimg_request_error_message(request));
      return EXIT_FAILED;
    }
  }
  if (o->mask) {
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (cli_read_file(o->mask, &bytes, &size) != 0) return fail_file("read", o->mask);
    oaimg_status st = oaimg_request_set_mask(request, bytes, size);
    free(bytes);
    if (st != OAIMG_OK) {
      fprintf(stderr, "oaimg: '%s': %s\n", o->mask, oaimg_request_error_message(request));
      return EXIT_FAILED;
    }
  }
  return 0;
}

static int build_request(oaimg_request *request, const cli_options *o) {
  struct { oaimg_status (*set)(oaimg_request *, const char *); const char *value; } texts[] = {
      {oaimg_request_set_prompt, o->prompt},
      {oaimg_request_set_model, o->model},
      {oaimg_request_set_size, o->size},
      {oaimg_request_set_quality, o->quality},
      {oaimg_request_set_background, o->background},
      {oaimg_request_set_output_format, o->output_format},
      {oaimg_request_set_response_format, o->response_format},
      {oaimg_request_set_moderation, o->moderation},
      {oaimg_request_set_input_fidelity, o->input_fidelity},
      {oaimg_request_set_style, o->style},
      {oaimg_request_set_user, o->user},
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; ++i) {
    if (!texts[i].value) continue;
    oaimg_status st = texts[i].set(request, texts[i].value);
    if (st != OAIMG_OK) return fail_request(request, st);
  }
  oaimg_status st = OAIMG_OK;
  if (o->n && (st = oaimg_request_set_n(request, o->n)) != OAIMG_OK) return fail_request(request, st);
  if (o->stream != -1 && (st = oaimg_request_set_stream(request, o->stream)) != OAIMG_OK)
    return fail_request(request, st);
  if (o->output_compression != -1 &&
      (st = oaimg_request_set_output_compression(request, o->output_compression)) != OAIMG_OK)
    return fail_request(request, st);

  if (places_results(o)) return set_source_and_selection(request, o);
  return add_files(request, o);
}

static int write_or_fail(const char *dir, const char *name, const void *data, size_t size) {
  if (cli_write_file(dir, name, data, size) == 0) return 0;
  fprintf(stderr, "oaimg: cannot write '%s/%s': %s\n", dir, name, strerror(errno));
  return EXIT_FAILED;
}

static int dry_run(oaimg_client *client, oaimg_request *request, const cli_options *o) {
  oaimg_plan *plan = NULL;
  oaimg_status st = oaimg_client_plan(client, request, &plan);
  if (st != OAIMG_OK) return fail_client(client, st);
  int rc = 0;
  int image_number = 0;
  for (size_t i = 0; rc == 0 && i < oaimg_plan_upload_count(plan); ++i) {
    const char *field = NULL;
    const uint8_t *data = NULL;
    size_t size = 0;
    oaimg_plan_upload(plan, i, &field, &data, &size);
    char name[64];
    if (strncmp(field, "image", 5) == 0) {
      ++image_number;
      if (image_number == 1) snprintf(name, sizeof name, "request-image.png");
      else snprintf(name, sizeof name, "request-image-%d.png", image_number);
    } else {
      snprintf(name, sizeof name, "request-%s.png", field);
    }
    rc = write_or_fail(o->out_dir, name, data, size);
  }
  const char *fields = oaimg_plan_fields_json(plan);
  if (rc == 0) rc = write_or_fail(o->out_dir, "request.json", fields, strlen(fields));
  if (rc == 0) {
    uint32_t tw = 0, th = 0;
    oaimg_plan_target_size(plan, &tw, &th);
    printf("dry run: %s %s with %s, %d request(s)", oaimg_plan_model(plan), oaimg_plan_endpoint(plan),
           oaimg_plan_size(plan) ? oaimg_plan_size(plan) : "no size", oaimg_plan_request_count(plan));
    if (tw) printf(", sending %ux%u pixels", tw, th);
    printf("; files in %s\n", o->out_dir);
    const char *notes = oaimg_plan_notes(plan);
    if (notes && *notes) printf("%s", notes);
  }
  oaimg_plan_free(plan);
  return rc;
}

/* The rows of the source under a placed layer, clipped to the source: what composite() changes. */
typedef struct layer_rect {
  uint32_t x0, y0, x1, y1;
} layer_rect;

static layer_rect clip_layer(const decoded_image *source, uint32_t lw, uint32_t lh, int32_t lx, int32_t ly) {
  layer_rect r;
  int64_t x0 = lx < 0 ? 0 : lx, y0 = ly < 0 ? 0 : ly;
  int64_t x1 = (int64_t)lx + lw, y1 = (int64_t)ly + lh;
  if (x1 > source->width) x1 = source->width;
  if (y1 > source->height) y1 = source->height;
  if (x0 > x1) x0 = x1;
  if (y0 > y1) y0 = y1;
  r.x0 = (uint32_t)x0, r.y0 = (uint32_t)y0, r.x1 = (uint32_t)x1, r.y1 = (uint32_t)y1;
  return r;
}

/* Copies the rectangle's pixels between the source and a packed buffer (to save and restore it). */
static void copy_rect(uint8_t *source, uint32_t source_width, layer_rect r, uint8_t *saved, int save) {
  size_t row = (size_t)(r.x1 - r.x0) * 4;
  for (uint32_t y = r.y0; y < r.y1; ++y) {
    uint8_t *s = source + ((size_t)y * source_width + r.x0) * 4;
    uint8_t *b = saved + (size_t)(y - r.y0) * row;
    if (save) memcpy(b, s, row);
    else memcpy(s, b, row);
  }
}

/* Draws a placed layer over the source through its mask, in place: what a user sees in an editor.
 * The caller saves and restores the rectangle, so one decoded source serves every result. */
static void composite(decoded_image *source, const uint8_t *layer, uint32_t lw, int32_t lx, int32_t ly,
                      const uint8_t *mask, layer_rect r) {
  for (uint32_t sy = r.y0; sy < r.y1; ++sy) {
    uint32_t y = (uint32_t)((int64_t)sy - ly);
    for (uint32_t sx = r.x0; sx < r.x1; ++sx) {
      uint32_t x = (uint32_t)((int64_t)sx - lx);
      const uint8_t *l = layer + ((size_t)y * lw + x) * 4;
      uint8_t *d = source->rgba + ((size_t)sy * source->width + sx) * 4;
      double a = (l[3] / 255.0) * (mask[(size_t)y * lw + x] / 255.0);
      double da = d[3] / 255.0;
      double oa = a + da * (1 - a);
      for (int c = 0; c < 3; ++c) {
        double v = oa > 0 ? (l[c] * a + d[c] * da * (1 - a)) / oa : 0;
        d[c] = (uint8_t)(v + 0.5);
      }
      d[3] = (uint8_t)(oa * 255 + 0.5);
    }
  }
}

static int write_placed(const oaimg_result *result, size_t i, decoded_image *source, const cli_options *o) {
  const uint8_t *layer = NULL, *mask = NULL;
  uint32_t lw = 0, lh = 0;
  int32_t lx = 0, ly = 0;
  if (oaimg_result_layer(result, i, &layer, &lw, &lh, &lx, &ly) != OAIMG_OK ||
      oaimg_result_layer_mask(result, i, &mask, NULL, NULL) != OAIMG_OK) {
    fprintf(stderr, "oaimg: result %zu has no placement\n", i + 1);
    return EXIT_FAILED;
  }
  char name[64];
  uint8_t *png = NULL;
  size_t size = 0;
  int rc = 0;
  if (oaimg_png_encode(layer, lw, lh, 0, OAIMG_RGBA8, &png, &size) != OAIMG_OK) return EXIT_FAILED;
  snprintf(name, sizeof name, "layer-%zu.png", i + 1);
  rc = write_or_fail(o->out_dir, name, png, size);
  oaimg_free(png);
  if (rc) return rc;
  if (oaimg_png_encode(mask, lw, lh, 0, OAIMG_GRAY8, &png, &size) != OAIMG_OK) return EXIT_FAILED;
  snprintf(name, sizeof name, "layer-%zu-mask.png", i + 1);
  rc = write_or_fail(o->out_dir, name, png, size);
  oaimg_free(png);
  if (rc) return rc;

  layer_rect r = clip_layer(source, lw, lh, lx, ly);
  uint8_t *saved = malloc((size_t)(r.x1 - r.x0) * (r.y1 - r.y0) * 4 + 1);
  if (!saved) {
    fputs("oaimg: out of memory\n", stderr);
    return EXIT_FAILED;
  }
  copy_rect(source->rgba, source->width, r, saved, 1);
  composite(source, layer, lw, lx, ly, mask, r);
  oaimg_status st = oaimg_png_encode(source->rgba, source->width, source->height, 0, OAIMG_RGBA8, &png, &size);
  copy_rect(source->rgba, source->width, r, saved, 0);
  free(saved);
  if (st != OAIMG_OK) return EXIT_FAILED;
  snprintf(name, sizeof name, "result-%zu.png", i + 1);
  rc = write_or_fail(o->out_dir, name, png, size);
  oaimg_free(png);
  return rc;
}

static int run(oaimg_client *client, oaimg_request *request, const cli_options *o) {
  oaimg_result *result = NULL;
  oaimg_status st = oaimg_client_run(client, request, &result);
  if (st != OAIMG_OK) return fail_client(client, st);
  int rc = 0;
  const int placed = places_results(o);
  decoded_image source = {0};  /* decoded once, whatever the number of results */
  if (placed && oaimg_result_count(result) > 0) rc = decode_file(o->images[0], &source);
  for (size_t i = 0; rc == 0 && i < oaimg_result_count(result); ++i) {
    if (placed) {
      rc = write_placed(result, i, &source, o);
    } else {
      const uint8_t *data = NULL;
      size_t size = 0;
      oaimg_result_image(result, i, &data, &size);
      const char *format = oaimg_result_image_format(result, i);
      char name[64];
      snprintf(name, sizeof name, "result-%zu.%s", i + 1,
               strcmp(format, "jpeg") == 0 ? "jpg" : format);
      rc = write_or_fail(o->out_dir, name, data, size);
    }
  }
  const char *summary = oaimg_result_json(result);
  if (rc == 0) rc = write_or_fail(o->out_dir, "response.json", summary, strlen(summary));
  oaimg_free(source.rgba);
  if (rc == 0) printf("%zu image(s) written to %s\n", oaimg_result_count(result), o->out_dir);
  oaimg_result_free(result);
  return rc;
}

int main(int argc, char **argv) {
  cli_options o;
  char err[512];
  switch (cli_parse(argc, argv, &o, err, sizeof err)) {
    case CLI_PARSE_HELP: cli_print_usage(); return 0;
    case CLI_PARSE_VERSION: printf("oaimg %s\n", oaimg_version_string()); return 0;
    case CLI_PARSE_ERROR: fprintf(stderr, "oaimg: %s\n", err); return EXIT_USAGE;
    default: break;
  }
  if (cli_make_dirs(o.out_dir) != 0) return fail_file("create the folder", o.out_dir);

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);

  oaimg_operation operation = strcmp(o.command, "generate") == 0 ? OAIMG_GENERATE
                              : strcmp(o.command, "edit") == 0   ? OAIMG_EDIT
                                                                 : OAIMG_VARIATION;
  oaimg_client *client = NULL;
  oaimg_request *request = NULL;
  if (oaimg_client_new(&client) != OAIMG_OK || oaimg_request_new(operation, &request) != OAIMG_OK) {
    oaimg_client_free(client);
    fputs("oaimg: out of memory\n", stderr);
    return EXIT_FAILED;
  }
  oaimg_client_set_progress_callback(client, on_progress, &o);
  int rc = 0;
  if (o.timeout_s > 0 && oaimg_client_set_timeout_ms(client, (long)(o.timeout_s * 1000 + 0.5)) != OAIMG_OK)
    rc = fail_client(client, OAIMG_ERR_INVALID_ARGUMENT);
  if (rc == 0 && o.max_retries >= 0) {
    oaimg_status st = oaimg_client_set_max_retries(client, o.max_retries);
    if (st != OAIMG_OK) rc = fail_client(client, st);
  }
  if (rc == 0) rc = build_request(request, &o);
  if (rc == 0) rc = o.dry_run ? dry_run(client, request, &o) : run(client, request, &o);
  oaimg_request_free(request);
  oaimg_client_free(client);
  return rc;
}
