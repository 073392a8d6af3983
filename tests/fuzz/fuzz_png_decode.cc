// PNG decoding through the public C API, as the CLI and a host decode a user's file: any bytes
// either decode within the limits or fail with a status and a message.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "oaimg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A small pixel budget keeps each run fast; the check before allocation is what is fuzzed.
  uint8_t* rgba = nullptr;
  uint32_t width = 0, height = 0;
  oaimg_status status = oaimg_png_decode(data, size, 1u << 20, &rgba, &width, &height);
  if (status == OAIMG_OK) {
    if (!rgba || width == 0 || height == 0 || uint64_t(width) * height > (1u << 20)) std::abort();
    // Touch every byte: a short buffer shows under ASan.
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < size_t(width) * height * 4; ++i) sum = uint8_t(sum + rgba[i]);
    oaimg_free(rgba);
  } else if (rgba != nullptr || std::strlen(oaimg_png_error_message()) == 0) {
    std::abort();
  }
  return 0;
}
