// Errors inside the core: functions return Status/Result<T> and never throw across module
// boundaries, so the C API can map every outcome to a status and a message.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace oaimg {

// Same values as oaimg_status in the public header (checked by a static_assert in c-api).
enum class Status : int {
  Ok = 0,
  InvalidArgument = 1,
  Unsupported = 2,
  ModelRetired = 3,
  NoApiKey = 4,
  Authentication = 5,
  Permission = 6,
  RateLimited = 7,
  ContentPolicy = 8,
  BadRequest = 9,
  Server = 10,
  Connection = 11,
  Timeout = 12,
  Cancelled = 13,
  BadResponse = 14,
  Image = 15,
  NoMemory = 16,
  Io = 17,
  Internal = 18,
  NotFound = 19,
  NoSelection = 20,
};

struct Error {
  Status status = Status::Internal;
  std::string message;      // one readable line; never contains the API key
  int http_status = 0;      // 0 when there was no HTTP response
  std::string type;         // the API's error.type, "" if none
  std::string code;         // the API's error.code
  std::string param;        // the API's error.param
  std::string request_id;   // x-request-id of the failing response
  int64_t retry_after_ms = -1;

  Error() = default;
  Error(Status s, std::string m) : status(s), message(std::move(m)) {}
};

// A value or an Error. Deliberately tiny: C++20 has no std::expected.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class Outcome {
 public:
  Outcome() = default;
  Outcome(Error error) : err_(std::move(error)), failed_(true) {}  // NOLINT
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return err_; }
  Error&& take_error() { return std::move(err_); }

 private:
  Error err_;
  bool failed_ = false;
};

}  // namespace oaimg
