/* The oaimg command line: shared declarations of its files. */
#ifndef OAIMG_CLI_H
#define OAIMG_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "oaimg.h"

#define CLI_MAX_IMAGES 16

/* Exit statuses: documented in --help and the man page. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILED = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTERRUPTED = 130 };

/* Subcommands as bits, so that an option lists the subcommands taking it in one field. */
enum {
  CLI_GENERATE = 1,
  CLI_EDIT = 2,
  CLI_VARIATION = 4,
  CLI_MODELS = 8,
  CLI_EXTEND = 16,
  CLI_REQUESTS = CLI_GENERATE | CLI_EDIT | CLI_VARIATION | CLI_EXTEND
};

typedef struct cli_options {
  const char *command; /* "generate", "edit", "variation", "extend", "models" */
  unsigned command_bit;
  const char *prompt, *model, *size, *quality, *background, *output_format, *response_format,
      *moderation, *input_fidelity, *style, *user, *safety_identifier, *complexity, *out_dir,
      *mask, *selection, *context;
  const char *images[CLI_MAX_IMAGES];
  int image_count;
  /* edit: guide images sent after the edited one, scaled within the model's limits, and a drawn
   * guide over the image (transparent where nothing is drawn). */
  const char *references[CLI_MAX_IMAGES];
  int reference_count;
  const char *markup;
  /* extend: pixels added on each side (-1 = not given), or a target aspect "W:H". */
  int left, top, right, bottom;
  const char *aspect;
  int n;                  /* 0 = not given */
  int stream;             /* -1 = off, else partial images 0-3 */
  int output_compression; /* -1 = not given */
  int max_retries;        /* -1 = library default */
  double timeout_s;       /* 0 = library default */
  int dry_run, verbose, json, allow_experimental_size;
} cli_options;

enum { CLI_PARSE_OK = 0, CLI_PARSE_HELP = 1, CLI_PARSE_VERSION = 2, CLI_PARSE_ERROR = -1 };

/* Fills options from argv; on CLI_PARSE_ERROR writes one line into err. On CLI_PARSE_HELP,
 * options->command_bit names the subcommand whose help was asked for (0 = the overview). */
int cli_parse(int argc, char **argv, cli_options *options, char *err, size_t err_size);
/* The overview (command_bit 0) or one subcommand's usage and options, on stdout. */
void cli_print_help(unsigned command_bit);

/* `oaimg models`: the known models and what each accepts, as a table or JSON. */
int cli_list_models(int json);

/* The one-line progress display on a terminal, and --verbose stage lines elsewhere. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_new(int verbose);
void cli_progress_free(cli_progress *progress);
/* From the progress callback: redraws the line (TTY) or prints a stage line (--verbose). */
void cli_progress_update(cli_progress *progress, const oaimg_client *client, oaimg_stage stage);
/* A line that stays (a partial image saved, a warning), printed above the moving line. */
void cli_progress_note(cli_progress *progress, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Removes the moving line, before the final message. */
void cli_progress_clear(cli_progress *progress);

/* Image files into RGBA8 pixels: PNG through liboaimg, JPEG and WebP through libjpeg / libwebp.
 * 0 on success (*rgba is freed with *release), else -1 with a message in err. */
int cli_decode_image(const uint8_t *bytes, size_t size, uint8_t **rgba, uint32_t *width,
                     uint32_t *height, void (**release)(void *), char *err, size_t err_size);

/* Files: 0 on success, else -1 with errno set. *data is malloc'ed (free()). */
int cli_read_file(const char *path, uint8_t **data, size_t *size);
int cli_write_file(const char *dir, const char *name, const void *data, size_t size);
int cli_make_dirs(const char *path);
/* No core file and no ptrace by others: the process holds the API key. */
void cli_disable_core_dumps(void);
/* A regular file's bytes mapped read-only, without a copy (large source PNGs); anything else
 * (a pipe) is read into memory. 0 or -1 with errno set; release with cli_release_file(). */
typedef struct cli_file {
  const uint8_t *data;
  size_t size;
  int mapped;
} cli_file;
int cli_map_file(const char *path, cli_file *file);
void cli_release_file(cli_file *file);

/* Result PNGs that differ from one RGBA8 image only in pixels [x0, x1) x [y0, y1): the image is
 * deflated once, each result only in that rectangle (patched_png.c). */
typedef struct cli_patched_png cli_patched_png;
cli_patched_png *cli_patched_png_new(const uint8_t *rgba, uint32_t width, uint32_t height,
                                     uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1);
/* rgba: the same image with only the rectangle changed. 0, or -1 with errno set. */
int cli_patched_png_write(cli_patched_png *png, const uint8_t *rgba, const char *path);
void cli_patched_png_free(cli_patched_png *png);

#endif
