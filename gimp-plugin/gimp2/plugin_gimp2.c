/* The oaimg plug-in for GIMP 2.10: procedure registration and the run callback.
 *
 * Script-Fu passes arguments by position, so their order is the contract:
 *   (plug-in-oaimg-edit RUN-NONINTERACTIVE image drawable prompt n model size context quality
 *    background sample-merged)
 * and likewise -variation and -generate; each returns the number of new layers and their IDs.
 *   (plug-in-oaimg-edit-guided RUN-NONINTERACTIVE image drawable prompt n model size context
 *    quality background sample-merged guide)
 * is the edit with a guide layer sent as markup (-1 = none): a procedure of its own, because a
 * GIMP 2.10 procedure takes all its arguments and one more would break every existing call.
 *   (plug-in-oaimg-extend RUN-NONINTERACTIVE image drawable prompt n model left top right bottom)
 * grows the canvas by those pixels and returns the same.
 * The API key is deliberately not an argument: GIMP remembers arguments in the profile. */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <string.h>

#include "dialogs_gimp2.h"
#include "guide.h"
#include "extend_dialog.h"
#include "host_gimp2.h"
#include "i18n.h"
#include "oaimg_dialog.h"
#include "oaimg_plugin.h"

#define PROC_EDIT      "plug-in-oaimg-edit"
#define PROC_VARIATION "plug-in-oaimg-variation"
#define PROC_GENERATE  "plug-in-oaimg-generate"
#define PROC_SETTINGS  "plug-in-oaimg-settings"
#define PROC_EXTEND    "plug-in-oaimg-extend"
#define PROC_EDIT_GUIDED "plug-in-oaimg-edit-guided"

static void query (void);
static void run   (const gchar *name, gint nparams, const GimpParam *param, gint *nreturn_vals,
                   GimpParam **return_vals);

const GimpPlugInInfo PLUG_IN_INFO = { NULL, NULL, query, run };

MAIN ()

/* The plug-in's catalogue lives in locale/ beside its executable, as for GIMP 3. */
static gchar *
locale_dir (void)
{
  gchar *dir    = g_path_get_dirname (gimp_get_progname ());
  gchar *locale = g_build_filename (dir, "locale", NULL);

  g_free (dir);
  return locale;
}

/* The plug-in's own help (help/LANG/index.html and its gimp-help.xml map, beside the executable
 * like locale/), as GIMP 3's: without a domain, Help asks for GIMP's manual, which knows nothing
 * of these procedures. GIMP 2.10 gives a plug-in's procedures and dialogs (gimp_help with no
 * domain) the domain their plug-in registered; their help ids are their names. */
static void
register_help (void)
{
  gchar *exe  = g_canonicalize_filename (gimp_get_progname (), NULL);
  gchar *dir  = g_path_get_dirname (exe);
  gchar *help = g_build_filename (dir, "help", NULL);
  gchar *uri  = g_filename_to_uri (help, NULL, NULL);

  if (uri)
    gimp_plugin_help_register (OAIMG_HELP_DOMAIN, uri);
  g_free (uri);
  g_free (help);
  g_free (dir);
  g_free (exe);
}

