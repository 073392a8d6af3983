/* GIMP 2.10 side of the host interface: GEGL buffers to and from 8-bit sRGB, and the new layers.
 *
 * GIMP 2.10 plug-ins reach pixels through GEGL as GIMP 3's do, so the conversions are the same:
 * "R'G'B'A u8" (sRGB, straight alpha) whatever the image's precision or mode, and coverage as
 * linear "Y u8", the format GIMP keeps masks in. Results land in the image's own precision. */
#include "host_gimp2.h"

#include <string.h>

#include "dialogs_gimp2.h"
#include "guide.h"
#include "i18n.h"
#include "oaimg_dialog.h"

static gboolean
host_error (GError **error, const char *message)
{
  g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_PLUGIN_ERROR_HOST, message);
  return FALSE;
}

/* The selection inside the rectangle (x, y, w, h) in image coordinates; coverage NULL when
 * nothing of it is selected there. */
static OaimgCoverage
read_selection (gint32 image, gint x, gint y, gint w, gint h)
{
  OaimgCoverage found     = { 0 };
  gboolean      non_empty = FALSE;
  gint          x1, y1, x2, y2;
  GeglRectangle area = { x, y, w, h };
  GeglRectangle bounds;
  GeglRectangle inside;
  GeglBuffer   *buffer;

  if (!gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) || !non_empty)
    return found;
  bounds = (GeglRectangle) { x1, y1, x2 - x1, y2 - y1 };
  if (!gegl_rectangle_intersect (&inside, &area, &bounds))
    return found;

  buffer         = gimp_drawable_get_buffer (gimp_image_get_selection (image));
  found.coverage = g_malloc ((gsize) inside.width * inside.height);
  gegl_buffer_get (buffer, &inside, 1.0, babl_format ("Y u8"), found.coverage,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  found.x      = inside.x;
  found.y      = inside.y;
  found.width  = inside.width;
  found.height = inside.height;
  return found;
}

/* The rectangle (x, y, w, h) in image coordinates of `drawable`'s pixels, or of the image as shown
 * when sample_merged: a layer made from the visible projection, read and deleted (it is never
 * inserted, so the image and its undo history do not see it). */
static void
read_pixels (gint32 image, gint32 drawable, gboolean sample_merged, gint x, gint y, gint w,
             gint h, uint8_t *rgba)
{
  gint32      merged = -1;
  GeglBuffer *buffer;

  if (sample_merged)
    {
      merged = gimp_layer_new_from_visible (image, image, "oaimg sample merged");
      buffer = gimp_drawable_get_buffer (merged);
    }
  else
    {
      gint ox = 0, oy = 0;

      gimp_drawable_offsets (drawable, &ox, &oy);
      x -= ox;
      y -= oy;
      buffer = gimp_drawable_get_buffer (drawable);
    }
  gegl_buffer_get (buffer, GEGL_RECTANGLE (x, y, w, h), 1.0, babl_format ("R'G'B'A u8"), rgba,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  if (merged != -1)
    gimp_item_delete (merged);
}

/* The layer tree top to bottom, a group before its children (references.h's walk). */
static void
walk_layers (const gint32 *items, gint count, int depth, gint32 active, GArray *walked,
             GArray *stack)
{
  for (gint i = 0; i < count; i++)
    {
      OaimgStackLayer entry = { depth, gimp_item_get_linked (items[i]), items[i] == active };

      g_array_append_val (walked, items[i]);
      g_array_append_val (stack, entry);
      if (gimp_item_is_group (items[i]))
        {
          gint    n        = 0;
          gint32 *children = gimp_item_get_children (items[i], &n);
          walk_layers (children, n, depth + 1, active, walked, stack);
          g_free (children);
        }
    }
}

void
host_gimp2_read_references (gint32 image, gint32 active, OaimgReferences *references)
{
  gint    n      = 0;
  gint32 *layers = gimp_image_get_layers (image, &n);
  GArray *walked = g_array_new (FALSE, FALSE, sizeof (gint32));
  GArray *stack  = g_array_new (FALSE, FALSE, sizeof (OaimgStackLayer));
  guint  *picked;
  guint   count;

  memset (references, 0, sizeof *references);
  walk_layers (layers, n, 0, active, walked, stack);
  picked = g_new (guint, MAX (stack->len, 1));
  count  = oaimg_references_pick ((const OaimgStackLayer *) (void *) stack->data, stack->len,
                                  picked);
  for (guint i = 0; i < count; i++)
    {
      gint32      layer = g_array_index (walked, gint32, picked[i]);
      gint32      mask  = gimp_layer_get_mask (layer);
      gint        w     = gimp_drawable_width (layer);
      gint        h     = gimp_drawable_height (layer);
      uint8_t    *rgba  = g_malloc ((gsize) w * h * 4);
      uint8_t    *cover = NULL;
      GeglBuffer *buffer;
      gchar      *name;

      buffer = gimp_drawable_get_buffer (layer);
      gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("R'G'B'A u8"),
                       rgba, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      g_object_unref (buffer);
      if (mask != -1 && gimp_layer_get_apply_mask (layer))
        {
          cover  = g_malloc ((gsize) w * h);
          buffer = gimp_drawable_get_buffer (mask);
          gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, w, h), 1.0, babl_format ("Y u8"),
                           cover, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
          g_object_unref (buffer);
        }
      oaimg_reference_apply_opacity (rgba, w, h, gimp_layer_get_opacity (layer), cover);
      g_free (cover);
      name = gimp_item_get_name (layer);
      oaimg_references_add (references, name, rgba, w, h);
      g_free (name);
    }
  g_free (picked);
  g_free (layers);
  g_array_free (walked, TRUE);
  g_array_free (stack, TRUE);
}

