// Checks a request against the model's caps before anything is uploaded: a refusal here costs
// nothing, a refusal from the server costs an upload of up to 16 × 50 MB and a wait. Every message
// names the parameter, the value given and what is allowed.
#include <algorithm>
#include <cstdio>

#include <glib.h>

#include "oaimg/core/png_codec.h"
#include "oaimg/core/request.h"

namespace oaimg {
namespace {

Error invalid(std::string param, std::string message) {
  Error error(Status::InvalidArgument, std::move(message));
  error.param = std::move(param);  // lets a dialog point at the field
  return error;
}

std::string plural_operation(Operation op) {
  switch (op) {
    case Operation::Generate: return "generations";
    case Operation::Edit: return "edits";
    case Operation::Variation: return "variations";
  }
  return "requests";
}

// "a", "a or b", "a, b or c".
std::string one_of(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += values[i];
  }
  return out;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Code points in valid UTF-8 (the API counts characters, not bytes); nullopt when invalid.
std::optional<size_t> utf8_length(std::string_view text) {
  if (!g_utf8_validate_len(text.data(), text.size(), nullptr)) return std::nullopt;
  return size_t(g_utf8_strlen(text.data(), gssize(text.size())));
}

std::string megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
  return text;
}

// The PNG header (IHDR, and tRNS for alpha) read without decoding: enough for squareness, mask
// alpha and dimension matching.
std::optional<PngHeader> png_header_of(const std::vector<uint8_t>& bytes) {
  Result<PngHeader> header = read_png_header(bytes.data(), bytes.size());
  if (!header) return std::nullopt;
  return header.value();
}

std::string format_label(FileFormat f) {
  switch (f) {
    case FileFormat::Png: return "PNG";
    case FileFormat::Jpeg: return "JPEG";
    case FileFormat::Webp: return "WebP";
    case FileFormat::Unknown: break;
  }
  return "unknown";
}

std::vector<std::string> accepted_input_formats(const ModelCaps& caps) {
  std::vector<std::string> formats;
  if (caps.input_png) formats.push_back("PNG");
  if (caps.input_jpeg) formats.push_back("JPEG");
  if (caps.input_webp) formats.push_back("WebP");
  return formats;
}

bool format_accepted(const ModelCaps& caps, FileFormat f) {
  return (f == FileFormat::Png && caps.input_png) || (f == FileFormat::Jpeg && caps.input_jpeg) ||
         (f == FileFormat::Webp && caps.input_webp);
}

std::optional<std::pair<int64_t, int64_t>> parse_wxh(const std::string& size) {
  int64_t w = 0, h = 0;
  size_t x = size.find('x');
  if (x == std::string::npos || x == 0 || x + 1 == size.size()) return std::nullopt;
  for (size_t i = 0; i < size.size(); ++i) {
    if (i == x) continue;
    if (size[i] < '0' || size[i] > '9') return std::nullopt;
    int64_t& side = i < x ? w : h;
    side = side * 10 + (size[i] - '0');
    if (side > 1'000'000) return std::nullopt;
  }
  return std::pair{w, h};
}

// Why a WxH breaks the custom-size rule, or "" when it keeps it.
std::string custom_size_problem(const std::string& size, const CustomSizeRule& rule) {
  auto wh = parse_wxh(size);
  if (!wh) return "it is not WIDTHxHEIGHT";
  auto [w, h] = *wh;
  int64_t long_side = std::max(w, h), short_side = std::min(w, h);
  if (short_side < rule.min_side) return "each side must be at least " + std::to_string(rule.min_side);
  if (w % rule.multiple || h % rule.multiple)
    return "both sides must be divisible by " + std::to_string(rule.multiple);
  if (double(long_side) > rule.max_aspect * double(short_side)) return "the aspect ratio is beyond 3:1";
  if (long_side > rule.max_long_side || short_side > rule.max_short_side || w * h > rule.max_pixels)
    return "it is larger than " + std::to_string(rule.max_long_side) + "x" + std::to_string(rule.max_short_side);
  return "";
}

Outcome check_size(const ImageRequest& req, const ModelCaps& caps) {
  if (Outcome bound = check_size_bound(req.size); !bound) return bound;
  if (!req.size) return {};
  const std::string& size = *req.size;
  const auto& sizes = sizes_for(caps, req.op);
  if (sizes.empty() && !caps.custom_size) return {};  // unknown model: the server decides
  if (contains(sizes, size)) return {};
  std::string problem;
  if (caps.custom_size) {
    problem = custom_size_problem(size, *caps.custom_size);
    if (problem.empty()) return {};
  }
  std::string message = "size '" + size + "' is not accepted by " + caps.name + " for " +
                        plural_operation(req.op);
  if (caps.custom_size) {
    const CustomSizeRule& rule = *caps.custom_size;
    message += " (" + problem + "); use " + one_of(sizes) + " or any WIDTHxHEIGHT with both sides divisible by " +
               std::to_string(rule.multiple) + ", an aspect ratio within 1:3 to 3:1, and at most " +
               std::to_string(rule.max_long_side) + "x" + std::to_string(rule.max_short_side);
  } else {
    message += "; use " + one_of(sizes);
  }
  return invalid("size", message);
}

// An enumerated parameter: accepted only if the model lists it, with one of the listed values.
Outcome check_enum(const char* param, const std::optional<std::string>& value,
                   const std::vector<std::string>& allowed, const ModelCaps& caps) {
  if (!value || !caps.known) return {};
  if (allowed.empty())
    return invalid(param, std::string(param) + " '" + *value + "' is given but " + caps.name +
                              " does not accept " + param + "; leave it unset");
  if (!contains(allowed, *value))
    return invalid(param, std::string(param) + " '" + *value + "' is not accepted by " + caps.name +
                              "; use " + one_of(allowed));
  return {};
}

Outcome check_only_for(const char* param, bool is_set, Operation op, Operation allowed_op) {
  if (!is_set || op == allowed_op) return {};
  return invalid(param, std::string(param) + " is only accepted for " + plural_operation(allowed_op) +
                            ", not for " + plural_operation(op) + "; leave it unset");
}

// Variations on a GPT model become edits; everywhere else they use the variations endpoint.
bool uses_variations_endpoint(const ImageRequest& req, const ModelCaps& caps) {
  return req.op == Operation::Variation && caps.family != ModelFamily::GptImage;
}

Outcome check_prompt(const ImageRequest& req, const ModelCaps& caps) {
  bool given = req.prompt && !req.prompt->empty();
  if (uses_variations_endpoint(req, caps)) {
    if (given)
      return invalid("prompt", "prompt is not accepted by " + caps.name +
                                   " for variations (the variations endpoint takes none); leave it "
                                   "empty, or make an edit with a GPT image model");
    return {};
  }
  if (!given) {
    if (req.op == Operation::Variation) return {};  // the default variation prompt is sent
    return invalid("prompt", "prompt is required for " + plural_operation(req.op) + " with " + caps.name);
  }
  auto length = utf8_length(*req.prompt);
  if (!length) return invalid("prompt", "prompt is not valid UTF-8 text");
  if (caps.known && *length > caps.prompt_max_chars)
    return invalid("prompt", "prompt is " + std::to_string(*length) + " characters long; " + caps.name +
                                 " accepts at most " + std::to_string(caps.prompt_max_chars));
  return {};
}

Outcome check_numbers(const ImageRequest& req, const ModelCaps& caps) {
  if (req.n && (*req.n < caps.n_min || *req.n > caps.n_max))
    return invalid("n", "n " + std::to_string(*req.n) + " is out of range for " + caps.name + "; use " +
                            std::to_string(caps.n_min) + " to " + std::to_string(caps.n_max));

  if (req.output_compression) {
    int value = *req.output_compression;
    if (caps.known && !caps.output_compression)
      return invalid("output_compression", "output_compression " + std::to_string(value) +
                                               " is given but " + caps.name +
                                               " does not accept output_compression; leave it unset");
    if (value < 0 || value > 100)
      return invalid("output_compression", "output_compression " + std::to_string(value) +
                                               " is out of range; use 0 to 100");
    std::string format = req.output_format.value_or("png");
    if (format != "jpeg" && format != "webp")
      return invalid("output_compression", "output_compression " + std::to_string(value) +
                                               " needs output_format jpeg or webp, but output_format is " +
                                               format);
  }

  if (req.partial_images) {
    int value = *req.partial_images;
    bool streams = caps.streaming && !uses_variations_endpoint(req, caps);
    if (!streams)
      return invalid("partial_images", "partial_images " + std::to_string(value) +
                                           " asks for streaming, which " + caps.name + " does not offer for " +
                                           plural_operation(req.op) + "; leave it unset");
    if (value < 0 || value > caps.max_partial_images)
      return invalid("partial_images", "partial_images " + std::to_string(value) + " is out of range for " +
                                           caps.name + "; use 0 to " + std::to_string(caps.max_partial_images));
  }
  return {};
}

Outcome check_enums(const ImageRequest& req, const ModelCaps& caps) {
  const struct {
    const char* param;
    const std::optional<std::string>& value;
    const std::vector<std::string>& allowed;
  } enums[] = {
      {"quality", req.quality, caps.qualities},
      {"background", req.background, caps.backgrounds},
      {"output_format", req.output_format, caps.output_formats},
      {"moderation", req.moderation, caps.moderations},
      {"input_fidelity", req.input_fidelity, caps.input_fidelities},
      {"style", req.style, caps.styles},
      {"complexity", req.complexity, caps.complexities},
  };
  for (const auto& e : enums)
    if (Outcome o = check_enum(e.param, e.value, e.allowed, caps); !o) return o;

  if (Outcome o = check_only_for("moderation", req.moderation.has_value(), req.op, Operation::Generate); !o) return o;
  if (Outcome o = check_only_for("style", req.style.has_value(), req.op, Operation::Generate); !o) return o;
  if (req.input_fidelity && req.op == Operation::Generate)
    return invalid("input_fidelity", "input_fidelity only applies to input images, so it is not "
                                     "accepted for generations; leave it unset");

  if (req.response_format) {
    static const std::vector<std::string> kResponseFormats = {"url", "b64_json"};
    if (caps.known && !caps.response_format_param)
      return invalid("response_format", "response_format '" + *req.response_format + "' is given but " +
                                            caps.name + " always answers with b64_json; leave it unset");
    if (!contains(kResponseFormats, *req.response_format))
      return invalid("response_format", "response_format '" + *req.response_format +
                                            "' is not accepted; use url or b64_json");
  }

  if (req.background == "transparent") {
    std::string format = req.output_format.value_or("png");
    if (format != "png" && format != "webp")
      return invalid("background", "background 'transparent' needs output_format png or webp, but "
                                   "output_format is " + format);
  }
  return {};
}

Outcome check_input_file(const char* param, const std::string& label, const UploadFile& file,
                         const ModelCaps& caps, std::optional<PngHeader>* png_out) {
  FileFormat format = sniff_format(file.bytes);
  if (format == FileFormat::Unknown)
    return invalid(param, label + " is not a PNG, JPEG or WebP file (" + std::to_string(file.bytes.size()) +
                              " bytes); " + caps.name + " accepts " + one_of(accepted_input_formats(caps)));
  if (!format_accepted(caps, format))
    return invalid(param, label + " is a " + format_label(format) + " file; " + caps.name + " accepts " +
                              one_of(accepted_input_formats(caps)));
  if (int64_t(file.bytes.size()) >= caps.input_max_bytes)
    return invalid(param, label + " is " + megabytes(int64_t(file.bytes.size())) + "; " + caps.name +
                              " accepts less than " + megabytes(caps.input_max_bytes) + " per image");
  std::optional<PngHeader> png;
  if (format == FileFormat::Png) {
    png = png_header_of(file.bytes);
    if (!png) return invalid(param, label + " starts like a PNG but its header (IHDR) cannot be read");
  }
  if (caps.input_must_be_square && png && png->width != png->height)
    return invalid(param, label + " is " + std::to_string(png->width) + "x" + std::to_string(png->height) +
                              "; " + caps.name + " needs a square image");
  *png_out = png;
  return {};
}

// The mask and the markup are both PNG overlays on the first image.
Outcome check_overlay(const char* param, const UploadFile& file, const ModelCaps& caps,
                      const std::optional<PngHeader>& first_image) {
  std::string name = param;
  if (sniff_format(file.bytes) != FileFormat::Png)
    return invalid(param, name + " is a " + format_label(sniff_format(file.bytes)) +
                              " file; it must be a PNG with an alpha channel");
  if (int64_t(file.bytes.size()) >= caps.mask_max_bytes)
    return invalid(param, name + " is " + megabytes(int64_t(file.bytes.size())) + "; " + caps.name +
                              " accepts less than " + megabytes(caps.mask_max_bytes));
  auto png = png_header_of(file.bytes);
  if (!png) return invalid(param, name + " starts like a PNG but its header (IHDR) cannot be read");
  if (!png->has_alpha)
    return invalid(param, name + " has no alpha channel (PNG color type " + std::to_string(png->color_type) +
                              ", no tRNS); its transparent pixels mark the area, so it needs RGBA, gray+alpha "
                              "or tRNS");
  if (first_image && (png->width != first_image->width || png->height != first_image->height))
    return invalid(param, name + " is " + std::to_string(png->width) + "x" + std::to_string(png->height) +
                              " but the first image is " + std::to_string(first_image->width) + "x" +
                              std::to_string(first_image->height) + "; they must have the same size");
  return {};
}

// The SDK (7.59.0): markup "must ... contain transparent pixels"; an alpha channel that is
// opaque everywhere would hide the whole image. The one check, shared with the markup layer.
Outcome check_markup_file_pixels(const UploadFile& markup) {
  Result<Image> decoded = decode_png(markup.bytes.data(), markup.bytes.size());
  if (!decoded) return invalid("markup", "markup cannot be decoded: " + decoded.error().message);
  return check_markup_pixels(decoded.value());
}

Outcome check_inputs(const ImageRequest& req, const ModelCaps& caps) {
  if (req.op == Operation::Generate) {
    if (!req.images.empty())
      return invalid("image", "image is not accepted for generations (" + std::to_string(req.images.size()) +
                                  " given); make an edit to start from an image");
    if (req.mask) return invalid("mask", "mask is not accepted for generations; make an edit to use a mask");
    if (req.markup) return invalid("markup", "markup is not accepted for generations; make an edit to use markup");
    return {};
  }

  if (req.images.empty())
    return invalid("image", plural_operation(req.op) + " need at least one input image; none was given");
  int max_images = uses_variations_endpoint(req, caps) ? 1 : caps.max_input_images;
  if (int(req.images.size()) > max_images)
    return invalid("image", std::to_string(req.images.size()) + " input images were given; " + caps.name +
                                " accepts at most " + std::to_string(max_images) + " for " +
                                plural_operation(req.op));

  std::optional<PngHeader> first_png;
  for (size_t i = 0; i < req.images.size(); ++i) {
    std::optional<PngHeader> png;
    std::string label = "image " + std::to_string(i + 1);
    if (Outcome o = check_input_file("image", label, req.images[i], caps, &png); !o) return o;
    if (i == 0) first_png = png;
  }

  if (req.op == Operation::Variation) {
    if (req.mask) return invalid("mask", "mask is not accepted for variations; make an edit to use a mask");
    if (req.markup) return invalid("markup", "markup is not accepted for variations; make an edit to use markup");
    return {};
  }
  if (req.mask) {
    if (!caps.mask) return invalid("mask", "mask is given but " + caps.name + " does not accept a mask");
    if (Outcome o = check_overlay("mask", *req.mask, caps, first_png); !o) return o;
  }
  if (req.markup) {
    if (!caps.markup)
      return invalid("markup", "markup is given but " + caps.name +
                                   " does not accept markup; use a GPT Image 2.5 model or a mask");
    if (req.mask) return invalid("markup", "markup cannot be combined with mask; send one of them");
    if (Outcome o = check_overlay("markup", *req.markup, caps, first_png); !o) return o;
    if (Outcome o = check_markup_file_pixels(*req.markup); !o) return o;
  }
  return {};
}

}  // namespace