static const GimpParamDef job_args[] = {
  { GIMP_PDB_INT32,    "run-mode",      "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
  { GIMP_PDB_IMAGE,    "image",         "Input image" },
  { GIMP_PDB_DRAWABLE, "drawable",      "The layer to work on" },
  { GIMP_PDB_STRING,   "prompt",        "What the picture should show (may be empty for variations)" },
  { GIMP_PDB_INT32,    "n",             "How many results to make, 1-10, each as its own layer" },
  { GIMP_PDB_STRING,   "model",         "The model; \"\" for the default from Settings" },
  { GIMP_PDB_STRING,   "size",          "The size asked of the model; \"auto\" plans it from the region" },
  { GIMP_PDB_STRING,   "context",       "How much around the selection the model sees: \"auto\" (a margin), \"selection\", \"image\"" },
  { GIMP_PDB_STRING,   "quality",       "\"auto\", \"low\", \"medium\" or \"high\", for models that accept it" },
  { GIMP_PDB_STRING,   "background",    "\"auto\", \"opaque\" or \"transparent\", for models that accept it" },
  { GIMP_PDB_INT32,    "sample-merged", "TRUE: work on the image as shown (all visible layers), FALSE: the layer alone" },
};

/* plug-in-oaimg-edit-guided takes job_args and then this. */
static const GimpParamDef guide_arg = {
  GIMP_PDB_LAYER, "guide", "A layer drawn over the image (arrows, scribbles on transparency) sent as markup to guide the edit, for the GPT Image 2.5 models; -1 for none"
};

static const GimpParamDef job_returns[] = {
  { GIMP_PDB_INT32,      "num-layers", "The number of new layers" },
  { GIMP_PDB_INT32ARRAY, "layer-ids",  "The new layers, one per image, in the new layer group" },
};

static const GimpParamDef extend_args[] = {
  { GIMP_PDB_INT32,    "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
  { GIMP_PDB_IMAGE,    "image",    "Input image" },
  { GIMP_PDB_DRAWABLE, "drawable", "The active layer: the results go above it" },
  { GIMP_PDB_STRING,   "prompt",   "What the new area should show" },
  { GIMP_PDB_INT32,    "n",        "How many results to make, 1-10, each as its own layer" },
  { GIMP_PDB_STRING,   "model",    "The model; \"\" for the default from Settings" },
  { GIMP_PDB_INT32,    "left",     "Pixels added on the left" },
  { GIMP_PDB_INT32,    "top",      "Pixels added at the top" },
  { GIMP_PDB_INT32,    "right",    "Pixels added on the right" },
  { GIMP_PDB_INT32,    "bottom",   "Pixels added at the bottom" },
};

static const GimpParamDef settings_args[] = {
  { GIMP_PDB_INT32, "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1) }" },
};

static const GimpParamDef choose_args[] = {
  { GIMP_PDB_INT32,    "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
  { GIMP_PDB_IMAGE,    "image",    "Input image" },
  { GIMP_PDB_DRAWABLE, "drawable", "A result layer, its mask, or its group" },
};

static void
query (void)
{
  const OaimgProcedureInfo *procs  = oaimg_procedures ();
  gchar                    *locale = locale_dir ();
  GimpParamDef              guided_args[G_N_ELEMENTS (job_args) + 1];

  /* GIMP translates the menu labels and blurbs below with this domain. */
  gimp_plugin_domain_register (GETTEXT_PACKAGE, locale);
  g_free (locale);
  register_help ();
  /* The submenu's own label, with its mnemonic. GIMP 2.10 has no menu sections for plug-ins: it
   * sorts a submenu's entries by label. */
  gimp_plugin_menu_branch_register (OAIMG_MENU_PARENT, oaimg_menu_branch_label ());

  for (int i = 0; i < OAIMG_PROC_COUNT; i++)
    {
      const GimpParamDef *args    = job_args, *returns = job_returns;
      gint                n_args  = G_N_ELEMENTS (job_args);
      gint                n_rets  = G_N_ELEMENTS (job_returns);
      const char         *types   = "*";

      if (i == OAIMG_PROC_SETTINGS)
        {
          args    = settings_args;
          n_args  = G_N_ELEMENTS (settings_args);
          returns = NULL;
          n_rets  = 0;
          types   = "";
        }
      else if (i == OAIMG_PROC_EXTEND)
        {
          args   = extend_args;
          n_args = G_N_ELEMENTS (extend_args);
        }
      else if (procs[i].operation == 0)
        {
          args    = choose_args;
          n_args  = G_N_ELEMENTS (choose_args);
          returns = NULL;
          n_rets  = 0;
        }
      gimp_install_procedure (procs[i].name, procs[i].blurb, procs[i].help, "oaimg contributors",
                              "oaimg contributors", "2026", procs[i].menu_label, types,
                              GIMP_PLUGIN, n_args, n_rets, args, returns);
      gimp_plugin_menu_register (procs[i].name, OAIMG_MENU_PATH);
    }
  /* For scripts only: the menu's Inpaint Selection offers the guide in its dialog. */
  memcpy (guided_args, job_args, sizeof job_args);
  guided_args[G_N_ELEMENTS (job_args)] = guide_arg;
  gimp_install_procedure (PROC_EDIT_GUIDED, procs[OAIMG_PROC_EDIT].blurb,
                          "Inpaint Selection with a guide layer: the layer's pixels, at its "
                          "place over the edited layer, are sent as markup (GPT Image 2.5 models; "
                          "the layer needs transparent pixels) and the selection is not sent as a "
                          "mask: it still sets the area the model sees and the results replace.",
                          "oaimg contributors", "oaimg contributors", "2026", NULL, "*",
                          GIMP_PLUGIN, G_N_ELEMENTS (guided_args), G_N_ELEMENTS (job_returns),
                          guided_args, job_returns);
}

/* ---- return values ------------------------------------------------------------------------- */

static GimpParam  values[3];
static gint32    *returned_ids; /* GIMP reads values[] after run() returns */

/* GIMP 2.10 passes an error message as a second, string value; but for a procedure whose declared
 * return values are (INT32, INT32ARRAY) the core then sends the string where the array's count
 * belongs, and the caller (Script-Fu) crashes reading the array. So a failure returns its status
 * alone (GIMP fills in zero layers) and the message goes to GIMP's message handler: a dialog or
 * the error console for users, the terminal in batch mode. */
static void
set_status (GimpPDBStatusType status, const GError *error, gint *nreturn_vals,
            GimpParam **return_vals)
{
  values[0].type          = GIMP_PDB_STATUS;
  values[0].data.d_status = status;
  *nreturn_vals           = 1;
  *return_vals            = values;
  if (error && (status == GIMP_PDB_EXECUTION_ERROR || status == GIMP_PDB_CALLING_ERROR))
    gimp_message (error->message);
}

static void
set_layers (const gint32 *ids, gint count, gint *nreturn_vals)
{
  g_free (returned_ids);
  returned_ids                = g_memdup2 (ids, sizeof (gint32) * MAX (count, 1));
  values[1].type              = GIMP_PDB_INT32;
  values[1].data.d_int32      = count;
  values[2].type              = GIMP_PDB_INT32ARRAY;
  values[2].data.d_int32array = returned_ids;
  *nreturn_vals               = 3;
}

/* ---- arguments ----------------------------------------------------------------------------- */

static void
copy_string (gchar *dest, gsize size, const gchar *value)
{
  g_strlcpy (dest, value ? value : "", size);
}

static void
values_from_params (JobValues *v, const GimpParam *param)
{
  copy_string (v->prompt, sizeof v->prompt, param[3].data.d_string);
  v->n = param[4].data.d_int32;
  copy_string (v->model, sizeof v->model, param[5].data.d_string);
  copy_string (v->size, sizeof v->size, param[6].data.d_string);
  copy_string (v->context, sizeof v->context, param[7].data.d_string);
  copy_string (v->quality, sizeof v->quality, param[8].data.d_string);
  copy_string (v->background, sizeof v->background, param[9].data.d_string);
  v->sample_merged = param[10].data.d_int32 != 0;
  v->guide         = -1;
}

static gboolean
unset (const gchar *value)
{
  return value[0] == '\0' || strcmp (value, "auto") == 0;
}

/* The scripted values checked before anything is read or sent, with what would be right. */
static gboolean
check_values (const JobValues *v, oaimg_context_mode *context, GError **error)
{
  if (v->n < 1 || v->n > 10)
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   _("n is %d: ask for 1 to 10 images."), v->n);
      return FALSE;
    }
  if (unset (v->context))
    *context = OAIMG_CONTEXT_AUTO;
  else if (strcmp (v->context, "selection") == 0)
    *context = OAIMG_CONTEXT_SELECTION;
  else if (strcmp (v->context, "image") == 0)
    *context = OAIMG_CONTEXT_IMAGE;
  else
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   _("context is \"%s\": use \"auto\", \"selection\" or \"image\"."), v->context);
      return FALSE;
    }
  return TRUE;
}

