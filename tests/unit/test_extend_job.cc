// Extend, references, markup and a canvas larger than the source, as a host uses them: through
// the public C API (liboaimg.so) against the stand-in server, one private server per test.
#include <gtest/gtest.h>

#include <json-glib/json-glib.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fake_server.h"
#include "oaimg.h"

namespace {

// A source whose every pixel differs from its neighbours, so that any change or shift shows.
std::vector<uint8_t> pattern(uint32_t w, uint32_t h) {
  std::vector<uint8_t> px(size_t(w) * h * 4);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = px.data() + (size_t(y) * w + x) * 4;
      p[0] = uint8_t(x * 7);
      p[1] = uint8_t(y * 5);
      p[2] = uint8_t(x + 3 * y);
      p[3] = 255;
    }
  }
  return px;
}

struct LoggedFile {
  std::string field;
  int64_t width = 0, height = 0;
};
struct LoggedRequest {
  std::string path;
  int64_t status = 0;
  std::vector<LoggedFile> files;
  std::string size;
};

class ExtendJob : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(oaimg_client_new(&client_), OAIMG_OK);
    oaimg_client_set_base_url(client_, server_.base_url().c_str());
    oaimg_client_set_api_key(client_, oaimg_test::FakeServer::api_key().c_str());
    oaimg_client_set_max_retries(client_, 0);
  }
  void TearDown() override {
    oaimg_request_free(request_);
    oaimg_result_free(result_);
    oaimg_client_free(client_);
  }

  oaimg_request* edit(const char* model, uint32_t w, uint32_t h) {
    EXPECT_EQ(oaimg_request_new(OAIMG_EDIT, &request_), OAIMG_OK);
    oaimg_request_set_model(request_, model);
    oaimg_request_set_prompt(request_, "more of the same");
    source_ = pattern(w, h);
    source_w_ = w;
    source_h_ = h;
    EXPECT_EQ(oaimg_request_set_source(request_, source_.data(), w, h, 0, OAIMG_RGBA8), OAIMG_OK);
    return request_;
  }

  oaimg_status run() { return oaimg_client_run(client_, request_, &result_); }
  std::string error() const { return oaimg_client_error_message(client_); }

  std::vector<LoggedRequest> log() {
    std::vector<LoggedRequest> out;
    const std::string text = server_.get("/_control/log");
    JsonParser* parser = json_parser_new();
    if (json_parser_load_from_data(parser, text.c_str(), -1, nullptr)) {
      JsonArray* requests =
          json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "requests");
      for (guint i = 0; i < json_array_get_length(requests); ++i) {
        JsonObject* r = json_array_get_object_element(requests, i);
        LoggedRequest entry;
        entry.path = json_object_get_string_member(r, "path");
        entry.status = json_object_get_int_member(r, "status");
        JsonObject* fields = json_object_get_object_member(r, "fields");
        if (json_object_has_member(fields, "size"))
          entry.size = json_object_get_string_member(fields, "size");
        JsonArray* files = json_object_get_array_member(r, "files");
        for (guint k = 0; k < json_array_get_length(files); ++k) {
          JsonObject* f = json_array_get_object_element(files, k);
          entry.files.push_back({json_object_get_string_member(f, "field"),
                                 json_object_get_int_member(f, "width"),
                                 json_object_get_int_member(f, "height")});
        }
        out.push_back(entry);
      }
    }
    g_object_unref(parser);
    return out;
  }

  oaimg_test::FakeServer server_;
  oaimg_client* client_ = nullptr;
  oaimg_request* request_ = nullptr;
  oaimg_result* result_ = nullptr;
  std::vector<uint8_t> source_;
  uint32_t source_w_ = 0, source_h_ = 0;
};

// The stand-in server's solid colours, by result index.
const uint8_t kPalette[][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};

