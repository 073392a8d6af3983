/* The plug-in's settings, kept apart from GIMP's last-used procedure values because those are
 * saved as plain text in the profile: the key has its own store (secret_store.c). */
#include "oaimg_plugin.h"

#include <errno.h>
#include <string.h>

#include "i18n.h"

#define GROUP "connection"

static char *
settings_path (const char *profile_dir)
{
  return g_build_filename (profile_dir, "oaimg", "settings.ini", NULL);
}

void
oaimg_settings_clear (OaimgSettings *settings)
{
  g_clear_pointer (&settings->base_url, g_free);
  g_clear_pointer (&settings->default_model, g_free);
  g_clear_pointer (&settings->safety_identifier, g_free);
  settings->timeout_s = OAIMG_SETTINGS_DEFAULT_TIMEOUT_S;
}

static char *
get_string (GKeyFile *file, const char *key)
{
  char *value = g_key_file_get_string (file, GROUP, key, NULL);
  return value ? g_strstrip (value) : g_strdup ("");
}

void
oaimg_settings_load (const char *profile_dir, OaimgSettings *settings)
{
  GKeyFile *file = g_key_file_new ();
  char     *path = settings_path (profile_dir);
  GError   *err  = NULL;
  int       timeout;

  memset (settings, 0, sizeof *settings);
  /* A missing file is the normal first run; a broken one is treated the same rather than
   * blocking every run until the user finds and fixes it. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  settings->base_url      = get_string (file, "base_url");
  settings->default_model = get_string (file, "default_model");
  settings->safety_identifier = get_string (file, "safety_identifier");
  timeout = g_key_file_get_integer (file, GROUP, "timeout_s", &err);
  settings->timeout_s = (err == NULL && timeout > 0) ? timeout : OAIMG_SETTINGS_DEFAULT_TIMEOUT_S;
  g_clear_error (&err);
  g_key_file_unref (file);
  g_free (path);
}

gboolean
oaimg_profile_save_key_file (const char *profile_dir, const char *name, GKeyFile *file,
                             GError **error)
{
  char    *dir  = g_build_filename (profile_dir, "oaimg", NULL);
  char    *path = g_build_filename (dir, name, NULL);
  gboolean ok   = g_mkdir_with_parents (dir, 0700) == 0;

  if (!ok)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                 _("Could not create the folder %s"), dir);
  else
    ok = g_key_file_save_to_file (file, path, error);
  g_free (dir);
  g_free (path);
  return ok;
}

gboolean
oaimg_settings_save (const char *profile_dir, const OaimgSettings *settings, GError **error)
{
  GKeyFile *file = g_key_file_new ();
  gboolean  ok;

  g_key_file_set_comment (file, NULL, NULL,
                          " oaimg GIMP plug-in settings. The API key is not stored here.", NULL);
  g_key_file_set_string (file, GROUP, "base_url", settings->base_url ? settings->base_url : "");
  g_key_file_set_string (file, GROUP, "default_model",
                         settings->default_model ? settings->default_model : "");
  g_key_file_set_string (file, GROUP, "safety_identifier",
                         settings->safety_identifier ? settings->safety_identifier : "");
  g_key_file_set_integer (file, GROUP, "timeout_s",
                          settings->timeout_s > 0 ? settings->timeout_s
                                                  : OAIMG_SETTINGS_DEFAULT_TIMEOUT_S);
  ok = oaimg_profile_save_key_file (profile_dir, "settings.ini", file, error);
  g_key_file_unref (file);
  return ok;
}

static gboolean
env_is_set (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && value[0] != '\0';
}

oaimg_client *
oaimg_settings_make_client (const char *profile_dir, const OaimgSettings *settings,
                            GError **error)
{
  oaimg_client *client = NULL;
  oaimg_status  status = oaimg_client_new (&client);

  if (status != OAIMG_OK)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, status, oaimg_status_str (status));
      return NULL;
    }

  /* oaimg_client_new() already took OPENAI_API_KEY and OPENAI_BASE_URL: the stored values only
   * fill what the environment leaves unset, so that scripts and CI can override them. */
  if (!env_is_set ("OPENAI_API_KEY"))
    {
      char *key = oaimg_secret_load (profile_dir);
      if (key != NULL)
        {
          status = oaimg_client_set_api_key (client, key);
          memset (key, 0, strlen (key));
          g_free (key);
        }
    }
  if (status == OAIMG_OK && !env_is_set ("OPENAI_BASE_URL") && settings->base_url != NULL &&
      settings->base_url[0] != '\0')
    status = oaimg_client_set_base_url (client, settings->base_url);
  if (status == OAIMG_OK && settings->default_model != NULL && settings->default_model[0] != '\0')
    status = oaimg_client_set_default_model (client, settings->default_model);
  if (status == OAIMG_OK && settings->timeout_s > 0)
    status = oaimg_client_set_timeout_ms (client, (long) settings->timeout_s * 1000L);

  if (status != OAIMG_OK)
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, status, _("The settings are not valid: %s"),
                   oaimg_client_error_message (client));
      oaimg_client_free (client);
      return NULL;
    }
  return client;
}