static void
default_values (JobValues *v, oaimg_operation operation)
{
  memset (v, 0, sizeof *v);
  v->n = 1;
  copy_string (v->size, sizeof v->size, "auto");
  copy_string (v->context, sizeof v->context, "auto");
  copy_string (v->quality, sizeof v->quality, "auto");
  copy_string (v->background, sizeof v->background, "auto");
  v->guide = -1;
  (void) operation;
}

/* ---- runs ---------------------------------------------------------------------------------- */

typedef struct
{
  gint32          image;
  gint32          drawable;
  oaimg_operation operation;
} SourceArgs;

static gboolean
reread_source (gpointer data, gboolean sample_merged, OaimgSource *source, GError **error)
{
  SourceArgs *args = data;

  oaimg_source_clear (source);
  return host_gimp2_read_source (args->image, args->drawable, args->operation, sample_merged,
                                 source, error);
}

/* GIMP keeps a procedure's data only for the session, and a dialog's only after it was sent: the
 * dialog's own copy in the profile is stored on every run (sent, failed or cancelled), so that
 * each comes back with all that was typed, as on GIMP 3. */
static void
restore_dialog_values (const char *profile, oaimg_operation operation, JobValues *v)
{
  OaimgDialogValues stored = { 0 };

  if (!oaimg_dialog_values_load (profile, operation, &stored))
    return;
  copy_string (v->prompt, sizeof v->prompt, stored.prompt);
  v->n = stored.n;
  copy_string (v->model, sizeof v->model, stored.model);
  copy_string (v->size, sizeof v->size, stored.size && stored.size[0] ? stored.size : "auto");
  copy_string (v->context, sizeof v->context,
               stored.context == OAIMG_CONTEXT_IMAGE       ? "image"
               : stored.context == OAIMG_CONTEXT_SELECTION ? "selection"
                                                           : "auto");
  copy_string (v->quality, sizeof v->quality, stored.quality ? stored.quality : "auto");
  copy_string (v->background, sizeof v->background,
               stored.background ? stored.background : "auto");
  v->sample_merged = stored.sample_merged;
  oaimg_dialog_values_clear (&stored);
}

