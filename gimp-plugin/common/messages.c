/* Failures and stages in words a GIMP user can act on. The library's own message (English, with
 * the parameter and value at fault) follows as the detail. */
#include "oaimg_plugin.h"

#include "i18n.h"

const char *
oaimg_message_for_stage (oaimg_stage stage)
{
  switch (stage)
    {
    case OAIMG_STAGE_PREPARING: return _("Preparing the image");
    case OAIMG_STAGE_SENDING:   return _("Sending to the server");
    case OAIMG_STAGE_WAITING:   return _("Waiting for the server");
    case OAIMG_STAGE_RECEIVING: return _("Receiving the results");
    case OAIMG_STAGE_RETRYING:  return _("Waiting before trying again");
    case OAIMG_STAGE_PLACING:   return _("Placing the results");
    case OAIMG_STAGE_DONE:      return _("Done");
    }
  return _("Working");
}

char *
oaimg_message_for_failure (oaimg_status status, const oaimg_client *client)
{
  const char *detail     = oaimg_client_error_message (client);
  const char *request_id = oaimg_client_error_request_id (client);
  int         http       = oaimg_client_error_http_status (client);
  int64_t     wait_ms    = oaimg_client_error_retry_after_ms (client);
  char       *headline   = NULL;
  char       *message;

  if (detail == NULL)
    detail = "";
  switch (status)
    {
    case OAIMG_ERR_NO_API_KEY:
      headline = g_strdup (_("No API key is set. Enter one in Filters ▸ OpenAI Images ▸ "
                             "Settings…, or set OPENAI_API_KEY."));
      break;
    case OAIMG_ERR_AUTHENTICATION:
      /* Say which key was refused: OPENAI_API_KEY wins over Settings, so pointing at Settings
       * would send the user to change a key that is not used. */
      if (g_getenv ("OPENAI_API_KEY") && g_getenv ("OPENAI_API_KEY")[0])
        headline = g_strdup (_("The server refused the API key from the environment variable "
                               "OPENAI_API_KEY, which is used instead of the key in Settings. "
                               "Correct or unset the variable."));
      else
        headline = g_strdup (_("The server refused the API key stored in Settings. Enter the "
                               "right key in Filters ▸ OpenAI Images ▸ Settings…"));
      break;
    case OAIMG_ERR_PERMISSION:
      headline = g_strdup (_("The server denied access (for example, the organization is not "
                             "verified for this model)."));
      break;
    case OAIMG_ERR_RATE_LIMITED:
      if (wait_ms >= 0)
        {
          int seconds = (int) MAX (1, (wait_ms + 999) / 1000);
          headline = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "The server's rate limit was reached. Try "
                                                   "again in %d second.",
                                                   "The server's rate limit was reached. Try "
                                                   "again in %d seconds.",
                                                   seconds),
                                      seconds);
        }
      else
        headline = g_strdup (_("The server's rate limit was reached. Wait a little and try "
                               "again."));
      break;
    case OAIMG_ERR_CONTENT_POLICY:
      headline = g_strdup (_("The request was blocked by the server's content policy. Change the "
                             "prompt or the image."));
      break;
    case OAIMG_ERR_CONNECTION:
      headline = g_strdup_printf (_("The server at %s could not be reached. Check the base URL "
                                    "and the network."),
                                  oaimg_client_base_url (client));
      break;
    case OAIMG_ERR_TIMEOUT:
      headline = g_strdup (_("The server did not answer in time. Try again, or raise the timeout "
                             "in Settings…"));
      break;
    case OAIMG_ERR_SERVER:
      headline = g_strdup_printf (_("The server failed (HTTP %d), also on every retry. Try again "
                                    "later."),
                                  http);
      break;
    case OAIMG_ERR_CANCELLED:
      headline = g_strdup (_("Cancelled. The image was not changed."));
      break;
    case OAIMG_ERR_MODEL_RETIRED:
      headline = g_strdup (_("This model was retired. Choose another model."));
      break;
    case OAIMG_ERR_NOT_FOUND:
      headline = g_strdup (_("The server does not know this model or endpoint."));
      break;
    case OAIMG_ERR_NO_SELECTION:
      headline = g_strdup (_("Select the area to repaint, then run Inpaint Selection again."));
      break;
    case OAIMG_ERR_UNSUPPORTED:
      headline = g_strdup (_("The model does not accept these settings."));
      break;
    case OAIMG_ERR_BAD_REQUEST:
      headline = g_strdup (_("The server rejected the request."));
      break;
    default:
      headline = g_strdup_printf (_("The request failed: %s."), oaimg_status_str (status));
      break;
    }

  if (status == OAIMG_ERR_CANCELLED || status == OAIMG_ERR_NO_API_KEY || detail[0] == '\0')
    message = g_strdup (headline);
  else if (request_id != NULL && request_id[0] != '\0')
    message = g_strdup_printf (_("%s\n\nDetails: %s\nRequest ID: %s"), headline, detail,
                               request_id);
  else
    message = g_strdup_printf (_("%s\n\nDetails: %s"), headline, detail);
  g_free (headline);
  return message;
}
