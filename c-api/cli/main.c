/* oaimg: generate, edit, vary and extend images from the command line, on the public C API only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "oaimg.h"

/* A model shutting down within this many days gets a warning (at most once a day). */
#define SHUTDOWN_WARNING_DAYS 90
#define STDIN_NAME "standard input"

static volatile sig_atomic_t interrupted_by = 0;
static void on_interrupt(int signal_number) { interrupted_by = signal_number; }

/* The source PNG decoded for the composites on a thread of its own once the request has gone out
 * (not while the library prepares it, which keeps both cores busy): the client mostly waits for
 * the server then, and the decode (a quarter of a second at 12 MP) is no longer added to the
 * wait. Peak memory stays where it was, at placing, where the decoded source was already held
 * beside the results; a failed request has decoded it for nothing. */
typedef struct source_decode {
  struct job *j;
  int wanted, started, failed;
  pthread_t thread;
  char err[256];
} source_decode;

/* Everything one run works with, freed in one place. */
typedef struct job {
  const cli_options *o;
  oaimg_client *client;
  oaimg_request *request;
  cli_progress *progress;
  /* Input files read once (stdin cannot be read twice); regular files mapped, not copied. */
  cli_file images[CLI_MAX_IMAGES];
  char *prompt_from_stdin;
  /* With a selection: the source decoded once for the composites (for JPEG and WebP also for the
   * request; a PNG goes to the request as bytes and is decoded here only when results come). */
  uint8_t *source_rgba;
  void (*release_source)(void *);
  uint32_t source_width, source_height;
  /* Where source_rgba's top-left lies in source coordinates: (0, 0), or for an extend the
   * extended canvas's corner (-left, -top). */
  int32_t origin_x, origin_y;
  /* extend: the margins sent (given, or made from --aspect). */
  uint32_t margins[4];
  /* Partial images written so far, removed again when the run is interrupted or fails. */
  char **partials;
  size_t partial_count;
  source_decode early;
  /* The last put-back mask written as PNG, and which mask buffer it was made from. */
  const uint8_t *mask_png_of;
  uint8_t *mask_png;
  size_t mask_png_size;
} job;

static const char *shown_path(const char *path) { return strcmp(path, "-") == 0 ? STDIN_NAME : path; }

/* Each thing once: "no API key: set OPENAI_API_KEY ..." rather than "no API key: no API key: ...". */
static void print_failure(oaimg_status status, const char *message) {
  const char *what = oaimg_status_str(status);
  if (!message || !*message || strcmp(message, what) == 0)
    fprintf(stderr, "oaimg: %s", what);
  else if (strncmp(message, what, strlen(what)) == 0)
    fprintf(stderr, "oaimg: %s", message);
  else
    fprintf(stderr, "oaimg: %s: %s", what, message);
}

/* Values the model refuses are bad usage (2), like a bad option: nothing was sent. */
static int exit_status_for(oaimg_status status) {
  switch (status) {
    case OAIMG_ERR_INVALID_ARGUMENT:
    case OAIMG_ERR_UNSUPPORTED:
    case OAIMG_ERR_MODEL_RETIRED:
    case OAIMG_ERR_NO_SELECTION:
      return CLI_EXIT_USAGE;
    case OAIMG_ERR_CANCELLED:
      return CLI_EXIT_INTERRUPTED;
    default:
      return CLI_EXIT_FAILED;
  }
}

static int fail_client(job *j, oaimg_status status) {
  cli_progress_clear(j->progress);
  if (status == OAIMG_ERR_CANCELLED && interrupted_by) {
    fputs("oaimg: interrupted; nothing written\n", stderr);
    return 128 + interrupted_by;
  }
  const char *message = oaimg_client_error_message(j->client);
  /* A source PNG read when the job is planned: named as when it was read at once (fail_png). */
  if (status == OAIMG_ERR_IMAGE && message && strncmp(message, "source: ", 8) == 0 &&
      j->o->image_count > 0) {
    fprintf(stderr, "oaimg: '%s': %s\n", shown_path(j->o->images[0]), message);
    return CLI_EXIT_FAILED;
  }
  print_failure(status, message);
  int http = oaimg_client_error_http_status(j->client);
  const char *request_id = oaimg_client_error_request_id(j->client);
  if (http) fprintf(stderr, " (HTTP %d", http);
  if (http && request_id) fprintf(stderr, ", request %s", request_id);
  if (http) fputc(')', stderr);
  int64_t wait_ms = oaimg_client_error_retry_after_ms(j->client);
  if (status == OAIMG_ERR_RATE_LIMITED && wait_ms >= 0)
    fprintf(stderr, "; try again in %.0f s", (double)wait_ms / 1000.0 + 0.5);
  fputc('\n', stderr);
  return exit_status_for(status);
}

static int fail_request(job *j, oaimg_status status) {
  print_failure(status, oaimg_request_error_message(j->request));
  fputc('\n', stderr);
  return exit_status_for(status);
}

