/* What the Extend Canvas dialog decides, apart from any toolkit (extend_logic.c): the values it
 * holds and keeps in the profile, the margins they mean for an image, the plan line the dialog
 * shows (the new canvas, and what is done when the new area is larger than the model makes),
 * and why OK must stay insensitive. Both hosts draw it with common/dialogs_gtk.c. Only glib and
 * oaimg.h. */
#ifndef OAIMG_EXTEND_DIALOG_H
#define OAIMG_EXTEND_DIALOG_H

#include "oaimg_plugin.h"

G_BEGIN_DECLS

typedef enum
{
  OAIMG_EXTEND_BY_PIXELS,
  OAIMG_EXTEND_TO_ASPECT
} OaimgExtendMode;

/* Where an aspect ratio's growth goes along the axis it grows: split between both sides, or all
 * on the first (left / top) or the second (right / bottom). */
typedef enum
{
  OAIMG_EXTEND_BOTH_SIDES,
  OAIMG_EXTEND_FIRST_SIDE,
  OAIMG_EXTEND_SECOND_SIDE
} OaimgExtendEdge;

/* Everything the dialog holds, stored on every interactive run (sent, failed or cancelled). */
typedef struct _OaimgExtendValues
{
  char           *prompt;
  int             n;
  char           *model;   /* "" = the configured default */
  OaimgExtendMode mode;
  int             margins[4]; /* left, top, right, bottom (By pixels) */
  char           *aspect;  /* "16:9", ... (To aspect ratio) */
  OaimgExtendEdge edge;
} OaimgExtendValues;

/* The values of a first opening: 1 result, the default model, to 16:9 on both sides. */
void     oaimg_extend_values_init  (OaimgExtendValues *values);
void     oaimg_extend_values_clear (OaimgExtendValues *values);
/* FALSE when nothing is stored (values are then untouched). */
gboolean oaimg_extend_values_load  (const char *profile_dir, OaimgExtendValues *values);
gboolean oaimg_extend_values_save  (const char *profile_dir, const OaimgExtendValues *values,
                                    GError **error);

/* The axis an aspect ratio grows a width x height image along: 'x' (left and right), 'y' (top
 * and bottom), or 0 when the image already has it or the aspect is not W:H. */
char        oaimg_extend_axis       (uint32_t width, uint32_t height, const char *aspect);
/* The edge choice's label for that axis (translated, static): "Both sides evenly", "Left only",
 * "Right only" (x), "Top only", "Bottom only" (y); axis 0 gives the horizontal ones. */
const char *oaimg_extend_edge_label (char axis, OaimgExtendEdge edge);

/* What the dialog shows below the growth, decided for a width x height image and the model in
 * use: the margins the values mean (all 0 while they mean nothing valid), the new canvas, the
 * translated plan line, and why OK must stay insensitive (NULL when the run can go). */
typedef struct _OaimgExtendPlan
{
  uint32_t margins[4];
  uint32_t new_width;
  uint32_t new_height;
  char    *plan;
  char    *problem;
} OaimgExtendPlan;

void oaimg_extend_dialog_plan (const OaimgExtendValues *values, uint32_t width, uint32_t height,
                               const char *model, OaimgExtendPlan *plan);
void oaimg_extend_plan_clear  (OaimgExtendPlan *plan);

/* The job's params from what the dialog decided (margins set, size "auto"); borrows the strings
 * of values. */
void oaimg_extend_params (const OaimgExtendValues *values, const OaimgExtendPlan *plan,
                          OaimgJobParams *params);

G_END_DECLS

#endif
