/* A drawn guide for Inpaint Selection: a layer the person paints arrows and scribbles on, sent
 * to the model as "markup" over the edited image (oaimg_request_set_markup_layer()). What both
 * hosts decide about it without a GIMP type: whether the model takes one, the dialog's note when
 * it does not, what a usable guide is (one with fully transparent pixels, another layer than the
 * edited one), and where it lies relative to the source. Only glib and oaimg.h. */
#ifndef OAIMG_GUIDE_H
#define OAIMG_GUIDE_H

#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* A guide layer as the host read it: its own pixels (straight-alpha sRGB RGBA8, stride
 * width * 4, not the image as shown), where its top-left pixel lies in image coordinates (the
 * layer's offsets), and its name for messages. */
typedef struct _OaimgGuide
{
  uint8_t *rgba;
  uint32_t width;
  uint32_t height;
  int32_t  x;
  int32_t  y;
  char    *name;
} OaimgGuide;

/* Takes rgba and a copy of name. */
void        oaimg_guide_init  (OaimgGuide *guide, uint8_t *rgba, uint32_t width, uint32_t height,
                               int32_t x, int32_t y, const char *name);
void        oaimg_guide_clear (OaimgGuide *guide);

/* TRUE when the dialog offers a guide layer for this model and operation: Inpaint Selection on
 * a model that accepts markup (the GPT Image 2.5 models). */
gboolean    oaimg_guide_offered (const char *model, oaimg_operation operation);
/* The short line shown under the greyed-out choice: which models take a guide (translated,
 * g_free). NULL when the model takes one. */
char       *oaimg_guide_note    (const char *model, oaimg_operation operation);

/* The line shown while a guide is chosen: what the selection then does (translated, static). */
const char *oaimg_guide_selection_note (void);

/* TRUE when the pixels have at least one fully transparent pixel (alpha 0). */
gboolean    oaimg_guide_has_transparency (const uint8_t *rgba, uint32_t width, uint32_t height);

/* Said when the layer chosen as guide is the layer being edited (translated, static). */
const char *oaimg_guide_message_same_layer (void);

/* Checks the guide for the job (model = the model the request uses) and sets it on the request
 * as markup at its place relative to the source (the guide's offsets minus the source's
 * origin). FALSE and a translated message naming what is wrong and what would be right when the
 * operation or model takes no guide, or when the guide has no transparent pixel; nothing is set
 * then. */
gboolean    oaimg_guide_apply (oaimg_request *request, const OaimgGuide *guide,
                               const char *model, oaimg_operation operation,
                               const OaimgSource *source, GError **error);

/* Where the guide's top-left pixel lies in the source's coordinates. */
void        oaimg_guide_offset (const OaimgGuide *guide, const OaimgSource *source, int32_t *x,
                                int32_t *y);

G_END_DECLS

#endif
