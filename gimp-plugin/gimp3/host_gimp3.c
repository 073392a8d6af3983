/* GIMP 3 side of the host interface: GEGL buffers to and from 8-bit sRGB, and the new layers.
 *
 * Pixels cross the boundary as "R'G'B'A u8" (sRGB, straight alpha) whatever the image is: GEGL and
 * babl convert gray, indexed, 16/32-bit, linear and profiled images on the way out and back in, so
 * results land in the image's own precision and colour space. Selection and masks are coverage and
 * cross as linear "Y u8", the format GIMP keeps masks in, so that 50% coverage stays 128. */
#include "host_gimp3.h"

#include <string.h>

#include "dialogs_gimp3.h"
#include "guide.h"
#include "i18n.h"
#include "oaimg_dialog.h"

static gboolean
host_error (GError **error, const char *message)
{
  g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_PLUGIN_ERROR_HOST, message);
  return FALSE;
}

/* The selection inside the rectangle (x, y, w, h) in image coordinates, or NULL when nothing of
 * it is selected there. */
static uint8_t *
read_selection (GimpImage *image, gint x, gint y, gint w, gint h, GeglRectangle *out_rect)
{
  gboolean       non_empty = FALSE;
  gint           x1, y1, x2, y2;
  GeglRectangle  area   = { x, y, w, h };
  GeglRectangle  bounds;
  GeglRectangle  inside;
  GimpSelection *selection;
  GeglBuffer    *buffer;
  uint8_t       *coverage;

  if (!gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) || !non_empty)
    return NULL;
  bounds = (GeglRectangle) { x1, y1, x2 - x1, y2 - y1 };
  if (!gegl_rectangle_intersect (&inside, &area, &bounds))
    return NULL;

  selection = gimp_image_get_selection (image);
  buffer    = gimp_drawable_get_buffer (GIMP_DRAWABLE (selection));
  coverage  = g_malloc ((gsize) inside.width * inside.height);
  gegl_buffer_get (buffer, &inside, 1.0, babl_format ("Y u8"), coverage, GEGL_AUTO_ROWSTRIDE,
                   GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  *out_rect = inside;
  return coverage;
}

/* What read_source_rgba reads once liboaimg's buffer for it exists: the drawable stays alive
 * for the run (GIMP keeps its proxy object), so it is not referenced here. */
typedef struct
{
  GimpDrawable *drawable;
  gint          w, h;
} SourceRead;

static void
read_source_rgba (const void *data, uint8_t *rgba)
{
  const SourceRead *read   = data;
  GeglBuffer       *buffer = gimp_drawable_get_buffer (read->drawable);

  gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, read->w, read->h), 1.0,
                   babl_format ("R'G'B'A u8"), rgba, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
}