static void
store_dialog_values (const char *profile, const char *name, oaimg_operation operation,
                     const JobValues *v)
{
  oaimg_context_mode context = OAIMG_CONTEXT_AUTO;
  OaimgDialogValues  stored  = { (char *) v->prompt, v->n, (char *) v->model, (char *) v->size,
                                 0, (char *) v->quality, (char *) v->background,
                                 v->sample_merged };

  check_values (v, &context, NULL);
  stored.context = context;
  /* Not being able to remember is no reason to fail the run. */
  oaimg_dialog_values_save (profile, operation, &stored, NULL);
  gimp_set_data (name, v, sizeof *v);
}

/* The settings and a client for a run; interactively, without any key, first the dialog saying
 * so (before the job's dialog is filled in, not after Send), which may store one. NULL with
 * error set; settings are loaded either way. */
static oaimg_client *
open_client (const char *profile, GimpRunMode run_mode, OaimgSettings *settings, GError **error)
{
  oaimg_client *client;

  oaimg_settings_load (profile, settings);
  client = oaimg_settings_make_client (profile, settings, error);
  if (client == NULL || run_mode != GIMP_RUN_INTERACTIVE)
    return client;
  gimp_ui_init ("oaimg", FALSE);
  if (oaimg_key_source (profile) == OAIMG_KEY_NONE && no_key_dialog_run (profile))
    {
      oaimg_client_free (client);
      oaimg_settings_clear (settings);
      oaimg_settings_load (profile, settings);
      client = oaimg_settings_make_client (profile, settings, error);
    }
  return client;
}