// Each result put back over the extended canvas as a host does (source layer below, result layer
// with its mask above): old pixels away from the seam are the source's, exactly; the new area is
// the result's; across the old edge the mask falls gradually.
void check_extended_right(const oaimg_result* result, const std::vector<uint8_t>& source,
                          uint32_t w, uint32_t h, uint32_t right) {
  ASSERT_GE(oaimg_result_count(result), 2u);
  const uint8_t* first_mask = nullptr;
  for (size_t i = 0; i < oaimg_result_count(result); ++i) {
    SCOPED_TRACE("result " + std::to_string(i));
    const uint8_t *rgba = nullptr, *mask = nullptr;
    uint32_t lw = 0, lh = 0;
    int32_t lx = 0, ly = 0;
    ASSERT_EQ(oaimg_result_layer(result, i, &rgba, &lw, &lh, &lx, &ly), OAIMG_OK);
    ASSERT_EQ(oaimg_result_layer_mask(result, i, &mask, nullptr, nullptr), OAIMG_OK);
    // The put-back mask depends on the job only: made once and shared, not one copy a result.
    if (i == 0) first_mask = mask;
    EXPECT_EQ(mask, first_mask);
    // The layer reaches the canvas's new right edge and stays on the canvas.
    EXPECT_EQ(lx + int32_t(lw), int32_t(w + right));
    EXPECT_GE(lx, 0);
    EXPECT_EQ(ly, 0);
    EXPECT_EQ(lh, h);
    const uint32_t cw = w + right;
    std::vector<uint8_t> canvas(size_t(cw) * h * 4, 0);
    for (uint32_t y = 0; y < h; ++y)
      std::copy_n(source.data() + size_t(y) * w * 4, w * 4, canvas.data() + size_t(y) * cw * 4);
    for (uint32_t y = 0; y < lh; ++y) {
      for (uint32_t x = 0; x < lw; ++x) {
        const size_t l = size_t(y) * lw + x;
        const double a = mask[l] / 255.0 * rgba[l * 4 + 3] / 255.0;
        uint8_t* c = canvas.data() + (size_t(y) * cw + size_t(lx) + x) * 4;
        for (int k = 0; k < 3; ++k) c[k] = uint8_t(c[k] * (1 - a) + rgba[l * 4 + k] * a + 0.5);
        c[3] = uint8_t(c[3] * (1 - a) + 255 * a + 0.5);
      }
    }
    // Old pixels more than 100 px from the seam: unchanged.
    for (uint32_t y = 0; y < h; ++y) {
      for (uint32_t x = 0; x + 100 < w; ++x) {
        const uint8_t* c = canvas.data() + (size_t(y) * cw + x) * 4;
        const uint8_t* s = source.data() + (size_t(y) * w + x) * 4;
        ASSERT_TRUE(std::equal(c, c + 4, s)) << x << "," << y;
      }
    }
    // The new area: filled, opaque, the server's colour for this result.
    for (uint32_t y = 0; y < h; ++y) {
      for (uint32_t x = w; x < cw; ++x) {
        const uint8_t* c = canvas.data() + (size_t(y) * cw + x) * 4;
        ASSERT_EQ(c[3], 255) << x << "," << y;
        ASSERT_EQ(c[0], kPalette[i][0]);
        ASSERT_EQ(c[1], kPalette[i][1]);
        ASSERT_EQ(c[2], kPalette[i][2]);
      }
    }
    // Across the old edge the put-back mask falls through intermediate values, not in one step.
    const uint32_t row = h / 2;
    int intermediate = 0;
    for (uint32_t x = 0; x < lw; ++x) {
      const uint8_t m = mask[size_t(row) * lw + x];
      if (int32_t(x) + lx < int32_t(w)) intermediate += m > 0 && m < 255;
      if (int32_t(x) + lx >= int32_t(w)) ASSERT_EQ(m, 255);
    }
    EXPECT_GE(intermediate, 4);
    // And without a step: neighbours differ by little anywhere along the row.
    int steepest = 0;
    for (uint32_t x = 1; x < lw; ++x)
      steepest = std::max(steepest, std::abs(int(mask[size_t(row) * lw + x]) -
                                             int(mask[size_t(row) * lw + x - 1])));
    EXPECT_LE(steepest, 16);
  }
}

