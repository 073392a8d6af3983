/* Extend Canvas and edits past a layer's edges: the sources they need and what the dialog says
 * about an extension's plan. Host-independent: glib and oaimg.h only. */
#include "oaimg_plugin.h"
#include "extend_dialog.h"

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

/* ---- The Extend Canvas dialog (extend_dialog.h) ---------------------------------------------- */


/* The limits oaimg puts on any canvas it takes (oaimg.h, oaimg_request_set_canvas()): the dialog
 * says them before the run would. */
#define EXTEND_MAX_SIDE   32768u
#define EXTEND_MAX_PIXELS 100000000ull
#define EXTEND_GROUP      "extend"

void
oaimg_extend_values_init (OaimgExtendValues *values)
{
  memset (values, 0, sizeof *values);
  values->prompt = g_strdup ("");
  values->n      = 1;
  values->model  = g_strdup ("");
  values->mode   = OAIMG_EXTEND_TO_ASPECT;
  values->aspect = g_strdup ("16:9");
  values->edge   = OAIMG_EXTEND_BOTH_SIDES;
}

void
oaimg_extend_values_clear (OaimgExtendValues *values)
{
  g_clear_pointer (&values->prompt, g_free);
  g_clear_pointer (&values->model, g_free);
  g_clear_pointer (&values->aspect, g_free);
}

static char *
last_values_path (const char *profile_dir)
{
  return g_build_filename (profile_dir, "oaimg", "last-values.ini", NULL);
}

gboolean
oaimg_extend_values_load (const char *profile_dir, OaimgExtendValues *values)
{
  GKeyFile *file  = g_key_file_new ();
  char     *path  = last_values_path (profile_dir);
  gboolean  found = g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL) &&
                    g_key_file_has_group (file, EXTEND_GROUP);

  if (found)
    {
      static const char *const sides[4] = { "left", "top", "right", "bottom" };
      char *aspect = g_key_file_get_string (file, EXTEND_GROUP, "aspect", NULL);

      oaimg_extend_values_clear (values);
      values->prompt = g_key_file_get_string (file, EXTEND_GROUP, "prompt", NULL);
      values->n      = CLAMP (g_key_file_get_integer (file, EXTEND_GROUP, "n", NULL), 1, 10);
      values->model  = g_key_file_get_string (file, EXTEND_GROUP, "model", NULL);
      values->mode   = g_key_file_get_integer (file, EXTEND_GROUP, "mode", NULL) ==
                           OAIMG_EXTEND_BY_PIXELS ? OAIMG_EXTEND_BY_PIXELS
                                                  : OAIMG_EXTEND_TO_ASPECT;
      for (int i = 0; i < 4; i++)
        values->margins[i] = CLAMP (g_key_file_get_integer (file, EXTEND_GROUP, sides[i], NULL),
                                    0, OAIMG_EXTEND_MAX_MARGIN);
      /* An aspect this version does not offer (an older file) falls back to the first one. */
      values->aspect = NULL;
      for (const char *const *a = oaimg_extend_aspects () + 1; *a; a++)
        if (g_strcmp0 (aspect, *a) == 0)
          values->aspect = g_strdup (*a);
      if (values->aspect == NULL)
        values->aspect = g_strdup (oaimg_extend_aspects ()[1]);
      g_free (aspect);
      values->edge = CLAMP (g_key_file_get_integer (file, EXTEND_GROUP, "edge", NULL),
                            OAIMG_EXTEND_BOTH_SIDES, OAIMG_EXTEND_SECOND_SIDE);
      if (values->prompt == NULL)
        values->prompt = g_strdup ("");
      if (values->model == NULL)
        values->model = g_strdup ("");
    }
  g_key_file_unref (file);
  g_free (path);
  return found;
}