Outcome check_markup_pixels(const Image& markup) {
  const bool has_alpha = markup.format == PixelFormat::Rgba8 || markup.format == PixelFormat::GrayA8;
  if (has_alpha) {
    const size_t n = size_t(channels(markup.format));
    for (size_t i = n - 1; i < markup.pixels.size(); i += n)
      if (markup.pixels[i] == 0) return {};
  }
  return invalid("markup", "markup has no transparent pixels; it is drawn over the first image, "
                           "so everything not drawn must be fully transparent (alpha 0)");
}

std::string_view default_variation_prompt() {
  return "Create a variation of this image. Keep its composition, subject, framing and overall "
         "colour palette, and vary the details, textures and lighting so that it looks like a "
         "different take on the same picture.";
}

Outcome check_size_bound(const std::optional<std::string>& size) {
  if (!size) return {};
  const std::string& text = *size;
  size_t x = text.find('x');
  if (x == std::string::npos || x == 0 || x + 1 == text.size()) return {};
  // Digits of any length: 99999999999x1 must not slip through as "not a number".
  uint64_t side[2] = {0, 0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == x) continue;
    if (text[i] < '0' || text[i] > '9') return {};
    uint64_t& s = side[i < x ? 0 : 1];
    s = std::min<uint64_t>(s * 10 + uint64_t(text[i] - '0'), 1'000'000'000);
  }
  if (side[0] > kMaxSizeSide || side[1] > kMaxSizeSide || side[0] * side[1] > kMaxSizePixels)
    return invalid("size", "size '" + text + "' is larger than oaimg allows for any model: at most " +
                               std::to_string(kMaxSizeSide) + " pixels a side and " +
                               std::to_string(kMaxSizeSide) + "x" + std::to_string(kMaxSizeSide) +
                               " in all");
  return {};
}

