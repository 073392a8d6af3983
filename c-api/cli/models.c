/* `oaimg models`: the library's model table as a person (or a script, with --json) reads it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  oaimg_operation operation;
  const char *name;
} operations[] = {{OAIMG_GENERATE, "generate"}, {OAIMG_EDIT, "edit"}, {OAIMG_VARIATION, "variation"}};
#define OPERATION_COUNT (sizeof operations / sizeof operations[0])

/* The sizes a model offers for any operation, each once, in table order. */
static size_t unique_sizes(const char *model, const char **out, size_t max) {
  size_t count = 0;
  for (size_t k = 0; k < OPERATION_COUNT; ++k) {
    for (size_t i = 0; i < oaimg_model_size_count(model, operations[k].operation); ++i) {
      const char *size = oaimg_model_size(model, operations[k].operation, i);
      int seen = 0;
      for (size_t q = 0; q < count && !seen; ++q) seen = strcmp(out[q], size) == 0;
      if (!seen && count < max) out[count++] = size;
    }
  }
  return count;
}

static void json_string(const char *text) {
  putchar('"');
  for (const char *p = text; *p; ++p) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else putchar(*p);
  }
  putchar('"');
}

int cli_list_models(int json) {
  const size_t count = oaimg_model_count();
  if (!json)
    printf("%-34s %-25s %-4s %-6s %s\n", "MODEL", "OPERATIONS", "N", "STREAM", "SIZES / STATUS");
  else
    fputs("[\n", stdout);
  for (size_t m = 0; m < count; ++m) {
    const char *model = oaimg_model_name(m);
    char ops[64] = "";
    for (size_t k = 0; k < OPERATION_COUNT; ++k) {
      if (!oaimg_model_supports(model, operations[k].operation)) continue;
      if (ops[0]) strncat(ops, " ", sizeof ops - strlen(ops) - 1);
      strncat(ops, operations[k].name, sizeof ops - strlen(ops) - 1);
    }
    const char *size_list[32];
    const size_t size_count = unique_sizes(model, size_list, 32);
    char sizes[256] = "";
    for (size_t i = 0; i < size_count; ++i) {
      if (i) strncat(sizes, " ", sizeof sizes - strlen(sizes) - 1);
      strncat(sizes, size_list[i], sizeof sizes - strlen(sizes) - 1);
    }
    if (oaimg_model_allows_custom_size(model))
      strncat(sizes, size_count ? ", any WxH (x16, up to 3840x2160)" : "any WxH (x16, up to 3840x2160)",
              sizeof sizes - strlen(sizes) - 1);
    const int per_request = oaimg_model_max_n(model);
    const int streams = oaimg_model_supports_streaming(model);
    const int retired = oaimg_model_is_retired(model);
    const char *replacement = oaimg_model_replacement(model);
    const char *shutdown = oaimg_model_shutdown_date(model);
    if (json) {
      fputs("  {\"name\": ", stdout);
      json_string(model);
      fputs(", \"operations\": [", stdout);
      int first = 1;
      for (size_t k = 0; k < OPERATION_COUNT; ++k) {
        if (!oaimg_model_supports(model, operations[k].operation)) continue;
        printf("%s\"%s\"", first ? "" : ", ", operations[k].name);
        first = 0;
      }
      fputs("], \"sizes\": [", stdout);
      for (size_t i = 0; i < size_count; ++i) printf("%s\"%s\"", i ? ", " : "", size_list[i]);
      printf("], \"custom_sizes\": %s, \"n_max\": 10, \"n_per_request\": %d, \"streaming\": %s, "
             "\"retired\": %s, \"replacement\": ",
             oaimg_model_allows_custom_size(model) ? "true" : "false", per_request,
             streams ? "true" : "false", retired ? "true" : "false");
      if (replacement) json_string(replacement);
      else fputs("null", stdout);
      fputs(", \"shutdown_date\": ", stdout);
      if (shutdown) json_string(shutdown);
      else fputs("null", stdout);
      printf("}%s\n", m + 1 < count ? "," : "");
      continue;
    }
    char n[16];
    snprintf(n, sizeof n, per_request == 1 ? "1-10*" : "1-10");
    if (retired)
      printf("%-34s %-25s %-4s %-6s retired %s, use %s\n", model, ops, n, streams ? "yes" : "no",
             shutdown ? shutdown : "", replacement ? replacement : "a live model");
    else
      printf("%-34s %-25s %-4s %-6s %s\n", model, ops, n, streams ? "yes" : "no", sizes);
  }
  if (json)
    fputs("]\n", stdout);
  else
    fputs("\n* one image a request: n images are n requests in parallel. Retired models still\n"
          "  run on compatible servers (OPENAI_BASE_URL); OpenAI refuses them. Other model names\n"
          "  go to the server as they are.\n",
          stdout);
  return 0;
}
