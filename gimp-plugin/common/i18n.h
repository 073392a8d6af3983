/* gettext for the plug-in's own text domain (GETTEXT_PACKAGE, "oaimg"): dgettext, so that the
 * strings translate whatever domain the host program made the default. */
#ifndef OAIMG_I18N_H
#define OAIMG_I18N_H

#include <glib/gi18n-lib.h>

#endif
