/* One run of the plug-in, from the host's pixels to the host's new layers, on liboaimg's
 * whole-job path (set_source / set_selection / run / result_layer). */
#include "oaimg_plugin.h"

#include <string.h>

#include "guide.h"
#include "i18n.h"
#include "oaimg_dialog.h"
#include "references.h"

G_DEFINE_QUARK (oaimg-plugin-error-quark, oaimg_plugin_error)

/* Long prompts make unreadable layer names; the full prompt is in the provenance parasite. */
#define GROUP_NAME_MAX_CHARS 48

void
oaimg_source_clear (OaimgSource *source)
{
  g_clear_pointer (&source->rgba, g_free);
  g_clear_pointer (&source->selection, g_free);
  g_clear_pointer (&source->read_data, g_free);
  memset (source, 0, sizeof *source);
}

void
oaimg_source_for_generation (OaimgSource *source, uint32_t canvas_width, uint32_t canvas_height,
                             const OaimgCoverage *selection)
{
  memset (source, 0, sizeof *source);
  if (selection->coverage)
    {
      source->origin_x         = selection->x;
      source->origin_y         = selection->y;
      source->width            = selection->width;
      source->height           = selection->height;
      source->selection        = selection->coverage;
      source->selection_width  = selection->width;
      source->selection_height = selection->height;
    }
  else
    {
      source->width  = canvas_width;
      source->height = canvas_height;
    }
}

void
oaimg_source_for_layer (OaimgSource *source, int32_t x, int32_t y, uint32_t width,
                        uint32_t height, uint8_t *rgba, const OaimgCoverage *selection)
{
  memset (source, 0, sizeof *source);
  source->origin_x = x;
  source->origin_y = y;
  source->width    = width;
  source->height   = height;
  source->rgba     = rgba;
  if (selection->coverage)
    {
      source->selection        = selection->coverage;
      source->selection_x      = selection->x - x;
      source->selection_y      = selection->y - y;
      source->selection_width  = selection->width;
      source->selection_height = selection->height;
    }
}

static gboolean
is_unset (const char *value)
{
  return value == NULL || value[0] == '\0';
}

char *
oaimg_job_group_name (const OaimgJobParams *params)
{
  if (!is_unset (params->prompt))
    {
      const char *end = strchr (params->prompt, '\n');
      glong       len = end ? g_utf8_pointer_to_offset (params->prompt, end)
                            : g_utf8_strlen (params->prompt, -1);
      gchar      *line = g_utf8_substring (params->prompt, 0, MIN (len, GROUP_NAME_MAX_CHARS));
      gchar      *name = g_strstrip (line);

      if (name[0] != '\0')
        {
          if (len > GROUP_NAME_MAX_CHARS)
            {
              gchar *shortened = g_strconcat (name, "…", NULL);
              g_free (line);
              return shortened;
            }
          return line;
        }
      g_free (line);
    }
  switch (params->operation)
    {
    case OAIMG_VARIATION:
      return g_strdup (_("Variations"));
    case OAIMG_EDIT:
      return g_strdup (oaimg_job_is_extend (params) ? _("Extended canvas") : _("Inpainting"));
    default:
      return g_strdup (_("Generated"));
    }
}

static char *
resolve_model (oaimg_client *client, const OaimgJobParams *params, const char *default_model)
{
  if (!is_unset (params->model))
    return g_strdup (params->model);
  if (!is_unset (default_model))
    return g_strdup (default_model);
  return g_strdup (oaimg_default_model (oaimg_client_base_url (client), params->operation));
}

static gboolean
request_failed (oaimg_request *request, oaimg_status status, GError **error)
{
  g_set_error (error, OAIMG_PLUGIN_ERROR, status, "%s", oaimg_request_error_message (request));
  return FALSE;
}

oaimg_request *
oaimg_job_build_request (oaimg_client         *client,
                         const OaimgJobParams *params,
                         const OaimgSource    *source,
                         const char           *default_model,
                         gboolean              stream,
                         char                **model_out,
                         GError              **error)
{
  oaimg_request *request = NULL;
  oaimg_status   status;
  char          *model;

  if (params->operation == OAIMG_EDIT && !oaimg_job_is_extend (params) &&
      (source == NULL || source->selection == NULL))
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_NO_SELECTION,
                           _("Select the area to repaint, then run Inpaint Selection again."));
      return NULL;
    }
  if (params->operation != OAIMG_VARIATION && is_unset (params->prompt))
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                           _("Type a prompt that describes the picture you want."));
      return NULL;
    }

  status = oaimg_request_new (params->operation, &request);
  if (status != OAIMG_OK)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, status, oaimg_status_str (status));
      return NULL;
    }

  model = resolve_model (client, params, default_model);
