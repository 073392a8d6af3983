/*
 * oaimg — image generation, inpainting and variations through the OpenAI Images API
 * (and servers that speak it). The stable C interface of liboaimg.so.1.
 *
 * Conventions that hold for every function below unless its comment says otherwise:
 *  - Functions that can fail return an oaimg_status; OAIMG_OK (0) is success. Results come back
 *    through trailing out-parameters, which are written only on success.
 *  - The detail of a failure lives on the handle that failed: oaimg_client_error_message() after a
 *    client call, oaimg_request_error_message() after a request setter. It stays valid until the
 *    next call on that handle.
 *  - Strings are UTF-8 and NUL-terminated. Strings and byte buffers passed in are copied: the caller
 *    may free them as soon as the call returns.
 *  - "const char *" and "const uint8_t *" returned by the library are owned by the handle they came
 *    from and stay valid until that handle is freed, unless the comment says otherwise. Memory that
 *    the library hands over ("caller frees") is released with oaimg_free().
 *  - Every *_free() function accepts NULL.
 *  - Threads: handles are not shared between threads without the caller's own locking; different
 *    handles may be used on different threads at the same time. Callbacks run on the thread that
 *    called oaimg_client_run() / oaimg_client_plan().
 *  - No function throws a C++ exception or aborts on bad input.
 */
#ifndef OAIMG_H
#define OAIMG_H

#include <stddef.h>
#include <stdint.h>

#include "oaimg_export.h"
#include "oaimg_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Status codes. Values are part of the ABI: new codes are appended, none is ever renumbered.       */

typedef enum oaimg_status {
  OAIMG_OK = 0,
  OAIMG_ERR_INVALID_ARGUMENT = 1, /* the caller passed a NULL handle, an out-of-range value, ... */
  OAIMG_ERR_UNSUPPORTED = 2,      /* the model does not accept this parameter, value or operation */
  OAIMG_ERR_MODEL_RETIRED = 3,    /* the model was retired by OpenAI; the message names the successor */
  OAIMG_ERR_NO_API_KEY = 4,       /* no key was set and OPENAI_API_KEY is empty */
  OAIMG_ERR_AUTHENTICATION = 5,   /* HTTP 401: the key was refused */
  OAIMG_ERR_PERMISSION = 6,       /* HTTP 403: e.g. organization verification required */
  OAIMG_ERR_RATE_LIMITED = 7,     /* HTTP 429, still after the allowed retries */
  OAIMG_ERR_CONTENT_POLICY = 8,   /* the prompt or an image was blocked by moderation */
  OAIMG_ERR_BAD_REQUEST = 9,      /* any other 4xx answer of the server */
  OAIMG_ERR_SERVER = 10,          /* 5xx, still after the allowed retries */
  OAIMG_ERR_CONNECTION = 11,      /* the server could not be reached (DNS, refused, TLS) */
  OAIMG_ERR_TIMEOUT = 12,         /* connect or per-attempt timeout, after the allowed retries */
  OAIMG_ERR_CANCELLED = 13,       /* the progress callback asked to stop */
  OAIMG_ERR_BAD_RESPONSE = 14,    /* the server answered 2xx with something that is not a result */
  OAIMG_ERR_IMAGE = 15,           /* an image is not a valid PNG, or exceeds the decoding limits */
  OAIMG_ERR_NO_MEMORY = 16,
  OAIMG_ERR_IO = 17,              /* reading or writing a file failed */
  OAIMG_ERR_INTERNAL = 18,        /* a bug in oaimg: please report the message */
  OAIMG_ERR_NOT_FOUND = 19,       /* HTTP 404: unknown model or endpoint on this server */
  OAIMG_ERR_NO_SELECTION = 20     /* an edit needs a selection, and the selection is empty */
} oaimg_status;

/* A short static English description of a status ("rate limited"); never NULL. */
OAIMG_API const char *oaimg_status_str(oaimg_status status);

/* ---------------------------------------------------------------------------------------------- */
/* Version. OAIMG_VERSION_* in oaimg_version.h give the version compiled against; these functions  */
/* give the version of the library loaded at run time.                                             */

OAIMG_API const char *oaimg_version_string(void); /* "1.0.0", static */
OAIMG_API uint32_t oaimg_version_number(void);    /* major * 10000 + minor * 100 + patch */

/* Memory the library hands to the caller ("caller frees") is released here. NULL is fine. */
OAIMG_API void oaimg_free(void *memory);