/* What read_source_rgba reads once liboaimg's buffer for it exists. */
typedef struct
{
  gint32   image;
  gint32   drawable;
  gboolean sample_merged;
  gint     x, y, w, h;
} SourceRead;

static void
read_source_rgba (const void *data, uint8_t *rgba)
{
  const SourceRead *read = data;

  read_pixels (read->image, read->drawable, read->sample_merged, read->x, read->y, read->w,
               read->h, rgba);
}

gboolean
host_gimp2_read_source (gint32 image, gint32 drawable, oaimg_operation operation,
                        gboolean sample_merged, OaimgSource *source, GError **error)
{
  OaimgCoverage selection;
  gint          ox = 0, oy = 0, w, h;
  SourceRead   *read;

  memset (source, 0, sizeof *source);
  if (operation == OAIMG_GENERATE)
    {
      w         = gimp_image_width (image);
      h         = gimp_image_height (image);
      selection = read_selection (image, 0, 0, w, h);
      oaimg_source_for_generation (source, w, h, &selection);
      return TRUE;
    }

  if (drawable == -1 || !gimp_item_is_layer (drawable) || gimp_item_is_layer_mask (drawable))
    return host_error (error, _("Select one layer to work on."));
  if (gimp_item_is_group (drawable) && !sample_merged)
    return host_error (error, _("Select a layer, not a layer group, or turn on Sample merged."));

  gimp_drawable_offsets (drawable, &ox, &oy);
  w    = gimp_drawable_width (drawable);
  h    = gimp_drawable_height (drawable);
  /* An edit may select canvas the layer does not cover: that part is filled too. */
  if (operation == OAIMG_EDIT)
    selection = read_selection (image, 0, 0, gimp_image_width (image), gimp_image_height (image));
  else
    selection = read_selection (image, ox, oy, w, h);
  oaimg_source_for_layer_on_canvas (source, ox, oy, w, h, NULL, &selection,
                                    gimp_image_width (image), gimp_image_height (image));
  read                = g_new (SourceRead, 1);
  *read               = (SourceRead) { image, drawable, sample_merged, ox, oy, w, h };
  source->read_rgba   = read_source_rgba;
  source->read_data   = read;
  return TRUE;
}

static gboolean
host_progress (void *self, const OaimgProgress *progress)
{
  HostGimp2 *host = self;

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
  HostGimp2 *host = self;

  if (host->window)
    progress_window_show_partial (host->window, rgba, width, height);
}

static GimpImageType
result_layer_type (gint32 image)
{
  switch (gimp_image_base_type (image))
    {
    case GIMP_GRAY:    return GIMP_GRAYA_IMAGE;
    case GIMP_INDEXED: return GIMP_INDEXEDA_IMAGE;
    default:           return GIMP_RGBA_IMAGE;
    }
}

static void
write_pixels (gint32 drawable, const uint8_t *pixels, uint32_t w, uint32_t h, const char *format)
{
  GeglBuffer *buffer = gimp_drawable_get_buffer (drawable);

  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, w, h), 0, babl_format (format), pixels,
                   GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);
  gimp_drawable_update (drawable, 0, 0, w, h);
}

