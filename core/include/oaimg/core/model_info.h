// What the server says about one model (GET /models/{id}): its announced shutdown date, and the
// warning a host shows when that date is near. Never part of a run: a failure here only costs
// the warning.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "oaimg/core/client.h"
#include "oaimg/core/error.h"

namespace oaimg {

struct ModelInfo {
  std::string id;
  std::optional<std::string> shutdown_date;  // "2026-12-20", or none announced
};

// GET {base_url}/models/{model}, one attempt, no retries, at most 10 s. keep_going is asked at
// least every 50 ms; false cancels at once (Status::Cancelled).
Result<ModelInfo> fetch_model_info(const ClientConfig& config, std::string_view model,
                                   const std::function<bool()>& keep_going);

// Days since 1970-01-01 of a "YYYY-MM-DD..." date, or nullopt when it is not one.
std::optional<int64_t> days_from_iso_date(std::string_view date);

// The warning for a model shutting down within `within_days` days of now_epoch_s ("" when not),
// naming the date, how far off it is and the table's replacement where there is one.
std::string shutdown_warning(std::string_view model, std::string_view shutdown_date,
                             int64_t now_epoch_s, int within_days);

// True when the model was not checked yet on the current UTC day (a stamp file per model in
// cache_dir); record_model_check writes that stamp (creating cache_dir). No cache means "due".
bool model_check_due(const std::string& cache_dir, std::string_view model, int64_t now_epoch_s);
void record_model_check(const std::string& cache_dir, std::string_view model, int64_t now_epoch_s);

// $XDG_CACHE_HOME/oaimg, else $HOME/.cache/oaimg, else "".
std::string default_cache_dir();

}  // namespace oaimg