/* ---------------------------------------------------------------------------------------------- */
/* Operations and pixel formats.                                                                   */

typedef enum oaimg_operation {
  OAIMG_GENERATE = 1,  /* POST /images/generations */
  OAIMG_EDIT = 2,      /* POST /images/edits */
  OAIMG_VARIATION = 3  /* /images/variations on the DALL·E 2 contract; an edit without mask on GPT models */
} oaimg_operation;

typedef enum oaimg_pixel_format {
  OAIMG_RGBA8 = 1, /* 4 bytes a pixel, straight (not premultiplied) alpha */
  OAIMG_RGB8 = 2,
  OAIMG_GRAY8 = 3,
  OAIMG_GRAYA8 = 4
} oaimg_pixel_format;

/* How much of the image around the selection the model sees. */
typedef enum oaimg_context_mode {
  OAIMG_CONTEXT_AUTO = 0,      /* the selection's bounds grown by a margin that scales with it */
  OAIMG_CONTEXT_SELECTION = 1, /* the selection's bounds only */
  OAIMG_CONTEXT_IMAGE = 2      /* the whole source image */
} oaimg_context_mode;

/* ---------------------------------------------------------------------------------------------- */
/* Models. A table of the models oaimg knows; a name it does not know is passed to the server as it */
/* is and the server decides what it accepts.                                                      */

OAIMG_API size_t oaimg_model_count(void);
/* The index-th known model's name (static), or NULL past the end. */
OAIMG_API const char *oaimg_model_name(size_t index);
/* 1 if the model serves the operation (unknown models: 1), else 0. */
OAIMG_API int oaimg_model_supports(const char *model, oaimg_operation operation);
/* 1 if OpenAI retired the model (it may still run on compatible servers). */
OAIMG_API int oaimg_model_is_retired(const char *model);
/* The model that replaces a retired one (static), or NULL. */
OAIMG_API const char *oaimg_model_replacement(const char *model);
/* The fixed size values the model accepts for the operation, "auto" included where accepted
 * (static strings); size_count is 0 for unknown models. */
OAIMG_API size_t oaimg_model_size_count(const char *model, oaimg_operation operation);
OAIMG_API const char *oaimg_model_size(const char *model, oaimg_operation operation, size_t index);
/* 1 if the model also takes any "WxH" within its rules (sides multiples of 16, ...). */
OAIMG_API int oaimg_model_allows_custom_size(const char *model);
/* 1 if the model streams partial images (stream=true, partial_images). */
OAIMG_API int oaimg_model_supports_streaming(const char *model);
/* 1 if the model takes a markup layer on edits (oaimg_request_set_markup_layer(); the GPT Image
 * 2.5 models), else 0. An unknown model is judged as a request for it would be. */
OAIMG_API int oaimg_model_accepts_markup(const char *model);
/* The most images one request may ask for (n), e.g. 10; 1 means n is fanned out. */
OAIMG_API int oaimg_model_max_n(const char *model);
/* The most images one edit request takes: the edited image plus references (16 on the GPT image
 * models, so at most 15 references), 1 for models that edit one image (dall-e-2), 0 for models
 * that make no edits. Unknown models: 16 (the server decides). */
OAIMG_API int oaimg_model_max_input_images(const char *model);
/* The model used when a request names none (static): for OpenAI's own base URL a live GPT image
 * model, for other servers the DALL·E 2 contract ("dall-e-2") unless overridden by the client. */
OAIMG_API const char *oaimg_default_model(const char *base_url, oaimg_operation operation);
/* The date OpenAI shut a retired model down, "YYYY-MM-DD" (static), or NULL. For announced future
 * shutdowns ask the server: oaimg_client_model_shutdown_warning(). */
OAIMG_API const char *oaimg_model_shutdown_date(const char *model);

/* ---------------------------------------------------------------------------------------------- */
/* Client: connection settings, callbacks and the detail of the last error.                        */

typedef struct oaimg_client oaimg_client;

/* A new client with defaults from the environment: OPENAI_API_KEY, OPENAI_BASE_URL (default
 * "https://api.openai.com/v1"), OPENAI_ORG_ID, OPENAI_PROJECT_ID. Free with oaimg_client_free(). */
OAIMG_API oaimg_status oaimg_client_new(oaimg_client **out_client);
OAIMG_API void oaimg_client_free(oaimg_client *client);

