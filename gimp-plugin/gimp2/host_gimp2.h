/* The GIMP 2.10 host: pixels and selection in, layers out, progress. Items are IDs (gint32). */
#ifndef OAIMG_HOST_GIMP2_H
#define OAIMG_HOST_GIMP2_H

#include <libgimp/gimp.h>

#include "oaimg_plugin.h"
#include "references.h"

G_BEGIN_DECLS

#include "dialogs_gtk.h"

typedef struct
{
  gint32          image;
  gint32          anchor;     /* the group goes right above this layer; -1 = top of the stack */
  ProgressWindow *window;     /* interactive runs: cancel button and partial images; or NULL */
  const char     *last_text;
  gint32         *created;    /* the new layers' IDs after a successful insert */
  gint            n_created;
  guint           extend[4];  /* Extend Canvas: left, top, right, bottom; all 0 otherwise */
} HostGimp2;

/* Reads what the operation works on: the layer (edits and variations) or the selection's bounds
 * or canvas (generations), and the selection cropped to it. With sample_merged the pixels are
 * the image as shown (all visible layers) over the layer's rectangle, not the layer alone. */
gboolean host_gimp2_read_source (gint32 image, gint32 drawable, oaimg_operation operation,
                                 gboolean sample_merged, OaimgSource *source, GError **error);

/* Inpaint Selection's reference layers: when the active layer is linked, the other linked
 * layers in stack order (common/references.c picks them), each as its pixels with opacity and
 * layer mask applied; none otherwise. */
void     host_gimp2_read_references (gint32 image, gint32 active, OaimgReferences *references);

/* Extend Canvas's source: the whole image as shown, at the image's origin. */
gboolean host_gimp2_read_canvas (gint32 image, OaimgSource *source, GError **error);

struct _OaimgGuide;
/* Inpaint Selection's guide layer: its own pixels and offsets (guide.h). FALSE with a message
 * when it is the edited drawable or not a layer of the image. */
gboolean host_gimp2_read_guide (gint32 image, gint32 layer, gint32 edited,
                                struct _OaimgGuide *guide, GError **error);

/* The layer group of oaimg results that holds `item` (a result, its mask, or the group itself),
 * or -1. */
gint32 host_gimp2_result_group (gint32 item);

/* The OaimgHost for one run. */
OaimgHost host_gimp2_interface (HostGimp2 *host);

G_END_DECLS

#endif
