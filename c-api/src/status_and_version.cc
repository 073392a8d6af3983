#include <cstdlib>

#include "handles.h"

// The C enum and the core's enum are one list of values; a mismatch would mis-map every error.
static_assert(OAIMG_OK == int(oaimg::Status::Ok));
static_assert(OAIMG_ERR_UNSUPPORTED == int(oaimg::Status::Unsupported));
static_assert(OAIMG_ERR_RATE_LIMITED == int(oaimg::Status::RateLimited));
static_assert(OAIMG_ERR_CANCELLED == int(oaimg::Status::Cancelled));
static_assert(OAIMG_ERR_INTERNAL == int(oaimg::Status::Internal));
static_assert(OAIMG_ERR_NO_SELECTION == int(oaimg::Status::NoSelection));

extern "C" {

const char* oaimg_status_str(oaimg_status status) {
  switch (oaimg_capi::enum_value(status)) {
    case OAIMG_OK: return "success";
    case OAIMG_ERR_INVALID_ARGUMENT: return "invalid argument";
    case OAIMG_ERR_UNSUPPORTED: return "not supported by the model";
    case OAIMG_ERR_MODEL_RETIRED: return "model retired";
    case OAIMG_ERR_NO_API_KEY: return "no API key";
    case OAIMG_ERR_AUTHENTICATION: return "authentication failed";
    case OAIMG_ERR_PERMISSION: return "permission denied";
    case OAIMG_ERR_RATE_LIMITED: return "rate limited";
    case OAIMG_ERR_CONTENT_POLICY: return "blocked by content policy";
    case OAIMG_ERR_BAD_REQUEST: return "request refused by the server";
    case OAIMG_ERR_SERVER: return "server error";
    case OAIMG_ERR_CONNECTION: return "connection failed";
    case OAIMG_ERR_TIMEOUT: return "timed out";
    case OAIMG_ERR_CANCELLED: return "cancelled";
    case OAIMG_ERR_BAD_RESPONSE: return "unexpected response";
    case OAIMG_ERR_IMAGE: return "invalid image";
    case OAIMG_ERR_NO_MEMORY: return "out of memory";
    case OAIMG_ERR_IO: return "input/output error";
    case OAIMG_ERR_INTERNAL: return "internal error";
    case OAIMG_ERR_NOT_FOUND: return "not found";
    case OAIMG_ERR_NO_SELECTION: return "no selection";
  }
  return "unknown status";
}

const char* oaimg_version_string(void) { return OAIMG_VERSION_STRING; }

uint32_t oaimg_version_number(void) { return OAIMG_VERSION_NUMBER; }

void oaimg_free(void* memory) { std::free(memory); }

}  // extern "C"