/* The key is kept in memory only and never appears in a message, a log or a file. NULL or "" clears. */
OAIMG_API oaimg_status oaimg_client_set_api_key(oaimg_client *client, const char *api_key);
/* e.g. "https://api.openai.com/v1" or "http://127.0.0.1:8080/v1"; a trailing '/' is ignored. */
OAIMG_API oaimg_status oaimg_client_set_base_url(oaimg_client *client, const char *base_url);
OAIMG_API const char *oaimg_client_base_url(const oaimg_client *client);
OAIMG_API oaimg_status oaimg_client_set_organization(oaimg_client *client, const char *organization);
OAIMG_API oaimg_status oaimg_client_set_project(oaimg_client *client, const char *project);
/* The model used when a request names none; NULL restores oaimg_default_model(). */
OAIMG_API oaimg_status oaimg_client_set_default_model(oaimg_client *client, const char *model);
/* A CA bundle file for TLS verification (verification itself is always on); NULL = system. */
OAIMG_API oaimg_status oaimg_client_set_ca_bundle(oaimg_client *client, const char *path);
/* Timeouts in milliseconds, > 0. Defaults: connect 30000, each attempt 600000. */
OAIMG_API oaimg_status oaimg_client_set_connect_timeout_ms(oaimg_client *client, long milliseconds);
OAIMG_API oaimg_status oaimg_client_set_timeout_ms(oaimg_client *client, long milliseconds);
/* Retries after a failed attempt (connection errors, timeouts, 408, 409, 429, >= 500), 0-10.
 * Default 2. The server's x-should-retry, retry-after-ms and Retry-After headers are honoured. */
OAIMG_API oaimg_status oaimg_client_set_max_retries(oaimg_client *client, int max_retries);

typedef enum oaimg_stage {
  OAIMG_STAGE_PREPARING = 1,  /* planning the region, resampling, encoding PNGs */
  OAIMG_STAGE_SENDING = 2,    /* uploading */
  OAIMG_STAGE_WAITING = 3,    /* the server is working */
  OAIMG_STAGE_RECEIVING = 4,  /* downloading results (and url results) */
  OAIMG_STAGE_RETRYING = 5,   /* waiting before a retry */
  OAIMG_STAGE_PLACING = 6,    /* scaling results back and building masks */
  OAIMG_STAGE_DONE = 7
} oaimg_stage;

/* Called during oaimg_client_run() at least every 100 ms while it waits, and at every stage change.
 * fraction is the job's overall progress in [0, 1], or -1 when unknown. Return non-zero to cancel:
 * transfers are aborted at once and the run returns OAIMG_ERR_CANCELLED. */
typedef int (*oaimg_progress_fn)(void *user_data, oaimg_stage stage, double fraction);
OAIMG_API void oaimg_client_set_progress_callback(oaimg_client *client, oaimg_progress_fn callback,
                                                  void *user_data);

/* Called for each streamed partial image as it arrives (requests with stream enabled). png is the
 * image as the server sent it (usually PNG), valid only during the call. result_index is the image
 * the partial belongs to (0 .. n-1). */
typedef void (*oaimg_partial_image_fn)(void *user_data, size_t result_index, int partial_index,
                                       const uint8_t *image, size_t image_size);
OAIMG_API void oaimg_client_set_partial_image_callback(oaimg_client *client,
                                                       oaimg_partial_image_fn callback,
                                                       void *user_data);

/* The detail of the last failed call on this client. Message: one readable English line naming
 * what is wrong and what would be right ("" after success). HTTP status: 0 when no response.
 * type / code / param: the API's error fields, or NULL. request_id: the server's x-request-id, or
 * NULL. retry_after_ms: the server's requested wait on a rate limit, or -1. */
OAIMG_API const char *oaimg_client_error_message(const oaimg_client *client);
OAIMG_API int oaimg_client_error_http_status(const oaimg_client *client);
OAIMG_API const char *oaimg_client_error_type(const oaimg_client *client);
OAIMG_API const char *oaimg_client_error_code(const oaimg_client *client);
OAIMG_API const char *oaimg_client_error_param(const oaimg_client *client);
OAIMG_API const char *oaimg_client_error_request_id(const oaimg_client *client);
OAIMG_API int64_t oaimg_client_error_retry_after_ms(const oaimg_client *client);