gboolean
host_gimp3_read_source (GimpImage *image, GimpDrawable *drawable, oaimg_operation operation,
                        gboolean sample_merged, OaimgSource *source, GError **error)
{
  GeglRectangle sel_rect;

  memset (source, 0, sizeof *source);

  if (operation == OAIMG_GENERATE)
    {
      /* A generation sends no pixels: the source only gives the region its shape, so it is the
       * selection's bounds (or the canvas) and fully transparent. */
      gint w = gimp_image_get_width (image);
      gint h = gimp_image_get_height (image);

      source->selection = read_selection (image, 0, 0, w, h, &sel_rect);
      if (source->selection)
        {
          source->origin_x         = sel_rect.x;
          source->origin_y         = sel_rect.y;
          source->width            = sel_rect.width;
          source->height           = sel_rect.height;
          source->selection_width  = sel_rect.width;
          source->selection_height = sel_rect.height;
        }
      else
        {
          source->width  = w;
          source->height = h;
        }
      return TRUE;
    }

  if (drawable == NULL || !GIMP_IS_LAYER (drawable) || GIMP_IS_LAYER_MASK (drawable))
    return host_error (error, _("Select one layer to work on."));
  if (gimp_item_is_group (GIMP_ITEM (drawable)) && !sample_merged)
    return host_error (error, _("Select a layer, not a layer group, or turn on Sample merged."));

  {
    GimpLayer    *visible   = NULL;
    OaimgCoverage selection = { 0 };
    uint8_t      *rgba;
    gint          iw = gimp_image_get_width (image);
    gint          ih = gimp_image_get_height (image);
    gint        ox = 0, oy = 0;
    gint        w = gimp_drawable_get_width (drawable);
    gint        h = gimp_drawable_get_height (drawable);
    GeglBuffer *buffer;

    if (sample_merged)
      {
        /* The whole canvas as shown: a temporary layer of the projection, never inserted. */
        visible  = gimp_layer_new_from_visible (image, image, "oaimg-visible");
        drawable = GIMP_DRAWABLE (visible);
        w        = gimp_drawable_get_width (drawable);
        h        = gimp_drawable_get_height (drawable);
      }
    gimp_drawable_get_offsets (drawable, &ox, &oy);
    /* A layer is read later, straight into liboaimg's buffer (read_source_rgba); the temporary
     * layer of the projection is gone by then, so that one is read now. */
    rgba = NULL;
    if (visible)
      {
        rgba   = g_malloc ((gsize) w * h * 4);
        buffer = gimp_drawable_get_buffer (drawable);
        gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("R'G'B'A u8"),
                         rgba, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
        g_object_unref (buffer);
        gimp_item_delete (GIMP_ITEM (visible));
      }

    /* An edit may select canvas the layer does not cover: that part is filled too. */
    if (operation == OAIMG_EDIT)
      selection.coverage = read_selection (image, 0, 0, iw, ih, &sel_rect);
    else
      selection.coverage = read_selection (image, ox, oy, w, h, &sel_rect);
    if (selection.coverage)
      {
        selection.x      = sel_rect.x;
        selection.y      = sel_rect.y;
        selection.width  = sel_rect.width;
        selection.height = sel_rect.height;
      }
    oaimg_source_for_layer_on_canvas (source, ox, oy, w, h, rgba, &selection, iw, ih);
    if (rgba == NULL)
      {
        SourceRead *read = g_new (SourceRead, 1);

        *read             = (SourceRead) { drawable, w, h };
        source->read_rgba = read_source_rgba;
        source->read_data = read;
      }
  }
  return TRUE;
}

/* The layer tree top to bottom, a group before its children (references.h's walk). */
static void
walk_layers (GimpItem **items, int depth, GPtrArray *walked, GArray *stack,
             GimpDrawable **drawables)
{
  for (int i = 0; items && items[i]; i++)
    {
      OaimgStackLayer entry = { depth, FALSE, items[i] == (GimpItem *) drawables[0] };

      for (int k = 0; drawables[k]; k++)
        entry.chosen = entry.chosen || items[i] == (GimpItem *) drawables[k];
      g_ptr_array_add (walked, items[i]);
      g_array_append_val (stack, entry);
      if (gimp_item_is_group (items[i]))
        {
          GimpItem **children = gimp_item_get_children (items[i]);
          walk_layers (children, depth + 1, walked, stack, drawables);
          g_free (children);
        }
    }
}

void
host_gimp3_read_references (GimpImage *image, GimpDrawable **drawables,
                            OaimgReferences *references)
{
  GimpLayer **layers = gimp_image_get_layers (image);
  GPtrArray  *walked = g_ptr_array_new ();
  GArray     *stack  = g_array_new (FALSE, FALSE, sizeof (OaimgStackLayer));
  guint      *picked;
  guint       count;

  memset (references, 0, sizeof *references);
  if (drawables == NULL || drawables[0] == NULL || drawables[1] == NULL)
    {
      g_free (layers);
      g_ptr_array_free (walked, TRUE);
      g_array_free (stack, TRUE);
      return;
    }
  walk_layers ((GimpItem **) layers, 0, walked, stack, drawables);
  picked = g_new (guint, MAX (stack->len, 1));
  count  = oaimg_references_pick ((const OaimgStackLayer *) (void *) stack->data, stack->len,
                                  picked);
  for (guint i = 0; i < count; i++)
    {
      GimpLayer     *layer = GIMP_LAYER (g_ptr_array_index (walked, picked[i]));
      GimpLayerMask *mask  = gimp_layer_get_mask (layer);
      gint           w     = gimp_drawable_get_width (GIMP_DRAWABLE (layer));
      gint           h     = gimp_drawable_get_height (GIMP_DRAWABLE (layer));
      uint8_t       *rgba  = g_malloc ((gsize) w * h * 4);
      uint8_t       *cover = NULL;
      GeglBuffer    *buffer;
      gchar         *name;

      buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
      gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("R'G'B'A u8"),
                       rgba, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      g_object_unref (buffer);
      if (mask && gimp_layer_get_apply_mask (layer))
        {
          cover  = g_malloc ((gsize) w * h);
          buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (mask));
          gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("Y u8"),
                           cover, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
          g_object_unref (buffer);
        }
      oaimg_reference_apply_opacity (rgba, w, h, gimp_layer_get_opacity (layer), cover);
      g_free (cover);
      name = gimp_item_get_name (GIMP_ITEM (layer));
      oaimg_references_add (references, name, rgba, w, h);
      g_free (name);
    }
  g_free (picked);
  g_free (layers);
  g_ptr_array_free (walked, TRUE);
  g_array_free (stack, TRUE);
}