TEST_F(ExtendJob, By256OnTheRightOnDallE2) {
  edit("dall-e-2", 512, 384);
  oaimg_request_set_n(request_, 2);
  ASSERT_EQ(oaimg_request_set_extend(request_, 0, 0, 256, 0), OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  check_extended_right(result_, source_, source_w_, source_h_, 256);
  const auto requests = log();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/images/edits");
  ASSERT_EQ(requests[0].files.size(), 2u);
  EXPECT_EQ(requests[0].files[1].field, "mask");
  EXPECT_EQ(requests[0].files[0].width, requests[0].files[0].height);  // square
}

TEST_F(ExtendJob, By256OnTheRightOnACustomSizeModelAtItsOwnResolution) {
  edit("gpt-image-2", 640, 480);
  oaimg_request_set_n(request_, 2);
  ASSERT_EQ(oaimg_request_set_extend(request_, 0, 0, 256, 0), OAIMG_OK);
  oaimg_plan* plan = nullptr;
  ASSERT_EQ(oaimg_client_plan(client_, request_, &plan), OAIMG_OK) << error();
  int32_t rx = 0, ry = 0;
  uint32_t rw = 0, rh = 0, tw = 0, th = 0;
  oaimg_plan_region(plan, &rx, &ry, &rw, &rh);
  oaimg_plan_target_size(plan, &tw, &th);
  EXPECT_EQ(rx + int32_t(rw), 640 + 256);
  EXPECT_GE(tw, rw);  // not scaled
  EXPECT_EQ(std::string(oaimg_plan_notes(plan)).find("scaled"), std::string::npos);
  oaimg_plan_free(plan);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  check_extended_right(result_, source_, source_w_, source_h_, 256);
  EXPECT_EQ(log().at(0).size, std::to_string(tw) + "x" + std::to_string(th));
}

TEST_F(ExtendJob, LargerThanTheModelMakesIsScaledAndSaysSo) {
  edit("dall-e-2", 1024, 1024);
  ASSERT_EQ(oaimg_request_set_extend(request_, 0, 256, 512, 256), OAIMG_OK);
  oaimg_plan* plan = nullptr;
  ASSERT_EQ(oaimg_client_plan(client_, request_, &plan), OAIMG_OK) << error();
  const std::string notes = oaimg_plan_notes(plan);
  EXPECT_NE(notes.find("larger than dall-e-2 makes in one request: sent scaled to 67%"),
            std::string::npos)
      << notes;
  oaimg_plan_free(plan);
}

// The opaque pixels of one colour in an upload the server kept (keep_uploads).
size_t count_colour(const std::string& b64, const uint8_t rgb[3]) {
  gsize size = 0;
  guchar* png = g_base64_decode(b64.c_str(), &size);
  uint8_t* rgba = nullptr;
  uint32_t w = 0, h = 0;
  size_t count = 0;
  if (oaimg_png_decode(png, size, 0, &rgba, &w, &h) == OAIMG_OK) {
    for (size_t i = 0; i < size_t(w) * h; ++i)
      count += rgba[i * 4] == rgb[0] && rgba[i * 4 + 1] == rgb[1] && rgba[i * 4 + 2] == rgb[2] &&
               rgba[i * 4 + 3] == 255;
  }
  oaimg_free(rgba);
  g_free(png);
  return count;
}

std::vector<std::string> first_upload_of_each_request(const std::string& log_text) {
  std::vector<std::string> out;
  JsonParser* parser = json_parser_new();
  if (json_parser_load_from_data(parser, log_text.c_str(), -1, nullptr)) {
    JsonArray* requests =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "requests");
    for (guint i = 0; i < json_array_get_length(requests); ++i) {
      JsonArray* files = json_object_get_array_member(json_array_get_object_element(requests, i), "files");
      JsonObject* first = json_array_get_object_element(files, 0);
      out.push_back(json_object_has_member(first, "b64") ? json_object_get_string_member(first, "b64") : "");
    }
  }
  g_object_unref(parser);
  return out;
}

