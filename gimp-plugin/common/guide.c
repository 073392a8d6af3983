/* The guide layer's rules for both hosts (guide.h). */
#include "guide.h"

#include <string.h>

#include "i18n.h"

void
oaimg_guide_init (OaimgGuide *guide, uint8_t *rgba, uint32_t width, uint32_t height, int32_t x,
                  int32_t y, const char *name)
{
  guide->rgba   = rgba;
  guide->width  = width;
  guide->height = height;
  guide->x      = x;
  guide->y      = y;
  guide->name   = g_strdup (name ? name : "");
}

void
oaimg_guide_clear (OaimgGuide *guide)
{
  g_clear_pointer (&guide->rgba, g_free);
  g_clear_pointer (&guide->name, g_free);
  memset (guide, 0, sizeof *guide);
}

gboolean
oaimg_guide_offered (const char *model, oaimg_operation operation)
{
  return operation == OAIMG_EDIT && oaimg_model_accepts_markup (model);
}

/* "gpt-image-2.5-flare-2026-09-08": a dated snapshot, left out of the note (its alias is named). */
static gboolean
is_snapshot (const char *name)
{
  size_t len = strlen (name);

  if (len < 11)
    return FALSE;
  name += len - 11;
  for (int i = 0; i < 11; i++)
    if ((i == 0 || i == 5 || i == 8) ? name[i] != '-' : !g_ascii_isdigit (name[i]))
      return FALSE;
  return TRUE;
}

/* The live models that take markup, from liboaimg's table: "gpt-image-2.5-sunburst, ...". */
static char *
markup_models (void)
{
  GString *list = g_string_new (NULL);

  for (size_t i = 0; i < oaimg_model_count (); i++)
    {
      const char *name = oaimg_model_name (i);

      if (!oaimg_model_accepts_markup (name) || oaimg_model_is_retired (name) || is_snapshot (name))
        continue;
      if (list->len)
        g_string_append (list, ", ");
      g_string_append (list, name);
    }
  return g_string_free (list, FALSE);
}

char *
oaimg_guide_note (const char *model, oaimg_operation operation)
{
  char *models, *note;

  if (oaimg_guide_offered (model, operation))
    return NULL;
  models = markup_models ();
  /* TRANSLATORS: first %s is the chosen model, second the list of models that take a guide. */
  note = g_strdup_printf (_("%s takes no guide layer. Only these models do: %s."), model, models);
  g_free (models);
  return note;
}

const char *
oaimg_guide_selection_note (void)
{
  /* The API takes markup or a mask, never both (oaimg_request_set_markup_layer()). */
  return _("With a guide, the selection is not sent as a mask: it still sets the area the model "
           "sees and the area the results replace. Hide the guide layer when Sample merged is on, "
           "or its strokes are sent as part of the picture.");
}

gboolean
oaimg_guide_has_transparency (const uint8_t *rgba, uint32_t width, uint32_t height)
{
  const size_t count = (size_t) width * height;

  for (size_t i = 0; i < count; i++)
    if (rgba[i * 4 + 3] == 0)
      return TRUE;
  return FALSE;
}

const char *
oaimg_guide_message_same_layer (void)
{
  return _("The guide layer is the layer being repainted. Paint the guide on a layer of its own "
           "and choose that one, or choose None.");
}

void
oaimg_guide_offset (const OaimgGuide *guide, const OaimgSource *source, int32_t *x, int32_t *y)
{
  *x = guide->x - source->origin_x;
  *y = guide->y - source->origin_y;
}

gboolean
oaimg_guide_apply (oaimg_request *request, const OaimgGuide *guide, const char *model,
                   oaimg_operation operation, const OaimgSource *source, GError **error)
{
  int32_t      x, y;
  oaimg_status status;

  if (operation != OAIMG_EDIT)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                           _("A guide layer guides Inpaint Selection only; run Inpaint Selection "
                             "to use it."));
      return FALSE;
    }
  if (!oaimg_guide_offered (model, operation))
    {
      char *models = markup_models ();

      /* TRANSLATORS: %1$s is the chosen model, %2$s the list of models that take a guide. */
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_UNSUPPORTED,
                   _("%1$s takes no guide layer, so nothing was sent. Choose one of %2$s, or run "
                     "without a guide layer."),
                   model, models);
      g_free (models);
      return FALSE;
    }
  if (guide->rgba == NULL || guide->width == 0 || guide->height == 0 ||
      !oaimg_guide_has_transparency (guide->rgba, guide->width, guide->height))
    {
      /* TRANSLATORS: %s is the guide layer's name. */
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   _("The guide layer “%s” has no transparent pixels, so it would hide the whole "
                     "picture from the model. Paint the guide on a transparent layer (Layer ▸ "
                     "New Layer, filled with Transparency), or erase what is not the guide."),
                   guide->name ? guide->name : "");
      return FALSE;
    }
  oaimg_guide_offset (guide, source, &x, &y);
  status = oaimg_request_set_markup_layer (request, guide->rgba, guide->width, guide->height,
                                           0, OAIMG_RGBA8, x, y);
  if (status != OAIMG_OK)
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, status, "%s",
                   oaimg_request_error_message (request));
      return FALSE;
    }
  return TRUE;
}
