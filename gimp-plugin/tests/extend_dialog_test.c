/* Unit tests of what the Extend Canvas dialog decides (common/extend_logic.c, extend_dialog.h):
 * the margins of an aspect ratio and its edge choice, the plan line (the new canvas; one request,
 * scaled, or overlapping parts from the core's geometry), the reasons OK stays off, and the
 * values kept in a scratch profile. No network, no display. Exit 0 = pass. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "extend_dialog.h"
#include "oaimg_dialog.h"

/* The plan of `v` for a width x height image on `model`; the caller clears it. */
static void
plan_of (OaimgExtendValues *v, uint32_t width, uint32_t height, const char *model,
         OaimgExtendPlan *plan)
{
  oaimg_extend_dialog_plan (v, width, height, model, plan);
  printf ("%ux%u %s: plan %s | problem %s\n", width, height, model,
          plan->plan ? plan->plan : "-", plan->problem ? plan->problem : "-");
}

static gboolean
has (const char *text, const char *part)
{
  return text != NULL && strstr (text, part) != NULL;
}

static void
set_pixels (OaimgExtendValues *v, int left, int top, int right, int bottom)
{
  v->mode       = OAIMG_EXTEND_BY_PIXELS;
  v->margins[0] = left;
  v->margins[1] = top;
  v->margins[2] = right;
  v->margins[3] = bottom;
}

static void
set_aspect (OaimgExtendValues *v, const char *aspect, OaimgExtendEdge edge)
{
  v->mode = OAIMG_EXTEND_TO_ASPECT;
  g_free (v->aspect);
  v->aspect = g_strdup (aspect);
  v->edge   = edge;
}

static void
test_aspect_margins (void)
{
  OaimgExtendValues v;
  OaimgExtendPlan   plan;
  uint32_t          l, t, r, b;

  oaimg_extend_values_init (&v);
  g_free (v.prompt);
  v.prompt = g_strdup ("more sea");
  /* The first opening grows to 16:9 on both sides. */
  EXPECT (v.mode == OAIMG_EXTEND_TO_ASPECT && strcmp (v.aspect, "16:9") == 0 &&
          v.edge == OAIMG_EXTEND_BOTH_SIDES && v.n == 1);

  EXPECT (oaimg_extend_margins_for_aspect (1024, 1024, 16, 9, &l, &t, &r, &b) == OAIMG_OK);
  plan_of (&v, 1024, 1024, "gpt-image-1", &plan);
  EXPECT (plan.problem == NULL);
  EXPECT (plan.margins[0] == l && plan.margins[2] == r && plan.margins[1] == 0 &&
          plan.margins[3] == 0 && l > 0 && r >= l);
  EXPECT (plan.new_width == 1024 + l + r && plan.new_height == 1024);
  /* 16:9 to the pixel, as the core rounds it. */
  EXPECT (plan.new_width == 1820 || plan.new_width == 1821);
  oaimg_extend_plan_clear (&plan);

  /* All of the growth on one side of the axis it grows. */
  set_aspect (&v, "16:9", OAIMG_EXTEND_FIRST_SIDE);
  plan_of (&v, 1024, 1024, "gpt-image-1", &plan);
  EXPECT (plan.margins[0] == l + r && plan.margins[2] == 0 && plan.problem == NULL);
  EXPECT (has (plan.plan, "px on the left") && !has (plan.plan, "right"));
  oaimg_extend_plan_clear (&plan);
  set_aspect (&v, "16:9", OAIMG_EXTEND_SECOND_SIDE);
  plan_of (&v, 1024, 1024, "gpt-image-1", &plan);
  EXPECT (plan.margins[0] == 0 && plan.margins[2] == l + r);
  oaimg_extend_plan_clear (&plan);

  /* 9:16 on a square grows down: top and bottom. */
  EXPECT (oaimg_extend_axis (1024, 1024, "9:16") == 'y');
  EXPECT (oaimg_extend_axis (1024, 1024, "16:9") == 'x');
  EXPECT (oaimg_extend_axis (1024, 1024, "1:1") == 0);
  set_aspect (&v, "9:16", OAIMG_EXTEND_SECOND_SIDE);
  plan_of (&v, 1024, 1024, "gpt-image-1", &plan);
  EXPECT (plan.margins[0] == 0 && plan.margins[1] == 0 && plan.margins[2] == 0 &&
          plan.margins[3] == plan.new_height - 1024 && plan.new_width == 1024);
  EXPECT (plan.new_height == 1820 || plan.new_height == 1821);
  EXPECT (has (plan.plan, "at the bottom"));
  oaimg_extend_plan_clear (&plan);

  EXPECT (strcmp (oaimg_extend_edge_label ('y', OAIMG_EXTEND_FIRST_SIDE), "Top only") == 0);
  EXPECT (strcmp (oaimg_extend_edge_label ('x', OAIMG_EXTEND_SECOND_SIDE), "Right only") == 0);
  EXPECT (strcmp (oaimg_extend_edge_label (0, OAIMG_EXTEND_BOTH_SIDES), "Both sides evenly") ==
          0);

  /* Every aspect offered is one the core takes, and grows a 3:2 image but to 3:2 itself. */
  for (const char *const *a = oaimg_extend_aspects () + 1; *a; a++)
    {
      set_aspect (&v, *a, OAIMG_EXTEND_BOTH_SIDES);
      plan_of (&v, 300, 200, "gpt-image-1", &plan);
      if (strcmp (*a, "3:2") == 0)
        EXPECT (has (plan.problem, "already 3:2"));
      else
        EXPECT (plan.problem == NULL && plan.plan != NULL);
      oaimg_extend_plan_clear (&plan);
    }
  oaimg_extend_values_clear (&v);
}