static int fail_file(const char *what, const char *path) {
  fprintf(stderr, "oaimg: cannot %s '%s': %s\n", what, path, strerror(errno));
  return CLI_EXIT_FAILED;
}

static int read_input(const char *path, uint8_t **bytes, size_t *size) {
  const int from_stdin = strcmp(path, "-") == 0;
  if (from_stdin && isatty(STDIN_FILENO))
    fputs("oaimg: reading from standard input (end with Ctrl-D)\n", stderr);
  if (cli_read_file(from_stdin ? "/dev/stdin" : path, bytes, size) != 0)
    return fail_file("read", shown_path(path));
  return 0;
}

/* An --image file: mapped when it is a regular file (large sources are not copied), read into
 * memory when it is a pipe or stdin. */
static int read_image(const char *path, cli_file *file) {
  const int from_stdin = strcmp(path, "-") == 0;
  if (from_stdin && isatty(STDIN_FILENO))
    fputs("oaimg: reading from standard input (end with Ctrl-D)\n", stderr);
  if (cli_map_file(from_stdin ? "/dev/stdin" : path, file) != 0)
    return fail_file("read", shown_path(path));
  return 0;
}

static void *decode_source(void *arg) {
  source_decode *d = arg;
  job *j = d->j;
  d->failed = cli_decode_image(j->images[0].data, j->images[0].size, &j->source_rgba,
                               &j->source_width, &j->source_height, &j->release_source, d->err,
                               sizeof d->err) != 0;
  return NULL;
}

/* Waits for decode_source(), if it was started. */
static void finish_source_decode(source_decode *d) {
  d->wanted = 0;
  if (d->started) pthread_join(d->thread, NULL);
}

/* Ctrl-C cancels the transfers rather than killing the process mid-write. */
static int on_progress(void *user_data, oaimg_stage stage, double fraction) {
  (void)fraction;
  job *j = user_data;
  source_decode *early = &j->early;
  /* Without a thread the decode waits for the results, as it would have to anyway. */
  if (early->wanted && !early->started && stage >= OAIMG_STAGE_SENDING && !interrupted_by)
    early->started = pthread_create(&early->thread, NULL, decode_source, early) == 0;
  if (!interrupted_by) cli_progress_update(j->progress, j->client, stage);
  return interrupted_by ? 1 : 0;
}

static const char *extension_of(const uint8_t *bytes, size_t size) {
  if (size >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8) return "jpg";
  if (size >= 12 && memcmp(bytes, "RIFF", 4) == 0 && memcmp(bytes + 8, "WEBP", 4) == 0) return "webp";
  return "png";
}

static int write_or_fail(const char *dir, const char *name, const void *data, size_t size) {
  if (cli_write_file(dir, name, data, size) == 0) return 0;
  fprintf(stderr, "oaimg: cannot write '%s/%s': %s\n", dir, name, strerror(errno));
  return CLI_EXIT_FAILED;
}

static void on_partial(void *user_data, size_t result_index, int partial_index, const uint8_t *image,
                       size_t size) {
  job *j = user_data;
  if (interrupted_by) return;
  char name[64];
  snprintf(name, sizeof name, "partial-%zu-%d.%s", result_index + 1, partial_index + 1,
           extension_of(image, size));
  char **grown = realloc(j->partials, (j->partial_count + 1) * sizeof *grown);
  char *copy = strdup(name);
  if (!grown || !copy) {
    free(copy);
    if (grown) j->partials = grown;
    return; /* a partial is a preview: losing one is no reason to stop the run */
  }
  j->partials = grown;
  if (cli_write_file(j->o->out_dir, name, image, size) != 0) {
    cli_progress_note(j->progress, "cannot write '%s/%s': %s", j->o->out_dir, name, strerror(errno));
    free(copy);
    return;
  }
  j->partials[j->partial_count++] = copy;
  if (isatty(STDERR_FILENO) || j->o->verbose)
    cli_progress_note(j->progress, "partial image %d of result %zu: %s/%s", partial_index + 1,
                      result_index + 1, j->o->out_dir, name);
}

static void remove_partials(job *j) {
  for (size_t i = 0; i < j->partial_count; ++i) {
    size_t length = strlen(j->o->out_dir) + strlen(j->partials[i]) + 2;
    char *path = malloc(length);
    if (!path) continue;
    snprintf(path, length, "%s/%s", j->o->out_dir, j->partials[i]);
    unlink(path);
    free(path);
  }
}