/* Every job after its dialog: the progress window (interactive) or GIMP's bar, the job, and its
 * status for GIMP (a cancel is a cancel, not an error). */
static GimpPDBStatusType
run_with_progress (GimpRunMode run_mode, HostGimp2 *host, oaimg_client *client,
                   const OaimgJobParams *params, const OaimgSource *source,
                   const OaimgSettings *settings, GError **error)
{
  OaimgHost         iface;
  GimpPDBStatusType status = GIMP_PDB_EXECUTION_ERROR;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    host->window = progress_window_new (params);
  iface = host_gimp2_interface (host);
  /* With the progress window up, GIMP's own progress (and its second Cancel) stays away. */
  if (host->window == NULL)
    gimp_progress_init (oaimg_message_for_stage (OAIMG_STAGE_PREPARING));
  if (oaimg_job_run (&iface, client, params, source, settings, error))
    status = GIMP_PDB_SUCCESS;
  if (host->window == NULL)
    gimp_progress_end ();
  else
    progress_window_destroy (host->window);
  host->window = NULL;
  return status;
}

/* A failed run's status: a cancel is a cancel, not an error. */
static GimpPDBStatusType
failure_status (GimpPDBStatusType status, GError **error)
{
  if (status == GIMP_PDB_EXECUTION_ERROR && error && *error &&
      (*error)->domain == OAIMG_PLUGIN_ERROR && (*error)->code == OAIMG_ERR_CANCELLED)
    {
      g_clear_error (error);
      return GIMP_PDB_CANCEL;
    }
  return status;
}

static GimpPDBStatusType
run_job (oaimg_operation operation, const char *name, GimpRunMode run_mode, gint nparams,
         const GimpParam *param, HostGimp2 *host, GError **error)
{
  const char        *profile = gimp_directory ();
  SourceArgs         args    = { param[1].data.d_image, param[2].data.d_drawable, operation };
  JobValues          v;
  OaimgSettings      settings;
  OaimgSource        source  = { 0 };
  OaimgJobParams     params  = { 0 };
  OaimgReferences    references = { 0 };
  oaimg_context_mode context = OAIMG_CONTEXT_AUTO;
  oaimg_client      *client  = NULL;
  GimpPDBStatusType  status  = GIMP_PDB_EXECUTION_ERROR;
  const gboolean     guided  = strcmp (name, PROC_EDIT_GUIDED) == 0;
  OaimgGuide         guide   = { 0 };

  default_values (&v, operation);
  if (run_mode == GIMP_RUN_NONINTERACTIVE)
    {
      if (nparams != (gint) G_N_ELEMENTS (job_args) + (guided ? 1 : 0))
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                       guided ? _("%s takes %d arguments, not %d: run-mode image drawable prompt "
                                  "n model size context quality background sample-merged guide.")
                              : _("%s takes %d arguments, not %d: run-mode image drawable prompt "
                                  "n model size context quality background sample-merged."),
                       name, (int) G_N_ELEMENTS (job_args) + (guided ? 1 : 0), nparams);
          return GIMP_PDB_CALLING_ERROR;
        }
      values_from_params (&v, param);
      if (guided)
        v.guide = param[11].data.d_layer;
    }
  else
    gimp_get_data (name, &v);
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      restore_dialog_values (profile, operation, &v);
      /* A group has no pixels of its own: what it shows is what can be sent, and the dialog
       * shows the box ticked. */
      if (operation != OAIMG_GENERATE && args.drawable != -1 && gimp_item_is_group (args.drawable))
        v.sample_merged = TRUE;
    }
  if (!check_values (&v, &context, error))
    return GIMP_PDB_CALLING_ERROR;

  if (!host_gimp2_read_source (args.image, args.drawable, operation, v.sample_merged, &source,
                               error))
    return GIMP_PDB_EXECUTION_ERROR;
  /* Checked before the dialog so that the user learns it before typing a prompt. */
  if (operation == OAIMG_EDIT && source.selection == NULL)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_NO_SELECTION,
                           _("Select the area to repaint, then run Inpaint Selection again."));
      oaimg_source_clear (&source);
      return GIMP_PDB_EXECUTION_ERROR;
    }
  if (operation == OAIMG_EDIT)
    host_gimp2_read_references (args.image, args.drawable, &references);

  client = open_client (profile, run_mode, &settings, error);
  if (client == NULL)
    goto out;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gboolean send;

      send = job_dialog_run (operation, client, &source, reread_source, &args, &references,
                             settings.default_model, profile, &v, args.image, args.drawable);
      store_dialog_values (profile, name, operation, &v);
      if (!send)
        {
          status = GIMP_PDB_CANCEL;
          goto out;
        }
      check_values (&v, &context, NULL);
      oaimg_prompt_history_add (profile, v.prompt, NULL);
    }
  if (operation == OAIMG_EDIT && v.guide != -1 &&
      !host_gimp2_read_guide (args.image, v.guide, args.drawable, &guide, error))
    {
      if (host->window)
        progress_window_destroy (host->window);
      goto out;
    }

  params.operation  = operation;
  params.prompt     = v.prompt;
  params.n          = v.n;
  params.model      = v.model;
  params.size       = v.size;
  params.context    = context;
  params.quality    = v.quality;
  params.background = v.background;
  params.references = &references;
  params.guide      = guide.rgba ? &guide : NULL;

  host->image  = args.image;
  host->anchor = operation != OAIMG_GENERATE || (args.drawable != -1 &&
                                                 gimp_item_is_layer (args.drawable) &&
                                                 !gimp_item_is_layer_mask (args.drawable))
                   ? args.drawable : -1;
  status       = run_with_progress (run_mode, host, client, &params, &source, &settings, error);
  if (run_mode == GIMP_RUN_WITH_LAST_VALS || run_mode == GIMP_RUN_NONINTERACTIVE)
    gimp_set_data (name, &v, sizeof v);