#define TRY(call)                                                                      \
  do {                                                                                 \
      status = (call);                                                                 \
      if (status != OAIMG_OK)                                                          \
        {                                                                              \
          request_failed (request, status, error);                                     \
          goto fail;                                                                   \
        }                                                                              \
  } while (0)

  TRY (oaimg_request_set_model (request, model));
  TRY (oaimg_request_set_n (request, CLAMP (params->n, 1, 10)));
  /* A variation's prompt is optional: where the model takes none (DALL·E 2), the dialog shows it
   * as not sent, and it is not. */
  if (!is_unset (params->prompt) &&
      (params->operation != OAIMG_VARIATION || oaimg_dialog_takes_prompt (model, params->operation)))
    TRY (oaimg_request_set_prompt (request, params->prompt));
  /* "auto" in the procedures means "planned from the region", which is what an unset size does;
   * sending the literal "auto" would also fail on DALL·E 2 servers. */
  if (!is_unset (params->size) && strcmp (params->size, "auto") != 0)
    TRY (oaimg_request_set_size (request, params->size));
  if (!is_unset (params->quality) && strcmp (params->quality, "auto") != 0)
    TRY (oaimg_request_set_quality (request, params->quality));
  if (!is_unset (params->background) && strcmp (params->background, "auto") != 0)
    TRY (oaimg_request_set_background (request, params->background));
  /* A generation fills the selection's bounds exactly: the context margin that helps an edit
   * blend in would only make a new picture spill over what the user marked. */
  TRY (oaimg_request_set_context_mode (request,
                                       params->operation == OAIMG_GENERATE &&
                                       params->context == OAIMG_CONTEXT_AUTO
                                         ? OAIMG_CONTEXT_SELECTION
                                         : params->context));
  if (stream && oaimg_model_supports_streaming (model))
    TRY (oaimg_request_set_stream (request, 2));

  if (source != NULL)
    {
      if (source->rgba != NULL)
        TRY (oaimg_request_set_source (request, source->rgba, source->width, source->height, 0,
                                       OAIMG_RGBA8));
      else
        {
          uint8_t *own = oaimg_request_source_buffer (request, source->width, source->height,
                                                      OAIMG_RGBA8, NULL);

          TRY (own != NULL ? OAIMG_OK : OAIMG_ERR_INVALID_ARGUMENT);
          if (source->read_rgba != NULL)
            source->read_rgba (source->read_data, own);
        }
      /* An extension's selection is the new area, which the core makes itself. */
      if (oaimg_job_is_extend (params))
        TRY (oaimg_request_set_extend (request, params->extend_left, params->extend_top,
                                       params->extend_right, params->extend_bottom));
      else if (source->canvas_width > 0 && source->canvas_height > 0)
        TRY (oaimg_request_set_canvas (request, source->canvas_x, source->canvas_y,
                                       source->canvas_width, source->canvas_height));
      if (source->selection != NULL && !oaimg_job_is_extend (params))
        TRY (oaimg_request_set_selection (request, source->selection, source->selection_width,
                                          source->selection_height, 0, source->selection_x,
                                          source->selection_y));
      if (params->guide != NULL &&
          !oaimg_guide_apply (request, params->guide, model, params->operation, source, error))
        goto fail;
      if (!oaimg_references_add_to_request (request, model, params, error))
        goto fail;
    }
#undef TRY

  if (model_out)
    *model_out = model;
  else
    g_free (model);
  return request;

fail:
  g_free (model);
  oaimg_request_free (request);
  return NULL;
}

/* The part of a result its put-back mask uses: the selection's bounds plus the feathered seam
 * band. The region the model saw can be far larger (a margin of context, or the whole layer),
 * and a layer that big per result costs memory in GIMP for pixels the mask hides anyway. The
 * cropped copies are owned by `owned` (freed with g_free). */
