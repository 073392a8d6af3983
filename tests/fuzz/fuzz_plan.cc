// Request building and planning through the public C API with fuzzed parameters, selection
// buffers, extend margins, a canvas, references and a markup layer: whatever a caller sets, oaimg_client_plan() either plans or names what is wrong, and
// the plan's getters stay within what it planned. No network traffic.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "enum_calls.h"
#include "oaimg.h"

namespace {

struct Input {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint8_t byte() { return at < size ? data[at++] : 0; }
  uint32_t u16() { return uint32_t(byte()) | uint32_t(byte()) << 8; }
  // A short string, or NULL (unset) when the length byte says so.
  const char* text(std::string& storage) {
    uint8_t length = byte();
    if (length == 255) return nullptr;
    length %= 24;
    storage.clear();
    for (uint8_t i = 0; i < length; ++i) storage += char(byte());
    return storage.c_str();
  }
};

const char* kModels[] = {"dall-e-2", "dall-e-3", "gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2",
                         "gpt-image-2.5-flare", "gpt-image-2.6-sunburst", "chatgpt-image-latest",
                         "my-own-model"};
const char* kSizes[] = {"auto", "256x256", "1024x1024", "1536x1024", "2048x1152", "3840x2160",
                        "4096x4096", "30000x30000", "1000000x1", "16x4096"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  static oaimg_client* client = [] {
    oaimg_client* c = nullptr;
    if (oaimg_client_new(&c) != OAIMG_OK) std::abort();
    oaimg_client_set_base_url(c, "http://127.0.0.1:9/v1");
    return c;
  }();

  // 0 and 4 are out of range on purpose; passed as ints through C (enum_calls.c).
  oaimg_request* request = nullptr;
  if (enum_call_request_new(int(in.byte() % 5), &request) != OAIMG_OK) return 0;

  std::string s1, s2, s3;
  uint8_t model = in.byte();
  oaimg_request_set_model(request, model < 200 ? kModels[model % 9] : in.text(s1));
  uint8_t size_choice = in.byte();
  oaimg_request_set_size(request, size_choice < 200 ? kSizes[size_choice % 10] : in.text(s2));
  oaimg_request_set_prompt(request, in.text(s3));
  oaimg_request_set_n(request, int(in.byte() % 14) - 1);
  oaimg_request_set_quality(request, in.byte() & 1 ? "high" : nullptr);
  oaimg_request_set_background(request, in.byte() & 1 ? "transparent" : nullptr);
  oaimg_request_set_output_format(request, in.byte() & 1 ? "jpeg" : "png");
  oaimg_request_set_stream(request, int(in.byte() % 6) - 1);
  enum_call_set_context_mode(request, int(in.byte() % 4));

  // A small source and a selection of any size, offset and stride over the rest of the input.
  uint32_t width = 1 + in.byte() % 48, height = 1 + in.byte() % 48;
  std::vector<uint8_t> source(size_t(width) * height * 4);
  for (size_t i = 0; i < source.size(); ++i) source[i] = uint8_t(i * 31 + width);
  if (in.byte() & 1) oaimg_request_set_source(request, source.data(), width, height, 0, OAIMG_RGBA8);
  uint32_t sel_w = in.byte() % 64, sel_h = in.byte() % 64;
  int32_t offset_x = int32_t(in.u16()) - 32768, offset_y = int32_t(in.u16()) - 32768;
  size_t stride = sel_w + in.byte() % 4;
  std::vector<uint8_t> coverage(stride * sel_h);
  for (size_t i = 0; i < coverage.size(); ++i) coverage[i] = in.byte();
  oaimg_request_set_selection(request, coverage.empty() ? nullptr : coverage.data(), sel_w, sel_h,
                              stride, offset_x, offset_y);

  // Extend, a canvas, references and a markup layer, each when a flag bit says so: small
  // sizes, out-of-range formats, and now and then margins or a canvas past every bound.
  const uint8_t whole_job = in.byte();
  if (whole_job & 1) {
    const uint32_t huge = whole_job & 16 ? 40000 : 0;
    oaimg_request_set_extend(request, in.byte() % 64 + huge, in.byte() % 64, in.byte() % 64,
                             in.byte() % 64);
  }
  if (whole_job & 2) {
    const uint32_t huge = whole_job & 32 ? 40000 : 0;
    oaimg_request_set_canvas(request, int32_t(int8_t(in.byte())), int32_t(int8_t(in.byte())),
                             in.byte() % 96 + huge, in.byte() % 96);
  }
  std::vector<std::vector<uint8_t>> layers;
  for (int k = 0; k < 2; ++k) {
    if (!(whole_job & (4 << k))) continue;  // bit 2: a reference, bit 3: a markup layer
    const uint32_t w = 1 + in.byte() % 32, h = 1 + in.byte() % 32;
    int format_value = int(in.byte() % 6);  // 0 and 5 are out of range on purpose
    oaimg_pixel_format format;
    std::memcpy(&format, &format_value, sizeof format);
    // Colours from a fuzzed pattern; alpha 0 in every other pixel when its low bit is set, else
    // nowhere (an opaque markup is refused).
    std::vector<uint8_t> pixels(size_t(w) * h * 4);
    const uint8_t pattern = in.byte();
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * pattern);
    for (size_t i = 3; i < pixels.size(); i += 4)
      pixels[i] = (pattern & 1) && (i / 4) % 2 ? 0 : 255;
    layers.push_back(std::move(pixels));
    if (k == 0)
      oaimg_request_add_reference(request, layers.back().data(), w, h, 0, format);
    else
      oaimg_request_set_markup_layer(request, layers.back().data(), w, h, 0, format,
                                     int32_t(int8_t(in.byte())), int32_t(int8_t(in.byte())));
  }

  oaimg_plan* plan = nullptr;
  oaimg_status status = oaimg_client_plan(client, request, &plan);
  if (status == OAIMG_OK) {
    if (!plan || !oaimg_plan_model(plan) || !oaimg_plan_endpoint(plan) || !oaimg_plan_fields_json(plan))
      std::abort();
    uint32_t target_w = 0, target_h = 0;
    oaimg_plan_target_size(plan, &target_w, &target_h);
    if (uint64_t(target_w) * target_h > 4096ull * 4096) std::abort();
    for (size_t i = 0; i < oaimg_plan_upload_count(plan); ++i) {
      const char* name = nullptr;
      const uint8_t* bytes = nullptr;
      size_t bytes_size = 0;
      if (oaimg_plan_upload(plan, i, &name, &bytes, &bytes_size) != OAIMG_OK || !name || !bytes)
        std::abort();
    }
    if (oaimg_plan_request_count(plan) < 1) std::abort();
    oaimg_plan_free(plan);
  } else if (plan != nullptr || std::strlen(oaimg_client_error_message(client)) == 0) {
    std::abort();
  }
  oaimg_request_free(request);
  return 0;
}