static void
test_problems (void)
{
  OaimgExtendValues v;
  OaimgExtendPlan   plan;

  oaimg_extend_values_init (&v);
  g_free (v.prompt);
  v.prompt = g_strdup ("a wider beach");

  set_pixels (&v, 0, 0, 0, 0);
  plan_of (&v, 160, 120, "dall-e-2", &plan);
  EXPECT (has (plan.problem, "Grow at least one side") && plan.plan == NULL);
  oaimg_extend_plan_clear (&plan);

  set_aspect (&v, "1:1", OAIMG_EXTEND_BOTH_SIDES);
  plan_of (&v, 512, 512, "dall-e-2", &plan);
  EXPECT (has (plan.problem, "already 1:1"));
  oaimg_extend_plan_clear (&plan);

  /* Past what one side takes at once: the limit is named. */
  set_pixels (&v, 0, 0, 9000, 0);
  plan_of (&v, 160, 120, "dall-e-2", &plan);
  EXPECT (has (plan.problem, "9000 pixels on the right") && has (plan.problem, "at most 8192"));
  oaimg_extend_plan_clear (&plan);

  /* Past oaimg's 32768 a side: how much may be added instead. */
  set_pixels (&v, 4000, 0, 0, 0);
  plan_of (&v, 30000, 100, "gpt-image-1", &plan);
  EXPECT (has (plan.problem, "34000 × 100") && has (plan.problem, "at most 2768 pixels across"));
  oaimg_extend_plan_clear (&plan);
  set_pixels (&v, 0, 4000, 0, 0);
  plan_of (&v, 100, 30000, "gpt-image-1", &plan);
  EXPECT (has (plan.problem, "taller") && has (plan.problem, "at most 2768 pixels down"));
  oaimg_extend_plan_clear (&plan);
  /* Past 100,000,000 pixels in all: the widest canvas at that height. */
  set_pixels (&v, 0, 0, 0, 1000);
  plan_of (&v, 20000, 5000, "gpt-image-1", &plan);
  EXPECT (has (plan.problem, "20000 × 6000") && has (plan.problem, "at most 16666 wide"));
  oaimg_extend_plan_clear (&plan);

  /* A model that makes no edits cannot extend. */
  set_pixels (&v, 0, 0, 64, 0);
  plan_of (&v, 160, 120, "dall-e-3", &plan);
  EXPECT (has (plan.problem, "dall-e-3 does not edit images"));
  oaimg_extend_plan_clear (&plan);

  /* No prompt: the plan is still shown, OK stays off until one is typed. */
  g_free (v.prompt);
  v.prompt = g_strdup ("  \n ");
  plan_of (&v, 160, 120, "dall-e-2", &plan);
  EXPECT (plan.plan != NULL && has (plan.problem, "Type a prompt"));
  oaimg_extend_plan_clear (&plan);
  oaimg_extend_values_clear (&v);
}