static gboolean
host_progress (void *self, const OaimgProgress *progress)
{
  HostGimp3 *host = self;

  /* With the progress window up, GIMP's own progress (and its second Cancel) stays away. */
  if (host->window)
    return progress_window_update (host->window, progress);
  if (progress->stage_text != host->last_text)
    {
      gimp_progress_set_text (progress->stage_text);
      host->last_text = progress->stage_text;
    }
  if (progress->fraction >= 0.0)
    gimp_progress_update (CLAMP (progress->fraction, 0.0, 1.0));
  else
    gimp_progress_pulse ();
  return FALSE;
}

static void
host_warn (void *self, const char *message)
{
  (void) self;
  gimp_message (message);
}

static void
host_partial (void *self, const uint8_t *rgba, uint32_t width, uint32_t height)
{
  HostGimp3 *host = self;

  if (host->window)
    progress_window_show_partial (host->window, rgba, width, height);
}

static GimpImageType
result_layer_type (GimpImage *image)
{
  switch (gimp_image_get_base_type (image))
    {
    case GIMP_GRAY:    return GIMP_GRAYA_IMAGE;
    case GIMP_INDEXED: return GIMP_INDEXEDA_IMAGE;
    default:           return GIMP_RGBA_IMAGE;
    }
}

static void
write_pixels (GimpDrawable *drawable, const uint8_t *pixels, uint32_t w, uint32_t h,
              const char *format)
{
  GeglBuffer *buffer = gimp_drawable_get_buffer (drawable);

  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, w, h), 0, babl_format (format), pixels,
                   GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);
  gimp_drawable_update (drawable, 0, 0, w, h);
}

static GimpLayer *
make_result_layer (GimpImage *image, GimpGroupLayer *group, gint position,
                   const OaimgOutput *out, gboolean visible)
{
  GimpLayer     *layer;
  GimpParasite  *parasite;

  layer = gimp_layer_new (image, out->name, out->width, out->height, result_layer_type (image),
                          100.0, gimp_image_get_default_new_layer_mode (image));
  if (layer == NULL)
    return NULL;
  if (!gimp_image_insert_layer (image, layer, GIMP_LAYER (group), position))
    return NULL;
  gimp_layer_set_offsets (layer, out->x, out->y);
  write_pixels (GIMP_DRAWABLE (layer), out->rgba, out->width, out->height, "R'G'B'A u8");

  if (out->mask)
    {
      GimpLayerMask *mask = gimp_layer_create_mask (layer, GIMP_ADD_MASK_WHITE);
      if (mask == NULL || !gimp_layer_add_mask (layer, mask))
        return NULL;
      write_pixels (GIMP_DRAWABLE (mask), out->mask, out->width, out->height, "Y u8");
      /* Adding a mask makes it the drawable being edited: paint and filters would go to it. */
      gimp_layer_set_edit_mask (layer, FALSE);
    }
  gimp_item_set_visible (GIMP_ITEM (layer), visible);

  parasite = gimp_parasite_new (OAIMG_PROVENANCE_PARASITE,
                                GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                                strlen (out->provenance) + 1, out->provenance);
  gimp_item_attach_parasite (GIMP_ITEM (layer), parasite);
  gimp_parasite_free (parasite);
  return layer;
}

static gboolean
is_result_layer (GimpItem *item)
{
  GimpParasite *parasite;

  if (item == NULL || !GIMP_IS_LAYER (item) || gimp_item_is_group (item))
    return FALSE;
  parasite = gimp_item_get_parasite (item, OAIMG_PROVENANCE_PARASITE);
  if (parasite == NULL)
    return FALSE;
  gimp_parasite_free (parasite);
  return TRUE;
}