out:
  oaimg_guide_clear (&guide);
  oaimg_client_free (client);
  oaimg_source_clear (&source);
  oaimg_references_clear (&references);
  oaimg_settings_clear (&settings);
  return failure_status (status, error);
}

/* The values Extend Canvas remembers between runs of a session. */
typedef struct
{
  gchar prompt[4096];
  gint  n;
  gchar model[64];
  gint  margins[4];
} ExtendValues;

/* Extend Canvas's dialog, started from the last values; afterwards v holds the margins it
 * decided on, which GIMP repeats with the last values. FALSE when cancelled. */
static gboolean
extend_dialog (gint32 image, oaimg_client *client, const OaimgSettings *settings,
               const char *profile, ExtendValues *v, OaimgExtendPlan *plan)
{
  OaimgExtendValues values;
  gboolean          send;

  oaimg_extend_values_init (&values);
  g_free (values.prompt);
  values.prompt = g_strdup (v->prompt);
  values.n      = v->n;
  g_free (values.model);
  values.model = g_strdup (v->model);
  send = extend_dialog_run (&values, gimp_image_width (image), gimp_image_height (image), client,
                            settings->default_model, profile, plan);
  copy_string (v->prompt, sizeof v->prompt, values.prompt);
  v->n = values.n;
  copy_string (v->model, sizeof v->model, values.model);
  for (int i = 0; i < 4; i++)
    v->margins[i] = (gint) plan->margins[i];
  oaimg_extend_values_clear (&values);
  return send;
}

/* Extend Canvas: the image as shown is the source, grown by what the dialog decided or the
 * pixels given. */