static void
test_strategy_text (void)
{
  OaimgExtendValues v;
  OaimgExtendPlan   plan;
  OaimgJobParams    params;
  int               parts = 0, overlap = 0;
  double            scale = 0;
  uint32_t          sw = 0, sh = 0;

  oaimg_extend_values_init (&v);
  g_free (v.prompt);
  v.prompt = g_strdup ("the rest of the room");

  /* Small enough: one request at full resolution. */
  set_pixels (&v, 0, 0, 256, 0);
  plan_of (&v, 160, 120, "gpt-image-1", &plan);
  EXPECT (plan.problem == NULL && has (plan.plan, "New canvas 416 × 120: 256 px on the right."));
  EXPECT (has (plan.plan, "one request per result, without scaling it down"));
  oaimg_extend_params (&v, &plan, &params);
  EXPECT (params.operation == OAIMG_EDIT && params.extend_right == 256 &&
          params.extend_left == 0 && oaimg_job_is_extend (&params) &&
          strcmp (params.size, "auto") == 0 && params.prompt == v.prompt);
  oaimg_extend_plan_clear (&plan);

  /* DALL·E 2 makes 1024 squares: growing top and bottom, the model sees the whole 1024 × 1536
   * canvas, sent scaled. */
  set_pixels (&v, 0, 256, 0, 256);
  EXPECT (oaimg_extend_strategy ("dall-e-2", 1024, 1024, 0, 256, 0, 256, 0, &parts, &scale, &sw,
                                 &sh, &overlap) == OAIMG_OK);
  EXPECT (parts == 1 && scale < 1.0 && scale >= 0.5 && overlap == 0 && sw == 1024 && sh == 1024);
  plan_of (&v, 1024, 1024, "dall-e-2", &plan);
  EXPECT (plan.problem == NULL && has (plan.plan, "sent scaled to 67%") &&
          has (plan.plan, "dall-e-2"));
  oaimg_extend_plan_clear (&plan);

  /* Three times as wide as DALL·E 2 makes: overlapping parts, each a request, times n. */
  set_pixels (&v, 0, 0, 2048, 0);
  v.n = 2;
  EXPECT (oaimg_extend_strategy ("dall-e-2", 1024, 1024, 0, 0, 2048, 0, 0, &parts, &scale, &sw,
                                 &sh, &overlap) == OAIMG_OK);
  EXPECT (parts > 1 && overlap == 128 && sw == 1024 && sh == 1024);
  plan_of (&v, 1024, 1024, "dall-e-2", &plan);
  {
    char *count    = g_strdup_printf ("in %d overlapping parts", parts);
    char *requests = g_strdup_printf ("%d requests in all", parts * 2);
    EXPECT (has (plan.plan, count) && has (plan.plan, "overlapping by 128 px") &&
            has (plan.plan, requests) && has (plan.plan, "1024 × 1024"));
    g_free (count);
    g_free (requests);
  }
  oaimg_extend_plan_clear (&plan);

  /* The C API refuses nothing to grow and a canvas past the limits. */
  EXPECT (oaimg_extend_strategy ("dall-e-2", 100, 100, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL,
                                 NULL) == OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT (oaimg_extend_strategy ("dall-e-2", 30000, 100, 4000, 0, 0, 0, 0, NULL, NULL, NULL,
                                 NULL, NULL) == OAIMG_ERR_INVALID_ARGUMENT);
  oaimg_extend_values_clear (&v);
}

static void
test_values_kept (void)
{
  char             *profile = g_dir_make_tmp ("oaimg-extend-XXXXXX", NULL);
  OaimgExtendValues v, back;
  OaimgDialogValues edit = { 0 }, edit_back = { 0 };

  oaimg_extend_values_init (&back);
  /* Nothing stored yet: the values stay as they were. */
  EXPECT (!oaimg_extend_values_load (profile, &back) && strcmp (back.aspect, "16:9") == 0);

  edit.prompt = "inpaint me";
  edit.n      = 3;
  EXPECT (oaimg_dialog_values_save (profile, OAIMG_EDIT, &edit, NULL));

  oaimg_extend_values_init (&v);
  g_free (v.prompt);
  v.prompt = g_strdup ("line one\nline two");
  g_free (v.model);
  v.model = g_strdup ("dall-e-2");
  v.n     = 4;
  set_pixels (&v, 1, 2, 3, 4);
  set_aspect (&v, "9:16", OAIMG_EXTEND_SECOND_SIDE);
  v.mode = OAIMG_EXTEND_BY_PIXELS;
  EXPECT (oaimg_extend_values_save (profile, &v, NULL));
  EXPECT (oaimg_extend_values_load (profile, &back));
  EXPECT (strcmp (back.prompt, "line one\nline two") == 0 && strcmp (back.model, "dall-e-2") == 0);
  EXPECT (back.n == 4 && back.mode == OAIMG_EXTEND_BY_PIXELS && back.margins[0] == 1 &&
          back.margins[1] == 2 && back.margins[2] == 3 && back.margins[3] == 4);
  EXPECT (strcmp (back.aspect, "9:16") == 0 && back.edge == OAIMG_EXTEND_SECOND_SIDE);
  /* The Inpaint dialog's values in the same file are kept. */
  EXPECT (oaimg_dialog_values_load (profile, OAIMG_EDIT, &edit_back));
  EXPECT (edit_back.prompt && strcmp (edit_back.prompt, "inpaint me") == 0 && edit_back.n == 3);
  oaimg_dialog_values_clear (&edit_back);

  oaimg_extend_values_clear (&v);
  oaimg_extend_values_clear (&back);
  {
    char *dir  = g_build_filename (profile, "oaimg", NULL);
    char *file = g_build_filename (dir, "last-values.ini", NULL);
    g_remove (file);
    g_rmdir (dir);
    g_rmdir (profile);
    g_free (file);
    g_free (dir);
  }
  g_free (profile);
}

int
main (void)
{
  /* The English texts are checked: no catalogue. */
  g_setenv ("LANGUAGE", "C", TRUE);
  test_aspect_margins ();
  test_problems ();
  test_strategy_text ();
  test_values_kept ();
  if (failures)
    printf ("%d failure(s)\n", failures);
  else
    printf ("PASS\n");
  return failures ? 1 : 0;
}