/* A group is oaimg's when every layer in it is a result (carries provenance). */
static gboolean
is_result_group (GimpItem *item)
{
  GimpItem **children;
  gboolean  *results;
  gboolean   is_group;
  int        count = 0;

  if (item == NULL || !gimp_item_is_group (item))
    return FALSE;
  children = gimp_item_get_children (item);
  while (children && children[count])
    count++;
  results = g_new0 (gboolean, MAX (count, 1));
  for (int i = 0; i < count; i++)
    results[i] = is_result_layer (children[i]);
  is_group = oaimg_results_is_group (results, count);
  g_free (results);
  g_free (children);
  return is_group;
}

GimpGroupLayer *
host_gimp3_result_group (GimpItem *item)
{
  if (item == NULL)
    return NULL;
  if (GIMP_IS_LAYER_MASK (item))
    item = GIMP_ITEM (gimp_layer_from_mask (GIMP_LAYER_MASK (item)));
  if (is_result_group (item))
    return GIMP_GROUP_LAYER (item);
  item = gimp_item_get_parent (item);
  return is_result_group (item) ? GIMP_GROUP_LAYER (item) : NULL;
}

/* Where a run's group goes: right above the layer it was made from, and above the groups of
 * earlier runs on that layer, so that the new results are what the canvas shows. Run from a
 * result (Filters ▸ Repeat leaves one active), the anchor is that result's group. */
static void
insertion_point (GimpImage *image, GimpLayer *anchor, GimpLayer **parent, gint *position)
{
  GimpGroupLayer *own = host_gimp3_result_group (GIMP_ITEM (anchor));
  GimpItem       *item;
  GimpItem      **siblings;

  if (own)
    anchor = GIMP_LAYER (own);
  item      = gimp_item_get_parent (GIMP_ITEM (anchor));
  *parent   = item ? GIMP_LAYER (item) : NULL;
  *position = gimp_image_get_item_position (image, GIMP_ITEM (anchor));
  siblings  = item ? gimp_item_get_children (item) : (GimpItem **) gimp_image_get_layers (image);
  if (own)
    {
      g_free (siblings);
      return;
    }
  {
    gboolean *groups = g_new0 (gboolean, MAX (*position, 1));

    for (int i = 0; i < *position && siblings[i]; i++)
      groups[i] = is_result_group (siblings[i]);
    *position = oaimg_results_insert_position (groups, *position);
    g_free (groups);
  }
  g_free (siblings);
}

static gboolean
host_insert (void *self, const char *group_name, const OaimgOutput *outputs, size_t count,
             GError **error)
{
  HostGimp3      *host     = self;
  GimpImage      *image    = host->image;
  GimpLayer      *parent   = NULL;
  gint            position = 0;
  GimpGroupLayer *group;
  GimpLayer     **created  = g_new0 (GimpLayer *, count + 1);
  gboolean        ok       = TRUE;
  gboolean        grown    = (host->extend[0] | host->extend[1] | host->extend[2] |
                              host->extend[3]) != 0;
  gint            old_w    = gimp_image_get_width (image);
  gint            old_h    = gimp_image_get_height (image);

  if (host->anchor)
    insertion_point (image, host->anchor, &parent, &position);

  /* GIMP's own Cancel (the status bar's, or its progress dialog's) does not ask the plug-in: it
   * kills it. Killed halfway through the insertion, it would leave part of a group behind, so
   * GIMP's cancellable progress ends before the image is touched. */
  gimp_progress_end ();

  /* One undo step for the whole insertion; existing layers are never written to. */
  gimp_image_undo_group_start (image);
  if (grown)
    ok = gimp_image_resize (image, old_w + host->extend[0] + host->extend[2],
                            old_h + host->extend[1] + host->extend[3], host->extend[0],
                            host->extend[1]);
  group = ok ? gimp_group_layer_new (image, group_name) : NULL;
  if (group == NULL || !gimp_image_insert_layer (image, GIMP_LAYER (group), parent, position))
    ok = FALSE;
  for (size_t i = 0; ok && i < count; i++)
    {
      created[i] = make_result_layer (image, group, (gint) i, &outputs[i], i == 0);
      ok         = created[i] != NULL;
    }
  if (!ok && group != NULL && gimp_item_is_valid (GIMP_ITEM (group)) &&
      gimp_item_get_image (GIMP_ITEM (group)) == image)
    gimp_image_remove_layer (image, GIMP_LAYER (group));
  /* The canvas as it was, every layer back at its old offsets. */
  if (!ok && grown && (gimp_image_get_width (image) != old_w ||
                       gimp_image_get_height (image) != old_h))
    gimp_image_resize (image, old_w, old_h, -(gint) host->extend[0], -(gint) host->extend[1]);
  gimp_image_undo_group_end (image);

  if (!ok)
    {
      g_free (created);
      return host_error (error, _("The results could not be added to the image."));
    }
  /* The shown result is what Filters ▸ Repeat and the paint tools work on next, not its mask. */
  if (count > 0)
    {
      GimpLayer *shown[2] = { created[0], NULL };
      gimp_image_set_selected_layers (image, (const GimpLayer **) shown);
    }
  gimp_displays_flush ();
  g_free (host->created);
  host->created = created;
  return TRUE;
}

