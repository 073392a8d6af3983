/* The oaimg plug-in for GIMP 3: procedure registration and the run callbacks.
 *
 * The names and leading arguments (prompt, n, model, size) are a contract scripts rely on; later
 * arguments are optional with defaults. The API key is deliberately not an argument: GIMP saves
 * last-used arguments as plain text in the profile. */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "dialogs_gimp3.h"
#include "guide.h"
#include "extend_dialog.h"
#include "host_gimp3.h"
#include "i18n.h"
#include "oaimg_dialog.h"
#include "oaimg_plugin.h"

#define PROC_EDIT      "plug-in-oaimg-edit"
#define PROC_VARIATION "plug-in-oaimg-variation"
#define PROC_GENERATE  "plug-in-oaimg-generate"
#define PROC_EXTEND    "plug-in-oaimg-extend"
#define PROC_SETTINGS  "plug-in-oaimg-settings"
#define PROC_NEXT      "plug-in-oaimg-next-result"
#define PROC_PREVIOUS  "plug-in-oaimg-previous-result"
#define PROC_KEEP      "plug-in-oaimg-keep-result"

typedef struct _Oaimg      Oaimg;
typedef struct _OaimgClass OaimgClass;

struct _Oaimg
{
  GimpPlugIn parent_instance;
};

struct _OaimgClass
{
  GimpPlugInClass parent_class;
};

#define OAIMG_TYPE (oaimg_get_type ())
GType oaimg_get_type (void) G_GNUC_CONST;

static GList         *oaimg_query_procedures (GimpPlugIn *plug_in);
static GimpProcedure *oaimg_create_procedure (GimpPlugIn *plug_in, const gchar *name);

G_DEFINE_TYPE (Oaimg, oaimg, GIMP_TYPE_PLUG_IN)

GIMP_MAIN (OAIMG_TYPE)

static void
oaimg_class_init (OaimgClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = oaimg_query_procedures;
  plug_in_class->create_procedure = oaimg_create_procedure;
  /* The default set_i18n binds the "oaimg" domain to locale/ beside the executable. */
}

static void
oaimg_init (Oaimg *self)
{
  (void) self;
}

/* The plug-in's own help (help/LANG/index.html and its gimp-help.xml map, beside the
 * executable like locale/): without a domain, Help asked for GIMP's manual, which knows nothing
 * of these procedures. Their help ids are their names. */
static void
register_help (GimpPlugIn *plug_in)
{
  char  *exe  = g_canonicalize_filename (gimp_get_progname (), NULL);
  char  *dir  = g_path_get_dirname (exe);
  char  *help = g_build_filename (dir, "help", NULL);
  GFile *file = g_file_new_for_path (help);

  gimp_plug_in_set_help_domain (plug_in, OAIMG_HELP_DOMAIN, file);
  g_object_unref (file);
  g_free (help);
  g_free (dir);
  g_free (exe);
}

/* GIMP 3.0 localizes only the known part of a menu path (<Image>/Filters); the plug-in's own
 * submenu must come translated, with its mnemonic (libgimp's gimp_procedure_add_menu_path
 * documentation: "you should localize unknown parts of the path"). */
static void
add_menu_path (GimpProcedure *procedure, const char *section)
{
  char *path = g_strdup_printf ("%s/%s/%s", OAIMG_MENU_PARENT, _(oaimg_menu_branch_label ()),
                                section);

  gimp_procedure_add_menu_path (procedure, path);
  g_free (path);
}

static GList *
oaimg_query_procedures (GimpPlugIn *plug_in)
{
  GList *list = NULL;

  /* No gimp_plug_in_add_menu_branch: GIMP 3.0 records a branch and never shows it (nothing in
   * app/ reads gimp_plug_in_manager_get_menu_branches or listens to "menu-branch-added"). The
   * submenu is the translated segment of each procedure's menu path (menu_path below). */
  register_help (plug_in);
  list = g_list_append (list, g_strdup (PROC_EDIT));
  list = g_list_append (list, g_strdup (PROC_VARIATION));
  list = g_list_append (list, g_strdup (PROC_GENERATE));
  list = g_list_append (list, g_strdup (PROC_EXTEND));
  list = g_list_append (list, g_strdup (PROC_NEXT));
  list = g_list_append (list, g_strdup (PROC_PREVIOUS));
  list = g_list_append (list, g_strdup (PROC_KEEP));
  list = g_list_append (list, g_strdup (PROC_SETTINGS));
  return list;
}