/* Asks the server (GET /models/{model}; NULL = the model a request naming none would use) when the
 * model shuts down. When that date is at most within_days days away (or past), *out_warning is one
 * English line naming the model, the date and, where oaimg knows one, the replacement (caller
 * frees with oaimg_free()); otherwise NULL. Asks at most once a UTC day per model: a stamp file
 * under $XDG_CACHE_HOME/oaimg (else ~/.cache/oaimg) makes later calls that day return OAIMG_OK
 * with NULL at once. One attempt of at most 10 s, no retries; the progress callback is called
 * while it waits (stage OAIMG_STAGE_PREPARING) and may cancel it. A failure (no key, no connection,
 * an unknown model) returns its status with the detail on the client: a host warns about it at
 * most and never fails the user's job because of it. */
OAIMG_API oaimg_status oaimg_client_model_shutdown_warning(oaimg_client *client, const char *model,
                                                           int within_days, char **out_warning);

/* For a progress display, from the progress callback (or after the run): the results received so
 * far of the total the run asks for, and while a retry waits (OAIMG_STAGE_RETRYING) its reason
 * ("rate limited (HTTP 429)", "HTTP 503", "timed out", "connection failed"; valid until the next
 * callback), which retry it is (1 = the first) and the milliseconds until it starts. Without a
 * retry waiting: reason NULL, attempt 0, milliseconds -1. Any out-pointer may be NULL. */
OAIMG_API void oaimg_client_progress_detail(const oaimg_client *client, int *results_received,
                                            int *results_total, const char **retry_reason,
                                            int *retry_attempt, int64_t *retry_in_ms);

/* ---------------------------------------------------------------------------------------------- */
/* Request: what to ask for. Setters store the value; it is checked against the model's            */
/* capabilities by oaimg_client_plan() / oaimg_client_run(), whose message then names the          */
/* parameter, the value and what is allowed. A string setter given NULL leaves the field unset     */
/* (not sent). Setters fail only on values that are wrong for every model (n = 0, bad UTF-8).      */

typedef struct oaimg_request oaimg_request;

OAIMG_API oaimg_status oaimg_request_new(oaimg_operation operation, oaimg_request **out_request);
OAIMG_API void oaimg_request_free(oaimg_request *request);
OAIMG_API const char *oaimg_request_error_message(const oaimg_request *request);
OAIMG_API oaimg_operation oaimg_request_operation(const oaimg_request *request);

OAIMG_API oaimg_status oaimg_request_set_prompt(oaimg_request *request, const char *prompt);
OAIMG_API oaimg_status oaimg_request_set_model(oaimg_request *request, const char *model);
/* Number of images wanted, >= 1. Models that make one image a request get n parallel requests. */
OAIMG_API oaimg_status oaimg_request_set_n(oaimg_request *request, int n);
/* "auto", "1024x1024", any "WxH" the model allows. Unset with a source: planned from the region. */
OAIMG_API oaimg_status oaimg_request_set_size(oaimg_request *request, const char *size);
OAIMG_API oaimg_status oaimg_request_set_quality(oaimg_request *request, const char *quality);
OAIMG_API oaimg_status oaimg_request_set_background(oaimg_request *request, const char *background);
OAIMG_API oaimg_status oaimg_request_set_output_format(oaimg_request *request, const char *format);
/* 0-100, jpeg/webp only; -1 unsets. */
OAIMG_API oaimg_status oaimg_request_set_output_compression(oaimg_request *request, int compression);
OAIMG_API oaimg_status oaimg_request_set_moderation(oaimg_request *request, const char *moderation);
OAIMG_API oaimg_status oaimg_request_set_input_fidelity(oaimg_request *request, const char *fidelity);
OAIMG_API oaimg_status oaimg_request_set_style(oaimg_request *request, const char *style);
/* "url" or "b64_json" (DALL·E contract only). url results are downloaded; both give image bytes. */
OAIMG_API oaimg_status oaimg_request_set_response_format(oaimg_request *request, const char *format);
OAIMG_API oaimg_status oaimg_request_set_user(oaimg_request *request, const char *user);
/* partial_images 0-3 streams the result (models that support it); -1 turns streaming off. */
OAIMG_API oaimg_status oaimg_request_set_stream(oaimg_request *request, int partial_images);

/* Input images as encoded files (PNG, JPEG or WebP, recognised by their bytes). add_image may be
 * called several times for edits on models taking several images. Sent as they are. */
OAIMG_API oaimg_status oaimg_request_add_image(oaimg_request *request, const uint8_t *data, size_t size);
OAIMG_API oaimg_status oaimg_request_set_mask(oaimg_request *request, const uint8_t *png, size_t size);
OAIMG_API oaimg_status oaimg_request_set_markup(oaimg_request *request, const uint8_t *png, size_t size);