// Far larger than the model makes: the new area is filled in the planned overlapping parts, one
// request each, in order, n times over; every part sees what the earlier parts of its own result
// filled, and each result is the whole extension.
TEST_F(ExtendJob, FarLargerThanTheModelMakesIsFilledInPartsInOrder) {
  server_.post("/_control/config", R"({"color_by_request": true, "keep_uploads": true})");
  edit("dall-e-2", 64, 64);
  oaimg_request_set_n(request_, 2);
  ASSERT_EQ(oaimg_request_set_extend(request_, 0, 0, 2100, 0), OAIMG_OK);
  oaimg_plan* plan = nullptr;
  ASSERT_EQ(oaimg_client_plan(client_, request_, &plan), OAIMG_OK) << error();
  const std::string notes = oaimg_plan_notes(plan);
  EXPECT_NE(notes.find("is filled in 3 overlapping parts of up to 1024x1024 at full resolution, "
                       "one request each in order"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("for each of the 2 results: 6 requests"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("scaled"), std::string::npos) << notes;
  EXPECT_EQ(oaimg_plan_request_count(plan), 6);
  oaimg_plan_free(plan);

  ASSERT_EQ(run(), OAIMG_OK) << error();
  ASSERT_EQ(oaimg_result_count(result_), 2u);
  const auto requests = log();
  ASSERT_EQ(requests.size(), 6u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.path, "/v1/images/edits");
    ASSERT_EQ(r.files.size(), 2u);
    EXPECT_EQ(r.files[0].width, 1024);  // full resolution: the model's largest square
    EXPECT_EQ(r.files[0].height, 1024);
  }
  // Request k answered colour k (color_by_request). Within a result each later part's upload
  // shows the earlier parts' fills; the second result starts again from the old image alone.
  const auto uploads = first_upload_of_each_request(server_.get("/_control/log"));
  ASSERT_EQ(uploads.size(), 6u);
  EXPECT_EQ(count_colour(uploads[0], kPalette[0]), 0u);
  EXPECT_GT(count_colour(uploads[1], kPalette[0]), 64u * 100);
  EXPECT_GT(count_colour(uploads[2], kPalette[1]), 64u * 100);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(count_colour(uploads[3], kPalette[k]), 0u) << k;
  const uint8_t palette6[6][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255},
                                  {255, 255, 0}, {0, 255, 255}, {255, 0, 255}};
  EXPECT_GT(count_colour(uploads[4], palette6[3]), 64u * 100);
  EXPECT_GT(count_colour(uploads[5], palette6[4]), 64u * 100);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE("result " + std::to_string(i));
    const uint8_t *rgba = nullptr, *mask = nullptr;
    uint32_t lw = 0, lh = 0;
    int32_t lx = 9, ly = 9;
    ASSERT_EQ(oaimg_result_layer(result_, i, &rgba, &lw, &lh, &lx, &ly), OAIMG_OK);
    ASSERT_EQ(oaimg_result_layer_mask(result_, i, &mask, nullptr, nullptr), OAIMG_OK);
    ASSERT_EQ(lx, 0);
    ASSERT_EQ(ly, 0);
    ASSERT_EQ(lw, 64u + 2100u);
    ASSERT_EQ(lh, 64u);
    // Old pixels away from the seam: the mask keeps the source.
    for (uint32_t y = 0; y < 64; ++y)
      for (uint32_t x = 0; x < 16; ++x) ASSERT_EQ(mask[size_t(y) * lw + x], 0) << x << "," << y;
    // The new area: whole, opaque, kept; next to the old edge the first part's colour, at the
    // far edge the last part's.
    for (uint32_t y = 0; y < 64; ++y) {
      for (uint32_t x = 64; x < lw; ++x) {
        ASSERT_EQ(mask[size_t(y) * lw + x], 255) << x;
        ASSERT_EQ(rgba[(size_t(y) * lw + x) * 4 + 3], 255) << x << "," << y;
      }
    }
    const uint8_t* near = rgba + (size_t(32) * lw + 80) * 4;
    const uint8_t* far = rgba + (size_t(32) * lw + lw - 1) * 4;
    EXPECT_TRUE(std::equal(near, near + 3, palette6[3 * i]));
    EXPECT_TRUE(std::equal(far, far + 3, palette6[3 * i + 2]));
    // The result's image is that whole extension, as a PNG.
    const uint8_t* png = nullptr;
    size_t size = 0;
    ASSERT_EQ(oaimg_result_image(result_, i, &png, &size), OAIMG_OK);
    const uint8_t* decoded = nullptr;
    uint32_t dw = 0, dh = 0;
    ASSERT_EQ(oaimg_result_rgba(result_, i, &decoded, &dw, &dh), OAIMG_OK);
    EXPECT_EQ(dw, lw);
    EXPECT_EQ(dh, lh);
  }
  // Every request of the run is named in the summary.
  const std::string json = oaimg_result_json(result_);
  size_t ids = 0;
  for (size_t at = json.find("\"req_"); at != std::string::npos; at = json.find("\"req_", at + 1)) ++ids;
  EXPECT_EQ(ids, 6u) << json;
}

