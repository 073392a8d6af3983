/* Tokens: what a run used, as the server reported it, and what an image has cost so far (kept in
 * an image parasite so that it travels with the XCF). */
#include "oaimg_plugin.h"

#include <json-glib/json-glib.h>

#include "i18n.h"

gboolean
oaimg_usage_of_result (const oaimg_result *result, OaimgUsage *usage)
{
  int64_t input = -1, output = -1, total = -1, out_text = -1, out_image = -1;

  usage->input_text = usage->input_image = usage->output = usage->total = -1;
  if (result == NULL)
    return FALSE;
  oaimg_result_usage (result, &input, &output, &total);
  oaimg_result_usage_details (result, &usage->input_text, &usage->input_image, &out_text,
                              &out_image);
  usage->output = output >= 0 ? output
                  : (out_text >= 0 || out_image >= 0) ? MAX (out_text, 0) + MAX (out_image, 0)
                                                      : -1;
  /* A server reporting only the input total: all of it is counted as text. */
  if (input >= 0 && usage->input_text < 0 && usage->input_image < 0)
    usage->input_text = input;
  usage->total = total >= 0 ? total
                 : input >= 0 && usage->output >= 0 ? input + usage->output
                                                    : -1;
  return usage->total >= 0 || usage->output >= 0 || input >= 0;
}

static int64_t
member (JsonObject *object, const char *name)
{
  return object && json_object_has_member (object, name)
           ? json_object_get_int_member_with_default (object, name, 0)
           : 0;
}

/* The same member names in a result's provenance and in the image's total. */
static void
add_token_members (JsonBuilder *builder, const OaimgUsage *usage)
{
  json_builder_set_member_name (builder, "input_text_tokens");
  json_builder_add_int_value (builder, usage->input_text);
  json_builder_set_member_name (builder, "input_image_tokens");
  json_builder_add_int_value (builder, usage->input_image);
  json_builder_set_member_name (builder, "output_tokens");
  json_builder_add_int_value (builder, usage->output);
  json_builder_set_member_name (builder, "total_tokens");
  json_builder_add_int_value (builder, usage->total);
}

char *
oaimg_usage_record (const char *old_json, const OaimgUsage *run, gboolean for_a_person,
                    char **message)
{
  OaimgUsage total;
  char      *json = oaimg_usage_total_add (old_json, run, &total);

  *message = for_a_person ? oaimg_usage_message (run, &total) : NULL;
  return json;
}

char *
oaimg_usage_total_add (const char *old_json, const OaimgUsage *run, OaimgUsage *total_out)
{
  JsonParser    *parser = json_parser_new ();
  JsonObject    *old    = NULL;
  JsonBuilder   *builder;
  JsonGenerator *generator;
  JsonNode      *root;
  OaimgUsage     total;
  int64_t        runs;
  char          *text;

  if (old_json && json_parser_load_from_data (parser, old_json, -1, NULL) &&
      json_parser_get_root (parser) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    old = json_node_get_object (json_parser_get_root (parser));
  total.input_text  = member (old, "input_text_tokens") + MAX (run->input_text, 0);
  total.input_image = member (old, "input_image_tokens") + MAX (run->input_image, 0);
  total.output      = member (old, "output_tokens") + MAX (run->output, 0);
  total.total       = member (old, "total_tokens") + MAX (run->total, 0);
  runs              = member (old, "runs") + 1;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_token_members (builder, &total);
  json_builder_set_member_name (builder, "runs");
  json_builder_add_int_value (builder, runs);
  json_builder_end_object (builder);
  root      = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  json_node_unref (root);
  g_object_unref (generator);
  g_object_unref (builder);
  g_object_unref (parser);
  if (total_out)
    *total_out = total;
  return text;
}

char *
oaimg_usage_message (const OaimgUsage *run, const OaimgUsage *image_total)
{
  /* The counts are formatted apart: a G_GINT64_FORMAT glued into a translated string would cut
   * the msgid where xgettext meets the macro, and the message would never be translated. */
  char *input_text = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (run->input_text, 0));
  char *input_image = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (run->input_image, 0));
  char *output = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (run->output, 0));
  /* TRANSLATORS: the tokens a finished run used, e.g. "Tokens used: 12 input text, 388 input
   * image, 64 output." */
  char *line = g_strdup_printf (_("Tokens used: %s input text, %s input image, %s output."),
                                input_text, input_image, output);
  char *total;
  char *all;

  g_free (input_text);
  g_free (input_image);
  g_free (output);
  if (image_total == NULL)
    return line;
  total = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (image_total->total, 0));
  /* TRANSLATORS: after "Tokens used: ...": what the image has cost in all its runs, e.g.
   * "This image so far: 1024 tokens." */
  all = g_strdup_printf (_("%s This image so far: %s tokens."), line, total);
  g_free (total);
  g_free (line);
  return all;
}

/* The run's usage in the provenance (provenance.c), when the server reported any. */
void oaimg_usage_add_to_json (JsonBuilder *builder, const oaimg_result *result);

void
oaimg_usage_add_to_json (JsonBuilder *builder, const oaimg_result *result)
{
  OaimgUsage usage;

  if (!oaimg_usage_of_result (result, &usage))
    return;
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  add_token_members (builder, &usage);
  json_builder_end_object (builder);
}
