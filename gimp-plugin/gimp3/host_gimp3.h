/* The GIMP 3 host: pixels and selection in, layers out, progress. */
#ifndef OAIMG_HOST_GIMP3_H
#define OAIMG_HOST_GIMP3_H

#include <libgimp/gimp.h>

#include "oaimg_plugin.h"
#include "references.h"

G_BEGIN_DECLS

#include "dialogs_gtk.h"

typedef struct
{
  GimpImage      *image;
  GimpLayer      *anchor;   /* the group goes right above it; NULL = top of the stack */
  ProgressWindow *window;   /* interactive runs: cancel button and partial images; or NULL */
  const char     *last_text;
  GimpLayer     **created;  /* NULL-terminated after a successful insert; the run's return value */
  guint           extend[4]; /* Extend Canvas: left, top, right, bottom; all 0 otherwise */
} HostGimp3;

/* Reads what the operation works on: the layer (edits and variations), or with sample_merged the
 * whole image as shown, or the selection's bounds or canvas (generations), and the selection
 * cropped to it. */
gboolean host_gimp3_read_source (GimpImage *image, GimpDrawable *drawable,
                                 oaimg_operation operation, gboolean sample_merged,
                                 OaimgSource *source, GError **error);

/* Inpaint Selection's reference layers: the other drawables the procedure was given (the
 * selected layers), in stack order (common/references.c picks them), each as its pixels with
 * opacity and layer mask applied. None when only one drawable was given. */
void     host_gimp3_read_references (GimpImage *image, GimpDrawable **drawables,
                                     OaimgReferences *references);

/* Extend Canvas's source: the whole image as shown, at the image's origin. */
gboolean host_gimp3_read_canvas (GimpImage *image, OaimgSource *source, GError **error);

struct _OaimgGuide;
/* Inpaint Selection's guide layer: its own pixels and offsets (guide.h). FALSE with a message
 * when it is the edited drawable or not a layer of the image. */
gboolean host_gimp3_read_guide (GimpImage *image, GimpLayer *layer, GimpDrawable *edited,
                                struct _OaimgGuide *guide, GError **error);

/* The layer group of oaimg results that holds `item` (or is it), or NULL. */
GimpGroupLayer *host_gimp3_result_group (GimpItem *item);

/* The OaimgHost for one run. */
OaimgHost host_gimp3_interface (HostGimp3 *host);

G_END_DECLS

#endif