static gint32
make_result_layer (gint32 image, gint32 group, gint position, const OaimgOutput *out,
                   gboolean visible)
{
  gint32        layer;
  GimpParasite *parasite;

  layer = gimp_layer_new (image, out->name, out->width, out->height, result_layer_type (image),
                          100.0, gimp_image_get_default_new_layer_mode (image));
  if (layer == -1 || !gimp_image_insert_layer (image, layer, group, position))
    return -1;
  gimp_layer_set_offsets (layer, out->x, out->y);
  write_pixels (layer, out->rgba, out->width, out->height, "R'G'B'A u8");

  if (out->mask)
    {
      gint32 mask = gimp_layer_create_mask (layer, GIMP_ADD_MASK_WHITE);
      if (mask == -1 || !gimp_layer_add_mask (layer, mask))
        return -1;
      write_pixels (mask, out->mask, out->width, out->height, "Y u8");
      /* Adding a mask makes it the drawable being edited: paint and filters would go to it. */
      gimp_layer_set_edit_mask (layer, FALSE);
    }
  gimp_item_set_visible (layer, visible);

  parasite = gimp_parasite_new (OAIMG_PROVENANCE_PARASITE,
                                GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                                strlen (out->provenance) + 1, out->provenance);
  gimp_item_attach_parasite (layer, parasite);
  gimp_parasite_free (parasite);
  return layer;
}

static gboolean
is_result_layer (gint32 item)
{
  GimpParasite *parasite;

  if (item <= 0 || !gimp_item_is_layer (item) || gimp_item_is_group (item))
    return FALSE;
  parasite = gimp_item_get_parasite (item, OAIMG_PROVENANCE_PARASITE);
  if (parasite == NULL)
    return FALSE;
  gimp_parasite_free (parasite);
  return TRUE;
}

static gboolean
is_result_group (gint32 item)
{
  gint     count    = 0;
  gint    *children;
  gboolean is_group;
  gboolean *results;

  if (item <= 0 || !gimp_item_is_group (item))
    return FALSE;
  children = gimp_item_get_children (item, &count);
  results  = g_new0 (gboolean, MAX (count, 1));
  for (gint i = 0; i < count; i++)
    results[i] = is_result_layer (children[i]);
  is_group = oaimg_results_is_group (results, count);
  g_free (results);
  g_free (children);
  return is_group;
}

gint32
host_gimp2_result_group (gint32 item)
{
  if (item <= 0 || !gimp_item_is_valid (item))
    return -1;
  if (gimp_item_is_layer_mask (item))
    item = gimp_layer_from_mask (item);
  if (is_result_group (item))
    return item;
  item = gimp_item_get_parent (item);
  return is_result_group (item) ? item : -1;
}

/* The anchor's parent (0 = the image's top level) and the position the run's group takes. Run
 * from a result (Filters ▸ Repeat leaves one active), the anchor is that result's group. */
static void
insertion_point (gint32 image, gint32 anchor, gint32 *parent, gint *position)
{
  gint32    own = host_gimp2_result_group (anchor);
  gint32    item;
  gint      count = 0;
  gint     *siblings;
  gboolean *groups;

  if (own != -1)
    anchor = own;
  item      = gimp_item_get_parent (anchor);
  *parent   = item > 0 ? item : 0;
  *position = gimp_image_get_item_position (image, anchor);
  if (own != -1)
    return;
  siblings = item > 0 ? gimp_item_get_children (item, &count)
                      : gimp_image_get_layers (image, &count);
  groups   = g_new0 (gboolean, MAX (count, 1));
  for (gint i = 0; i < count && i < *position; i++)
    groups[i] = is_result_group (siblings[i]);
  *position = oaimg_results_insert_position (groups, MIN (*position, count));
  g_free (groups);
  g_free (siblings);
}

