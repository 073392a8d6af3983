/* Reference layers, decided once for both hosts (references.h). */
#include "references.h"

#include <string.h>

#include "i18n.h"

void
oaimg_references_add (OaimgReferences *references, const char *name, uint8_t *rgba,
                      uint32_t width, uint32_t height)
{
  OaimgReference *item;

  references->items = g_renew (OaimgReference, references->items, references->count + 1);
  item              = &references->items[references->count++];
  item->name        = g_strdup (name ? name : "");
  item->rgba        = rgba;
  item->width       = width;
  item->height      = height;
}

void
oaimg_references_clear (OaimgReferences *references)
{
  for (guint i = 0; i < references->count; i++)
    {
      g_free (references->items[i].name);
      g_free (references->items[i].rgba);
    }
  g_clear_pointer (&references->items, g_free);
  references->count = 0;
}

guint
oaimg_references_pick (const OaimgStackLayer *layers, guint count, guint *out)
{
  gboolean edited_chosen = FALSE;
  guint    picked        = 0;
  /* The depth of the reference group being walked through, or -1 outside one. */
  int      inside_depth  = -1;

  for (guint i = 0; i < count; i++)
    if (layers[i].edited && layers[i].chosen)
      edited_chosen = TRUE;
  if (!edited_chosen)
    return 0;
  for (guint i = 0; i < count; i++)
    {
      if (inside_depth >= 0 && layers[i].depth > inside_depth)
        continue;
      inside_depth = -1;
      if (!layers[i].chosen || layers[i].edited)
        continue;
      out[picked++] = i;
      inside_depth  = layers[i].depth;
    }
  return picked;
}

void
oaimg_reference_apply_opacity (uint8_t *rgba, uint32_t width, uint32_t height, double opacity,
                               const uint8_t *mask)
{
  const size_t pixels = (size_t) width * height;
  const double factor = CLAMP (opacity, 0.0, 100.0) / 100.0;

  if (factor >= 1.0 && mask == NULL)
    return;
  for (size_t i = 0; i < pixels; i++)
    {
      double alpha = rgba[i * 4 + 3] * factor;

      if (mask)
        alpha = alpha * mask[i] / 255.0;
      rgba[i * 4 + 3] = (uint8_t) (alpha + 0.5);
    }
}

static gboolean
takes_references (const OaimgJobParams *params)
{
  /* Only Inpaint Selection: a variation's references would make it an edit of another kind, and
   * Extend Canvas fills the new area from the image itself. */
  return params->operation == OAIMG_EDIT && !oaimg_job_is_extend (params);
}

int
oaimg_references_max (const char *model, const OaimgJobParams *params)
{
  int images;

  if (!takes_references (params))
    return 0;
  images = oaimg_model_max_input_images (model);
  return images > 1 ? images - 1 : 0;
}

char *
oaimg_references_note (const char *model, const OaimgJobParams *params)
{
  if (!takes_references (params) || oaimg_references_max (model, params) > 0)
    return NULL;
  /* TRANSLATORS: %s is a model's name, e.g. dall-e-2. */
  return g_strdup_printf (_("%s edits one image; references are not sent"), model);
}

gboolean
oaimg_references_add_to_request (oaimg_request *request, const char *model,
                                 const OaimgJobParams *params, GError **error)
{
  const OaimgReferences *references = params->references;
  int                    most;

  if (references == NULL || references->count == 0)
    return TRUE;
  most = oaimg_references_max (model, params);
  if (most == 0)
    return TRUE;
  if (references->count > (guint) most)
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   /* TRANSLATORS: %1$u is how many reference layers there are, %2$s the model,
                    * %3$d the most references it takes, %4$d the images in all. */
                   _("%1$u reference layers are selected, but %2$s takes at most %3$d besides "
                     "the edited layer (%4$d images in all). Select or link fewer "
                     "layers."),
                   references->count, model, most, most + 1);
      return FALSE;
    }
  for (guint i = 0; i < references->count; i++)
    {
      const OaimgReference *item   = &references->items[i];
      oaimg_status          status = oaimg_request_add_reference (request, item->rgba,
                                                                  item->width, item->height, 0,
                                                                  OAIMG_RGBA8);
      if (status != OAIMG_OK)
        {
          /* TRANSLATORS: %s is the layer's name, the second the library's English reason. */
          g_set_error (error, OAIMG_PLUGIN_ERROR, status,
                       _("The reference layer \"%s\" cannot be sent: %s"), item->name,
                       oaimg_request_error_message (request));
          return FALSE;
        }
    }
  return TRUE;
}