gboolean
host_gimp3_read_canvas (GimpImage *image, OaimgSource *source, GError **error)
{
  GimpLayer  *visible = gimp_layer_new_from_visible (image, image, "oaimg-visible");
  gint        w       = gimp_image_get_width (image);
  gint        h       = gimp_image_get_height (image);
  GeglBuffer *buffer;
  uint8_t    *rgba;

  if (visible == NULL)
    return host_error (error, _("The image could not be read."));
  rgba   = g_malloc ((gsize) w * h * 4);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (visible));
  gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("R'G'B'A u8"), rgba,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  gimp_item_delete (GIMP_ITEM (visible));
  oaimg_source_for_extend (source, w, h, rgba);
  return TRUE;
}

gboolean
host_gimp3_read_guide (GimpImage *image, GimpLayer *layer, GimpDrawable *edited,
                       OaimgGuide *guide, GError **error)
{
  gint        ox = 0, oy = 0, w, h;
  GeglBuffer *buffer;
  uint8_t    *rgba;
  char       *name;

  memset (guide, 0, sizeof *guide);
  if (layer == NULL || !gimp_item_is_valid (GIMP_ITEM (layer)) ||
      gimp_item_get_image (GIMP_ITEM (layer)) != image)
    return host_error (error, _("The guide layer is not a layer of this image. Choose one of its "
                                "layers, or none."));
  if (edited && GIMP_ITEM (layer) == GIMP_ITEM (edited))
    return host_error (error, oaimg_guide_message_same_layer ());
  gimp_drawable_get_offsets (GIMP_DRAWABLE (layer), &ox, &oy);
  w      = gimp_drawable_get_width (GIMP_DRAWABLE (layer));
  h      = gimp_drawable_get_height (GIMP_DRAWABLE (layer));
  rgba   = g_malloc ((gsize) w * h * 4);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("R'G'B'A u8"), rgba,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  name = gimp_item_get_name (GIMP_ITEM (layer));
  oaimg_guide_init (guide, rgba, w, h, ox, oy, name);
  g_free (name);
  return TRUE;
}

static void
host_usage (void *self, const OaimgUsage *run)
{
  HostGimp3    *host = self;
  GimpParasite *old  = gimp_image_get_parasite (host->image, OAIMG_USAGE_PARASITE);
  char         *text = NULL;

  if (old)
    {
      guint32      size = 0;
      const gchar *data = gimp_parasite_get_data (old, &size);

      text = g_strndup (data, size);
      gimp_parasite_free (old);
    }
  {
    char         *message;
    /* The finished run's message is for a person; scripts read the parasite. */
    char         *json = oaimg_usage_record (text, run, host->window != NULL, &message);
    /* Not undoable: undoing the results gives no tokens back, and the insertion stays one undo
     * step. */
    GimpParasite *parasite = gimp_parasite_new (OAIMG_USAGE_PARASITE, GIMP_PARASITE_PERSISTENT,
                                                strlen (json) + 1, json);

    gimp_image_attach_parasite (host->image, parasite);
    gimp_parasite_free (parasite);
    if (message)
      gimp_message (message);
    g_free (message);
    g_free (json);
  }
  g_free (text);
}

OaimgHost
host_gimp3_interface (HostGimp3 *host)
{
  OaimgHost iface = { host, host_progress, host->window ? host_partial : NULL, host_insert,
                      host_warn, host_usage };
  return iface;
}