/* Source pixels and selection: the whole job in one call. When a source is set, oaimg plans the
 * region, crops, rescales, builds the mask, encodes the uploads within the model's limits, and
 * places every result back (see oaimg_result_layer()). stride is the distance between rows in
 * bytes (0 = tightly packed). The selection is 8-bit coverage (0 = out, 255 = in, soft edges
 * count); (offset_x, offset_y) is its top-left corner in source coordinates; parts outside the
 * source are ignored. Without a selection, variations and generations use the whole source, and
 * edits fail with OAIMG_ERR_NO_SELECTION. */
OAIMG_API oaimg_status oaimg_request_set_source(oaimg_request *request, const uint8_t *pixels,
                                                uint32_t width, uint32_t height, size_t stride,
                                                oaimg_pixel_format format);
/* The same source without a copy: sets a width x height source of the given format, fully
 * transparent (all bytes 0), owned by the request, and returns its pixels for the caller to fill
 * in place, with *stride (if non-NULL) set to its row distance in bytes (tightly packed). The
 * pointer stays valid until the next oaimg_request_set_source*() / oaimg_request_source_buffer()
 * call on this request or oaimg_request_free(); fill it before oaimg_client_run(). A host reading
 * a large layer this way holds its pixels once, not twice. Returns NULL on bad arguments or when
 * the memory cannot be had (see oaimg_request_error_message()), with *stride 0. */
OAIMG_API uint8_t *oaimg_request_source_buffer(oaimg_request *request, uint32_t width,
                                               uint32_t height, oaimg_pixel_format format,
                                               size_t *stride);
OAIMG_API oaimg_status oaimg_request_set_selection(oaimg_request *request, const uint8_t *coverage,
                                                   uint32_t width, uint32_t height, size_t stride,
                                                   int32_t offset_x, int32_t offset_y);
OAIMG_API oaimg_status oaimg_request_set_context_mode(oaimg_request *request, oaimg_context_mode mode);
/* The prompt a variation on a GPT model sends when the request has none (static). */
OAIMG_API const char *oaimg_default_variation_prompt(void);
/* A stable identifier of the end user (hash a user name or e-mail address), for OpenAI's safety
 * monitoring. A non-empty one takes precedence over the deprecated oaimg_request_set_user(); the
 * variations endpoint, which knows only user, gets it as user. NULL or "" leaves it unset. */
OAIMG_API oaimg_status oaimg_request_set_safety_identifier(oaimg_request *request,
                                                           const char *safety_identifier);
/* "low", "medium" or "high": computation spent planning the image, independent of quality (GPT
 * image models; generations and edits). NULL leaves it unset (the model's default). */
OAIMG_API oaimg_status oaimg_request_set_complexity(oaimg_request *request, const char *complexity);
/* With a source, on models taking free sizes, the planned size stays within 2560x1440 (the SDK
 * calls larger resolutions experimental) unless this is non-zero; then up to the model's maximum
 * (3840x2160). The plan's notes say when a size sent is experimental. Default 0. */
OAIMG_API oaimg_status oaimg_request_set_allow_experimental_size(oaimg_request *request, int allow);
/* The source and the selection straight from PNG file bytes, read by the fast path (libdeflate):
 * the pixels go into the request without an RGBA copy in between, in the file's own layout, and
 * the selection is kept as the 8-bit coverage it is, only its covered rectangle (coverage =
 * luma x alpha, so a gray PNG's value is its coverage, white = selected). The selection must have
 * the source's size when a source is set (the error names both sizes). Limits as
 * oaimg_png_decode() with max_pixels 0; a corrupt or truncated file is OAIMG_ERR_IMAGE with
 * oaimg_request_error_message() naming what is wrong. The bytes are not kept. */
OAIMG_API oaimg_status oaimg_request_set_source_png(oaimg_request *request, const uint8_t *png,
                                                    size_t size);
OAIMG_API oaimg_status oaimg_request_set_selection_png(oaimg_request *request, const uint8_t *png,
                                                       size_t size);
