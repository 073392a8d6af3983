/*
 * Reference layers: the other layers an edit sends after the edited one ("image[]" parts), to
 * guide it (an object, a style, a face to keep). Which layers they are, in which order, how many
 * the model takes and what the dialog says about them is decided here, once for both hosts; a
 * host only walks its layer tree and reads the pixels. Only glib and oaimg.h.
 */
#ifndef OAIMG_REFERENCES_H
#define OAIMG_REFERENCES_H

#include "oaimg_plugin.h"

G_BEGIN_DECLS

/* One reference as the host read it: the layer's own pixels as straight-alpha sRGB RGBA8 (stride
 * width * 4) with its opacity and enabled layer mask applied (oaimg_reference_apply_opacity),
 * at full resolution: liboaimg scales each one within the model's limits, once. */
typedef struct
{
  char     *name;
  uint8_t  *rgba;
  uint32_t  width;
  uint32_t  height;
} OaimgReference;

typedef struct _OaimgReferences
{
  OaimgReference *items;
  guint           count;
} OaimgReferences;

/* Appends a reference; takes rgba (g_malloc'ed), copies name. */
void  oaimg_references_add   (OaimgReferences *references, const char *name, uint8_t *rgba,
                              uint32_t width, uint32_t height);
void  oaimg_references_clear (OaimgReferences *references);

/* A layer of the image as a host walks its tree: top to bottom, a group before its children
 * (the order of the Layers dialog, groups expanded). */
typedef struct
{
  int      depth;   /* 0 = a top-level layer, 1 = inside a top-level group, ... */
  gboolean chosen;  /* selected (GIMP 3) or linked (GIMP 2.10) */
  gboolean edited;  /* the layer the edit works on */
} OaimgStackLayer;

/* Which of the walked layers are references: the chosen ones other than the edited one, top to
 * bottom; none when the edited layer is not chosen itself (GIMP 2.10: the active layer is not
 * linked); a layer inside a chosen group that is a reference is left out, since the group's
 * pixels already show it. Writes their indices to out (room for count) and returns how many. */
guint oaimg_references_pick (const OaimgStackLayer *layers, guint count, guint *out);

/* Multiplies the alpha of width x height RGBA8 pixels by opacity (0-100, GIMP's percent) and by
 * mask (8-bit coverage of the same size, or NULL). */
void  oaimg_reference_apply_opacity (uint8_t *rgba, uint32_t width, uint32_t height,
                                     double opacity, const uint8_t *mask);

/* How many references the model takes on this job: the model's images per edit less the edited
 * one for Inpaint Selection (15 on the GPT image models), 0 for models that edit one image
 * (dall-e-2), for variations, generations and Extend Canvas. */
int   oaimg_references_max (const char *model, const OaimgJobParams *params);

/* The note the dialog's reference row shows, translated (g_free), or NULL when the references
 * are sent: "<model> edits one image; references are not sent". The row is then insensitive. */
char *oaimg_references_note (const char *model, const OaimgJobParams *params);

/* Adds params->references to the request when the model takes them; FALSE with an error naming
 * the limit when there are more than it takes (nothing may then be sent). */
gboolean oaimg_references_add_to_request (oaimg_request *request, const char *model,
                                          const OaimgJobParams *params, GError **error);

G_END_DECLS

#endif
