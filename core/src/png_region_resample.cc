// Shrink on load: the planned region of a PNG resampled as its rows are inflated, on two threads.
// One inflates and unfilters (zlib, stream_png_region), the other resamples; between them a ring
// of a few dozen region rows, so the decoded region is never held whole.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "resample.h"

namespace oaimg {
namespace {

class StreamedRows final : public RowFeed {
 public:
  explicit StreamedRows(uint32_t span) : span_(span) {}

  // Producer side (the inflating thread).
  bool start(const PngRegionRows& rows) {
    const size_t row_bytes = size_t(rows.rect.width) * size_t(channels(rows.format));
    std::vector<uint8_t> slots;
    uint32_t capacity = 0;
    if (rows.streams) {
      // The rows resampling may still need at once (its filter and box), with room to inflate
      // ahead of it: at least two mebibytes of rows.
      capacity = std::min<uint32_t>(
          uint32_t(rows.rect.height),
          std::max<uint32_t>(span_, uint32_t((size_t(2) << 20) / std::max<size_t>(1, row_bytes))));
      slots.resize(size_t(capacity) * row_bytes);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    rows_ = rows;
    row_bytes_ = row_bytes;
    capacity_ = capacity;
    slots_ = std::move(slots);
    started_ = true;
    more_rows_.notify_all();
    return rows.streams && !done_;
  }

  void visit(uint32_t y, const uint8_t* row) {
    std::unique_lock<std::mutex> lock(mutex_);
    more_room_.wait(lock, [&] { return done_ || y < released_ + capacity_; });
    if (done_) return;  // resampling has what it needs: the rest is inflated only to be checked
    lock.unlock();
    std::memcpy(slots_.data() + size_t(y % capacity_) * row_bytes_, row, row_bytes_);
    lock.lock();
    published_ = y + 1;
    more_rows_.notify_one();
  }

  void finish(Outcome outcome) {
    std::lock_guard<std::mutex> lock(mutex_);
    outcome_ = std::move(outcome);
    finished_ = true;
    more_rows_.notify_all();
  }

  // Consumer side (the resampling thread).
  // The layout, or nullptr when the reader failed or the file does not stream.
  const PngRegionRows* layout() {
    std::unique_lock<std::mutex> lock(mutex_);
    more_rows_.wait(lock, [&] { return started_ || finished_; });
    return started_ && rows_.streams ? &rows_ : nullptr;
  }

  const uint8_t* row(uint32_t y) override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (y < released_ || y >= released_ + capacity_) {
      overrun_ = true;  // a row let go of, or more rows at once than the ring holds
      return nullptr;
    }
    more_rows_.wait(lock, [&] { return published_ > y || finished_; });
    if (published_ <= y) return nullptr;
    return slots_.data() + size_t(y % capacity_) * row_bytes_;
  }

  void release_below(uint32_t y) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (y <= released_) return;
    released_ = y;
    more_room_.notify_one();
  }

  // No more rows are wanted: the reader drops the rest after checking it.
  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    more_room_.notify_all();
  }

  // After the reader's thread ended.
  Outcome& outcome() { return outcome_; }
  bool overrun() const { return overrun_; }

 private:
  const uint32_t span_;
  std::mutex mutex_;
  std::condition_variable more_rows_, more_room_;
  PngRegionRows rows_;
  size_t row_bytes_ = 0;
  uint32_t capacity_ = 0;
  std::vector<uint8_t> slots_;
  bool started_ = false, finished_ = false, done_ = false, overrun_ = false;
  uint32_t published_ = 0, released_ = 0;
  Outcome outcome_;
};

}  // namespace

Result<std::optional<Image>> resample_png_region(const uint8_t* data, size_t size,
                                                 const Rect& area, const PngDecodeLimits& limits,
                                                 const PngConsumed& consumed, const AxisMap& x,
                                                 const AxisMap& y) {
  // Rows one output row reads (Lanczos-3 over the step, and a box of up to 16 rows), plus slack
  // for taps trimmed at whole-pixel positions.
  const uint32_t span = uint32_t(std::min(1e6, std::ceil(6 * std::max(1.0, y.step)))) + 3 * 16 + 8;
  StreamedRows rows(span);
  std::thread reader;
  try {
    reader = std::thread([&] {
      rows.finish(stream_png_region(
          data, size, area, limits, consumed,
          [&](const PngRegionRows& layout) { return rows.start(layout); },
          [&](uint32_t row, const uint8_t* pixels) { rows.visit(row, pixels); }));
    });
  } catch (const std::system_error&) {
    return std::optional<Image>();  // no second thread: the caller reads the region whole
  }
  struct Join {
    StreamedRows& rows;
    std::thread& reader;
    ~Join() {
      rows.stop();
      reader.join();
    }
  };
  Result<Image> resampled = Error(Status::Image, "");
  bool streamed = false;
  {
    Join join{rows, reader};
    if (const PngRegionRows* layout = rows.layout()) {
      streamed = true;
      resampled = resample_rows_to_rgba(
          RowLayout{uint32_t(layout->rect.width), uint32_t(layout->rect.height), layout->format},
          rows, x, y);
    }
  }
  if (!rows.outcome()) return rows.outcome().take_error();
  if (!streamed) return std::optional<Image>();
  if (rows.overrun())
    return Error(Status::Internal, "resampling asked for a source row out of the reader's order");
  if (!resampled) return resampled.take_error();
  return std::optional<Image>(std::move(*resampled));
}

}  // namespace oaimg