static GimpPDBStatusType
run_extend (GimpRunMode run_mode, gint nparams, const GimpParam *param, HostGimp2 *host,
            GError **error)
{
  const char       *profile  = gimp_directory ();
  gint32            image    = param[1].data.d_image;
  gint32            drawable = param[2].data.d_drawable;
  ExtendValues      v        = { "", 1, "", { 0, 0, 0, 0 } };
  OaimgSettings     settings;
  OaimgSource       source   = { 0 };
  OaimgJobParams    params   = { 0 };
  OaimgExtendPlan   plan     = { 0 };
  oaimg_client     *client;
  GimpPDBStatusType status   = GIMP_PDB_EXECUTION_ERROR;

  if (run_mode == GIMP_RUN_NONINTERACTIVE)
    {
      if (nparams != G_N_ELEMENTS (extend_args))
        {
          g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                       _("%s takes %d arguments, not %d: run-mode image drawable prompt n model "
                         "left top right bottom."),
                       PROC_EXTEND, (int) G_N_ELEMENTS (extend_args), nparams);
          return GIMP_PDB_CALLING_ERROR;
        }
      copy_string (v.prompt, sizeof v.prompt, param[3].data.d_string);
      v.n = param[4].data.d_int32;
      copy_string (v.model, sizeof v.model, param[5].data.d_string);
      for (int i = 0; i < 4; i++)
        v.margins[i] = param[6 + i].data.d_int32;
    }
  else
    gimp_get_data (PROC_EXTEND, &v);

  client = open_client (profile, run_mode, &settings, error);
  if (client == NULL)
    goto out;
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gboolean send = extend_dialog (image, client, &settings, profile, &v, &plan);

      gimp_set_data (PROC_EXTEND, &v, sizeof v);
      if (!send)
        {
          status = GIMP_PDB_CANCEL;
          goto out;
        }
      if (plan.problem)
        {
          /* Send is off while there is one. */
          g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                               plan.problem);
          goto out;
        }
    }
  if (v.n < 1 || v.n > 10)
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   _("n is %d: ask for 1 to 10 images."), v.n);
      status = GIMP_PDB_CALLING_ERROR;
      goto out;
    }
  params.operation = OAIMG_EDIT;
  params.prompt    = v.prompt;
  params.n         = v.n;
  params.model     = v.model;
  params.size      = "auto";
  if (!oaimg_extend_margins (gimp_image_width (image), gimp_image_height (image), NULL,
                             v.margins[0], v.margins[1], v.margins[2], v.margins[3], &params,
                             error))
    {
      status = GIMP_PDB_CALLING_ERROR;
      goto out;
    }
  if (!host_gimp2_read_canvas (image, &source, error))
    goto out;

  host->image     = image;
  host->anchor    = drawable != -1 && gimp_item_is_layer (drawable) &&
                    !gimp_item_is_layer_mask (drawable) ? drawable : -1;
  host->extend[0] = params.extend_left;
  host->extend[1] = params.extend_top;
  host->extend[2] = params.extend_right;
  host->extend[3] = params.extend_bottom;
  status = run_with_progress (run_mode, host, client, &params, &source, &settings, error);
  if (run_mode != GIMP_RUN_INTERACTIVE)
    gimp_set_data (PROC_EXTEND, &v, sizeof v);

out:
  oaimg_client_free (client);
  oaimg_source_clear (&source);
  oaimg_settings_clear (&settings);
  oaimg_extend_plan_clear (&plan);
  return failure_status (status, error);
}