static GimpValueArray *
error_return (GimpProcedure *procedure, GimpPDBStatusType status, GError *error)
{
  return gimp_procedure_new_return_values (procedure, status, error);
}

static oaimg_context_mode
context_from_config (GimpProcedureConfig *config)
{
  return (oaimg_context_mode) gimp_procedure_config_get_choice_id (config, "context");
}

/* GIMP keeps a procedure's last values only after a successful run: the dialog's own copy is
 * stored on every run, so that a failed or cancelled one comes back with all that was typed. */
static void
restore_dialog_values (const char *profile, oaimg_operation operation,
                       GimpProcedureConfig *config)
{
  OaimgDialogValues values = { 0 };

  if (!oaimg_dialog_values_load (profile, operation, &values))
    return;
  g_object_set (config, "prompt", values.prompt ? values.prompt : "", "n", values.n,
                "model", values.model ? values.model : "",
                "size", values.size && values.size[0] ? values.size : "auto", NULL);
  for (const char *const *p = (const char *const[]) { "quality", "background", NULL }; *p; p++)
    {
      const char *value = strcmp (*p, "quality") == 0 ? values.quality : values.background;
      /* A value from an older version that the choice no longer has is left as it is. */
      if (value && gimp_choice_is_valid (gimp_param_spec_choice_get_choice (
                     g_object_class_find_property (G_OBJECT_GET_CLASS (config), *p)), value))
        g_object_set (config, *p, value, NULL);
    }
  if (values.context >= OAIMG_CONTEXT_AUTO && values.context <= OAIMG_CONTEXT_IMAGE)
    g_object_set (config, "context",
                  values.context == OAIMG_CONTEXT_IMAGE       ? "image"
                  : values.context == OAIMG_CONTEXT_SELECTION ? "selection"
                                                              : "auto",
                  NULL);
  g_object_set (config, "sample-merged", values.sample_merged, NULL);
  oaimg_dialog_values_clear (&values);
}

static void
store_dialog_values (const char *profile, oaimg_operation operation,
                     GimpProcedureConfig *config)
{
  OaimgDialogValues values = { 0 };

  g_object_get (config, "prompt", &values.prompt, "n", &values.n, "model", &values.model,
                "size", &values.size, "quality", &values.quality,
                "background", &values.background, "sample-merged", &values.sample_merged,
                NULL);
  values.context = context_from_config (config);
  /* Not being able to remember is no reason to fail the run. */
  oaimg_dialog_values_save (profile, operation, &values, NULL);
  oaimg_dialog_values_clear (&values);
}

/* Inpaint Selection's guide layer argument (NULL = none), read as the run sends it. */
static gboolean
read_guide_argument (GimpImage *image, GimpDrawable *drawable, GimpProcedureConfig *config,
                     OaimgGuide *guide, gboolean *has_guide, GError **error)
{
  GimpLayer *layer = NULL;
  gboolean   ok    = TRUE;

  g_object_get (config, "guide", &layer, NULL);
  *has_guide = layer != NULL;
  if (layer)
    {
      ok = host_gimp3_read_guide (image, layer, drawable, guide, error);
      g_object_unref (layer);
    }
  return ok;
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
  gimp_ui_init ("oaimg");
  if (oaimg_key_source (profile) == OAIMG_KEY_NONE && no_key_dialog_run (profile))
    {
      oaimg_client_free (client);
      oaimg_settings_clear (settings);
      oaimg_settings_load (profile, settings);
      client = oaimg_settings_make_client (profile, settings, error);
    }
  return client;
}

