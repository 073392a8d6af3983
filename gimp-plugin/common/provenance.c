/* What made a result layer, kept with it as a parasite so that it survives in XCF files: enough to
 * reproduce or report the run (model, prompts, size, request id, time, tokens), and nothing
 * secret. */
#include "oaimg_plugin.h"

#include <json-glib/json-glib.h>

void oaimg_usage_add_to_json (JsonBuilder *builder, const oaimg_result *result); /* usage.c */

static const char *
operation_name (oaimg_operation operation)
{
  switch (operation)
    {
    case OAIMG_EDIT:      return "edit";
    case OAIMG_VARIATION: return "variation";
    default:              return "generate";
    }
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* The library's summary of the run: it knows the size that was sent when the server does not echo
 * one (DALL·E 2 contract), the region, and every request id of a fanned-out run. */
static JsonObject *
summary_of (const oaimg_result *result, JsonParser *parser)
{
  const char *text = oaimg_result_json (result);
  JsonNode   *root;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

static const char *
summary_string (JsonObject *summary, const char *name)
{
  const char *value;

  if (summary == NULL || !json_object_has_member (summary, name))
    return NULL;
  value = json_object_get_string_member_with_default (summary, name, NULL);
  return value && value[0] ? value : NULL;
}

static void
copy_member (JsonBuilder *builder, JsonObject *summary, const char *name)
{
  if (summary == NULL || !json_object_has_member (summary, name))
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, json_node_copy (json_object_get_member (summary, name)));
}

char *
oaimg_provenance_json (const OaimgJobParams *params, const oaimg_result *result, size_t index)
{
  JsonBuilder   *builder = json_builder_new ();
  JsonGenerator *generator;
  JsonNode      *root;
  char          *text;
  char          *created = NULL;
  int64_t        seconds = oaimg_result_created (result);
  JsonParser    *parser  = json_parser_new ();
  JsonObject    *summary = summary_of (result, parser);
  const char    *size    = oaimg_result_size (result);

  if (seconds > 0)
    {
      GDateTime *time = g_date_time_new_from_unix_utc (seconds);
      if (time)
        {
          created = g_date_time_format_iso8601 (time);
          g_date_time_unref (time);
        }
    }

  json_builder_begin_object (builder);
  add_string (builder, "generator", "oaimg");
  add_string (builder, "oaimg_version", oaimg_version_string ());
  add_string (builder, "operation", operation_name (params->operation));
  add_string (builder, "model", oaimg_result_model (result));
  add_string (builder, "prompt", params->prompt && params->prompt[0] ? params->prompt : NULL);
  add_string (builder, "revised_prompt", oaimg_result_revised_prompt (result, index));
  add_string (builder, "size", size ? size : summary_string (summary, "size"));
  add_string (builder, "request_id", oaimg_result_request_id (result));
  add_string (builder, "created", created);
  add_string (builder, "endpoint", summary_string (summary, "endpoint"));
  copy_member (builder, summary, "request_ids");
  copy_member (builder, summary, "region");
  /* The whole run's tokens (all of its results together), as the server reported them. */
  oaimg_usage_add_to_json (builder, result);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, (gint64) index);
  json_builder_end_object (builder);

  root      = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  json_node_unref (root);
  g_object_unref (generator);
  g_object_unref (builder);
  g_object_unref (parser);
  g_free (created);
  return text;
}