/* Next, previous and keep: choosing among the results of the group under the active layer. */
static GimpPDBStatusType
run_choose (OaimgChooseAction action, gint nparams, const GimpParam *param, GError **error)
{
  gint32    image, group;
  gint      count = 0, chosen;
  gint     *children;
  gboolean *visible, *shown, *removed;

  if (nparams != G_N_ELEMENTS (choose_args))
    {
      g_set_error (error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                   _("This procedure takes %d arguments, not %d: run-mode image drawable."),
                   (int) G_N_ELEMENTS (choose_args), nparams);
      return GIMP_PDB_CALLING_ERROR;
    }
  image = param[1].data.d_image;
  group = host_gimp2_result_group (param[2].data.d_drawable);
  if (group == -1)
    {
      g_set_error_literal (error, OAIMG_PLUGIN_ERROR, OAIMG_PLUGIN_ERROR_HOST,
                           oaimg_message_no_results ());
      return GIMP_PDB_EXECUTION_ERROR;
    }
  children = gimp_item_get_children (group, &count);
  visible  = g_new0 (gboolean, count);
  shown    = g_new0 (gboolean, count);
  removed  = g_new0 (gboolean, count);
  for (gint i = 0; i < count; i++)
    visible[i] = gimp_item_get_visible (children[i]);
  chosen = oaimg_results_choose (action, visible, count, shown, removed);

  gimp_image_undo_group_start (image);
  for (gint i = 0; i < count; i++)
    {
      if (removed[i])
        gimp_image_remove_layer (image, children[i]);
      else
        gimp_item_set_visible (children[i], shown[i]);
    }
  gimp_image_undo_group_end (image);
  gimp_image_set_active_layer (image, children[chosen]);
  gimp_displays_flush ();
  g_free (visible);
  g_free (shown);
  g_free (removed);
  g_free (children);
  return GIMP_PDB_SUCCESS;
}

static void
run (const gchar *name, gint nparams, const GimpParam *param, gint *nreturn_vals,
     GimpParam **return_vals)
{
  GimpRunMode       run_mode = (GimpRunMode) param[0].data.d_int32;
  GError           *error    = NULL;
  GimpPDBStatusType status;
  HostGimp2         host     = { 0 };
  OaimgProcedureId  id       = OAIMG_PROC_COUNT;
  gchar            *locale   = locale_dir ();

  bindtextdomain (GETTEXT_PACKAGE, locale);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_free (locale);
  gegl_init (NULL, NULL);

  if (strcmp (name, PROC_SETTINGS) == 0)
    {
      /* There is nothing to do without a user: settings are changed in the dialog or the file. */
      status = GIMP_PDB_SUCCESS;
      if (run_mode == GIMP_RUN_INTERACTIVE)
        {
          gimp_ui_init ("oaimg", FALSE);
          if (!settings_dialog_run (gimp_directory (), &error))
            status = error ? GIMP_PDB_EXECUTION_ERROR : GIMP_PDB_CANCEL;
        }
      set_status (status, error, nreturn_vals, return_vals);
      g_clear_error (&error);
      return;
    }

  if (oaimg_procedure_find (name, &id) != NULL &&
      (id == OAIMG_PROC_NEXT || id == OAIMG_PROC_PREVIOUS || id == OAIMG_PROC_KEEP))
    status = run_choose (id == OAIMG_PROC_NEXT       ? OAIMG_CHOOSE_NEXT
                         : id == OAIMG_PROC_PREVIOUS ? OAIMG_CHOOSE_PREVIOUS
                                                     : OAIMG_CHOOSE_KEEP,
                         nparams, param, &error);
  else if (strcmp (name, PROC_EDIT) == 0)
    status = run_job (OAIMG_EDIT, name, run_mode, nparams, param, &host, &error);
  else if (strcmp (name, PROC_EDIT_GUIDED) == 0)
    {
      id     = OAIMG_PROC_EDIT; /* returns the layers as the edit does */
      status = run_job (OAIMG_EDIT, name, run_mode, nparams, param, &host, &error);
    }
  else if (strcmp (name, PROC_VARIATION) == 0)
    status = run_job (OAIMG_VARIATION, name, run_mode, nparams, param, &host, &error);
  else if (strcmp (name, PROC_GENERATE) == 0)
    status = run_job (OAIMG_GENERATE, name, run_mode, nparams, param, &host, &error);
  else if (strcmp (name, PROC_EXTEND) == 0)
    status = run_extend (run_mode, nparams, param, &host, &error);
  else
    status = GIMP_PDB_CALLING_ERROR;

  set_status (status, error, nreturn_vals, return_vals);
  /* Only the jobs return layers; next, previous and keep return their status alone. */
  if (status == GIMP_PDB_SUCCESS && id <= OAIMG_PROC_EXTEND)
    set_layers (host.created, host.n_created, nreturn_vals);
  g_clear_error (&error);
  g_free (host.created);
}