/* What GIMP gets for a failed run: a cancel is a cancel, not an error. */
static GimpValueArray *
failure_return (GimpProcedure *procedure, GError *error)
{
  if (error && error->domain == OAIMG_PLUGIN_ERROR && error->code == OAIMG_ERR_CANCELLED)
    {
      g_clear_error (&error);
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
    }
  return error_return (procedure, GIMP_PDB_EXECUTION_ERROR, error);
}

/* Every job after its dialog: the progress window (interactive) or GIMP's bar, the job, and the
 * new layers or the failure for GIMP. The caller keeps what it passed. */
static GimpValueArray *
run_and_return (GimpProcedure *procedure, GimpRunMode run_mode, HostGimp3 *host,
                oaimg_client *client, const OaimgJobParams *params, const OaimgSource *source,
                const OaimgSettings *settings)
{
  OaimgHost       iface;
  GError         *error = NULL;
  GimpValueArray *values;
  gboolean        ok;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    host->window = progress_window_new (params);
  iface = host_gimp3_interface (host);
  /* With the progress window up, GIMP's own progress (and its second Cancel) stays away. */
  if (host->window == NULL)
    gimp_progress_init (oaimg_message_for_stage (OAIMG_STAGE_PREPARING));
  ok = oaimg_job_run (&iface, client, params, source, settings, &error);
  if (host->window == NULL)
    gimp_progress_end ();
  else
    progress_window_destroy (host->window);
  host->window = NULL;
  if (!ok)
    return failure_return (procedure, error);
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_CORE_OBJECT_ARRAY (values, 1, host->created);
  g_clear_pointer (&host->created, g_free);
  return values;
}