static void
crop_to_mask (OaimgOutput *out, GPtrArray *owned)
{
  uint32_t x0 = out->width, y0 = out->height, x1 = 0, y1 = 0;
  uint32_t w, h;
  uint8_t *rgba, *mask;

  if (out->mask == NULL)
    return;
  for (uint32_t y = 0; y < out->height; y++)
    for (uint32_t x = 0; x < out->width; x++)
      if (out->mask[(size_t) y * out->width + x])
        {
          x0 = MIN (x0, x);
          x1 = MAX (x1, x + 1);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y + 1);
        }
  if (x1 <= x0 || y1 <= y0 || (x0 == 0 && y0 == 0 && x1 == out->width && y1 == out->height))
    return;
  w    = x1 - x0;
  h    = y1 - y0;
  rgba = g_malloc ((gsize) w * h * 4);
  mask = g_malloc ((gsize) w * h);
  for (uint32_t y = 0; y < h; y++)
    {
      memcpy (rgba + (size_t) y * w * 4, out->rgba + ((size_t) (y0 + y) * out->width + x0) * 4,
              (size_t) w * 4);
      memcpy (mask + (size_t) y * w, out->mask + (size_t) (y0 + y) * out->width + x0, w);
    }
  g_ptr_array_add (owned, rgba);
  g_ptr_array_add (owned, mask);
  out->rgba   = rgba;
  out->mask   = mask;
  out->x     += (int32_t) x0;
  out->y     += (int32_t) y0;
  out->width  = w;
  out->height = h;
}

typedef struct
{
  const OaimgHost *host;
  oaimg_client    *client;
  gint64           started;
  gboolean         cancelled;
} RunContext;

static gboolean
report (RunContext *ctx, const char *stage_text, double fraction, gboolean with_detail)
{
  OaimgProgress progress = { stage_text, fraction, 0.0, 0, 0, NULL, 0, -1 };

  if (ctx->host->progress == NULL)
    return FALSE;
  progress.elapsed_s = (g_get_monotonic_time () - ctx->started) / (double) G_USEC_PER_SEC;
  if (with_detail)
    oaimg_client_progress_detail (ctx->client, &progress.received, &progress.total,
                                  &progress.retry_reason, &progress.retry_attempt,
                                  &progress.retry_in_ms);
  return ctx->host->progress (ctx->host->self, &progress);
}

static int
on_progress (void *user_data, oaimg_stage stage, double fraction)
{
  RunContext *ctx = user_data;

  /* While the server works (or a retry waits) the overall fraction stands still for a long
   * time: hosts pulse their bar instead, so that it visibly moves. */
  if (stage == OAIMG_STAGE_WAITING || stage == OAIMG_STAGE_RETRYING)
    fraction = -1.0;
  if (report (ctx, oaimg_message_for_stage (stage), fraction, TRUE))
    ctx->cancelled = TRUE;
  return ctx->cancelled ? 1 : 0;
}

static void
on_partial (void *user_data, size_t result_index, int partial_index, const uint8_t *image,
            size_t image_size)
{
  RunContext *ctx  = user_data;
  uint8_t    *rgba = NULL;
  uint32_t    w = 0, h = 0;

  (void) partial_index;
  /* Only the first result's partials are shown: one preview is enough to see where it goes. */
  if (result_index != 0 || ctx->host->partial == NULL)
    return;
  if (oaimg_png_decode (image, image_size, 0, &rgba, &w, &h) == OAIMG_OK)
    ctx->host->partial (ctx->host->self, rgba, w, h);
  oaimg_free (rgba);
}

/* Advice, never a reason to fail: a server that cannot say (no such endpoint, no connection) is
 * asked again by the run itself, whose own error then counts. */
static void
warn_if_shutting_down (RunContext *ctx, const char *model)
{
  char        *warning = NULL;
  oaimg_status status;

  status = oaimg_client_model_shutdown_warning (ctx->client, model, OAIMG_SHUTDOWN_WARNING_DAYS,
                                                &warning);
  if (status == OAIMG_OK && warning != NULL && warning[0] != '\0')
    {
      /* TRANSLATORS: %s is the library's English line naming the model, its shutdown date and
       * its replacement. */
      char *message = g_strdup_printf (_("This model is being shut down: %s"), warning);
      if (ctx->host->warn)
        ctx->host->warn (ctx->host->self, message);
      else
        g_message ("%s", message);
      g_free (message);
    }
  oaimg_free (warning);
}

