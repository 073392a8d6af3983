/* Where the API key lives. Never in GIMP's saved procedure values, a log or an image: in the
 * desktop keyring when a Secret Service is running, else in a file only its owner can read. */
#include "oaimg_plugin.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "i18n.h"

#ifdef OAIMG_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

static char *
key_file_path (const char *profile_dir)
{
  return g_build_filename (profile_dir, "oaimg", "api-key", NULL);
}

#ifdef OAIMG_HAVE_LIBSECRET
static const SecretSchema *
key_schema (void)
{
  static const SecretSchema schema = {
    .name       = "org.oaimg.ApiKey",
    .flags      = SECRET_SCHEMA_NONE,
    .attributes = { { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  return &schema;
}

/* libsecret on a machine without a session bus or keyring tries to autolaunch or activate one,
 * which in GIMP's batch mode fails slowly or not at all; ask D-Bus first whether one exists. */
static gboolean
keyring_running (void)
{
  static int       known = -1;
  GDBusConnection *bus;
  GVariant        *reply;
  gboolean         found = FALSE;
  const char      *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  char            *socket_path;

  if (known >= 0)
    return known;
  socket_path = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  if ((address == NULL || address[0] == '\0') && !g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_free (socket_path);
      return known = FALSE;
    }
  g_free (socket_path);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return known = FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL,
                                       NULL);
  if (reply)
    {
      g_variant_get (reply, "(b)", &found);
      g_variant_unref (reply);
    }
  if (!found)
    {
      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "ListActivatableNames", NULL,
                                           G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 2000,
                                           NULL, NULL);
      if (reply)
        {
          GVariantIter *names;
          const char   *name;
          g_variant_get (reply, "(as)", &names);
          while (!found && g_variant_iter_next (names, "&s", &name))
            found = strcmp (name, "org.freedesktop.secrets") == 0;
          g_variant_iter_free (names);
          g_variant_unref (reply);
        }
    }
  g_object_unref (bus);
  return known = found;
}
#endif

static char *
load_from_file (const char *profile_dir)
{
  char *path = key_file_path (profile_dir);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = NULL;
  g_free (path);
  if (text != NULL)
    {
      g_strstrip (text);
      if (text[0] == '\0')
        g_clear_pointer (&text, g_free);
    }
  return text;
}

char *
oaimg_secret_load (const char *profile_dir)
{
#ifdef OAIMG_HAVE_LIBSECRET
  if (keyring_running ())
    {
      char *key = secret_password_lookup_sync (key_schema (), NULL, NULL, "purpose", "api-key",
                                               NULL);
      if (key != NULL)
        {
          char *copy = g_strdup (key);
          secret_password_free (key);
          return copy;
        }
    }
#endif
  return load_from_file (profile_dir);
}

static gboolean
remove_file (const char *profile_dir, GError **error)
{
  char    *path = key_file_path (profile_dir);
  gboolean ok   = TRUE;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_remove (path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Could not remove %s"), path);
      ok = FALSE;
    }
  g_free (path);
  return ok;
}

gboolean
oaimg_secret_store (const char *profile_dir, const char *api_key, const char **where_out,
                    GError **error)
{
  gboolean clear = api_key == NULL || api_key[0] == '\0';
  char    *dir, *path;
  gboolean ok;

#ifdef OAIMG_HAVE_LIBSECRET
  if (keyring_running ())
    {
      if (clear)
        {
          /* FALSE without an error only means there was nothing to remove. */
          GError *local = NULL;
          secret_password_clear_sync (key_schema (), NULL, &local, "purpose", "api-key", NULL);
          ok = local == NULL;
          if (local)
            g_propagate_error (error, local);
        }
      else
        ok = secret_password_store_sync (key_schema (), SECRET_COLLECTION_DEFAULT,
                                         _("OpenAI API key for the oaimg GIMP plug-in"), api_key,
                                         NULL, error, "purpose", "api-key", NULL);
      /* A copy left in the file from before the keyring was available would still be readable. */
      if (ok)
        ok = remove_file (profile_dir, error);
      if (where_out)
        *where_out = _("in the desktop keyring");
      return ok;
    }
#endif

  if (where_out)
    *where_out = _("in a file in the GIMP profile that only you can read");
  if (clear)
    return remove_file (profile_dir, error);

  dir  = g_build_filename (profile_dir, "oaimg", NULL);
  path = key_file_path (profile_dir);
  ok   = g_mkdir_with_parents (dir, 0700) == 0;
  if (!ok)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                 _("Could not create the folder %s"), dir);
  else
    /* Written to a new 0600 file and renamed over the old one: the key is never readable by
     * others, not even for a moment, and a crash cannot leave half a key. */
    ok = g_file_set_contents_full (path, api_key, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   error);
  g_free (dir);
  g_free (path);
  return ok;
}