static int decode_input(job *j, size_t index, const char *path, uint8_t **rgba, uint32_t *w,
                        uint32_t *h, void (**release)(void *)) {
  char err[256];
  if (cli_decode_image(j->images[index].data, j->images[index].size, rgba, w, h, release, err,
                       sizeof err) != 0) {
    fprintf(stderr, "oaimg: '%s' %s\n", shown_path(path), err);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

static int is_png(const uint8_t *bytes, size_t size) {
  static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return size >= 8 && memcmp(bytes, signature, 8) == 0;
}

/* A request call that read PNG bytes failed: the file named, the library's reason once; a value
 * refused (the selection's size) is bad usage, a corrupt file a failure. */
static int fail_png(job *j, const char *path, oaimg_status st) {
  fprintf(stderr, "oaimg: '%s': %s\n", shown_path(path), oaimg_request_error_message(j->request));
  return st == OAIMG_ERR_INVALID_ARGUMENT ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

/* The size a PNG's IHDR states (the library has checked the file by then). */
static int png_size(const uint8_t *bytes, size_t size, uint32_t *w, uint32_t *h) {
  if (!is_png(bytes, size) || size < 24) return -1;
  *w = (uint32_t)bytes[16] << 24 | (uint32_t)bytes[17] << 16 | (uint32_t)bytes[18] << 8 | bytes[19];
  *h = (uint32_t)bytes[20] << 24 | (uint32_t)bytes[21] << 16 | (uint32_t)bytes[22] << 8 | bytes[23];
  return 0;
}

/* A guide file (--reference, --markup) decoded to RGBA8; 0, or an exit status after a message. */
static int decode_guide(const char *what, const char *path, uint8_t **rgba, uint32_t *w, uint32_t *h,
                        void (**release)(void *)) {
  cli_file file;
  if (cli_map_file(path, &file) != 0) return fail_file("read", path);
  char err[256];
  int rc = cli_decode_image(file.data, file.size, rgba, w, h, release, err, sizeof err);
  cli_release_file(&file);
  if (rc != 0) {
    fprintf(stderr, "oaimg: %s '%s' %s\n", what, path, err);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* --reference files in order, after the edited image. */
static int add_references(job *j) {
  const cli_options *o = j->o;
  for (int i = 0; i < o->reference_count; ++i) {
    uint8_t *rgba = NULL;
    uint32_t w = 0, h = 0;
    void (*release)(void *) = NULL;
    int rc = decode_guide("--reference", o->references[i], &rgba, &w, &h, &release);
    if (rc) return rc;
    oaimg_status st = oaimg_request_add_reference(j->request, rgba, w, h, 0, OAIMG_RGBA8);
    release(rgba);
    if (st != OAIMG_OK) {
      fprintf(stderr, "oaimg: --reference '%s': %s\n", o->references[i],
              oaimg_request_error_message(j->request));
      return exit_status_for(st) == CLI_EXIT_FAILED ? CLI_EXIT_USAGE : exit_status_for(st);
    }
  }
  return 0;
}

/* --markup: drawn over the image, so of its size, and showing the image somewhere (alpha 0). */
static int set_markup(job *j, uint32_t source_width, uint32_t source_height) {
  const cli_options *o = j->o;
  uint8_t *rgba = NULL;
  uint32_t w = 0, h = 0;
  void (*release)(void *) = NULL;
  int rc = decode_guide("--markup", o->markup, &rgba, &w, &h, &release);
  if (rc) return rc;
  if (w != source_width || h != source_height) {
    fprintf(stderr, "oaimg: --markup '%s' is %ux%u; it is drawn over the image, so it must have "
            "the image's size, %ux%u\n", o->markup, w, h, source_width, source_height);
    release(rgba);
    return CLI_EXIT_USAGE;
  }
  int transparent = 0;
  for (size_t i = 3; i < (size_t)w * h * 4 && !transparent; i += 4) transparent = rgba[i] == 0;
  if (!transparent) {
    fprintf(stderr, "oaimg: --markup '%s' has no fully transparent pixel (alpha 0); draw the "
            "guide on a transparent layer so the image shows where nothing is drawn\n", o->markup);
    release(rgba);
    return CLI_EXIT_USAGE;
  }
  oaimg_status st = oaimg_request_set_markup_layer(j->request, rgba, w, h, 0, OAIMG_RGBA8, 0, 0);
  release(rgba);
  if (st != OAIMG_OK) {
    fprintf(stderr, "oaimg: --markup '%s': %s\n", o->markup, oaimg_request_error_message(j->request));
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* extend: the margins as given, or made from --aspect for this image's size. */
static int set_extend(job *j, uint32_t source_width, uint32_t source_height) {
  const cli_options *o = j->o;
  uint32_t *m = j->margins;
  if (o->aspect) {
    unsigned aw = 0, ah = 0;
    sscanf(o->aspect, "%u:%u", &aw, &ah);
    if (oaimg_extend_margins_for_aspect(source_width, source_height, aw, ah, &m[0], &m[1], &m[2],
                                        &m[3]) != OAIMG_OK) {
      fprintf(stderr, "oaimg: --aspect %s does not fit a %ux%u image\n", o->aspect, source_width,
              source_height);
      return CLI_EXIT_USAGE;
    }
    if (!m[0] && !m[1] && !m[2] && !m[3]) {
      fprintf(stderr, "oaimg: '%s' (%ux%u) already is %s; nothing to extend (give another "
              "--aspect or margins)\n", shown_path(o->images[0]), source_width, source_height, o->aspect);
      return CLI_EXIT_USAGE;
    }
  } else {
    m[0] = o->left > 0 ? (uint32_t)o->left : 0;
    m[1] = o->top > 0 ? (uint32_t)o->top : 0;
    m[2] = o->right > 0 ? (uint32_t)o->right : 0;
    m[3] = o->bottom > 0 ? (uint32_t)o->bottom : 0;
  }
  oaimg_status st = oaimg_request_set_extend(j->request, m[0], m[1], m[2], m[3]);
  if (st != OAIMG_OK) return fail_request(j, st);
  return 0;
}

/* Source pixels and selection coverage (white = selected) for the whole-job path. A PNG file goes
 * to the library by its path (read for the planned region only; extend, and stdin, as the file's
 * bytes, the fast whole-image reader), with no RGBA copy here; JPEG and WebP are
 * decoded here, and kept for the composites. The selection PNG goes as bytes too, and is kept as
 * 8-bit coverage. */
static int set_source_and_selection(job *j) {
  const cli_options *o = j->o;
  oaimg_status st;
  uint32_t source_width = 0, source_height = 0;
  if (is_png(j->images[0].data, j->images[0].size) && j->images[0].mapped &&
      o->command_bit != CLI_EXTEND) {
    /* Read by the library as a stream when the job is planned: only the region's rows are kept. */
    st = oaimg_request_set_source_png_file(j->request, o->images[0]);
    if (st != OAIMG_OK) return fail_png(j, o->images[0], st);
    png_size(j->images[0].data, j->images[0].size, &source_width, &source_height);
  } else if (is_png(j->images[0].data, j->images[0].size)) {
    st = oaimg_request_set_source_png(j->request, j->images[0].data, j->images[0].size);
    if (st != OAIMG_OK) return fail_png(j, o->images[0], st);
    png_size(j->images[0].data, j->images[0].size, &source_width, &source_height);
  } else {
    int rc = decode_input(j, 0, o->images[0], &j->source_rgba, &j->source_width, &j->source_height,
                          &j->release_source);
    if (rc) return rc;
    st = oaimg_request_set_source(j->request, j->source_rgba, j->source_width, j->source_height, 0,
                                  OAIMG_RGBA8);
    if (st != OAIMG_OK) return fail_request(j, st);
    source_width = j->source_width;
    source_height = j->source_height;
  }
  int rc = 0;
  if (o->command_bit == CLI_EXTEND) rc = set_extend(j, source_width, source_height);
  if (rc == 0) rc = add_references(j);
  if (rc == 0 && o->markup) rc = set_markup(j, source_width, source_height);
  if (rc) return rc;
  if (o->selection) {
    cli_file file;
    if (cli_map_file(o->selection, &file) != 0) return fail_file("read", o->selection);
    st = oaimg_request_set_selection_png(j->request, file.data, file.size);
    cli_release_file(&file);
    if (st != OAIMG_OK) return fail_png(j, o->selection, st);
  }
  if (o->context) {
    oaimg_context_mode mode;
    if (strcmp(o->context, "auto") == 0) mode = OAIMG_CONTEXT_AUTO;
    else if (strcmp(o->context, "selection") == 0) mode = OAIMG_CONTEXT_SELECTION;
    else if (strcmp(o->context, "image") == 0) mode = OAIMG_CONTEXT_IMAGE;
    else {
      fprintf(stderr, "oaimg: --context '%s' is not known; use auto, selection or image\n", o->context);
      return CLI_EXIT_USAGE;
    }
    st = oaimg_request_set_context_mode(j->request, mode);
    if (st != OAIMG_OK) return fail_request(j, st);
  }
  return 0;
}

/* With a selection (or an image to generate over) the library plans the region and places every
 * result back; otherwise the files go to the server as they are. */
static int places_results(const cli_options *o) {
  return o->selection || (o->command_bit == CLI_GENERATE && o->image_count == 1) ||
         o->command_bit == CLI_EXTEND || o->reference_count > 0 || o->markup;
}

/* extend: the decoded source moved onto a canvas of the extended size (transparent around it),
 * which the results are then composited onto. 0 or an exit status. */
static int make_extended_canvas(job *j) {
  const uint32_t *m = j->margins;
  const uint64_t cw = (uint64_t)j->source_width + m[0] + m[2];
  const uint64_t ch = (uint64_t)j->source_height + m[1] + m[3];
  uint8_t *canvas = calloc((size_t)(cw * ch * 4), 1);
  if (!canvas) {
    fputs("oaimg: out of memory for the extended canvas\n", stderr);
    return CLI_EXIT_FAILED;
  }
  for (uint32_t y = 0; y < j->source_height; ++y)
    memcpy(canvas + (((size_t)y + m[1]) * cw + m[0]) * 4,
           j->source_rgba + (size_t)y * j->source_width * 4, (size_t)j->source_width * 4);
  j->release_source(j->source_rgba);
  j->source_rgba = canvas;
  j->release_source = free;
  j->source_width = (uint32_t)cw;
  j->source_height = (uint32_t)ch;
  j->origin_x = -(int32_t)m[0];
  j->origin_y = -(int32_t)m[1];
  return 0;
}

static int add_files(job *j) {
  const cli_options *o = j->o;
  for (int i = 0; i < o->image_count; ++i) {
    oaimg_status st = oaimg_request_add_image(j->request, j->images[i].data, j->images[i].size);
    if (st != OAIMG_OK) {
      fprintf(stderr, "oaimg: '%s': %s\n", shown_path(o->images[i]), oaimg_request_error_message(j->request));
      return exit_status_for(st) == CLI_EXIT_FAILED ? CLI_EXIT_USAGE : exit_status_for(st);
    }
  }
  if (o->mask) {
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (cli_read_file(o->mask, &bytes, &size) != 0) return fail_file("read", o->mask);
    oaimg_status st = oaimg_request_set_mask(j->request, bytes, size);
    free(bytes);
    if (st != OAIMG_OK) {
      fprintf(stderr, "oaimg: '%s': %s\n", o->mask, oaimg_request_error_message(j->request));
      return CLI_EXIT_USAGE;
    }
  }
  return 0;
}

/* --prompt - : the whole of stdin, without the line break that ends it. */
static int read_prompt(job *j, const char **prompt) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  if (read_input("-", &bytes, &size) != 0) return CLI_EXIT_FAILED;
  while (size > 0 && (bytes[size - 1] == '\n' || bytes[size - 1] == '\r')) --size;
  char *text = realloc(bytes, size + 1);
  if (!text) {
    free(bytes);
    fputs("oaimg: out of memory\n", stderr);
    return CLI_EXIT_FAILED;
  }
  text[size] = '\0';
  if (strlen(text) != size) {
    free(text);
    fputs("oaimg: the prompt on standard input contains a NUL byte; it must be text\n", stderr);
    return CLI_EXIT_USAGE;
  }
  if (size == 0) {
    free(text);
    fputs("oaimg: the prompt on standard input is empty\n", stderr);
    return CLI_EXIT_USAGE;
  }
  j->prompt_from_stdin = text;
  *prompt = text;
  return 0;
}

static int build_request(job *j) {
  const cli_options *o = j->o;
  const char *prompt = o->prompt;
  if (prompt && strcmp(prompt, "-") == 0) {
    int rc = read_prompt(j, &prompt);
    if (rc) return rc;
  }
  for (int i = 0; i < o->image_count; ++i) {
    int rc = read_image(o->images[i], &j->images[i]);
    if (rc) return rc;
  }
  struct { oaimg_status (*set)(oaimg_request *, const char *); const char *value; } texts[] = {
      {oaimg_request_set_prompt, prompt},
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
      {oaimg_request_set_safety_identifier, o->safety_identifier},
      {oaimg_request_set_complexity, o->complexity},
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; ++i) {
    if (!texts[i].value) continue;
    oaimg_status st = texts[i].set(j->request, texts[i].value);
    if (st != OAIMG_OK) return fail_request(j, st);
  }
  oaimg_status st = OAIMG_OK;
  if (o->n && (st = oaimg_request_set_n(j->request, o->n)) != OAIMG_OK) return fail_request(j, st);
  if (o->stream != -1 && (st = oaimg_request_set_stream(j->request, o->stream)) != OAIMG_OK)
    return fail_request(j, st);
  if (o->output_compression != -1 &&
      (st = oaimg_request_set_output_compression(j->request, o->output_compression)) != OAIMG_OK)
    return fail_request(j, st);
  if (o->allow_experimental_size &&
      (st = oaimg_request_set_allow_experimental_size(j->request, 1)) != OAIMG_OK)
    return fail_request(j, st);

  if (places_results(o)) return set_source_and_selection(j);
  return add_files(j);
}

static int dry_run(job *j) {
  const cli_options *o = j->o;
  oaimg_plan *plan = NULL;
  oaimg_status st = oaimg_client_plan(j->client, j->request, &plan);
  if (st != OAIMG_OK) return fail_client(j, st);
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
      if (image_number == 1) snprintf(name, sizeof name, "request-image.%s", extension_of(data, size));
      else snprintf(name, sizeof name, "request-image-%d.%s", image_number, extension_of(data, size));
    } else {
      snprintf(name, sizeof name, "request-%s.png", field);
    }
    rc = write_or_fail(o->out_dir, name, data, size);
  }
  const char *fields = oaimg_plan_fields_json(plan);
  if (rc == 0) rc = write_or_fail(o->out_dir, "request.json", fields, strlen(fields));
  if (rc == 0 && o->json) {
    printf("%s\n", fields);
  } else if (rc == 0) {
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

static layer_rect clip_layer(const job *source, uint32_t lw, uint32_t lh, int32_t lx, int32_t ly) {
  layer_rect r;
  int64_t x0 = lx < 0 ? 0 : lx, y0 = ly < 0 ? 0 : ly;
  int64_t x1 = (int64_t)lx + lw, y1 = (int64_t)ly + lh;
  if (x1 > source->source_width) x1 = source->source_width;
  if (y1 > source->source_height) y1 = source->source_height;
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
static void composite(job *source, const uint8_t *layer, uint32_t lw, int32_t lx, int32_t ly,
                      const uint8_t *mask, layer_rect r) {
  for (uint32_t sy = r.y0; sy < r.y1; ++sy) {
    uint32_t y = (uint32_t)((int64_t)sy - ly);
    for (uint32_t sx = r.x0; sx < r.x1; ++sx) {
      uint32_t x = (uint32_t)((int64_t)sx - lx);
      const uint8_t *l = layer + ((size_t)y * lw + x) * 4;
      uint8_t *d = source->source_rgba + ((size_t)sy * source->source_width + sx) * 4;
      if (!l[3] || !mask[(size_t)y * lw + x]) continue; /* nothing drawn: the source stays */
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

/* A result's layer and mask, in the composite buffer's coordinates (an extend's canvas starts at
 * (-left, -top)); 0, or an exit status after a message. */
static int placed_layer(const job *j, const oaimg_result *result, size_t i, const uint8_t **layer,
                        const uint8_t **mask, uint32_t *lw, uint32_t *lh, int32_t *lx, int32_t *ly) {
  if (oaimg_result_layer(result, i, layer, lw, lh, lx, ly) != OAIMG_OK ||
      oaimg_result_layer_mask(result, i, mask, NULL, NULL) != OAIMG_OK) {
    fprintf(stderr, "oaimg: result %zu has no placement\n", i + 1);
    return CLI_EXIT_FAILED;
  }
  *lx -= j->origin_x;
  *ly -= j->origin_y;
  return 0;
}

/* The part of the source a placed layer changes: where both its mask and its alpha are above
 * zero (a region's layer is square, its selection often far smaller), clipped to the source. */
static layer_rect touched_rect(const job *j, const uint8_t *layer, const uint8_t *mask, uint32_t lw,
                               uint32_t lh, int32_t lx, int32_t ly) {
  uint32_t x0 = lw, y0 = lh, x1 = 0, y1 = 0;
  for (uint32_t y = 0; y < lh; ++y) {
    const uint8_t *m = mask + (size_t)y * lw, *l = layer + (size_t)y * lw * 4;
    uint32_t first = 0, last = lw;
    while (first < lw && !(m[first] && l[first * 4 + 3])) ++first;
    if (first == lw) continue;
    while (last > first && !(m[last - 1] && l[(last - 1) * 4 + 3])) --last;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
    if (y < y0) y0 = y;
    y1 = y + 1;
  }
  if (x0 >= x1) return clip_layer(j, 0, 0, 0, 0);
  layer_rect r = clip_layer(j, x1 - x0, y1 - y0, lx + (int32_t)x0, ly + (int32_t)y0);
  return r;
}

/* The source deflated once around the rectangle every result changes (the union of their layers):
 * each composite then deflates only that rectangle. NULL after a message. */
static cli_patched_png *prepare_composites(const job *j, const oaimg_result *result) {
  layer_rect all = {0, 0, 0, 0};
  for (size_t i = 0; i < oaimg_result_count(result); ++i) {
    const uint8_t *layer = NULL, *mask = NULL;
    uint32_t lw = 0, lh = 0;
    int32_t lx = 0, ly = 0;
    if (placed_layer(j, result, i, &layer, &mask, &lw, &lh, &lx, &ly)) return NULL;
    layer_rect r = touched_rect(j, layer, mask, lw, lh, lx, ly);
    if (r.x0 >= r.x1 || r.y0 >= r.y1) continue;
    if (all.x0 >= all.x1) {
      all = r;
      continue;
    }
    if (r.x0 < all.x0) all.x0 = r.x0;
    if (r.y0 < all.y0) all.y0 = r.y0;
    if (r.x1 > all.x1) all.x1 = r.x1;
    if (r.y1 > all.y1) all.y1 = r.y1;
  }
  cli_patched_png *png = cli_patched_png_new(j->source_rgba, j->source_width, j->source_height,
                                             all.x0, all.y0, all.x1, all.y1);
  if (!png) fputs("oaimg: out of memory encoding the results\n", stderr);
  return png;
}

static int write_placed(job *j, const oaimg_result *result, size_t i, cli_patched_png *composites) {
  const cli_options *o = j->o;
  const uint8_t *layer = NULL, *mask = NULL;
  uint32_t lw = 0, lh = 0;
  int32_t lx = 0, ly = 0;
  int rc = placed_layer(j, result, i, &layer, &mask, &lw, &lh, &lx, &ly);
  if (rc) return rc;
  char name[64];
  uint8_t *png = NULL;
  size_t size = 0;
  if (oaimg_png_encode(layer, lw, lh, 0, OAIMG_RGBA8, &png, &size) != OAIMG_OK) return CLI_EXIT_FAILED;
  snprintf(name, sizeof name, "layer-%zu.png", i + 1);
  rc = write_or_fail(o->out_dir, name, png, size);
  oaimg_free(png);
  if (rc) return rc;
  /* The results of one job share their put-back mask (the same buffer): encoded once. */
  if (mask != j->mask_png_of) {
    oaimg_free(j->mask_png);
    j->mask_png = NULL;
    j->mask_png_of = NULL;
    if (oaimg_png_encode(mask, lw, lh, 0, OAIMG_GRAY8, &j->mask_png, &j->mask_png_size) != OAIMG_OK)
      return CLI_EXIT_FAILED;
    j->mask_png_of = mask;
  }
  snprintf(name, sizeof name, "layer-%zu-mask.png", i + 1);
  rc = write_or_fail(o->out_dir, name, j->mask_png, j->mask_png_size);
  if (rc) return rc;

  layer_rect r = touched_rect(j, layer, mask, lw, lh, lx, ly);
  uint8_t *saved = malloc((size_t)(r.x1 - r.x0) * (r.y1 - r.y0) * 4 + 1);
  snprintf(name, sizeof name, "result-%zu.png", i + 1);
  size_t length = strlen(o->out_dir) + strlen(name) + 2;
  char *path = malloc(length);
  if (!saved || !path) {
    free(saved);
    free(path);
    fputs("oaimg: out of memory\n", stderr);
    return CLI_EXIT_FAILED;
  }
  snprintf(path, length, "%s/%s", o->out_dir, name);
  /* Composited in place over the one decoded source, written, and the rectangle put back for the
   * next result: no full-image copy per result. */
  copy_rect(j->source_rgba, j->source_width, r, saved, 1);
  composite(j, layer, lw, lx, ly, mask, r);
  if (cli_patched_png_write(composites, j->source_rgba, path) != 0) {
    fprintf(stderr, "oaimg: cannot write '%s': %s\n", path, strerror(errno));
    rc = CLI_EXIT_FAILED;
  }
  copy_rect(j->source_rgba, j->source_width, r, saved, 0);
  free(saved);
  free(path);
  return rc;
}

/* Warns when the model shuts down soon. Never fails the run: the check is advice. */
static void warn_if_shutting_down(job *j) {
  char *warning = NULL;
  oaimg_status st = oaimg_client_model_shutdown_warning(j->client, j->o->model, SHUTDOWN_WARNING_DAYS,
                                                        &warning);
  if (st == OAIMG_OK && warning) cli_progress_note(j->progress, "warning: %s", warning);
  else if (st != OAIMG_OK && j->o->verbose)
    cli_progress_note(j->progress, "could not ask the server when the model shuts down: %s",
                      oaimg_client_error_message(j->client));
  oaimg_free(warning);
}

static int run(job *j) {
  const cli_options *o = j->o;
  warn_if_shutting_down(j);
  const int placed = places_results(o);
  j->early.j = j;
  j->early.wanted = placed && !j->source_rgba;
  oaimg_result *result = NULL;
  oaimg_status st = oaimg_client_run(j->client, j->request, &result);
  if (st == OAIMG_OK && interrupted_by) st = OAIMG_ERR_CANCELLED; /* Ctrl-C while placing */
  finish_source_decode(&j->early);
  if (st != OAIMG_OK) {
    oaimg_result_free(result);
    remove_partials(j);
    return fail_client(j, st);
  }
  cli_progress_clear(j->progress);
  int rc = 0;
  /* A source that does not decode is named only once the request has succeeded, as before the
   * decode moved to its thread: a failed request is the error the user has to see first. */
  if (j->early.started && j->early.failed && oaimg_result_count(result) > 0) {
    fprintf(stderr, "oaimg: '%s' %s\n", shown_path(o->images[0]), j->early.err);
    oaimg_result_free(result);
    return CLI_EXIT_USAGE;
  }
  /* The source decoded once, whatever the number of results (already, for JPEG and WebP). */
  if (placed && oaimg_result_count(result) > 0 && !j->source_rgba)
    rc = decode_input(j, 0, o->images[0], &j->source_rgba, &j->source_width, &j->source_height,
                      &j->release_source);
  if (rc == 0 && o->command_bit == CLI_EXTEND && oaimg_result_count(result) > 0)
    rc = make_extended_canvas(j);
  cli_patched_png *composites = NULL;
  if (rc == 0 && placed && oaimg_result_count(result) > 0 &&
      !(composites = prepare_composites(j, result)))
    rc = CLI_EXIT_FAILED;
  for (size_t i = 0; rc == 0 && i < oaimg_result_count(result); ++i) {
    if (placed) {
      rc = write_placed(j, result, i, composites);
    } else {
      const uint8_t *data = NULL;
      size_t size = 0;
      oaimg_result_image(result, i, &data, &size);
      const char *format = oaimg_result_image_format(result, i);
      char name[64];
      snprintf(name, sizeof name, "result-%zu.%s", i + 1, strcmp(format, "jpeg") == 0 ? "jpg" : format);
      rc = write_or_fail(o->out_dir, name, data, size);
    }
  }
  cli_patched_png_free(composites);
  if (o->verbose) {
    int64_t input = -1, output = -1, total = -1, input_text = -1, input_image = -1, output_text = -1,
            output_image = -1;
    oaimg_result_usage(result, &input, &output, &total);
    oaimg_result_usage_details(result, &input_text, &input_image, &output_text, &output_image);
    if (total >= 0)
      cli_progress_note(j->progress,
                        "tokens: %lld in (text %lld, image %lld), %lld out (text %lld, image %lld)",
                        (long long)input, (long long)input_text, (long long)input_image,
                        (long long)output, (long long)output_text, (long long)output_image);
    const char *safety_identifier = oaimg_result_safety_identifier(result);
    if (safety_identifier) cli_progress_note(j->progress, "safety identifier: %s", safety_identifier);
  }
  const char *summary = oaimg_result_json(result);
  if (rc == 0) rc = write_or_fail(o->out_dir, "response.json", summary, strlen(summary));
  if (rc == 0 && o->json) printf("%s\n", summary);
  else if (rc == 0) printf("%zu image(s) written to %s\n", oaimg_result_count(result), o->out_dir);
  oaimg_result_free(result);
  return rc;
}

static void free_job(job *j) {
  oaimg_request_free(j->request);
  oaimg_client_free(j->client);
  cli_progress_free(j->progress);
  for (int i = 0; i < CLI_MAX_IMAGES; ++i) cli_release_file(&j->images[i]);
  free(j->prompt_from_stdin);
  if (j->source_rgba) j->release_source(j->source_rgba);
  oaimg_free(j->mask_png);
  for (size_t i = 0; i < j->partial_count; ++i) free(j->partials[i]);
  free(j->partials);
}

int main(int argc, char **argv) {
  cli_disable_core_dumps();
  cli_options o;
  char err[512];
  switch (cli_parse(argc, argv, &o, err, sizeof err)) {
    case CLI_PARSE_HELP: cli_print_help(o.command_bit); return CLI_EXIT_OK;
    case CLI_PARSE_VERSION: printf("oaimg %s\n", oaimg_version_string()); return CLI_EXIT_OK;
    case CLI_PARSE_ERROR: fprintf(stderr, "oaimg: %s\n", err); return CLI_EXIT_USAGE;
    default: break;
  }
  if (o.command_bit == CLI_MODELS) return cli_list_models(o.json);
  if (cli_make_dirs(o.out_dir) != 0) return fail_file("create the folder", o.out_dir);

  /* The first Ctrl-C cancels cleanly; a second one, with the default action back, ends at once. */
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);

  oaimg_operation operation = o.command_bit == CLI_GENERATE                               ? OAIMG_GENERATE
                              : (o.command_bit == CLI_EDIT || o.command_bit == CLI_EXTEND) ? OAIMG_EDIT
                                                                                           : OAIMG_VARIATION;
  job j;
  memset(&j, 0, sizeof j);
  j.o = &o;
  if (oaimg_client_new(&j.client) != OAIMG_OK || oaimg_request_new(operation, &j.request) != OAIMG_OK ||
      !(j.progress = cli_progress_new(o.verbose))) {
    free_job(&j);
    fputs("oaimg: out of memory\n", stderr);
    return CLI_EXIT_FAILED;
  }
  oaimg_client_set_progress_callback(j.client, on_progress, &j);
  if (o.stream >= 0) oaimg_client_set_partial_image_callback(j.client, on_partial, &j);
  int rc = 0;
  if (o.timeout_s > 0 && oaimg_client_set_timeout_ms(j.client, (long)(o.timeout_s * 1000 + 0.5)) != OAIMG_OK)
    rc = fail_client(&j, OAIMG_ERR_INVALID_ARGUMENT);
  if (rc == 0 && o.max_retries >= 0) {
    oaimg_status st = oaimg_client_set_max_retries(j.client, o.max_retries);
    if (st != OAIMG_OK) rc = fail_client(&j, st);
  }
  if (rc == 0) rc = build_request(&j);
  if (rc == 0) rc = o.dry_run ? dry_run(&j) : run(&j);
  free_job(&j);
  return rc;
}
