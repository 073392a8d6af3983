/* Arguments: one table of subcommands and one of options drive parsing, the help texts, the man
 * page's option list and bash completion alike, so that adding an option is one table row. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A day: longer than any image request, small enough for a 32-bit long of ms. */
#define CLI_MAX_TIMEOUT_S 86400

typedef struct command_spec {
  const char *name;
  unsigned bit;
  const char *usage;   /* after "oaimg " */
  const char *summary; /* one line */
} command_spec;

static const command_spec commands[] = {
    {"generate", CLI_GENERATE, "generate -p PROMPT -o DIR [options]",
     "make new images from a prompt (with one --image and --selection: generate over a region)"},
    {"edit", CLI_EDIT,
     "edit -i IMAGE [-i IMAGE...] [--mask MASK | --selection SEL] -p PROMPT -o DIR [options]",
     "change images as the prompt says; without --mask or --selection the model decides where"},
    {"variation", CLI_VARIATION, "variation -i IMAGE [--selection SEL] [-p PROMPT] -o DIR [options]",
     "make variations of an image (GPT models: an edit with a default prompt)"},
    {"extend", CLI_EXTEND,
     "extend -i IMAGE (--left N --top N --right N --bottom N | --aspect W:H) -p PROMPT -o DIR "
     "[options]",
     "grow the canvas by pixels on each side, or to an aspect ratio, and fill the new area from "
     "the image; writes the whole extended image"},
    {"models", CLI_MODELS, "models [--json]",
     "list the known models: operations, sizes, n, streaming, retirement"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

typedef enum { KIND_TEXT, KIND_INT, KIND_SECONDS, KIND_FLAG, KIND_IMAGE, KIND_REFERENCE } option_kind;

typedef struct option_spec {
  const char *name; /* without the leading "--" */
  char short_name;  /* 0 = none */
  option_kind kind;
  size_t offset;    /* of the field in cli_options */
  int min, max;     /* KIND_INT */
  unsigned commands;
  const char *value_name; /* in the help, e.g. "N" */
  const char *help;
} option_spec;

#define AT(field) offsetof(cli_options, field)

static const option_spec options[] = {
    {"prompt", 'p', KIND_TEXT, AT(prompt), 0, 0, CLI_REQUESTS, "TEXT",
     "what the image should show (edits: the whole new image); - reads it from stdin"},
    {"image", 'i', KIND_IMAGE, AT(images), 0, 0, CLI_REQUESTS, "FILE",
     "input image, PNG, JPEG or WebP; - reads it from stdin; repeat for several (GPT edits, sent "
     "as they are)"},
    {"reference", 0, KIND_REFERENCE, AT(references), 0, 0, CLI_EDIT, "FILE",
     "a guide image (an object, a style, a face to keep) sent after the edited one, scaled "
     "within the model's limits; repeatable, in order (GPT models, up to 15)"},
    {"markup", 0, KIND_TEXT, AT(markup), 0, 0, CLI_EDIT, "FILE",
     "a PNG of the image's size drawn over it (arrows, scribbles), transparent where nothing is "
     "drawn, to guide the edit (GPT Image 2.5 models; not with --mask)"},
    {"left", 0, KIND_INT, AT(left), 0, 1000000, CLI_EXTEND, "N", "pixels to add on the left"},
    {"top", 0, KIND_INT, AT(top), 0, 1000000, CLI_EXTEND, "N", "pixels to add at the top"},
    {"right", 0, KIND_INT, AT(right), 0, 1000000, CLI_EXTEND, "N", "pixels to add on the right"},
    {"bottom", 0, KIND_INT, AT(bottom), 0, 1000000, CLI_EXTEND, "N", "pixels to add at the bottom"},
    {"aspect", 0, KIND_TEXT, AT(aspect), 0, 0, CLI_EXTEND, "W:H",
     "instead of the margins: grow to this aspect ratio (16:9, 3:2, 1:1, 9:16 ...), evenly on "
     "both sides of the short axis"},
    {"out-dir", 'o', KIND_TEXT, AT(out_dir), 0, 0, CLI_REQUESTS, "DIR",
     "folder for result-N.png and response.json (created if needed)"},
    {"n", 'n', KIND_INT, AT(n), 1, 1000000, CLI_REQUESTS, "N", "number of images (1-10 on OpenAI)"},
    {"model", 'm', KIND_TEXT, AT(model), 0, 0, CLI_REQUESTS, "MODEL",
     "e.g. gpt-image-1.5, gpt-image-2 (see `oaimg models`; default: per server)"},
    {"size", 's', KIND_TEXT, AT(size), 0, 0, CLI_REQUESTS, "WxH",
     "auto, 1024x1024, ... (with --selection: planned from the region)"},
    {"mask", 0, KIND_TEXT, AT(mask), 0, 0, CLI_EDIT, "FILE",
     "PNG whose transparent pixels mark where to edit"},
    {"selection", 0, KIND_TEXT, AT(selection), 0, 0, CLI_GENERATE | CLI_EDIT | CLI_VARIATION, "FILE",
     "grayscale PNG of the image's size, white = selected; results are put back under it "
     "(DIR/result-N.png, DIR/layer-N.png, DIR/layer-N-mask.png)"},
    {"context", 0, KIND_TEXT, AT(context), 0, 0, CLI_GENERATE | CLI_EDIT | CLI_VARIATION, "MODE",
     "with --selection: auto, selection or image (how much the model sees)"},
    {"allow-experimental-size", 0, KIND_FLAG, AT(allow_experimental_size), 0, 0, CLI_REQUESTS, NULL,
     "with --selection or extend: plan sizes above 2560x1440 (experimental) up to 3840x2160"},
    {"quality", 'q', KIND_TEXT, AT(quality), 0, 0, CLI_REQUESTS, "Q", "auto, low, medium, high, ..."},
    {"complexity", 0, KIND_TEXT, AT(complexity), 0, 0, CLI_GENERATE | CLI_EDIT | CLI_EXTEND, "C",
     "low, medium or high: planning effort, independent of quality (GPT models)"},
    {"background", 0, KIND_TEXT, AT(background), 0, 0, CLI_REQUESTS, "B", "auto, opaque or transparent"},
    {"output-format", 0, KIND_TEXT, AT(output_format), 0, 0, CLI_REQUESTS, "F", "png, jpeg or webp"},
    {"output-compression", 0, KIND_INT, AT(output_compression), 0, 100, CLI_REQUESTS, "0-100",
     "jpeg and webp only"},
    {"moderation", 0, KIND_TEXT, AT(moderation), 0, 0, CLI_GENERATE, "M", "auto or low"},
    {"input-fidelity", 0, KIND_TEXT, AT(input_fidelity), 0, 0, CLI_EDIT | CLI_VARIATION | CLI_EXTEND, "F",
     "high or low (gpt-image-1.5; low on gpt-image-1-mini)"},
    {"style", 0, KIND_TEXT, AT(style), 0, 0, CLI_GENERATE, "S", "vivid or natural (dall-e-3)"},
    {"response-format", 0, KIND_TEXT, AT(response_format), 0, 0, CLI_REQUESTS, "F",
     "url or b64_json (DALL-E models)"},
    {"safety-identifier", 0, KIND_TEXT, AT(safety_identifier), 0, 0, CLI_REQUESTS, "ID",
     "a stable hashed id of your end user, for OpenAI's abuse monitoring"},
    {"user", 0, KIND_TEXT, AT(user), 0, 0, CLI_REQUESTS, "ID",
     "deprecated: use --safety-identifier (which wins when both are given)"},
    {"stream", 0, KIND_INT, AT(stream), 0, 3, CLI_REQUESTS, "N",
     "stream with N partial images (0-3, GPT models), saved as DIR/partial-R-K.png"},
    {"timeout", 't', KIND_SECONDS, AT(timeout_s), 0, 0, CLI_REQUESTS, "SECONDS",
     "per attempt (default 600)"},
    {"max-retries", 0, KIND_INT, AT(max_retries), 0, 10, CLI_REQUESTS, "N", "0-10 (default 2)"},
    {"dry-run", 0, KIND_FLAG, AT(dry_run), 0, 0, CLI_REQUESTS, NULL,
     "send nothing; write DIR/request-image.png, DIR/request-mask.png and DIR/request.json"},
    {"json", 0, KIND_FLAG, AT(json), 0, 0, CLI_REQUESTS | CLI_MODELS, NULL,
     "print the summary as JSON on stdout"},
    {"verbose", 'v', KIND_FLAG, AT(verbose), 0, 0, CLI_REQUESTS, NULL,
     "a line per stage on stderr (a terminal shows a moving progress line anyway)"},
};
#define OPTION_COUNT (sizeof options / sizeof options[0])

static const command_spec *find_command(const char *name) {
  for (size_t i = 0; i < COMMAND_COUNT; ++i)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

static void print_option(const option_spec *o) {
  char left[64];
  int used = 0;
  if (o->short_name) used = snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->name);
  else used = snprintf(left, sizeof left, "      --%s", o->name);
  if (o->value_name && used > 0 && (size_t)used < sizeof left)
    snprintf(left + used, sizeof left - (size_t)used, " %s", o->value_name);
  /* The help text wrapped at word boundaries to fit 100 columns, continued under itself. */
  const int indent = 35, width = 100 - indent;
  printf("%-34s ", left);
  const char *text = o->help;
  while ((int)strlen(text) > width) {
    int cut = width;
    while (cut > 0 && text[cut] != ' ') --cut;
    if (cut == 0) cut = width;
    printf("%.*s\n%*s", cut, text, indent, "");
    text += cut;
    while (*text == ' ') ++text;
  }
  printf("%s\n", text);
}

static const char exit_text[] =
    "Exit status: 0 success, 1 the request failed, 2 bad usage (including values the model\n"
    "refuses), 130 interrupted (Ctrl-C: transfers are aborted and nothing is written).\n";

void cli_print_help(unsigned command_bit) {
  const command_spec *command = NULL;
  for (size_t i = 0; i < COMMAND_COUNT; ++i)
    if (commands[i].bit == command_bit) command = &commands[i];
  if (!command) {
    fputs("usage: oaimg COMMAND [options]      oaimg COMMAND --help      oaimg --version\n\n", stdout);
    for (size_t i = 0; i < COMMAND_COUNT; ++i)
      printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nCommon options: -p/--prompt, -i/--image, -o/--out-dir, -n/--n, -m/--model, -s/--size,\n"
          "--selection, --mask, --stream, --dry-run, --json; `--opt=value` works too.\n"
          "\nThe API key comes from OPENAI_API_KEY, the server from OPENAI_BASE_URL (default\n"
          "https://api.openai.com/v1).\n\n",
          stdout);
    fputs(exit_text, stdout);
    return;
  }
  printf("usage: oaimg %s\n\n%s.\n\noptions:\n", command->usage, command->summary);
  for (size_t i = 0; i < OPTION_COUNT; ++i)
    if (options[i].commands & command_bit) print_option(&options[i]);
  printf("%-34s this help\n\n", "  -h, --help");
  if (command_bit == CLI_EXTEND)
    fputs("The model sees the new area with the image beside it and repaints a strip along each\n"
          "grown side, which is blended so no seam shows; result-N.png is the whole extended\n"
          "image, layer-N.png and layer-N-mask.png the placed layer. When the new area is larger\n"
          "than the model makes in one request it is sent scaled down to half its resolution at\n"
          "most, and beyond that filled in overlapping parts, one request each, in order\n"
          "(--dry-run says which).\n\n",
          stdout);
  if (command_bit != CLI_MODELS) {
    fputs("Writes DIR/result-1.png ... and DIR/response.json. The API key comes from\n"
          "OPENAI_API_KEY, the server from OPENAI_BASE_URL.\n\n",
          stdout);
    fputs(exit_text, stdout);
  }
}

static int parse_int(const char *text, long *out) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (!*text || *end) return -1;
  *out = v;
  return 0;
}

