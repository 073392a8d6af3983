// The structs behind the opaque C handles, and the guard that keeps exceptions inside the library.
#pragma once

#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "oaimg.h"
#include "oaimg/core/client.h"
#include "oaimg/core/error.h"
#include "oaimg/core/image.h"
#include "oaimg/core/job.h"
#include "oaimg/core/request.h"

struct oaimg_client {
  oaimg::ClientConfig config;
  oaimg_progress_fn progress = nullptr;
  void* progress_data = nullptr;
  oaimg_partial_image_fn partial = nullptr;
  void* partial_data = nullptr;
  oaimg::Error error{oaimg::Status::Ok, ""};
  oaimg::RunDetail detail;  // the latest of the current (or last) run, for the progress display

  oaimg_status fail(oaimg::Error e) {
    error = std::move(e);
    return static_cast<oaimg_status>(error.status);
  }
  oaimg_status succeed() {
    error = oaimg::Error(oaimg::Status::Ok, "");
    return OAIMG_OK;
  }
};

struct oaimg_request {
  oaimg::ImageRequest request;
  std::string error;

  oaimg_status fail(oaimg_status status, std::string message) {
    error = std::move(message);
    return status;
  }
  oaimg_status succeed() {
    error.clear();
    return OAIMG_OK;
  }
};

struct oaimg_plan {
  oaimg::PlannedJob job;
  std::vector<std::pair<std::string, const oaimg::UploadFile*>> uploads;  // points into job
};

struct oaimg_result {
  oaimg::FinishedJob job;
  // Decoded on first use by oaimg_result_rgba(); mutable because decoding does not change what
  // the result is.
  mutable std::vector<std::optional<oaimg::Image>> decoded;
};

namespace oaimg_capi {

inline oaimg_status to_c(oaimg::Status s) { return static_cast<oaimg_status>(s); }

// The integer a caller passed for a C enum parameter, read without loading it as the enum: a C
// caller may pass any int, a value outside the enumerators' range is undefined behaviour once
// loaded as a C++ enum (UBSan: "not a valid value"), and a compiler may then drop the range
// check that follows. Check this integer, convert only after.
template <class Enum>
int enum_value(const Enum& value) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized on every supported ABI");
  int raw;
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

// Runs an API body, turning any escaping exception into a status and, when a handle is given,
// a message on it. Every exported function that can allocate goes through this.
template <class Handle, class Body>
oaimg_status guarded(Handle* handle, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (handle) {
      try {
        return handle->fail(oaimg::Error(oaimg::Status::NoMemory, "out of memory"));
      } catch (...) {
      }
    }
    return OAIMG_ERR_NO_MEMORY;
  } catch (const std::exception& e) {
    if (handle) {
      try {
        return handle->fail(oaimg::Error(oaimg::Status::Internal,
                                         std::string("internal error: ") + e.what()));
      } catch (...) {
      }
    }
    return OAIMG_ERR_INTERNAL;
  } catch (...) {
    if (handle) {
      try {
        return handle->fail(oaimg::Error(oaimg::Status::Internal,
                                         "internal error: an unknown exception"));
      } catch (...) {
      }
    }
    return OAIMG_ERR_INTERNAL;
  }
}

// The request handle's fail() takes a status and a message; adapt it for guarded().
struct RequestFailAdapter {
  oaimg_request* r;
  oaimg_status fail(oaimg::Error e) { return r->fail(to_c(e.status), std::move(e.message)); }
};

// A C string or NULL for an empty std::string.
inline const char* c_str_or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

}  // namespace oaimg_capi
