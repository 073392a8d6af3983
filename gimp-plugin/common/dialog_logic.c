/* The widget-free half of the plug-in's dialogs, shared by the GIMP 2.10 and GIMP 3 hosts. */
#include "dialog_logic.h"

#include <string.h>

#include "i18n.h"

const char *
oaimg_dialog_model_in_use (oaimg_client *client, oaimg_operation operation, const char *typed,
                           const char *default_model)
{
  if (typed != NULL && typed[0] != '\0')
    return typed;
  if (default_model != NULL && default_model[0] != '\0')
    return default_model;
  return oaimg_default_model (oaimg_client_base_url (client), operation);
}

static void
decode_upload (const uint8_t *png, size_t size, uint8_t **rgba, uint32_t *w, uint32_t *h)
{
  uint8_t *pixels = NULL;

  if (oaimg_png_decode (png, size, 0, &pixels, w, h) != OAIMG_OK || *w == 0 || *h == 0)
    {
      oaimg_free (pixels);
      return;
    }
  /* Ours to free with g_free, like everything else the preview holds. */
  g_free (*rgba);
  *rgba = g_memdup2 (pixels, (gsize) *w * *h * 4);
  oaimg_free (pixels);
}

void
oaimg_dialog_preview (oaimg_client *client, const OaimgJobParams *params,
                      const OaimgSource *source, const char *default_model,
                      OaimgPreview *preview)
{
  OaimgJobParams  shown   = *params;
  oaimg_request  *request;
  oaimg_plan     *plan    = NULL;
  GError         *error   = NULL;
  GString        *info    = g_string_new (NULL);

  memset (preview, 0, sizeof *preview);
  if (shown.prompt == NULL || shown.prompt[0] == '\0')
    shown.prompt = "preview";

  request = oaimg_job_build_request (client, &shown, source, default_model, FALSE, NULL, &error);
  if (request && oaimg_client_plan (client, request, &plan) != OAIMG_OK)
    g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, 0, oaimg_client_error_message (client));

  if (error)
    {
      g_string_append (info, error->message);
      g_clear_error (&error);
    }
  else
    {
      int32_t     x, y;
      uint32_t    w, h, tw, th;
      const char *sent_size = oaimg_plan_size (plan);
      const char *notes     = oaimg_plan_notes (plan);

      oaimg_plan_region (plan, &x, &y, &w, &h);
      oaimg_plan_target_size (plan, &tw, &th);
      g_string_append_printf (info, _("Model %s, %s\nRegion %u × %u at (%d, %d), sent as %u × %u"),
                              oaimg_plan_model (plan), oaimg_plan_endpoint (plan), w, h,
                              x + source->origin_x, y + source->origin_y, tw, th);
      if (sent_size)
        g_string_append_printf (info, _(", size %s"), sent_size);
      g_string_append_printf (info, g_dngettext (GETTEXT_PACKAGE, "\n%d request", "\n%d requests",
                                                 oaimg_plan_request_count (plan)),
                              oaimg_plan_request_count (plan));
      if (notes && notes[0])
        g_string_append_printf (info, "\n%s", notes);

      for (size_t i = 0; i < oaimg_plan_upload_count (plan); i++)
        {
          const char    *name = NULL;
          const uint8_t *data = NULL;
          size_t         len  = 0;

          if (oaimg_plan_upload (plan, i, &name, &data, &len) != OAIMG_OK)
            continue;
          if (g_str_has_prefix (name, "image"))
            decode_upload (data, len, &preview->image_rgba, &preview->image_width,
                           &preview->image_height);
          else if (strcmp (name, "mask") == 0)
            decode_upload (data, len, &preview->mask_rgba, &preview->mask_width,
                           &preview->mask_height);
        }
    }
  preview->info = g_string_free (info, FALSE);
  oaimg_plan_free (plan);
  oaimg_request_free (request);
}

void
oaimg_dialog_preview_clear (OaimgPreview *preview)
{
  g_free (preview->info);
  g_free (preview->image_rgba);
  g_free (preview->mask_rgba);
  memset (preview, 0, sizeof *preview);
}

static void
wipe (char *secret)
{
  if (secret)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

gboolean
oaimg_dialog_save_settings (const char *profile_dir, const OaimgSettings *settings,
                            const char *typed_key, gboolean forget, const char **where_out,
                            GError **error)
{
  char    *trimmed = g_strstrip (g_strdup (typed_key ? typed_key : ""));
  gboolean ok      = oaimg_settings_save (profile_dir, settings, error);
  const char *where = NULL;

  *where_out = NULL;
  if (ok && trimmed[0] != '\0')
    {
      ok = oaimg_secret_store (profile_dir, trimmed, &where, error);
      if (ok)
        *where_out = where;
    }
  else if (ok && forget)
    ok = oaimg_secret_store (profile_dir, NULL, &where, error);
  wipe (trimmed);
  return ok;
}

char *
oaimg_dialog_environment_notes (void)
{
  GString *notes = g_string_new (NULL);

  if (g_getenv ("OPENAI_API_KEY") && g_getenv ("OPENAI_API_KEY")[0])
    g_string_append (notes, _("OPENAI_API_KEY is set and is used instead of the stored key.\n"));
  if (g_getenv ("OPENAI_BASE_URL") && g_getenv ("OPENAI_BASE_URL")[0])
    g_string_append (notes, _("OPENAI_BASE_URL is set and is used instead of the base URL.\n"));
  return g_string_free (notes, FALSE);
}
