/* Extend Canvas and edits past a layer's edges: the sources they need and what the dialog says
 * about an extension's plan. Host-independent: glib and oaimg.h only. */
#include "oaimg_plugin.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

gboolean
oaimg_job_is_extend (const OaimgJobParams *params)
{
  return params->operation == OAIMG_EDIT &&
         (params->extend_left | params->extend_top | params->extend_right |
          params->extend_bottom) != 0;
}

void
oaimg_source_for_extend (OaimgSource *source, uint32_t canvas_width, uint32_t canvas_height,
                         uint8_t *rgba)
{
  memset (source, 0, sizeof *source);
  source->width  = canvas_width;
  source->height = canvas_height;
  source->rgba   = rgba;
}

void
oaimg_source_for_layer_on_canvas (OaimgSource *source, int32_t x, int32_t y, uint32_t width,
                                  uint32_t height, uint8_t *rgba, const OaimgCoverage *selection,
                                  uint32_t canvas_width, uint32_t canvas_height)
{
  gboolean past_layer;

  oaimg_source_for_layer (source, x, y, width, height, rgba, selection);
  if (selection->coverage == NULL)
    return;
  past_layer = selection->x < x || selection->y < y ||
               (int64_t) selection->x + selection->width > (int64_t) x + width ||
               (int64_t) selection->y + selection->height > (int64_t) y + height;
  /* Only then: a canvas lets the put-back band spill past the layer, which a selection inside
   * the layer has no use for. */
  if (past_layer)
    {
      source->canvas_x      = -x;
      source->canvas_y      = -y;
      source->canvas_width  = canvas_width;
      source->canvas_height = canvas_height;
    }
}

const char *const *
oaimg_extend_aspects (void)
{
  static const char *const aspects[] = { "none", "16:9", "3:2", "4:3", "1:1", "3:4", "2:3",
                                         "9:16", NULL };
  return aspects;
}

gboolean
oaimg_extend_margins (uint32_t width, uint32_t height, const char *aspect, int left, int top,
                      int right, int bottom, OaimgJobParams *params, GError **error)
{
  uint32_t l = 0, t = 0, r = 0, b = 0;

  if (aspect != NULL && aspect[0] != '\0' && strcmp (aspect, "none") != 0)
    {
      unsigned aw = 0, ah = 0;
      char     end = 0;

      if (sscanf (aspect, "%u:%u%c", &aw, &ah, &end) != 2 ||
          oaimg_extend_margins_for_aspect (width, height, aw, ah, &l, &t, &r, &b) != OAIMG_OK)
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                       /* TRANSLATORS: %s is what was given as the aspect ratio. */
                       _("The aspect ratio \"%s\" is not of the form W:H with W and H from 1 to "
                         "100, e.g. 16:9."),
                       aspect);
          return FALSE;
        }
      if ((l | t | r | b) == 0)
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                       _("The image is already %s: choose another aspect ratio, or pixels to "
                         "add on each side."),
                       aspect);
          return FALSE;
        }
    }
  else
    {
      if (left < 0 || top < 0 || right < 0 || bottom < 0)
        {
          g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                               _("The pixels to add on each side must be 0 or more."));
          return FALSE;
        }
      if ((left | top | right | bottom) == 0)
        {
          g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                               _("Give at least one side (left, top, right or bottom) a number "
                                 "of pixels to add, or choose an aspect ratio."));
          return FALSE;
        }
      l = (uint32_t) left;
      t = (uint32_t) top;
      r = (uint32_t) right;
      b = (uint32_t) bottom;
    }
  params->extend_left   = l;
  params->extend_top    = t;
  params->extend_right  = r;
  params->extend_bottom = b;
  return TRUE;
}
