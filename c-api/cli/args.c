#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A day: longer than any image request, small enough for a 32-bit long of ms. */
#define CLI_MAX_TIMEOUT_S 86400

void cli_print_usage(void) {
  fputs(
      "usage:\n"
      "  oaimg generate  --prompt P [--n N] [--model M] [--size S] [--quality Q] --out-dir D\n"
      "  oaimg edit      --image IMG (--mask MASK | --selection SEL) --prompt P [--n N] [--model M]\n"
      "                  [--size S] --out-dir D\n"
      "  oaimg variation --image IMG [--selection SEL] [--prompt P] [--n N] [--model M] [--size S]\n"
      "                  --out-dir D\n"
      "\n"
      "Writes D/result-1.png ... and D/response.json. The API key comes from OPENAI_API_KEY, the\n"
      "server from OPENAI_BASE_URL (default https://api.openai.com/v1).\n"
      "\n"
      "options:\n"
      "  --prompt P            what the image should show (edits: the whole new image)\n"
      "  --n N                 number of images, 1-10\n"
      "  --model M             e.g. gpt-image-1.5, dall-e-2 (default: per server)\n"
      "  --size S              auto, 1024x1024, ... (with --selection: planned from the region)\n"
      "  --image IMG           input image (PNG, JPEG, WebP); repeat for several on GPT models\n"
      "  --mask MASK           PNG whose transparent pixels mark where to edit\n"
      "  --selection SEL       grayscale PNG of the image's size, white = selected; results are\n"
      "                        put back under the selection (D/result-N.png, D/layer-N.png,\n"
      "                        D/layer-N-mask.png)\n"
      "  --context MODE        with --selection: auto, selection or image\n"
      "  --quality Q  --background B  --output-format F  --output-compression 0-100\n"
      "  --moderation M  --input-fidelity F  --style S  --user U\n"
      "  --response-format F   url or b64_json (DALL-E models)\n"
      "  --stream N            stream with N partial images (0-3, GPT models)\n"
      "  --timeout SECONDS     per attempt (default 600)\n"
      "  --max-retries N       0-10 (default 2)\n"
      "  --dry-run             send nothing; write D/request-image.png, D/request-mask.png and\n"
      "                        D/request.json as they would be sent\n"
      "  --verbose             progress on stderr\n"
      "  --help, --version\n",
      stdout);
}

static int parse_int(const char *text, int *out) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (!*text || *end || v < -1000000 || v > 1000000) return -1;
  *out = (int)v;
  return 0;
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_size) {
  memset(o, 0, sizeof *o);
  o->stream = -1;
  o->output_compression = -1;
  o->max_retries = -1;
  if (argc < 2) {
    snprintf(err, err_size, "no command given; use generate, edit or variation (see --help)");
    return CLI_PARSE_ERROR;
  }
  int i = 1;
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return CLI_PARSE_HELP;
  if (strcmp(argv[1], "--version") == 0) return CLI_PARSE_VERSION;
  if (strcmp(argv[1], "generate") && strcmp(argv[1], "edit") && strcmp(argv[1], "variation")) {
    snprintf(err, err_size, "unknown command '%s'; use generate, edit or variation", argv[1]);
    return CLI_PARSE_ERROR;
  }
  o->command = argv[i++];

  /* Options taking a string value, and where it goes. */
  struct { const char *name; const char **slot; } text_options[] = {
      {"--prompt", &o->prompt},         {"--model", &o->model},
      {"--size", &o->size},             {"--quality", &o->quality},
      {"--background", &o->background}, {"--output-format", &o->output_format},
      {"--response-format", &o->response_format}, {"--moderation", &o->moderation},
      {"--input-fidelity", &o->input_fidelity},   {"--style", &o->style},
      {"--user", &o->user},             {"--out-dir", &o->out_dir},
      {"--mask", &o->mask},             {"--selection", &o->selection},
      {"--context", &o->context},
  };
  const size_t text_count = sizeof text_options / sizeof text_options[0];

  for (; i < argc; ++i) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return CLI_PARSE_HELP;
    if (strcmp(arg, "--version") == 0) return CLI_PARSE_VERSION;
    if (strcmp(arg, "--dry-run") == 0) { o->dry_run = 1; continue; }
    if (strcmp(arg, "--verbose") == 0) { o->verbose = 1; continue; }
    if (i + 1 >= argc) {
      snprintf(err, err_size, "option '%s' needs a value (or is unknown; see --help)", arg);
      return CLI_PARSE_ERROR;
    }
    const char *value = argv[i + 1];
    int matched = 0;
    for (size_t k = 0; k < text_count; ++k) {
      if (strcmp(arg, text_options[k].name) == 0) {
        *text_options[k].slot = value;
        matched = 1;
        break;
      }
    }
    if (!matched && strcmp(arg, "--image") == 0) {
      if (o->image_count == CLI_MAX_IMAGES) {
        snprintf(err, err_size, "at most %d --image options", CLI_MAX_IMAGES);
        return CLI_PARSE_ERROR;
      }
      o->images[o->image_count++] = value;
      matched = 1;
    }
    if (!matched) {
      int *int_slot = NULL;
      if (strcmp(arg, "--n") == 0) int_slot = &o->n;
      else if (strcmp(arg, "--stream") == 0) int_slot = &o->stream;
      else if (strcmp(arg, "--output-compression") == 0) int_slot = &o->output_compression;
      else if (strcmp(arg, "--max-retries") == 0) int_slot = &o->max_retries;
      if (int_slot) {
        if (parse_int(value, int_slot) != 0) {
          snprintf(err, err_size, "%s '%s' is not a whole number", arg, value);
          return CLI_PARSE_ERROR;
        }
        matched = 1;
      } else if (strcmp(arg, "--timeout") == 0) {
        char *end = NULL;
        o->timeout_s = strtod(value, &end);
        /* The bound keeps seconds * 1000 within a long of milliseconds on every platform. */
        if (!*value || *end || !(o->timeout_s > 0 && o->timeout_s <= CLI_MAX_TIMEOUT_S)) {
          snprintf(err, err_size,
                   "--timeout '%s' must be a number of seconds, more than 0 and at most %d",
                   value, CLI_MAX_TIMEOUT_S);
          return CLI_PARSE_ERROR;
        }
        matched = 1;
      }
    }
    if (!matched) {
      snprintf(err, err_size, "unknown option '%s' (see --help)", arg);
      return CLI_PARSE_ERROR;
    }
    ++i;
  }

  const int is_generate = strcmp(o->command, "generate") == 0;
  const int is_edit = strcmp(o->command, "edit") == 0;
  if (!o->out_dir) {
    snprintf(err, err_size, "--out-dir is required: the folder to write results into");
    return CLI_PARSE_ERROR;
  }
  if ((is_generate || is_edit) && !o->prompt) {
    snprintf(err, err_size, "%s needs --prompt", o->command);
    return CLI_PARSE_ERROR;
  }
  if (!is_generate && o->image_count == 0) {
    snprintf(err, err_size, "%s needs --image", o->command);
    return CLI_PARSE_ERROR;
  }
  if (o->selection && o->mask) {
    snprintf(err, err_size, "give either --mask or --selection, not both");
    return CLI_PARSE_ERROR;
  }
  if (o->selection && o->image_count != 1) {
    snprintf(err, err_size, "--selection needs exactly one --image (the image it selects in)");
    return CLI_PARSE_ERROR;
  }
  if (o->context && !o->selection && !(is_generate && o->image_count == 1)) {
    snprintf(err, err_size, "--context applies only with --selection");
    return CLI_PARSE_ERROR;
  }
  return CLI_PARSE_OK;
}