gboolean
oaimg_job_run (const OaimgHost      *host,
               oaimg_client         *client,
               const OaimgJobParams *params,
               const OaimgSource    *source,
               const OaimgSettings  *settings,
               GError              **error)
{
  const char    *default_model = settings ? settings->default_model : NULL;
  char          *model = NULL;
  RunContext     ctx     = { host, client, g_get_monotonic_time (), FALSE };
  oaimg_request *request;
  oaimg_result  *result  = NULL;
  OaimgOutput   *outputs = NULL;
  size_t         count   = 0;
  char          *group   = NULL;
  gboolean       ok      = FALSE;
  GPtrArray     *owned   = g_ptr_array_new_with_free_func (g_free);
  oaimg_status   status;

  request = oaimg_job_build_request (client, params, source, default_model,
                                     host->partial != NULL, &model, error);
  if (request == NULL)
    {
      g_ptr_array_free (owned, TRUE);
      return FALSE;
    }
  /* Only a non-empty one is sent: an empty field would be refused, and no id is no id. */
  if (settings && settings->safety_identifier && settings->safety_identifier[0] != '\0')
    {
      status = oaimg_request_set_safety_identifier (request, settings->safety_identifier);
      if (status != OAIMG_OK)
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, status,
                       _("The safety identifier in Settings is not valid: %s"),
                       oaimg_request_error_message (request));
          g_free (model);
          oaimg_request_free (request);
          g_ptr_array_free (owned, TRUE);
          return FALSE;
        }
    }

  oaimg_client_set_progress_callback (client, on_progress, &ctx);
  warn_if_shutting_down (&ctx, model);
  g_clear_pointer (&model, g_free);
  if (ctx.cancelled)
    {
      /* Cancel pressed while the model check waited: nothing was sent yet. */
      oaimg_client_set_progress_callback (client, NULL, NULL);
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_CANCELLED,
                           _("Cancelled. The image was not changed."));
      g_ptr_array_free (owned, TRUE);
      oaimg_request_free (request);
      return FALSE;
    }
  if (host->partial)
    oaimg_client_set_partial_image_callback (client, on_partial, &ctx);
  status = oaimg_client_run (client, request, &result);
  oaimg_client_set_progress_callback (client, NULL, NULL);
  oaimg_client_set_partial_image_callback (client, NULL, NULL);

  if (status != OAIMG_OK)
    {
      char *message = oaimg_message_for_failure (status, client);
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, status, message);
      g_free (message);
      goto out;
    }

  count = oaimg_result_count (result);
  if (count == 0)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_BAD_RESPONSE,
                           _("The server answered without any image."));
      goto out;
    }

  group   = oaimg_job_group_name (params);
  outputs = g_new0 (OaimgOutput, count);
  for (size_t i = 0; i < count; i++)
    {
      OaimgOutput *out = &outputs[i];
      uint32_t     mw = 0, mh = 0;

      status = oaimg_result_layer (result, i, &out->rgba, &out->width, &out->height, &out->x,
                                   &out->y);
      if (status == OAIMG_OK)
        status = oaimg_result_layer_mask (result, i, &out->mask, &mw, &mh);
      if (status != OAIMG_OK || mw != out->width || mh != out->height)
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, status != OAIMG_OK ? status : OAIMG_ERR_INTERNAL,
                       _("Result %zu could not be placed: %s"), i + 1,
                       status != OAIMG_OK ? oaimg_status_str (status) : "mask size");
          goto out;
        }
      crop_to_mask (out, owned);
      out->x += source ? source->origin_x : 0;
      out->y += source ? source->origin_y : 0;
      /* Placed on the grown canvas, where the old image's origin moves to (left, top). */
      if (oaimg_job_is_extend (params))
        {
          out->x += (int32_t) params->extend_left;
          out->y += (int32_t) params->extend_top;
        }
      /* The group carries the prompt; "Result 1" ... tell its layers apart within it. */
      out->name = oaimg_result_layer_name (i);
      out->provenance = oaimg_provenance_json (params, result, i);
    }

  /* The last chance to cancel: a Cancel pressed after the library's last callback (while the
   * results were decoded and placed) must still leave the image as it was. */
  if (report (&ctx, _("Adding the layers"), 1.0, TRUE))
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_CANCELLED,
                           _("Cancelled. The image was not changed."));
      goto out;
    }
  ok = host->insert (host->self, group, outputs, count, error);
  if (ok && host->usage)
    {
      OaimgUsage usage;

      if (oaimg_usage_of_result (result, &usage))
        host->usage (host->self, &usage);
    }

out:
  if (outputs)
    for (size_t i = 0; i < count; i++)
      {
        g_free (outputs[i].name);
        g_free (outputs[i].provenance);
      }
  g_free (outputs);
  g_ptr_array_free (owned, TRUE);
  g_free (group);
  oaimg_result_free (result);
  oaimg_request_free (request);
  return ok;
}