// References without a selection: the whole image is edited, guided by them, with no mask.
TEST_F(ExtendJob, ReferencesWithoutASelectionEditTheWholeImage) {
  edit("gpt-image-1.5", 96, 64);
  const std::vector<uint8_t> ref = pattern(40, 30);
  ASSERT_EQ(oaimg_request_add_reference(request_, ref.data(), 40, 30, 0, OAIMG_RGBA8), OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  const auto requests = log();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(requests[0].files.size(), 2u);
  EXPECT_EQ(requests[0].files[0].field, "image[]");
  EXPECT_EQ(requests[0].files[1].field, "image[]");
  EXPECT_EQ(requests[0].files[1].width, 40);
  const uint8_t* mask = nullptr;
  uint32_t lw = 0, lh = 0;
  int32_t lx = 9, ly = 9;
  ASSERT_EQ(oaimg_result_layer(result_, 0, nullptr, &lw, &lh, &lx, &ly), OAIMG_OK);
  ASSERT_EQ(oaimg_result_layer_mask(result_, 0, &mask, nullptr, nullptr), OAIMG_OK);
  EXPECT_EQ(lx, 0);
  EXPECT_EQ(ly, 0);
  EXPECT_EQ(lw, 96u);
  EXPECT_EQ(lh, 64u);
  EXPECT_TRUE(std::all_of(mask, mask + size_t(lw) * lh, [](uint8_t m) { return m == 255; }));
  // Without references an edit still needs a selection.
  oaimg_request_clear_references(request_);
  EXPECT_EQ(run(), OAIMG_ERR_NO_SELECTION);
  EXPECT_EQ(log().size(), 1u);
}

TEST_F(ExtendJob, ExtendIsAnEditWithoutCanvasOrMarkup) {
  EXPECT_EQ(oaimg_request_new(OAIMG_VARIATION, &request_), OAIMG_OK);
  source_ = pattern(64, 64);
  oaimg_request_set_source(request_, source_.data(), 64, 64, 0, OAIMG_RGBA8);
  oaimg_request_set_extend(request_, 10, 0, 0, 0);
  EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(error(), "extend is an edit; it cannot be a variation");
  oaimg_request_free(request_);
  request_ = nullptr;
  edit("dall-e-2", 64, 64);
  oaimg_request_set_extend(request_, 10, 0, 0, 0);
  oaimg_request_set_canvas(request_, 0, 0, 100, 100);
  EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("set either extend or a canvas"), std::string::npos);
  EXPECT_TRUE(log().empty());
}

TEST_F(ExtendJob, MarginsForAnAspect) {
  uint32_t l = 9, t = 9, r = 9, b = 9;
  ASSERT_EQ(oaimg_extend_margins_for_aspect(1080, 1080, 16, 9, &l, &t, &r, &b), OAIMG_OK);
  EXPECT_EQ(l, 420u);
  EXPECT_EQ(r, 420u);
  EXPECT_EQ(t, 0u);
  EXPECT_EQ(b, 0u);
  EXPECT_EQ(oaimg_extend_margins_for_aspect(1080, 1080, 0, 9, &l, &t, &r, &b),
            OAIMG_ERR_INVALID_ARGUMENT);
}