gboolean
oaimg_extend_values_save (const char *profile_dir, const OaimgExtendValues *values,
                          GError **error)
{
  static const char *const sides[4] = { "left", "top", "right", "bottom" };
  GKeyFile *file = g_key_file_new ();
  char     *path = last_values_path (profile_dir);
  gboolean  ok;

  /* The job dialogs' groups in the same file are kept as they are. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_string (file, EXTEND_GROUP, "prompt", values->prompt ? values->prompt : "");
  g_key_file_set_integer (file, EXTEND_GROUP, "n", values->n);
  g_key_file_set_string (file, EXTEND_GROUP, "model", values->model ? values->model : "");
  g_key_file_set_integer (file, EXTEND_GROUP, "mode", values->mode);
  for (int i = 0; i < 4; i++)
    g_key_file_set_integer (file, EXTEND_GROUP, sides[i], values->margins[i]);
  g_key_file_set_string (file, EXTEND_GROUP, "aspect", values->aspect ? values->aspect : "");
  g_key_file_set_integer (file, EXTEND_GROUP, "edge", values->edge);
  ok = oaimg_profile_save_key_file (profile_dir, "last-values.ini", file, error);
  g_key_file_unref (file);
  g_free (path);
  return ok;
}

/* The core's margins for the aspect (both sides evenly); FALSE when it is not W:H. */
static gboolean
aspect_margins (uint32_t width, uint32_t height, const char *aspect, uint32_t m[4])
{
  unsigned aw = 0, ah = 0;
  char     end = 0;

  return aspect != NULL && sscanf (aspect, "%u:%u%c", &aw, &ah, &end) == 2 &&
         oaimg_extend_margins_for_aspect (width, height, aw, ah, &m[0], &m[1], &m[2], &m[3]) ==
           OAIMG_OK;
}

char
oaimg_extend_axis (uint32_t width, uint32_t height, const char *aspect)
{
  uint32_t m[4] = { 0 };

  if (!aspect_margins (width, height, aspect, m))
    return 0;
  return (m[0] | m[2]) ? 'x' : (m[1] | m[3]) ? 'y' : 0;
}

const char *
oaimg_extend_edge_label (char axis, OaimgExtendEdge edge)
{
  switch (edge)
    {
    case OAIMG_EXTEND_FIRST_SIDE:
      return axis == 'y' ? _("Top only") : _("Left only");
    case OAIMG_EXTEND_SECOND_SIDE:
      return axis == 'y' ? _("Bottom only") : _("Right only");
    default:
      return _("Both sides evenly");
    }
}

void
oaimg_extend_plan_clear (OaimgExtendPlan *plan)
{
  g_clear_pointer (&plan->plan, g_free);
  g_clear_pointer (&plan->problem, g_free);
}

/* The margins the values mean, or FALSE with the translated reason (nothing to grow, an aspect
 * the image already has, a side past what Extend Canvas adds at once). */
static gboolean
values_margins (const OaimgExtendValues *v, uint32_t width, uint32_t height, uint32_t m[4],
                char **problem)
{
  if (v->mode == OAIMG_EXTEND_TO_ASPECT)
    {
      if (!aspect_margins (width, height, v->aspect, m))
        {
          /* TRANSLATORS: %s is what was given as the aspect ratio. */
          *problem = g_strdup_printf (_("The aspect ratio \"%s\" is not of the form W:H with W "
                                        "and H from 1 to 100, e.g. 16:9."),
                                      v->aspect ? v->aspect : "");
          return FALSE;
        }
      if ((m[0] | m[1] | m[2] | m[3]) == 0)
        {
          /* TRANSLATORS: %s is an aspect ratio such as 16:9. */
          *problem = g_strdup_printf (_("The image is already %s: choose another aspect ratio, "
                                        "or grow it by pixels."),
                                      v->aspect);
          return FALSE;
        }
      if (v->edge != OAIMG_EXTEND_BOTH_SIDES)
        {
          /* All of the growth on one side of its axis (0/2 across, 1/3 down). */
          int      axis  = (m[0] | m[2]) ? 0 : 1;
          uint32_t total = m[axis] + m[axis + 2];

          m[axis]     = v->edge == OAIMG_EXTEND_FIRST_SIDE ? total : 0;
          m[axis + 2] = v->edge == OAIMG_EXTEND_SECOND_SIDE ? total : 0;
        }
    }
  else
    {
      for (int i = 0; i < 4; i++)
        {
          if (v->margins[i] < 0)
            {
              *problem = g_strdup (_("The pixels to add on each side must be 0 or more."));
              return FALSE;
            }
          m[i] = (uint32_t) v->margins[i];
        }
      if ((m[0] | m[1] | m[2] | m[3]) == 0)
        {
          *problem = g_strdup (_("Grow at least one side: give left, top, right or bottom a "
                                 "number of pixels, or choose an aspect ratio."));
          return FALSE;
        }
    }
  for (int i = 0; i < 4; i++)
    if (m[i] > OAIMG_EXTEND_MAX_MARGIN)
      {
        static const char *const sides[4] = { N_("left"), N_("top"), N_("right"), N_("bottom") };
        /* TRANSLATORS: the first %s is a side (left, top, right, bottom). */
        *problem = g_strdup_printf (_("%u pixels on the %s is more than Extend Canvas adds to "
                                      "one side at once: add at most %d there, and extend "
                                      "again for more."),
                                    m[i], _(sides[i]), OAIMG_EXTEND_MAX_MARGIN);
        return FALSE;
      }
  return TRUE;
}

/* The grown canvas within oaimg's limits, or the translated reason naming what would fit.
 * (unsigned long long, not G_GUINT64_FORMAT: xgettext cannot see through the macro.) */
static char *
canvas_problem (uint32_t width, uint32_t height, const uint32_t m[4])
{
  unsigned long long w = (unsigned long long) width + m[0] + m[2];
  unsigned long long h = (unsigned long long) height + m[1] + m[3];

  if (w > EXTEND_MAX_SIDE)
    /* TRANSLATORS: the sizes are pixels; the last number is how many may be added. */
    return g_strdup_printf (_("The new canvas would be %llu × %llu pixels, wider than the %u a "
                              "side oaimg takes: add at most %u pixels across (left and right "
                              "together)."),
                            w, h, EXTEND_MAX_SIDE,
                            width < EXTEND_MAX_SIDE ? EXTEND_MAX_SIDE - width : 0);
  if (h > EXTEND_MAX_SIDE)
    return g_strdup_printf (_("The new canvas would be %llu × %llu pixels, taller than the %u a "
                              "side oaimg takes: add at most %u pixels down (top and bottom "
                              "together)."),
                            w, h, EXTEND_MAX_SIDE,
                            height < EXTEND_MAX_SIDE ? EXTEND_MAX_SIDE - height : 0);
  if (w * h > EXTEND_MAX_PIXELS)
    return g_strdup_printf (_("The new canvas would be %llu × %llu pixels, more than the %llu "
                              "pixels in all that oaimg takes: at this height it may be at most "
                              "%llu wide."),
                            w, h, (unsigned long long) EXTEND_MAX_PIXELS,
                            (unsigned long long) EXTEND_MAX_PIXELS / h);
  return NULL;
}

/* "400 px on the left, 400 on the right" (translated). */
static char *
margins_text (const uint32_t m[4])
{
  GString *text  = g_string_new (NULL);
  gboolean first = TRUE;

  for (int i = 0; i < 4; i++)
    {
      const char *format[4] = { first ? _("%u px on the left") : _("%u on the left"),
                                first ? _("%u px at the top") : _("%u at the top"),
                                first ? _("%u px on the right") : _("%u on the right"),
                                first ? _("%u px at the bottom") : _("%u at the bottom") };
      if (m[i] == 0)
        continue;
      if (!first)
        /* TRANSLATORS: between the sides in "400 px on the left, 400 on the right". */
        g_string_append (text, _(", "));
      g_string_append_printf (text, format[i], m[i]);
      first = FALSE;
    }
  return g_string_free (text, FALSE);
}

/* What the run does about the size, from the core's geometry (oaimg_extend_strategy()). */
static char *
strategy_text (const char *model, uint32_t width, uint32_t height, const uint32_t m[4], int n)
{
  int      parts = 0, overlap = 0;
  double   scale = 1.0;
  uint32_t sw = 0, sh = 0;

  if (oaimg_extend_strategy (model, width, height, m[0], m[1], m[2], m[3], 0, &parts, &scale,
                             &sw, &sh, &overlap) != OAIMG_OK)
    return NULL;
  if (parts > 1)
    /* TRANSLATORS: %s is a model; then the parts, the window's size, the overlap in pixels,
     * and the number of requests in all. */
    return g_strdup_printf (_("That is more than %s makes in one request, even at half "
                              "resolution: the new area is filled in %d overlapping parts of up "
                              "to %u × %u at full resolution, overlapping by %d px, one request "
                              "each in order (left, right, top, bottom, outward): %d requests "
                              "in all."),
                            model, parts, sw, sh, overlap, parts * n);
  if (scale < 1.0 - 1e-9)
    return g_strdup_printf (_("That is more than %s makes in one request: the new area and the "
                              "image beside it are sent scaled to %d%% (%u × %u), so the new "
                              "area comes back less sharp than the image."),
                            model, (int) (scale * 100.0 + 0.5), sw, sh);
  return g_strdup_printf (_("%s fills it in one request per result, without scaling it down "
                            "(sent as %u × %u)."),
                          model, sw, sh);
}

static gboolean
blank (const char *text)
{
  for (; text && *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

void
oaimg_extend_dialog_plan (const OaimgExtendValues *values, uint32_t width, uint32_t height,
                          const char *model, OaimgExtendPlan *plan)
{
  uint32_t m[4] = { 0 };
  char    *sides, *how;

  memset (plan, 0, sizeof *plan);
  if (!values_margins (values, width, height, m, &plan->problem))
    return;
  if ((plan->problem = canvas_problem (width, height, m)) != NULL)
    return;
  if (model == NULL || model[0] == '\0' || !oaimg_model_supports (model, OAIMG_EDIT))
    {
      /* TRANSLATORS: %s is a model's name. */
      plan->problem = g_strdup_printf (_("%s does not edit images, so it cannot extend one: "
                                         "choose another model."),
                                       model ? model : "");
      return;
    }
  memcpy (plan->margins, m, sizeof m);
  plan->new_width  = width + m[0] + m[2];
  plan->new_height = height + m[1] + m[3];
  sides = margins_text (m);
  how   = strategy_text (model, width, height, m, MAX (values->n, 1));
  /* TRANSLATORS: the new canvas's size, then what is added where ("400 px on the left, ..."),
   * then what the run does about the size. */
  plan->plan = g_strdup_printf (_("New canvas %u × %u: %s. %s"), plan->new_width,
                                plan->new_height, sides, how ? how : "");
  g_free (sides);
  g_free (how);
  if (blank (values->prompt))
    plan->problem = g_strdup (_("Type a prompt that describes what the new area should show."));
}

void
oaimg_extend_params (const OaimgExtendValues *values, const OaimgExtendPlan *plan,
                     OaimgJobParams *params)
{
  memset (params, 0, sizeof *params);
  params->operation     = OAIMG_EDIT;
  params->prompt        = values->prompt;
  params->n             = values->n;
  params->model         = values->model;
  params->size          = "auto";
  params->extend_left   = plan->margins[0];
  params->extend_top    = plan->margins[1];
  params->extend_right  = plan->margins[2];
  params->extend_bottom = plan->margins[3];
}