static GimpValueArray *
run_job (GimpProcedure        *procedure,
         GimpRunMode           run_mode,
         GimpImage            *image,
         GimpDrawable        **drawables,
         GimpProcedureConfig  *config,
         gpointer              run_data)
{
  oaimg_operation  operation = (oaimg_operation) GPOINTER_TO_INT (run_data);
  const char      *profile   = gimp_directory ();
  GimpDrawable    *drawable  = NULL;
  OaimgSettings    settings;
  OaimgSource      source    = { 0 };
  OaimgJobParams   params    = { 0 };
  OaimgReferences  references = { 0 };
  oaimg_client    *client    = NULL;
  HostGimp3        host      = { 0 };
  GError          *error     = NULL;
  GimpValueArray  *values;
  gchar           *prompt = NULL, *model = NULL, *size = NULL;
  gchar           *quality = NULL, *background = NULL;
  gint             n = 1;
  gboolean         sample_merged = FALSE;
  OaimgGuide       guide     = { 0 };
  gboolean         has_guide = FALSE;

  gegl_init (NULL, NULL);
  /* Read before the dialog: the source it previews depends on it. Sending only what is shown
   * also covers a layer group as the active layer. */
  if (run_mode == GIMP_RUN_INTERACTIVE)
    restore_dialog_values (profile, operation, config);
  g_object_get (config, "sample-merged", &sample_merged, NULL);
  if (run_mode == GIMP_RUN_INTERACTIVE && !sample_merged && drawables && drawables[0] &&
      gimp_item_is_group (GIMP_ITEM (drawables[0])) && operation != OAIMG_GENERATE)
    {
      /* A group has no pixels of its own: what it shows is what can be sent, and the dialog
       * shows the box ticked. */
      sample_merged = TRUE;
      g_object_set (config, "sample-merged", TRUE, NULL);
    }

  if (drawables != NULL && drawables[0] != NULL)
    {
      /* An edit sends the other selected layers as references; a variation has one image. */
      if (drawables[1] != NULL && operation == OAIMG_VARIATION)
        {
          g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, OAIMG_PLUGIN_ERROR_HOST,
                               _("Select exactly one layer to work on."));
          return error_return (procedure, GIMP_PDB_CALLING_ERROR, error);
        }
      drawable = drawables[0];
    }

  if (!host_gimp3_read_source (image, drawable, operation, sample_merged, &source, &error))
    return error_return (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  /* Checked before the dialog so that the user learns it before typing a prompt. */
  if (operation == OAIMG_EDIT && source.selection == NULL)
    {
      g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_NO_SELECTION,
                           _("Select the area to repaint, then run Inpaint Selection again."));
      oaimg_source_clear (&source);
      return error_return (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  if (operation == OAIMG_EDIT)
    host_gimp3_read_references (image, drawables, &references);

  client = open_client (profile, run_mode, &settings, &error);
  if (client == NULL)
    goto fail;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gboolean send;

      send = job_dialog_run (procedure, config, operation, client, image, drawable, &source,
                             &references, settings.default_model, profile);
      store_dialog_values (profile, operation, config);
      if (!send)
        {
          oaimg_client_free (client);
          oaimg_source_clear (&source);
          oaimg_references_clear (&references);
          oaimg_settings_clear (&settings);
          return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
        }
    }
  if (operation == OAIMG_EDIT &&
      !read_guide_argument (image, drawable, config, &guide, &has_guide, &error))
    goto fail;

  /* Choice arguments hold their nick ("auto", "low", ...), which is what the API takes. */
  g_object_get (config, "prompt", &prompt, "n", &n, "model", &model, "size", &size,
                "quality", &quality, "background", &background, NULL);
  params.operation  = operation;
  params.prompt     = prompt;
  params.n          = n;
  params.model      = model;
  params.size       = size;
  params.context    = context_from_config (config);
  params.quality    = quality;
  params.background = background;
  params.references = &references;
  params.guide      = has_guide ? &guide : NULL;
  if (run_mode == GIMP_RUN_INTERACTIVE)
    oaimg_prompt_history_add (profile, prompt, NULL);

  host.image  = image;
  host.anchor = drawable && GIMP_IS_LAYER (drawable) && !GIMP_IS_LAYER_MASK (drawable)
                  ? GIMP_LAYER (drawable) : NULL;
  values = run_and_return (procedure, run_mode, &host, client, &params, &source, &settings);

  g_free (prompt);
  g_free (model);
  g_free (size);
  g_free (quality);
  g_free (background);
  oaimg_client_free (client);
  oaimg_source_clear (&source);
  oaimg_references_clear (&references);
  oaimg_settings_clear (&settings);
  oaimg_guide_clear (&guide);
  return values;

fail:
  oaimg_guide_clear (&guide);
  oaimg_client_free (client);
  oaimg_source_clear (&source);
  oaimg_references_clear (&references);
  oaimg_settings_clear (&settings);
  return failure_return (procedure, error);
}

/* Extend Canvas's dialog, started from the config; afterwards the config holds the margins it
 * decided on (aspect "none"), which GIMP repeats with the last values. FALSE when cancelled. */
static gboolean
extend_dialog (GimpProcedureConfig *config, GimpImage *image, oaimg_client *client,
               const OaimgSettings *settings, const char *profile, OaimgExtendValues *v,
               OaimgExtendPlan *plan)
{
  gboolean send = extend_dialog_run (v, gimp_image_get_width (image),
                                     gimp_image_get_height (image), client,
                                     settings->default_model, profile, plan);

  g_object_set (config, "prompt", v->prompt, "n", v->n, "model", v->model, NULL);
  if (plan->problem == NULL)
    g_object_set (config, "left", (gint) plan->margins[0], "top", (gint) plan->margins[1],
                  "right", (gint) plan->margins[2], "bottom", (gint) plan->margins[3],
                  "aspect", "none", NULL);
  return send;
}

/* Extend Canvas: the image as shown is the source; the margins come from the dialog, or from
 * the arguments (the aspect ratio when one is given). */