// A 300x200 layer at (100, 50) in a 500x300 image; the selection lies left of the layer, on
// canvas the layer does not cover.
TEST_F(ExtendJob, InpaintSelectionReachesCanvasTheSourceDoesNotCover) {
  edit("dall-e-2", 300, 200);
  std::vector<uint8_t> coverage(60 * 80, 255);
  ASSERT_EQ(oaimg_request_set_selection(request_, coverage.data(), 60, 80, 0, -90, 20), OAIMG_OK);
  EXPECT_EQ(run(), OAIMG_ERR_NO_SELECTION);  // without a canvas, parts off the source are ignored
  EXPECT_TRUE(log().empty());
  ASSERT_EQ(oaimg_request_set_canvas(request_, -100, -50, 500, 300), OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  const uint8_t *rgba = nullptr, *mask = nullptr;
  uint32_t lw = 0, lh = 0;
  int32_t lx = 0, ly = 0;
  ASSERT_EQ(oaimg_result_layer(result_, 0, &rgba, &lw, &lh, &lx, &ly), OAIMG_OK);
  ASSERT_EQ(oaimg_result_layer_mask(result_, 0, &mask, nullptr, nullptr), OAIMG_OK);
  EXPECT_LE(lx, -90);
  EXPECT_GE(lx, -100);  // on the canvas
  EXPECT_GE(ly, -50);
  // The selection's centre (-60, 60) is fully replaced by the result.
  const size_t centre = size_t(60 - ly) * lw + size_t(-60 - lx);
  EXPECT_EQ(mask[centre], 255);
  EXPECT_EQ(rgba[centre * 4 + 0], 255);
  EXPECT_EQ(rgba[centre * 4 + 3], 255);
  // Far from the selection, inside the source, nothing changes.
  if (lx + int32_t(lw) > 100) EXPECT_EQ(mask[size_t(60 - ly) * lw + size_t(100 - lx)], 0);
}

// References of three distinct sizes arrive after the edited image as repeated image[] parts in
// the order given; one larger than the model makes is scaled down.
TEST_F(ExtendJob, ReferencesGoAsRepeatedImageArrayPartsInOrder) {
  edit("gpt-image-1.5", 64, 48);
  std::vector<uint8_t> coverage(32 * 24, 255);
  oaimg_request_set_selection(request_, coverage.data(), 32, 24, 0, 16, 12);
  const std::vector<uint8_t> small = pattern(30, 20), big = pattern(2000, 1500),
                             tall = pattern(10, 40);
  ASSERT_EQ(oaimg_request_add_reference(request_, small.data(), 30, 20, 0, OAIMG_RGBA8), OAIMG_OK);
  ASSERT_EQ(oaimg_request_add_reference(request_, big.data(), 2000, 1500, 0, OAIMG_RGBA8), OAIMG_OK);
  ASSERT_EQ(oaimg_request_add_reference(request_, tall.data(), 10, 40, 0, OAIMG_RGBA8), OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  const auto requests = log();
  ASSERT_EQ(requests.size(), 1u);
  const auto& files = requests[0].files;
  ASSERT_EQ(files.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(files[i].field, "image[]");
  EXPECT_EQ(files[4].field, "mask");
  EXPECT_EQ(files[1].width, 30);
  EXPECT_EQ(files[1].height, 20);
  // 3 MP scaled to the 1536x1024 the model makes at most, keeping its shape.
  EXPECT_LE(files[2].width * files[2].height, 1536 * 1024);
  EXPECT_GT(files[2].width * files[2].height, 1536 * 1024 * 99 / 100);
  EXPECT_NEAR(double(files[2].width) / double(files[2].height), 2000.0 / 1500.0, 0.01);
  EXPECT_EQ(files[3].width, 10);
  EXPECT_EQ(files[3].height, 40);
}

TEST_F(ExtendJob, OneImageModelsRefuseReferencesBeforeAnyTraffic) {
  edit("dall-e-2", 64, 64);
  std::vector<uint8_t> coverage(16 * 16, 255);
  oaimg_request_set_selection(request_, coverage.data(), 16, 16, 0, 8, 8);
  const std::vector<uint8_t> ref = pattern(16, 16);
  oaimg_request_add_reference(request_, ref.data(), 16, 16, 0, OAIMG_RGBA8);
  EXPECT_EQ(run(), OAIMG_ERR_UNSUPPORTED);
  EXPECT_EQ(error(), "dall-e-2 takes one image, so it cannot take reference images; use a GPT "
                     "image model (up to 15 references after the edited image)");
  oaimg_request_clear_references(request_);
  for (int i = 0; i < 16; ++i) oaimg_request_add_reference(request_, ref.data(), 16, 16, 0, OAIMG_RGBA8);
  oaimg_request_set_model(request_, "gpt-image-1.5");
  EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(error(), "16 reference images were given; gpt-image-1.5 takes at most 15 after the "
                     "edited image");
  EXPECT_TRUE(log().empty());
}

TEST_F(ExtendJob, CanvasesAndReferencesHaveTheImageLimitsOfEveryModel) {
  // Issue 9's bounds hold for what extend, a canvas and references make: refused with the limit
  // named, before anything of that size is allocated or sent, on a known and an unknown model.
  for (const char* model : {"gpt-image-1.5", "my-own-model"}) {
    SCOPED_TRACE(model);
    oaimg_request_free(request_);
    request_ = nullptr;
    edit(model, 64, 64);
    oaimg_request_set_extend(request_, 0, 0, 40000, 0);
    EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error(), "the extended canvas is 40064x64; oaimg takes images of at most 32768 "
                       "pixels a side and 100000000 pixels in all");
    oaimg_request_set_extend(request_, 0, 0, 0, 0);
    std::vector<uint8_t> coverage(16 * 16, 255);
    oaimg_request_set_selection(request_, coverage.data(), 16, 16, 0, 8, 8);
    oaimg_request_set_canvas(request_, -20000, -20000, 40000, 40000);
    EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error(), "the canvas is 40000x40000; oaimg takes images of at most 32768 pixels a "
                       "side and 100000000 pixels in all");
    oaimg_request_set_canvas(request_, 0, 0, 0, 0);
    const std::vector<uint8_t> wide = pattern(40000, 1);
    oaimg_request_add_reference(request_, wide.data(), 40000, 1, 0, OAIMG_RGBA8);
    EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error(), "reference 1 is 40000x1; oaimg takes images of at most 32768 pixels a "
                       "side and 100000000 pixels in all");
  }
  EXPECT_TRUE(log().empty());
}

