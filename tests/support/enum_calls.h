/* See enum_calls.c: the C API called with any int where it takes an enum. */
#ifndef OAIMG_TEST_ENUM_CALLS_H
#define OAIMG_TEST_ENUM_CALLS_H

#include "oaimg.h"

#ifdef __cplusplus
extern "C" {
#endif

oaimg_status enum_call_request_new(int operation, oaimg_request **out);
int enum_call_model_supports(const char *model, int operation);
size_t enum_call_model_size_count(const char *model, int operation);
const char *enum_call_model_size(const char *model, int operation, size_t index);
const char *enum_call_default_model(const char *base_url, int operation);
oaimg_status enum_call_set_source(oaimg_request *request, const uint8_t *pixels, uint32_t width,
                                  uint32_t height, int format);
oaimg_status enum_call_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int format,
                                  uint8_t **out_png, size_t *out_size);
oaimg_status enum_call_set_context_mode(oaimg_request *request, int mode);
const char *enum_call_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif
