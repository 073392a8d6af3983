/* The oaimg command line: shared declarations of its three files. */
#ifndef OAIMG_CLI_H
#define OAIMG_CLI_H

#include <stddef.h>
#include <stdint.h>

#define CLI_MAX_IMAGES 16

typedef struct cli_options {
  const char *command; /* "generate", "edit", "variation" */
  const char *prompt, *model, *size, *quality, *background, *output_format, *response_format,
      *moderation, *input_fidelity, *style, *user, *out_dir, *mask, *selection, *context;
  const char *images[CLI_MAX_IMAGES];
  int image_count;
  int n;                  /* 0 = not given */
  int stream;             /* -1 = off, else partial images 0-3 */
  int output_compression; /* -1 = not given */
  int max_retries;        /* -1 = library default */
  double timeout_s;       /* 0 = library default */
  int dry_run, verbose;
} cli_options;

enum { CLI_PARSE_OK = 0, CLI_PARSE_HELP = 1, CLI_PARSE_VERSION = 2, CLI_PARSE_ERROR = -1 };

/* Fills options from argv; on CLI_PARSE_ERROR writes one line into err. */
int cli_parse(int argc, char **argv, cli_options *options, char *err, size_t err_size);
void cli_print_usage(void);

/* Files: 0 on success, else -1 with errno set. *data is malloc'ed (free()). */
int cli_read_file(const char *path, uint8_t **data, size_t *size);
int cli_write_file(const char *dir, const char *name, const void *data, size_t size);
int cli_make_dirs(const char *path);
/* A regular file's bytes mapped read-only, without a copy (large source PNGs); anything else
 * (a pipe) is read into memory. 0 or -1 with errno set; release with cli_release_file(). */
typedef struct cli_file {
  const uint8_t *data;
  size_t size;
  int mapped;
} cli_file;
int cli_map_file(const char *path, cli_file *file);
void cli_release_file(cli_file *file);

#endif
