// A careless caller and a hostile file through the public C API only (liboaimg.so), so that the
// guarantees hold whatever the core's decoder or planner look like inside.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "enum_calls.h"
#include "oaimg.h"
#include "scripted_server.h"

namespace {

// --- out-of-range C enum values ----------------------------------------------------------------
// Loading 99 as a C++ enum is undefined; under UBSan (the CI's sanitizer build, which halts on
// the first report) these calls failed before the values were read as integers. The values go
// in through C (enum_calls.c), where an enum may hold any int.

TEST(CapiEnums, OutOfRangeValuesAreRefusedNotLoaded) {
  const int kIntMax = 0x7fffffff;
  for (int value : {-1, 0, 4, 99, kIntMax}) {  // operations are 1-3
    oaimg_request* request = nullptr;
    EXPECT_EQ(enum_call_request_new(value, &request), OAIMG_ERR_INVALID_ARGUMENT)
        << value;
    EXPECT_EQ(request, nullptr);
    EXPECT_EQ(enum_call_model_supports("dall-e-2", value), 0) << value;
    EXPECT_EQ(enum_call_model_size_count("dall-e-2", value), 0u) << value;
    EXPECT_EQ(enum_call_model_size("dall-e-2", value, 0), nullptr) << value;
    EXPECT_EQ(enum_call_default_model("http://h/v1", value), nullptr) << value;
  }
  oaimg_request* request = nullptr;
  ASSERT_EQ(oaimg_request_new(OAIMG_EDIT, &request), OAIMG_OK);
  uint8_t pixel[4] = {1, 2, 3, 4};
  for (int value : {-1, 0, 5, 99, kIntMax}) {  // pixel formats are 1-4
    EXPECT_EQ(enum_call_set_source(request, pixel, 1, 1, value),
              OAIMG_ERR_INVALID_ARGUMENT) << value;
    EXPECT_NE(std::string(oaimg_request_error_message(request)).find("source format"),
              std::string::npos);
    uint8_t* png = nullptr;
    size_t size = 0;
    EXPECT_EQ(enum_call_png_encode(pixel, 1, 1, value, &png, &size),
              OAIMG_ERR_INVALID_ARGUMENT) << value;
  }
  for (int value : {-1, 3, 99, kIntMax}) {  // context modes are 0-2
    EXPECT_EQ(enum_call_set_context_mode(request, value),
              OAIMG_ERR_INVALID_ARGUMENT) << value;
  }
  oaimg_request_free(request);
  for (int value : {-1, 21, 99, kIntMax})  // statuses are 0-20
    EXPECT_STREQ(enum_call_status_str(value), "unknown status") << value;
}

// --- a 68-byte PNG claiming 10000 x 10000 ------------------------------------------------------

uint32_t crc32_of(const uint8_t* data, size_t size) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
  auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) png.push_back(uint8_t(v >> s));
  };
  be32(uint32_t(data.size()));
  size_t start = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  be32(crc32_of(png.data() + start, png.size() - start));
}

// Signature, IHDR (RGBA 8-bit), one tiny IDAT of a valid zlib stream, IEND: 68 bytes.
std::vector<uint8_t> tiny_png_claiming(uint32_t width, uint32_t height) {
  std::vector<uint8_t> png = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};
  std::vector<uint8_t> ihdr;
  for (uint32_t v : {width, height})
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(uint8_t(v >> s));
  ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", {0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00});
  put_chunk(png, "IEND", {});
  return png;
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(CapiPng, ATinyFileClaimingAHugeImageIsRefusedBeforeAllocating) {
  std::vector<uint8_t> png = tiny_png_claiming(12000, 12000);
  ASSERT_EQ(png.size(), 68u);
  long before = peak_rss_kb();
  uint8_t* rgba = nullptr;
  uint32_t w = 0, h = 0;
  EXPECT_EQ(oaimg_png_decode(png.data(), png.size(), 0, &rgba, &w, &h), OAIMG_ERR_IMAGE);
  EXPECT_EQ(rgba, nullptr);
  std::string message = oaimg_png_error_message();
  EXPECT_NE(message.find("12000x12000"), std::string::npos) << message;
  EXPECT_NE(message.find("the limit is 100000000 pixels"), std::string::npos) << message;
  // Committing the 576 MB of pixels first would raise the peak far beyond this.
  EXPECT_LT(peak_rss_kb() - before, 64 * 1024);

  // Under the pixel limit but with far too little data for it: refused by the size of the data.
  png = tiny_png_claiming(6000, 6000);
  before = peak_rss_kb();
  EXPECT_EQ(oaimg_png_decode(png.data(), png.size(), 0, &rgba, &w, &h), OAIMG_ERR_IMAGE);
  message = oaimg_png_error_message();
  EXPECT_NE(message.find("claims 6000x6000 pixels but holds only 11 bytes"), std::string::npos)
      << message;
  EXPECT_LT(peak_rss_kb() - before, 64 * 1024);

  // A caller's own limit is named too.
  png = tiny_png_claiming(100, 100);
  EXPECT_EQ(oaimg_png_decode(png.data(), png.size(), 5000, &rgba, &w, &h), OAIMG_ERR_IMAGE);
  EXPECT_NE(std::string(oaimg_png_error_message()).find("the limit is 5000 pixels"),
            std::string::npos);
}