Outcome validate_request(const ImageRequest& req, const ModelCaps& caps) {
  bool supported = (req.op == Operation::Generate && caps.generate) ||
                   (req.op == Operation::Edit && caps.edit) ||
                   (req.op == Operation::Variation && caps.variation);
  if (!supported) {
    std::vector<std::string> offered;
    if (caps.generate) offered.push_back("generations");
    if (caps.edit) offered.push_back("edits");
    if (caps.variation) offered.push_back("variations");
    Error error(Status::Unsupported, caps.name + " does not accept " + plural_operation(req.op) +
                                         "; it accepts only " + one_of(offered));
    error.param = "model";
    return error;
  }
  if (Outcome o = check_prompt(req, caps); !o) return o;
  if (Outcome o = check_numbers(req, caps); !o) return o;
  if (Outcome o = check_size(req, caps); !o) return o;
  if (Outcome o = check_enums(req, caps); !o) return o;
  if (Outcome o = check_inputs(req, caps); !o) return o;
  return {};
}

Outcome check_not_retired(const ModelCaps& caps, std::string_view base_url) {
  if (!caps.retired || !is_openai_base_url(base_url)) return {};
  Error error(Status::ModelRetired, caps.name + " was retired by OpenAI on " + caps.retired_on + "; use " +
                                        caps.replacement + " instead (a compatible server may still serve " +
                                        caps.name + ")");
  error.param = "model";
  return error;
}

}  // namespace oaimg