/* The source as a PNG file that stays encoded until the job is planned: planning reads only the
 * rows and columns of the planned region, as a stream (zlib, about a mebibyte of rows at a time),
 * so neither the whole file nor a decoded copy of the whole image is held (the file is mapped and
 * the pages read are given back). The header, the limits and the image data's size are checked
 * now; a damaged file is found when planning (OAIMG_ERR_IMAGE, the message starting "source:").
 * The file must not change until the last plan or run of this request. Extend needs the whole
 * source: give it with oaimg_request_set_source_png() (planning an extend refuses this one).
 * Interlaced files are read whole (Adam7 spreads a region over the whole stream). OAIMG_ERR_IO
 * when the file cannot be read. */
OAIMG_API oaimg_status oaimg_request_set_source_png_file(oaimg_request *request, const char *path);

/* The canvas results may cover, as a rectangle in source coordinates; width or height 0 unsets it
 * (the canvas is then the source's own bounds). Canvas the source does not cover is sent to the
 * model as transparent pixels, and a selection may reach into it: a GIMP host passes the image's
 * bounds relative to the active layer (x = -layer_offset_x, y = -layer_offset_y, the image's
 * width and height) so that a selection past the layer's edges is filled too. Results
 * (oaimg_result_layer()) then lie anywhere on the canvas, at negative x / y as well. A canvas
 * (and an extended one) is limited like any image oaimg takes: 100,000,000 pixels, 32768 a side. */
OAIMG_API oaimg_status oaimg_request_set_canvas(oaimg_request *request, int32_t x, int32_t y,
                                                uint32_t width, uint32_t height);
/* Extend: an OAIMG_EDIT that grows the canvas by these margins (pixels; all 0 unsets) and fills
 * the new area from the source. oaimg makes the selection itself: the new area, and a strip of the
 * old image along each grown side that the model repaints and the put-back mask blends across,
 * so no seam shows. A selection set on the request is not used; a canvas may not be set as well.
 * Each result layer covers the extended canvas at (-left, -top); its mask keeps the old image
 * away from the seam. When the new area is larger than the model makes in one request, the region
 * is sent scaled down to as little as half its resolution (oaimg_plan_notes() says by how much);
 * beyond that the new area is filled in overlapping parts at full resolution, one request each
 * in the planned order (left, right, top, bottom, outward from the old image), every part seeing
 * the pixels the earlier ones filled, and all of that once for each of the n results, which are
 * n whole extensions (oaimg_result_image() then is the extended canvas as a PNG). The plan then
 * describes the first part's request; oaimg_plan_request_count() counts them all and the notes
 * say how many parts there are. Streaming does not apply to parts. */
OAIMG_API oaimg_status oaimg_request_set_extend(oaimg_request *request, uint32_t left, uint32_t top,
                                                uint32_t right, uint32_t bottom);
/* The margins that grow a width x height image to the aspect aspect_w:aspect_h (16:9, 3:2, 1:1,
 * 9:16 ..., each 1-100), adding only along the short axis and split evenly between its two
 * sides (the odd pixel goes right or bottom). For oaimg_request_set_extend(). */
OAIMG_API oaimg_status oaimg_extend_margins_for_aspect(uint32_t width, uint32_t height,
                                                       uint32_t aspect_w, uint32_t aspect_h,
                                                       uint32_t *left, uint32_t *top,
                                                       uint32_t *right, uint32_t *bottom);
/* What an extend of a width x height source by these margins does about its size on `model`
 * (NULL or "": permissive caps, as for a name oaimg does not know), decided by the same geometry
 * as oaimg_client_plan(), without pixels or traffic, for a dialog to say before the run. *parts is
 * 1 when one request per result fills the new area: *scale is then the factor the region is sent
 * at (1 = full resolution, down to 0.5) and *sent_width x *sent_height the image sent. Otherwise
 * *parts is the number of overlapping parts (requests) per result, each at full resolution in a
 * window of up to *sent_width x *sent_height (either orientation), neighbours overlapping by
 * *overlap pixels (0 when not in parts). OAIMG_ERR_INVALID_ARGUMENT when the margins are all 0
 * or the extended canvas is over the limits of oaimg_request_set_canvas(). Any out-pointer may
 * be NULL. */
OAIMG_API oaimg_status oaimg_extend_strategy(const char *model, uint32_t width, uint32_t height,
                                             uint32_t left, uint32_t top, uint32_t right,
                                             uint32_t bottom, int allow_experimental_size,
                                             int *parts, double *scale, uint32_t *sent_width,
                                             uint32_t *sent_height, int *overlap);