/* Stores one option's value; 0 or -1 with err filled. shown is the option as the user wrote it. */
static int store(const option_spec *spec, const char *shown, const char *value, cli_options *o,
                 char *err, size_t err_size) {
  char *base = (char *)o;
  switch (spec->kind) {
    case KIND_FLAG: *(int *)(base + spec->offset) = 1; return 0;
    case KIND_TEXT: *(const char **)(base + spec->offset) = value; return 0;
    case KIND_IMAGE:
      if (o->image_count == CLI_MAX_IMAGES) {
        snprintf(err, err_size, "at most %d --image options", CLI_MAX_IMAGES);
        return -1;
      }
      o->images[o->image_count++] = value;
      return 0;
    case KIND_REFERENCE:
      if (o->reference_count == CLI_MAX_IMAGES) {
        snprintf(err, err_size, "at most %d --reference options", CLI_MAX_IMAGES);
        return -1;
      }
      o->references[o->reference_count++] = value;
      return 0;
    case KIND_INT: {
      long v = 0;
      if (parse_int(value, &v) != 0) {
        snprintf(err, err_size, "%s '%s' is not a whole number", shown, value);
        return -1;
      }
      if (v < spec->min || v > spec->max) {
        if (spec->max >= 1000000)
          snprintf(err, err_size, "%s %s is out of range; it must be at least %d", shown, value, spec->min);
        else
          snprintf(err, err_size, "%s %s is out of range; use %d to %d", shown, value, spec->min, spec->max);
        return -1;
      }
      *(int *)(base + spec->offset) = (int)v;
      return 0;
    }
    case KIND_SECONDS: {
      char *end = NULL;
      double v = strtod(value, &end);
      /* The bound keeps seconds * 1000 within a long of milliseconds on every platform. */
      if (!*value || *end || !(v > 0 && v <= CLI_MAX_TIMEOUT_S)) {
        snprintf(err, err_size, "%s '%s' must be a number of seconds, more than 0 and at most %d",
                 shown, value, CLI_MAX_TIMEOUT_S);
        return -1;
      }
      *(double *)(base + spec->offset) = v;
      return 0;
    }
  }
  return -1;
}

