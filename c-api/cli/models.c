/* `oaimg models`: the library's model table as a person (or a script, with --json) reads it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  oaimg_operation operation;
  const char *name;
} operations[] = {{OAIMG_GENERATE, "generate"}, {OAIMG_EDIT, "edit"}, {OAIMG_VARIATION, "variation"}};
#define OPERATION_COUNT (sizeof operations / sizeof operations[0])

/* Sizes offered for any operation, each once: "auto 1024x1024 ...", plus free sizes. */
static void sizes_text(const char *model, char *out, size_t out_size) {
  out[0] = '\0';
  size_t used = 0;
  for (size_t k = 0; k < OPERATION_COUNT; ++k) {
    for (size_t i = 0; i < oaimg_model_size_count(model, operations[k].operation); ++i) {
      const char *size = oaimg_model_size(model, operations[k].operation, i);
      char padded[32];
      snprintf(padded, sizeof padded, " %s ", size);
      char haystack[512];
      snprintf(haystack, sizeof haystack, " %s ", out);
      if (strstr(haystack, padded)) continue;
      int n = snprintf(out + used, out_size - used, "%s%s", used ? " " : "", size);
      if (n > 0 && (size_t)n < out_size - used) used += (size_t)n;
    }
  }
  if (oaimg_model_allows_custom_size(model))
    snprintf(out + used, out_size - used, "%sany WxH (x16, up to 3840x2160)", used ? ", " : "");
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
    char sizes[256];
    sizes_text(model, sizes, sizeof sizes);
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
      first = 1;
      for (size_t k = 0; k < OPERATION_COUNT; ++k) {
        for (size_t i = 0; i < oaimg_model_size_count(model, operations[k].operation); ++i) {
          const char *size = oaimg_model_size(model, operations[k].operation, i);
          int seen = 0; /* each size once across operations */
          for (size_t j = 0; j < k && !seen; ++j)
            for (size_t q = 0; q < oaimg_model_size_count(model, operations[j].operation) && !seen; ++q)
              seen = strcmp(oaimg_model_size(model, operations[j].operation, q), size) == 0;
          if (seen) continue;
          printf("%s\"%s\"", first ? "" : ", ", size);
          first = 0;
        }
      }
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
