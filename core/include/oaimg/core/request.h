// An Images API request as the caller describes it, and its check against a model's capabilities.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"
#include "oaimg/core/models.h"
#include "oaimg/core/png_codec.h"

namespace oaimg {

enum class FileFormat { Unknown, Png, Jpeg, Webp };

FileFormat sniff_format(const std::vector<uint8_t>& bytes);
std::string_view format_mime(FileFormat f);  // "image/png", ...
std::string_view format_name(FileFormat f);  // "png", ...

struct UploadFile {
  std::vector<uint8_t> bytes;
  FileFormat format = FileFormat::Unknown;
};

enum class ContextMode { Auto = 0, Selection = 1, Image = 2 };

// A PNG kept encoded until the region it is read for is known. `consumed` is told how far the
// reader is done with the bytes (a mapped file drops those pages); the bytes stay readable.
struct EncodedSource {
  virtual ~EncodedSource() = default;
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint32_t width = 0, height = 0;  // from the header, checked against the decode limits
  PngDecodeLimits limits;
  virtual void consumed(size_t /*done*/) const {}
};

struct ImageRequest {
  Operation op = Operation::Generate;
  std::optional<std::string> prompt, model, size, quality, background, output_format, moderation,
      input_fidelity, style, response_format, user;
  // The SDK (7.59.0): a non-empty safety_identifier takes precedence over the deprecated user.
  std::optional<std::string> safety_identifier, complexity;
  // Planning with a source stays within the standard sizes (2560x1440) unless this is set.
  bool allow_experimental_size = false;
  std::optional<int> n, output_compression;
  std::optional<int> partial_images;  // set = stream=true with this many partials

  std::vector<UploadFile> images;
  std::optional<UploadFile> mask, markup;

  // The whole-job inputs (issue: selection to layers). Optional.
  std::optional<Image> source;
  // Or the source still as a PNG (set instead of `source`): planning reads only the rows and
  // columns of the planned region from it, as a stream (decode_png_region), so no decoded copy of
  // the whole source is ever held. Shared, so that copies of the request read the same bytes.
  std::shared_ptr<const EncodedSource> source_png;
  std::optional<Selection> selection;
  ContextMode context_mode = ContextMode::Auto;
  // The area results may cover, in source coordinates (unset: the source's bounds). Canvas the
  // source does not cover is sent transparent; a selection may reach into it.
  std::optional<Rect> canvas;
  // Extend: an edit that grows the canvas by these margins and repaints the new area; the
  // selection is made from the margins (see oaimg/core/extend.h).
  std::optional<Margins> extend;
  // Images that guide the edit (an object, a style, a face), sent after the edited one in order.
  std::vector<Image> references;
  // A drawing over the source (transparent where nothing is drawn), sent as markup.
  std::optional<PlacedImage> markup_layer;
};

// Bounds on any WIDTHxHEIGHT size, for every model, known or not: no image API serves more than
// 3840x2160, and a size drives how large the request image, the mask and every result may be.
inline constexpr uint32_t kMaxSizeSide = 4096;
inline constexpr uint64_t kMaxSizePixels = uint64_t(kMaxSizeSide) * kMaxSizeSide;

// The size field against kMaxSizeSide / kMaxSizePixels, before anything is resampled to it; a
// size that is not digits x digits ("auto", a server's own word) passes.
Outcome check_size_bound(const std::optional<std::string>& size);

// A result can be no larger than any size oaimg lets a request ask for: a server answering with
// a bigger image is refused before it is decoded.
inline PngDecodeLimits result_decode_limits() { return PngDecodeLimits{kMaxSizePixels, kMaxSizeSide}; }

// The prompt sent for a variation on a GPT model when the caller gave none.
std::string_view default_variation_prompt();

// Checks every field against the model (after the model name is resolved). The message names the
// parameter, the value and what is allowed: "size '800x600' is not accepted by dall-e-2; use one
// of 256x256, 512x512, 1024x1024". Also checks the upload files (format, bytes, squareness and
// mask size match as far as it can read the PNG headers).
Outcome validate_request(const ImageRequest& req, const ModelCaps& caps);

// The API draws markup over the first image, so it must have fully transparent pixels (alpha 0)
// where nothing is drawn. The one check of that, for markup files (validate_request decodes them)
// and for the markup the whole job renders from a layer before encoding it.
Outcome check_markup_pixels(const Image& markup);

// Refuses a model OpenAI retired when the base URL is OpenAI's own, naming the replacement.
Outcome check_not_retired(const ModelCaps& caps, std::string_view base_url);

// One HTTP request's body, ready for the transport.
struct MultipartPart {
  std::string name;       // "prompt", "image", "image[]", "mask", ...
  std::string value;      // text fields
  const UploadFile* file = nullptr;  // file fields (points into the ImageRequest)
  std::string filename;   // "image.png"
};

struct HttpBody {
  bool multipart = false;
  std::string json;                     // generations
  std::vector<MultipartPart> parts;     // edits / variations
  std::string fields_json;              // the non-file fields as JSON, for dry runs and previews
};

// Builds the body of one HTTP request asking for n_this_request images. Only set fields are sent;
// numbers and booleans go as text in multipart. For a variation on a GPT model this builds an edit
// without a mask and with the default prompt when none was given.
HttpBody build_body(const ImageRequest& req, const ModelCaps& caps, int n_this_request);

// The endpoint a request goes to ("/images/edits"), after the GPT-variation rewrite.
std::string_view endpoint_for(const ImageRequest& req, const ModelCaps& caps);

}  // namespace oaimg