static int check_combination(cli_options *o, char *err, size_t err_size) {
  const int is_generate = o->command_bit == CLI_GENERATE;
  if (o->command_bit == CLI_MODELS) return CLI_PARSE_OK;
  if (!o->out_dir) {
    snprintf(err, err_size, "-o/--out-dir is required: the folder to write results into");
    return CLI_PARSE_ERROR;
  }
  if (!*o->out_dir) {
    snprintf(err, err_size, "-o/--out-dir '' is empty: give the folder to write results into");
    return CLI_PARSE_ERROR;
  }
  if (o->command_bit != CLI_VARIATION && !o->prompt) {
    snprintf(err, err_size, "%s needs -p/--prompt (- reads it from stdin)", o->command);
    return CLI_PARSE_ERROR;
  }
  if (!is_generate && o->image_count == 0) {
    snprintf(err, err_size, "%s needs -i/--image", o->command);
    return CLI_PARSE_ERROR;
  }
  int from_stdin = o->prompt && strcmp(o->prompt, "-") == 0;
  for (int i = 0; i < o->image_count; ++i) from_stdin += strcmp(o->images[i], "-") == 0;
  if (from_stdin > 1) {
    snprintf(err, err_size, "only one of --prompt and --image can be - (standard input)");
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
  if (is_generate && o->image_count > 1) {
    snprintf(err, err_size, "generate takes at most one --image (the image to generate over)");
    return CLI_PARSE_ERROR;
  }
  if ((o->reference_count || o->markup) && o->mask) {
    snprintf(err, err_size, "%s cannot be combined with --mask; use --selection to choose where "
             "to edit", o->markup ? "--markup (the API takes markup or a mask, not both)" : "--reference");
    return CLI_PARSE_ERROR;
  }
  if ((o->reference_count || o->markup) && o->image_count != 1) {
    snprintf(err, err_size, "%s needs exactly one --image (the image to edit); give further guide "
             "images as --reference", o->markup ? "--markup" : "--reference");
    return CLI_PARSE_ERROR;
  }
  int guides_from_stdin = o->markup && strcmp(o->markup, "-") == 0;
  for (int i = 0; i < o->reference_count; ++i) guides_from_stdin += strcmp(o->references[i], "-") == 0;
  if (guides_from_stdin) {
    snprintf(err, err_size, "--reference and --markup take files, not - (standard input)");
    return CLI_PARSE_ERROR;
  }
  if (o->command_bit == CLI_EXTEND) {
    const int margins = o->left >= 0 || o->top >= 0 || o->right >= 0 || o->bottom >= 0;
    if (o->image_count != 1) {
      snprintf(err, err_size, "extend needs exactly one --image (the image to grow)");
      return CLI_PARSE_ERROR;
    }
    if (margins && o->aspect) {
      snprintf(err, err_size, "give either --aspect or the margins (--left/--top/--right/--bottom), "
               "not both");
      return CLI_PARSE_ERROR;
    }
    if (!o->aspect && (o->left <= 0 && o->top <= 0 && o->right <= 0 && o->bottom <= 0)) {
      snprintf(err, err_size, "extend needs %s: --left/--top/--right/--bottom N in pixels, at "
               "least one above 0, or --aspect W:H", margins ? "a margin above 0" : "margins");
      return CLI_PARSE_ERROR;
    }
    if (o->aspect) {
      unsigned w = 0, h = 0;
      char tail = 0;
      if (sscanf(o->aspect, "%u:%u%c", &w, &h, &tail) != 2 || w < 1 || h < 1 || w > 100 ||
          h > 100 || strchr(o->aspect, '-') || strchr(o->aspect, '+')) {
        snprintf(err, err_size, "--aspect '%.40s' is not W:H with whole numbers from 1 to 100 "
                 "(e.g. 16:9, 3:2, 1:1, 9:16)", o->aspect);
        return CLI_PARSE_ERROR;
      }
    }
  }
  return CLI_PARSE_OK;
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t err_size) {
  memset(o, 0, sizeof *o);
  o->stream = -1;
  o->output_compression = -1;
  o->max_retries = -1;
  o->left = o->top = o->right = o->bottom = -1;
  if (argc < 2) {
    snprintf(err, err_size, "no command given; use generate, edit, variation, extend or models (see --help)");
    return CLI_PARSE_ERROR;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    const command_spec *asked = argc > 2 ? find_command(argv[2]) : NULL;
    o->command_bit = asked ? asked->bit : 0;
    return CLI_PARSE_HELP;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) return CLI_PARSE_VERSION;
  const command_spec *command = find_command(argv[1]);
  if (!command) {
    snprintf(err, err_size, "unknown command '%s'; use generate, edit, variation, extend or models", argv[1]);
    return CLI_PARSE_ERROR;
  }
  o->command = command->name;
  o->command_bit = command->bit;

  for (int i = 2; i < argc; ++i) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return CLI_PARSE_HELP;
    const option_spec *spec = NULL;
    const char *value = NULL; /* attached: --opt=value or -pvalue */
    char shown[64];
    if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
      const char *name = arg + 2;
      const char *equals = strchr(name, '=');
      size_t length = equals ? (size_t)(equals - name) : strlen(name);
      for (size_t k = 0; k < OPTION_COUNT && !spec; ++k)
        if (strlen(options[k].name) == length && strncmp(options[k].name, name, length) == 0)
          spec = &options[k];
      if (equals) value = equals + 1;
      snprintf(shown, sizeof shown, "--%.*s", (int)(length < 40 ? length : 40), name);
    } else if (arg[0] == '-' && arg[1] && arg[1] != '-') {
      for (size_t k = 0; k < OPTION_COUNT && !spec; ++k)
        if (options[k].short_name == arg[1]) spec = &options[k];
      if (arg[2]) value = arg + 2;
      snprintf(shown, sizeof shown, "-%c", arg[1]);
    } else {
      snprintf(err, err_size, "unexpected argument '%s'; options start with - (see oaimg %s --help)",
               arg, o->command);
      return CLI_PARSE_ERROR;
    }
    if (!spec) {
      snprintf(err, err_size, "unknown option '%s' (see oaimg %s --help)", shown, o->command);
      return CLI_PARSE_ERROR;
    }
    if (!(spec->commands & o->command_bit)) {
      snprintf(err, err_size, "%s does not apply to %s (see oaimg %s --help)", shown, o->command,
               o->command);
      return CLI_PARSE_ERROR;
    }
    if (spec->kind == KIND_FLAG) {
      if (value) {
        snprintf(err, err_size, "%s takes no value", shown);
        return CLI_PARSE_ERROR;
      }
    } else if (!value) {
      if (i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value (%s)", shown, spec->value_name);
        return CLI_PARSE_ERROR;
      }
      value = argv[++i];
    }
    if (store(spec, shown, value, o, err, err_size) != 0) return CLI_PARSE_ERROR;
  }
  return check_combination(o, err, err_size);
}
