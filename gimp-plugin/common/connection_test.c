/* Settings ▸ Test connection: one cheap authenticated request (GET {base}/models, which lists
 * models and creates nothing, so it costs nothing) and its outcome in words. liboaimg has no call
 * for it, so it is made here with libcurl, which liboaimg uses anyway. */
#include "oaimg_dialog.h"

#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "i18n.h"

/* The answer is a short list of models; anything longer is not read further. */
#define MAX_BODY_BYTES (1024 * 1024)

static size_t
collect_body (char *data, size_t size, size_t count, void *user_data)
{
  GString *body = user_data;
  size_t   len  = size * count;

  if (body->len + len > MAX_BODY_BYTES)
    return 0;
  g_string_append_len (body, data, (gssize) len);
  return len;
}

/* The API's own error message ({"error": {"message": ...}}), or NULL. */
static char *
api_error_message (const GString *body)
{
  JsonParser *parser  = json_parser_new ();
  char       *message = NULL;

  if (json_parser_load_from_data (parser, body->str, (gssize) body->len, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);
      if (root && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          JsonObject *error  = json_object_has_member (object, "error")
                                 ? json_object_get_object_member (object, "error") : NULL;
          if (error && json_object_has_member (error, "message"))
            message = g_strdup (json_object_get_string_member (error, "message"));
        }
    }
  g_object_unref (parser);
  return message;
}

gboolean
oaimg_test_connection (const char *base_url, const char *api_key, long timeout_ms,
                       char **message_out)
{
  CURL              *curl   = curl_easy_init ();
  struct curl_slist *header = NULL;
  GString           *body   = g_string_new (NULL);
  char              *url, *auth, *detail;
  long               http   = 0;
  CURLcode           code;
  gboolean           ok     = FALSE;

  if (curl == NULL)
    {
      *message_out = g_strdup (_("The connection could not be tested (libcurl failed to start)."));
      g_string_free (body, TRUE);
      return FALSE;
    }
  url  = g_strconcat (base_url, g_str_has_suffix (base_url, "/") ? "" : "/", "models", NULL);
  auth = g_strconcat ("Authorization: Bearer ", api_key ? api_key : "", NULL);
  header = curl_slist_append (header, auth);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, header);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &http);

  if (code != CURLE_OK)
    *message_out = g_strdup_printf (_("The server at %s could not be reached: %s"), base_url,
                                    curl_easy_strerror (code));
  else if (http == 200)
    {
      *message_out = g_strdup_printf (_("Connected to %s: the key was accepted."), base_url);
      ok = TRUE;
    }
  else
    {
      detail = api_error_message (body);
      if (http == 401)
        *message_out = g_strdup_printf (_("The server at %s refused the key (HTTP 401): %s"),
                                        base_url, detail ? detail : "");
      else
        *message_out = g_strdup_printf (_("The server at %s answered HTTP %ld: %s"), base_url,
                                        http, detail ? detail : "");
      g_free (detail);
    }

  /* The header held the key: wiped before it is freed. */
  memset (auth, 0, strlen (auth));
  g_free (auth);
  curl_slist_free_all (header);
  curl_easy_cleanup (curl);
  g_free (url);
  g_string_free (body, TRUE);
  return ok;
}
