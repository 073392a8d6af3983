/* Calls the C API with any int as an enum argument. In C an enum object may hold any value of its
 * integer type; in C++ loading a value outside the enumerators' range is undefined (and UBSan
 * stops there), so the C++ tests and fuzz targets pass out-of-range values through these. */
#include "enum_calls.h"

oaimg_status enum_call_request_new(int operation, oaimg_request **out) {
  return oaimg_request_new((oaimg_operation)operation, out);
}
int enum_call_model_supports(const char *model, int operation) {
  return oaimg_model_supports(model, (oaimg_operation)operation);
}
size_t enum_call_model_size_count(const char *model, int operation) {
  return oaimg_model_size_count(model, (oaimg_operation)operation);
}
const char *enum_call_model_size(const char *model, int operation, size_t index) {
  return oaimg_model_size(model, (oaimg_operation)operation, index);
}
const char *enum_call_default_model(const char *base_url, int operation) {
  return oaimg_default_model(base_url, (oaimg_operation)operation);
}
oaimg_status enum_call_set_source(oaimg_request *request, const uint8_t *pixels, uint32_t width,
                                  uint32_t height, int format) {
  return oaimg_request_set_source(request, pixels, width, height, 0, (oaimg_pixel_format)format);
}
oaimg_status enum_call_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int format,
                                  uint8_t **out_png, size_t *out_size) {
  return oaimg_png_encode(pixels, width, height, 0, (oaimg_pixel_format)format, out_png, out_size);
}
oaimg_status enum_call_set_context_mode(oaimg_request *request, int mode) {
  return oaimg_request_set_context_mode(request, (oaimg_context_mode)mode);
}
const char *enum_call_status_str(int status) { return oaimg_status_str((oaimg_status)status); }