/* Reference images guide an edit or variation (an object, a style, a face to keep): appended in
 * call order and sent after the edited image as repeated "image[]" parts, each scaled down to the
 * largest size the model makes and encoded under its per-image limit. Up to 15 on the GPT image
 * models; a model that takes one image refuses them before any traffic (OAIMG_ERR_UNSUPPORTED).
 * Needs a source (oaimg_request_set_source()); each at most 100,000,000 pixels, 32768 a side. An
 * edit with references and no selection edits the whole canvas without a mask, and each result
 * layer covers it all (mask 255 everywhere). */
OAIMG_API oaimg_status oaimg_request_add_reference(oaimg_request *request, const uint8_t *pixels,
                                                   uint32_t width, uint32_t height, size_t stride,
                                                   oaimg_pixel_format format);
OAIMG_API void oaimg_request_clear_references(oaimg_request *request);
/* A markup layer: a drawing over the source (arrows, scribbles), transparent where nothing is
 * drawn, placed at (offset_x, offset_y) in source coordinates like the selection; RGBA8 or
 * GRAYA8. It is cropped and scaled exactly like the edited image and sent as "markup" on edits,
 * only to models that accept markup (the GPT Image 2.5 models); it must have fully transparent
 * pixels. Markup is not combinable with a mask: a markup edit sends none. A selection is then
 * optional: it still chooses the region the model sees and the put-back mask (only the selection
 * and a feathered band around it change); without one the whole canvas is sent and kept.
 * NULL pixels unset it. */
OAIMG_API oaimg_status oaimg_request_set_markup_layer(oaimg_request *request, const uint8_t *pixels,
                                                      uint32_t width, uint32_t height,
                                                      size_t stride, oaimg_pixel_format format,
                                                      int32_t offset_x, int32_t offset_y);

/* ---------------------------------------------------------------------------------------------- */
/* Plan: exactly what a run would send, without sending it (previews, dry runs).                   */

typedef struct oaimg_plan oaimg_plan;

/* Checks the request against its model and, with a source, plans the region and encodes the
 * uploads. No network traffic. Free with oaimg_plan_free(). */
OAIMG_API oaimg_status oaimg_client_plan(oaimg_client *client, const oaimg_request *request,
                                         oaimg_plan **out_plan);
OAIMG_API void oaimg_plan_free(oaimg_plan *plan);
OAIMG_API const char *oaimg_plan_model(const oaimg_plan *plan);
/* The endpoint path the run will call, e.g. "/images/edits". */
OAIMG_API const char *oaimg_plan_endpoint(const oaimg_plan *plan);
/* The source region the model sees, in source coordinates (needs a source; else all zero). */
OAIMG_API void oaimg_plan_region(const oaimg_plan *plan, int32_t *x, int32_t *y, uint32_t *width,
                                 uint32_t *height);
/* The pixel size of the image sent (needs a source; else 0 x 0). */
OAIMG_API void oaimg_plan_target_size(const oaimg_plan *plan, uint32_t *width, uint32_t *height);
/* The size field sent ("1024x1024", "auto"), or NULL when none is sent. */
OAIMG_API const char *oaimg_plan_size(const oaimg_plan *plan);
/* How many requests the run sends (n fanned out on one-image-a-request models). */
OAIMG_API int oaimg_plan_request_count(const oaimg_plan *plan);
/* The files uploaded: name is the multipart field ("image", "image[]", "mask", "markup"). */
OAIMG_API size_t oaimg_plan_upload_count(const oaimg_plan *plan);
OAIMG_API oaimg_status oaimg_plan_upload(const oaimg_plan *plan, size_t index, const char **name,
                                         const uint8_t **data, size_t *size);
/* The non-file fields of one request as a JSON object (the API key is never part of it). */
OAIMG_API const char *oaimg_plan_fields_json(const oaimg_plan *plan);
/* What was done to meet the model's limits, one line each ("image: RGB, 1.9 MB"), or "". */
OAIMG_API const char *oaimg_plan_notes(const oaimg_plan *plan);

/* ---------------------------------------------------------------------------------------------- */
/* Run and results.                                                                                */

typedef struct oaimg_result oaimg_result;

/* Sends the request (all its HTTP requests in parallel), waits, and gives the results. Blocks the
 * calling thread; the progress callback may cancel. On failure nothing is returned and the
 * client's error detail says why. Free the result with oaimg_result_free(). */
OAIMG_API oaimg_status oaimg_client_run(oaimg_client *client, const oaimg_request *request,
                                        oaimg_result **out_result);
OAIMG_API void oaimg_result_free(oaimg_result *result);