static gboolean
host_insert (void *self, const char *group_name, const OaimgOutput *outputs, size_t count,
             GError **error)
{
  HostGimp2 *host     = self;
  gint32     image    = host->image;
  gint32     parent   = 0;  /* 0 = the image's top level for gimp_image_insert_layer */
  gint       position = 0;
  gint32     group;
  gint32    *created  = g_new0 (gint32, count);
  gboolean   ok       = TRUE;
  gboolean   grown    = (host->extend[0] | host->extend[1] | host->extend[2] |
                         host->extend[3]) != 0;
  gint       old_w    = gimp_image_width (image);
  gint       old_h    = gimp_image_height (image);

  if (host->anchor != -1)
    insertion_point (image, host->anchor, &parent, &position);

  /* GIMP's own Cancel (the status bar's) kills the plug-in instead of asking it. Killed halfway
   * through the insertion, it would leave part of a group behind, so GIMP's cancellable progress
   * ends before the image is touched. */
  gimp_progress_end ();

  /* One undo step for the whole insertion; existing layers are never written to. */
  gimp_image_undo_group_start (image);
  if (grown)
    ok = gimp_image_resize (image, old_w + host->extend[0] + host->extend[2],
                            old_h + host->extend[1] + host->extend[3], host->extend[0],
                            host->extend[1]);
  group = ok ? gimp_layer_group_new (image) : -1;
  if (group == -1 || !gimp_item_set_name (group, group_name) ||
      !gimp_image_insert_layer (image, group, parent, position))
    ok = FALSE;
  for (size_t i = 0; ok && i < count; i++)
    {
      created[i] = make_result_layer (image, group, (gint) i, &outputs[i], i == 0);
      ok         = created[i] != -1;
    }
  if (!ok && group != -1 && gimp_item_is_valid (group) && gimp_item_get_image (group) == image)
    gimp_image_remove_layer (image, group);
  /* The canvas as it was, every layer back at its old offsets. */
  if (!ok && grown && (gimp_image_width (image) != old_w || gimp_image_height (image) != old_h))
    gimp_image_resize (image, old_w, old_h, -(gint) host->extend[0], -(gint) host->extend[1]);
  gimp_image_undo_group_end (image);

  if (!ok)
    {
      g_free (created);
      return host_error (error, _("The results could not be added to the image."));
    }
  /* The shown result is what Filters ▸ Repeat and the paint tools work on next, not its mask. */
  if (count > 0)
    gimp_image_set_active_layer (image, created[0]);
  gimp_displays_flush ();
  g_free (host->created);
  host->created   = created;
  host->n_created = (gint) count;
  return TRUE;
}

gboolean
host_gimp2_read_guide (gint32 image, gint32 layer, gint32 edited, OaimgGuide *guide,
                       GError **error)
{
  gint     ox = 0, oy = 0, w, h;
  uint8_t *rgba;
  gchar   *name;

  memset (guide, 0, sizeof *guide);
  if (layer == -1 || !gimp_item_is_valid (layer) || !gimp_item_is_layer (layer) ||
      gimp_item_get_image (layer) != image)
    return host_error (error, _("The guide layer is not a layer of this image. Choose one of its "
                                "layers, or none."));
  if (layer == edited)
    return host_error (error, oaimg_guide_message_same_layer ());
  gimp_drawable_offsets (layer, &ox, &oy);
  w    = gimp_drawable_width (layer);
  h    = gimp_drawable_height (layer);
  rgba = g_malloc ((gsize) w * h * 4);
  read_pixels (image, layer, FALSE, ox, oy, w, h, rgba);
  name = gimp_item_get_name (layer);
  oaimg_guide_init (guide, rgba, w, h, ox, oy, name);
  g_free (name);
  return TRUE;
}

gboolean
host_gimp2_read_canvas (gint32 image, OaimgSource *source, GError **error)
{
  gint     w = gimp_image_width (image);
  gint     h = gimp_image_height (image);
  uint8_t *rgba;

  (void) error;
  rgba = g_malloc ((gsize) w * h * 4);
  read_pixels (image, -1, TRUE, 0, 0, w, h, rgba);
  oaimg_source_for_extend (source, w, h, rgba);
  return TRUE;
}

static void
host_usage (void *self, const OaimgUsage *run)
{
  HostGimp2    *host = self;
  GimpParasite *old  = gimp_image_get_parasite (host->image, OAIMG_USAGE_PARASITE);
  char         *text = NULL;

  if (old)
    {
      text = g_strndup (gimp_parasite_data (old), gimp_parasite_data_size (old));
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
host_gimp2_interface (HostGimp2 *host)
{
  OaimgHost iface = { host, host_progress, host->window ? host_partial : NULL, host_insert,
                      host_warn, host_usage };
  return iface;
}