static GimpValueArray *
run_extend (GimpProcedure        *procedure,
            GimpRunMode           run_mode,
            GimpImage            *image,
            GimpDrawable        **drawables,
            GimpProcedureConfig  *config,
            gpointer              run_data)
{
  const char       *profile = gimp_directory ();
  OaimgSettings     settings;
  OaimgSource       source  = { 0 };
  OaimgJobParams    params  = { 0 };
  OaimgExtendValues v;
  OaimgExtendPlan   plan    = { 0 };
  oaimg_client     *client  = NULL;
  HostGimp3         host    = { 0 };
  GError           *error   = NULL;
  GimpValueArray   *values  = NULL;
  gchar            *aspect  = NULL;

  (void) run_data;
  gegl_init (NULL, NULL);
  oaimg_extend_values_init (&v);
  g_clear_pointer (&v.prompt, g_free);
  g_clear_pointer (&v.model, g_free);
  g_object_get (config, "prompt", &v.prompt, "n", &v.n, "model", &v.model, "left", &v.margins[0],
                "top", &v.margins[1], "right", &v.margins[2], "bottom", &v.margins[3],
                "aspect", &aspect, NULL);
  client = open_client (profile, run_mode, &settings, &error);
  if (client == NULL)
    goto out;
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      if (!extend_dialog (config, image, client, &settings, profile, &v, &plan))
        {
          values = gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
          goto out;
        }
      if (plan.problem)
        {
          /* Send is off while there is one: only a changed image gets here. */
          g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, OAIMG_ERR_INVALID_ARGUMENT,
                               plan.problem);
          goto out;
        }
      oaimg_extend_params (&v, &plan, &params);
    }
  else
    {
      params.operation = OAIMG_EDIT;
      params.prompt    = v.prompt;
      params.n         = v.n;
      params.model     = v.model;
      params.size      = "auto";
      if (!oaimg_extend_margins (gimp_image_get_width (image), gimp_image_get_height (image),
                                 aspect, v.margins[0], v.margins[1], v.margins[2], v.margins[3],
                                 &params, &error))
        goto out;
    }
  if (!host_gimp3_read_canvas (image, &source, &error))
    goto out;

  host.image     = image;
  host.anchor    = drawables && drawables[0] && GIMP_IS_LAYER (drawables[0]) &&
                   !GIMP_IS_LAYER_MASK (drawables[0]) ? GIMP_LAYER (drawables[0]) : NULL;
  host.extend[0] = params.extend_left;
  host.extend[1] = params.extend_top;
  host.extend[2] = params.extend_right;
  host.extend[3] = params.extend_bottom;
  values = run_and_return (procedure, run_mode, &host, client, &params, &source, &settings);

out:
  oaimg_client_free (client);
  oaimg_settings_clear (&settings);
  oaimg_source_clear (&source);
  oaimg_extend_values_clear (&v);
  oaimg_extend_plan_clear (&plan);
  g_free (aspect);
  return values ? values : failure_return (procedure, error);
}