OAIMG_API size_t oaimg_result_count(const oaimg_result *result);
/* The index-th image as the server sent it (after url download). */
OAIMG_API oaimg_status oaimg_result_image(const oaimg_result *result, size_t index,
                                          const uint8_t **data, size_t *size);
/* "png", "jpeg" or "webp", from the bytes. */
OAIMG_API const char *oaimg_result_image_format(const oaimg_result *result, size_t index);
/* The index-th image decoded to RGBA8 (stride width * 4). PNG only: other formats give
 * OAIMG_ERR_UNSUPPORTED. Decoded on first use and kept. */
OAIMG_API oaimg_status oaimg_result_rgba(const oaimg_result *result, size_t index,
                                         const uint8_t **pixels, uint32_t *width, uint32_t *height);
OAIMG_API const char *oaimg_result_revised_prompt(const oaimg_result *result, size_t index); /* or NULL */
OAIMG_API const char *oaimg_result_model(const oaimg_result *result);
OAIMG_API const char *oaimg_result_size(const oaimg_result *result);       /* or NULL */
OAIMG_API const char *oaimg_result_quality(const oaimg_result *result);    /* or NULL */
OAIMG_API const char *oaimg_result_background(const oaimg_result *result); /* or NULL */
OAIMG_API const char *oaimg_result_output_format(const oaimg_result *result); /* or NULL */
OAIMG_API const char *oaimg_result_request_id(const oaimg_result *result);    /* or NULL */
OAIMG_API int64_t oaimg_result_created(const oaimg_result *result);
/* Token usage summed over the job's requests; -1 where the server reported none. */
OAIMG_API void oaimg_result_usage(const oaimg_result *result, int64_t *input_tokens,
                                  int64_t *output_tokens, int64_t *total_tokens);
/* A JSON summary: model, size, request ids, revised prompts, usage, and with a source the layers'
 * offsets and sizes. */
OAIMG_API const char *oaimg_result_json(const oaimg_result *result);

/* With a source: the index-th result scaled to its region, padding cut off, as straight-alpha
 * RGBA8 (stride width * 4) placed at (x, y) in source coordinates, and the put-back mask
 * (8-bit, stride width, same size): opaque inside the selection, feathered across its edge, 0
 * outside. A host creates a layer from the pixels and a layer mask from the mask. */
OAIMG_API oaimg_status oaimg_result_layer(const oaimg_result *result, size_t index,
                                          const uint8_t **rgba, uint32_t *width, uint32_t *height,
                                          int32_t *x, int32_t *y);
OAIMG_API oaimg_status oaimg_result_layer_mask(const oaimg_result *result, size_t index,
                                               const uint8_t **mask, uint32_t *width,
                                               uint32_t *height);
/* The safety identifier the server reports having used (the request's non-empty
 * safety_identifier, else its user), or NULL when the server reported none. */
OAIMG_API const char *oaimg_result_safety_identifier(const oaimg_result *result);
/* Token usage details summed over the job's requests (usage.input_tokens_details and
 * usage.output_tokens_details); -1 where the server reported none. Any pointer may be NULL. */
OAIMG_API void oaimg_result_usage_details(const oaimg_result *result, int64_t *input_text_tokens,
                                          int64_t *input_image_tokens, int64_t *output_text_tokens,
                                          int64_t *output_image_tokens);

/* ---------------------------------------------------------------------------------------------- */
/* PNG helpers (libpng).                                                                           */

/* Decodes a PNG to RGBA8 (stride width * 4), refusing images over max_pixels (0 = 100,000,000)
 * or 32768 pixels a side, and files too small to hold the size they claim, before allocating.
 * *out_rgba: caller frees with oaimg_free(). */
OAIMG_API oaimg_status oaimg_png_decode(const uint8_t *png, size_t size, uint64_t max_pixels,
                                        uint8_t **out_rgba, uint32_t *out_width,
                                        uint32_t *out_height);
/* Encodes pixels as PNG. *out_png: caller frees with oaimg_free(). */
OAIMG_API oaimg_status oaimg_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                        size_t stride, oaimg_pixel_format format,
                                        uint8_t **out_png, size_t *out_size);
/* Why the calling thread's last oaimg_png_decode() or oaimg_png_encode() failed, in one line
 * naming the limit or the defect; "" after a success. Static per thread: valid until that
 * thread's next PNG call. */
OAIMG_API const char *oaimg_png_error_message(void);

#ifdef __cplusplus
}
#endif

#endif /* OAIMG_H */