// An RGBA layer, transparent but for a stroke, at (ox, oy) over the source.
std::vector<uint8_t> stroke_layer(uint32_t w, uint32_t h, bool transparent = true) {
  std::vector<uint8_t> px(size_t(w) * h * 4, transparent ? 0 : 255);
  for (uint32_t x = 0; x < w; ++x) {
    uint8_t* p = px.data() + (size_t(h / 2) * w + x) * 4;
    p[0] = 255;
    p[3] = 255;
  }
  return px;
}

TEST_F(ExtendJob, MarkupIsSentLikeTheImageWithoutAMaskOn25) {
  edit("gpt-image-2.5-sunburst", 320, 240);
  const std::vector<uint8_t> layer = stroke_layer(200, 100);
  ASSERT_EQ(oaimg_request_set_markup_layer(request_, layer.data(), 200, 100, 0, OAIMG_RGBA8, 40, 60),
            OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  auto requests = log();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(requests[0].files.size(), 2u);
  EXPECT_EQ(requests[0].files[0].field, "image");
  EXPECT_EQ(requests[0].files[1].field, "markup");
  EXPECT_EQ(requests[0].files[1].width, requests[0].files[0].width);
  EXPECT_EQ(requests[0].files[1].height, requests[0].files[0].height);
  // No selection: the whole source was sent and the whole result is kept.
  const uint8_t* mask = nullptr;
  uint32_t lw = 0, lh = 0;
  ASSERT_EQ(oaimg_result_layer(result_, 0, nullptr, &lw, &lh, nullptr, nullptr), OAIMG_OK);
  ASSERT_EQ(oaimg_result_layer_mask(result_, 0, &mask, nullptr, nullptr), OAIMG_OK);
  EXPECT_EQ(lw, 320u);
  EXPECT_EQ(lh, 240u);
  EXPECT_EQ(mask[0], 255);

  // With a selection the markup is cropped with the region and the put-back keeps to it.
  oaimg_result_free(result_);
  result_ = nullptr;
  std::vector<uint8_t> coverage(40 * 40, 255);
  oaimg_request_set_selection(request_, coverage.data(), 40, 40, 0, 20, 20);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  requests = log();
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_EQ(requests[1].files.size(), 2u);
  EXPECT_EQ(requests[1].files[1].field, "markup");
  EXPECT_EQ(requests[1].files[1].width, requests[1].files[0].width);
  EXPECT_EQ(requests[1].files[1].height, requests[1].files[0].height);
  ASSERT_EQ(oaimg_result_layer_mask(result_, 0, &mask, &lw, &lh), OAIMG_OK);
  EXPECT_EQ(mask[size_t(lh - 1) * lw + (lw - 1)], 0);
}

TEST_F(ExtendJob, MarkupIsRefusedBeforeAnyTrafficWhereItCannotGo) {
  edit("gpt-image-1.5", 128, 128);
  const std::vector<uint8_t> layer = stroke_layer(128, 128);
  oaimg_request_set_markup_layer(request_, layer.data(), 128, 128, 0, OAIMG_RGBA8, 0, 0);
  EXPECT_EQ(run(), OAIMG_ERR_UNSUPPORTED);
  EXPECT_EQ(error(), "gpt-image-1.5 does not accept markup; use a GPT Image 2.5 model "
                     "(gpt-image-2.5-sunburst or gpt-image-2.5-flare) or a selection");
  // Drawn everywhere: nothing of the image would show through.
  oaimg_request_set_model(request_, "gpt-image-2.5-flare");
  const std::vector<uint8_t> opaque = stroke_layer(128, 128, false);
  oaimg_request_set_markup_layer(request_, opaque.data(), 128, 128, 0, OAIMG_RGBA8, 0, 0);
  EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("markup has no transparent pixels"), std::string::npos) << error();
  // Markup and extend: extend sends a mask.
  oaimg_request_set_markup_layer(request_, layer.data(), 128, 128, 0, OAIMG_RGBA8, 0, 0);
  oaimg_request_set_extend(request_, 0, 0, 64, 0);
  EXPECT_EQ(run(), OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("markup cannot be combined with extend"), std::string::npos);
  EXPECT_EQ(oaimg_request_set_markup_layer(request_, layer.data(), 128, 128, 0, OAIMG_RGB8, 0, 0),
            OAIMG_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(log().empty());
}

TEST_F(ExtendJob, TheResultCarriesTheUsageHostsShow) {
  edit("gpt-image-1.5", 64, 64);
  std::vector<uint8_t> coverage(16 * 16, 255);
  oaimg_request_set_selection(request_, coverage.data(), 16, 16, 0, 8, 8);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  const std::string json = oaimg_result_json(result_);
  EXPECT_NE(json.find("\"input_text_tokens\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"input_image_tokens\" : 194"), std::string::npos) << json;
  EXPECT_NE(json.find("\"canvas\""), std::string::npos);
}

}  // namespace