/* Next, previous and keep: choosing among the results of the group under the active layer. */
static GimpValueArray *
run_choose (GimpProcedure        *procedure,
            GimpRunMode           run_mode,
            GimpImage            *image,
            GimpDrawable        **drawables,
            GimpProcedureConfig  *config,
            gpointer              run_data)
{
  const char     *name  = gimp_procedure_get_name (procedure);
  GimpGroupLayer *group = NULL;
  GimpItem      **children;
  gboolean       *visible, *shown, *removed;
  GError         *error = NULL;
  int             count = 0, chosen;

  (void) run_mode;
  (void) config;
  (void) run_data;
  if (drawables && drawables[0])
    group = host_gimp3_result_group (GIMP_ITEM (drawables[0]));
  if (group == NULL)
    {
      g_set_error_literal (&error, OAIMG_PLUGIN_ERROR, OAIMG_PLUGIN_ERROR_HOST,
                           oaimg_message_no_results ());
      return error_return (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  children = gimp_item_get_children (GIMP_ITEM (group));
  while (children[count])
    count++;
  visible = g_new0 (gboolean, count);
  shown   = g_new0 (gboolean, count);
  removed = g_new0 (gboolean, count);
  for (int i = 0; i < count; i++)
    visible[i] = gimp_item_get_visible (children[i]);

  chosen = oaimg_results_choose (g_strcmp0 (name, PROC_KEEP) == 0   ? OAIMG_CHOOSE_KEEP
                                 : g_strcmp0 (name, PROC_NEXT) == 0 ? OAIMG_CHOOSE_NEXT
                                                                    : OAIMG_CHOOSE_PREVIOUS,
                                 visible, count, shown, removed);
  gimp_image_undo_group_start (image);
  for (int i = 0; i < count; i++)
    {
      if (removed[i])
        gimp_image_remove_layer (image, GIMP_LAYER (children[i]));
      else
        gimp_item_set_visible (children[i], shown[i]);
    }
  gimp_image_undo_group_end (image);
  {
    GimpLayer *shown[2] = { GIMP_LAYER (children[chosen]), NULL };
    gimp_image_set_selected_layers (image, (const GimpLayer **) shown);
  }
  gimp_displays_flush ();
  g_free (visible);
  g_free (shown);
  g_free (removed);
  g_free (children);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

static GimpValueArray *
run_settings (GimpProcedure        *procedure,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  GimpRunMode run_mode;
  GError     *error = NULL;

  (void) run_data;
  g_object_get (config, "run-mode", &run_mode, NULL);
  /* There is nothing to do without a user: settings are changed in the dialog or the file. */
  if (run_mode != GIMP_RUN_INTERACTIVE)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);

  gimp_ui_init ("oaimg");
  if (!settings_dialog_run (gimp_directory (), &error))
    {
      if (error == NULL)
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
      return error_return (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

static void
add_job_arguments (GimpProcedure *procedure, oaimg_operation operation)
{
  gimp_procedure_add_string_argument (procedure, "prompt", _("Prompt"),
                                      operation == OAIMG_VARIATION
                                        ? _("What the variations should show; may be empty")
                                        : _("What the picture should show"),
                                      "", G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "n", _("_Number of images"),
                                   _("How many results to make, each as its own layer"),
                                   1, 10, 1, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "model", _("_Model"),
                                      _("The model; empty for the default from Settings"),
                                      "", G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "size", _("_Size"),
                                      _("The size asked of the model, \"auto\" to plan it from "
                                        "the region"),
                                      "auto", G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "context", _("Con_text"),
                                      _("How much of the image around the selection the model "
                                        "sees"),
                                      gimp_choice_new_with_values (
                                        "auto", OAIMG_CONTEXT_AUTO,
                                        _("Selection with a margin"), NULL,
                                        "selection", OAIMG_CONTEXT_SELECTION,
                                        _("Selection only"), NULL,
                                        "image", OAIMG_CONTEXT_IMAGE,
                                        _("Whole layer"), NULL,
                                        NULL),
                                      "auto", G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "quality", _("_Quality"),
                                      _("Rendering quality, for models that accept it"),
                                      gimp_choice_new_with_values (
                                        "auto", 0, _("Automatic"), NULL,
                                        "low", 1, _("Low"), NULL,
                                        "medium", 2, _("Medium"), NULL,
                                        "high", 3, _("High"), NULL,
                                        NULL),
                                      "auto", G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "background", _("_Background"),
                                      _("Transparent or opaque background, for models that "
                                        "accept it"),
                                      gimp_choice_new_with_values (
                                        "auto", 0, _("Automatic"), NULL,
                                        "opaque", 1, _("Opaque"), NULL,
                                        "transparent", 2, _("Transparent"), NULL,
                                        NULL),
                                      "auto", G_PARAM_READWRITE);
  /* GIMP's own term, as in its selection tools. */
  gimp_procedure_add_boolean_argument (procedure, "sample-merged", _("Sample merge_d"),
                                       _("Send the image as it is shown (all visible layers) "
                                         "instead of the active layer alone"),
                                       FALSE, G_PARAM_READWRITE);
  gimp_procedure_add_core_object_array_return_value (procedure, "layers", _("Layers"),
                                                     _("The result layers, one per image"),
                                                     GIMP_TYPE_LAYER, G_PARAM_READWRITE);
}

static gboolean
run_choose_procedure (const char *name)
{
  return g_strcmp0 (name, PROC_NEXT) == 0 || g_strcmp0 (name, PROC_PREVIOUS) == 0 ||
         g_strcmp0 (name, PROC_KEEP) == 0;
}

static GimpProcedure *
oaimg_create_procedure (GimpPlugIn *plug_in, const gchar *name)
{
  GimpProcedure  *procedure = NULL;
  oaimg_operation operation;

  if (g_strcmp0 (name, PROC_SETTINGS) == 0)
    {
      procedure = gimp_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run_settings,
                                      NULL, NULL);
      gimp_procedure_set_menu_label (procedure, _("_Settings…"));
      gimp_procedure_set_documentation (procedure,
                                        _("API key, server, default model and timeout"),
                                        _("The key is kept in the desktop keyring when one is "
                                          "running, else in a file in the GIMP profile that only "
                                          "you can read. OPENAI_API_KEY and OPENAI_BASE_URL win "
                                          "when set."),
                                        name);
      gimp_procedure_add_enum_argument (procedure, "run-mode", "Run mode", "The run mode",
                                        GIMP_TYPE_RUN_MODE, GIMP_RUN_INTERACTIVE,
                                        G_PARAM_READWRITE);
      gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_ALWAYS);
    }
  else if (run_choose_procedure (name))
    {
      procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run_choose,
                                            NULL, NULL);
      gimp_procedure_set_image_types (procedure, "*");
      gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
      if (g_strcmp0 (name, PROC_NEXT) == 0)
        {
          gimp_procedure_set_menu_label (procedure, _("Show Ne_xt Result"));
          gimp_procedure_set_documentation (procedure,
                                            _("Show the next result of the group"),
                                            _("Hides the shown result of the group under the "
                                              "active layer and shows the next one (after the "
                                              "last, the first)."),
                                            name);
        }
      else if (g_strcmp0 (name, PROC_PREVIOUS) == 0)
        {
          gimp_procedure_set_menu_label (procedure, _("Show _Previous Result"));
          gimp_procedure_set_documentation (procedure,
                                            _("Show the previous result of the group"),
                                            _("Hides the shown result of the group under the "
                                              "active layer and shows the one before it (before "
                                              "the first, the last)."),
                                            name);
        }
      else
        {
          gimp_procedure_set_menu_label (procedure, _("_Keep Shown Result"));
          gimp_procedure_set_documentation (procedure,
                                            _("Keep the shown result and remove the others"),
                                            _("Removes every result of the group under the active "
                                              "layer except the shown one, as one undo step."),
                                            name);
        }
    }
  else if (g_strcmp0 (name, PROC_EXTEND) == 0)
    {
      const OaimgProcedureInfo *info = oaimg_procedure_find (name, NULL);
      GimpChoice               *aspects = gimp_choice_new ();
      const char *const        *aspect_ids = oaimg_extend_aspects ();

      procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run_extend,
                                            NULL, NULL);
      gimp_procedure_set_image_types (procedure, "*");
      gimp_procedure_set_menu_label (procedure, _(info->menu_label));
      gimp_procedure_set_documentation (procedure, _(info->blurb), _(info->help), name);
      gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE |
                                                      GIMP_PROCEDURE_SENSITIVE_DRAWABLES |
                                                      GIMP_PROCEDURE_SENSITIVE_NO_DRAWABLES);
      gimp_procedure_add_string_argument (procedure, "prompt", _("Prompt"),
                                          _("What the new area should show"), "",
                                          G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "n", _("_Number of images"),
                                       _("How many results to make, each as its own layer"),
                                       1, 10, 1, G_PARAM_READWRITE);
      gimp_procedure_add_string_argument (procedure, "model", _("_Model"),
                                          _("The model; empty for the default from Settings"),
                                          "", G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "left", _("_Left"),
                                       _("Pixels added on the left"), 0, OAIMG_EXTEND_MAX_MARGIN,
                                       0, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "top", _("_Top"), _("Pixels added at the top"),
                                       0, OAIMG_EXTEND_MAX_MARGIN, 0, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "right", _("_Right"),
                                       _("Pixels added on the right"), 0,
                                       OAIMG_EXTEND_MAX_MARGIN, 0, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "bottom", _("_Bottom"),
                                       _("Pixels added at the bottom"), 0,
                                       OAIMG_EXTEND_MAX_MARGIN, 0, G_PARAM_READWRITE);
      for (int i = 0; aspect_ids[i]; i++)
        gimp_choice_add (aspects, aspect_ids[i], i,
                         i == 0 ? _("Pixels on each side") : aspect_ids[i], NULL);
      gimp_procedure_add_choice_argument (procedure, "aspect", _("_Aspect ratio"),
                                          _("Grow the canvas to this aspect ratio instead of by "
                                            "the pixels given"),
                                          aspects, "none", G_PARAM_READWRITE);
      gimp_procedure_add_core_object_array_return_value (procedure, "layers", _("Layers"),
                                                         _("The result layers, one per image"),
                                                         GIMP_TYPE_LAYER, G_PARAM_READWRITE);
    }
  else
    {
      if (g_strcmp0 (name, PROC_EDIT) == 0)
        operation = OAIMG_EDIT;
      else if (g_strcmp0 (name, PROC_VARIATION) == 0)
        operation = OAIMG_VARIATION;
      else if (g_strcmp0 (name, PROC_GENERATE) == 0)
        operation = OAIMG_GENERATE;
      else
        return NULL;

      procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run_job,
                                            GINT_TO_POINTER (operation), NULL);
      gimp_procedure_set_image_types (procedure, "*");
      switch (operation)
        {
        case OAIMG_EDIT:
          gimp_procedure_set_menu_label (procedure, _("_Inpaint Selection…"));
          gimp_procedure_set_documentation (procedure,
                                            _("Repaint the selection from a prompt"),
                                            _("Sends the selected part of the active layer with "
                                              "its surroundings to the model and adds the results "
                                              "as a layer group above the layer, each masked to "
                                              "the selection."),
                                            name);
          /* Several selected layers: the first is edited, the others are its references. */
          gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE |
                                                          GIMP_PROCEDURE_SENSITIVE_DRAWABLES);
          break;
        case OAIMG_VARIATION:
          gimp_procedure_set_menu_label (procedure, _("_Variations…"));
          gimp_procedure_set_documentation (procedure,
                                            _("Variations of the selection or the layer"),
                                            _("Asks the model for variations of the selected "
                                              "region (or the whole layer) and adds them as a "
                                              "layer group above the layer."),
                                            name);
          gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
          break;
        default:
          gimp_procedure_set_menu_label (procedure, _("_New Layers from Prompt…"));
          gimp_procedure_set_documentation (procedure,
                                            _("Generate new layers from a prompt"),
                                            _("Generates images from a prompt to fill the "
                                              "selection's bounds (or the canvas) and adds them as "
                                              "a layer group."),
                                            name);
          gimp_procedure_set_sensitivity_mask (procedure,
                                               GIMP_PROCEDURE_SENSITIVE_DRAWABLE |
                                               GIMP_PROCEDURE_SENSITIVE_DRAWABLES |
                                               GIMP_PROCEDURE_SENSITIVE_NO_DRAWABLES);
          break;
        }
      add_job_arguments (procedure, operation);
      /* Last and optional, so that calls written before it still work. */
      if (operation == OAIMG_EDIT)
        gimp_procedure_add_layer_argument (procedure, "guide", _("_Guide layer"),
                                           _("A layer drawn over the image (arrows, scribbles "
                                             "on transparency) that guides the edit, for the "
                                             "GPT Image 2.5 models; none for no guide"),
                                           TRUE, G_PARAM_READWRITE);
    }

  /* Sections: the three jobs, choosing among results, then Settings last after a separator. */
  if (g_strcmp0 (name, PROC_SETTINGS) == 0)
    add_menu_path (procedure, "[Settings]");
  else if (run_choose_procedure (name))
    add_menu_path (procedure, "[Results]");
  else
    add_menu_path (procedure, "[Jobs]");
  gimp_procedure_set_attribution (procedure, "oaimg contributors", "oaimg contributors", "2026");
  return procedure;
}