// The source as a file read for its region when planned: the same limits, checked when it is
// set (nothing of the claimed size allocated), and a missing file named as one.
TEST(CapiPng, ASourceFileIsCheckedWhenSetAndMissingOnesAreNamed) {
  oaimg_request* request = nullptr;
  ASSERT_EQ(oaimg_request_new(OAIMG_EDIT, &request), OAIMG_OK);
  EXPECT_EQ(oaimg_request_set_source_png_file(request, "/nonexistent/oaimg-source.png"),
            OAIMG_ERR_IO);
  EXPECT_NE(std::string(oaimg_request_error_message(request)).find("No such file"),
            std::string::npos)
      << oaimg_request_error_message(request);
  EXPECT_EQ(oaimg_request_set_source_png_file(request, nullptr), OAIMG_ERR_INVALID_ARGUMENT);

  const std::string path = ::testing::TempDir() + "oaimg-claims-huge.png";
  for (uint32_t side : {12000u, 6000u}) {
    const std::vector<uint8_t> png = tiny_png_claiming(side, side);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
    const long before = peak_rss_kb();
    EXPECT_EQ(oaimg_request_set_source_png_file(request, path.c_str()), OAIMG_ERR_IMAGE);
    const std::string message = oaimg_request_error_message(request);
    EXPECT_EQ(message.rfind("source: PNG ", 0), 0u) << message;
    EXPECT_NE(message.find(side == 12000 ? "the limit is 100000000 pixels" : "holds only 11 bytes"),
              std::string::npos)
        << message;
    EXPECT_LT(peak_rss_kb() - before, 64 * 1024);
  }
  std::remove(path.c_str());
  oaimg_request_free(request);
}

// --- sizes for a model oaimg does not know ----------------------------------------------------

TEST(CapiSizes, EveryModelKnownOrNotHasASizeLimitNamedInTheMessage) {
  oaimg_client* client = nullptr;
  ASSERT_EQ(oaimg_client_new(&client), OAIMG_OK);
  ASSERT_EQ(oaimg_client_set_base_url(client, "http://127.0.0.1:9/v1"), OAIMG_OK);
  std::vector<uint8_t> rgba(200 * 150 * 4, 128), coverage(200 * 150, 255);
  for (const char* model : {"my-own-model", "dall-e-2", "gpt-image-2"}) {
    for (const char* size : {"30000x30000", "12000x12000", "1000000x1", "99999999999999999999x1",
                             "4097x16", "4096x4112"}) {
      oaimg_request* request = nullptr;
      ASSERT_EQ(oaimg_request_new(OAIMG_EDIT, &request), OAIMG_OK);
      oaimg_request_set_model(request, model);
      oaimg_request_set_prompt(request, "a pond");
      oaimg_request_set_size(request, size);
      ASSERT_EQ(oaimg_request_set_source(request, rgba.data(), 200, 150, 0, OAIMG_RGBA8), OAIMG_OK);
      ASSERT_EQ(oaimg_request_set_selection(request, coverage.data(), 200, 150, 0, 0, 0), OAIMG_OK);
      oaimg_plan* plan = nullptr;
      EXPECT_EQ(oaimg_client_plan(client, request, &plan), OAIMG_ERR_INVALID_ARGUMENT)
          << model << " " << size;
      std::string message = oaimg_client_error_message(client);
      if (std::string(model) == "my-own-model")
        EXPECT_NE(message.find("at most 4096 pixels a side and 4096x4096 in all"), std::string::npos)
            << message;
      oaimg_plan_free(plan);
      oaimg_request_free(request);
    }
  }
  // Within the bound an unknown model's size still goes to the server as given.
  oaimg_request* request = nullptr;
  ASSERT_EQ(oaimg_request_new(OAIMG_GENERATE, &request), OAIMG_OK);
  oaimg_request_set_model(request, "my-own-model");
  oaimg_request_set_prompt(request, "a pond");
  oaimg_request_set_size(request, "4096x4096");
  oaimg_plan* plan = nullptr;
  EXPECT_EQ(oaimg_client_plan(client, request, &plan), OAIMG_OK) << oaimg_client_error_message(client);
  oaimg_plan_free(plan);
  oaimg_request_free(request);
  oaimg_client_free(client);
}

}  // namespace