// A host filling liboaimg's own source buffer (no copy of its pixels) gets the same placed
// results as one handing over its pixels to be copied.
TEST_F(ExtendJob, SourceFilledInPlaceIsTheSameAsACopiedOne) {
  ASSERT_EQ(oaimg_request_new(OAIMG_EDIT, &request_), OAIMG_OK);
  oaimg_request_set_model(request_, "dall-e-2");
  oaimg_request_set_prompt(request_, "more of the same");
  source_ = pattern(512, 384);
  source_w_ = 512;
  source_h_ = 384;
  size_t stride = 1;
  uint8_t* own = oaimg_request_source_buffer(request_, 512, 384, OAIMG_RGBA8, &stride);
  ASSERT_NE(own, nullptr) << oaimg_request_error_message(request_);
  ASSERT_EQ(stride, size_t(512) * 4);
  EXPECT_TRUE(std::all_of(own, own + source_.size(), [](uint8_t b) { return b == 0; }));
  std::copy(source_.begin(), source_.end(), own);
  oaimg_request_set_n(request_, 2);
  ASSERT_EQ(oaimg_request_set_extend(request_, 0, 0, 256, 0), OAIMG_OK);
  ASSERT_EQ(run(), OAIMG_OK) << error();
  check_extended_right(result_, source_, source_w_, source_h_, 256);
}

TEST_F(ExtendJob, SourceBufferRefusesBadSizesAndFormats) {
  ASSERT_EQ(oaimg_request_new(OAIMG_EDIT, &request_), OAIMG_OK);
  size_t stride = 7;
  EXPECT_EQ(oaimg_request_source_buffer(request_, 0, 10, OAIMG_RGBA8, &stride), nullptr);
  EXPECT_EQ(stride, 0u);
  EXPECT_NE(std::string(oaimg_request_error_message(request_)).find("at least 1"),
            std::string::npos);
  EXPECT_EQ(oaimg_request_source_buffer(request_, 4, 4, static_cast<oaimg_pixel_format>(99),
                                        nullptr),
            nullptr);
  EXPECT_NE(std::string(oaimg_request_error_message(request_)).find("OAIMG_RGBA8"),
            std::string::npos);
  EXPECT_EQ(oaimg_request_source_buffer(nullptr, 4, 4, OAIMG_RGBA8, nullptr), nullptr);
}
