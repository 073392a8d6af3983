// validate_request and check_not_retired: one test per rule, with the exact message a user reads.
#include <gtest/gtest.h>

#include <string>

#include "oaimg/core/png_codec.h"
#include "oaimg/core/request.h"
#include "test_request_files.h"

namespace oaimg {
namespace {

using test::jpeg_upload;
using test::png_upload;
using test::webp_upload;

ImageRequest generation(const char* model) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.model = model;
  req.prompt = "A lighthouse at dusk";
  return req;
}

ImageRequest edit(const char* model, uint32_t width = 512, uint32_t height = 512) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.model = model;
  req.prompt = "Add a boat";
  req.images = {png_upload(width, height)};
  return req;
}

// The error for a request that must fail; fails the test when it passes.
Error rejection(const ImageRequest& req) {
  Outcome outcome = validate_request(req, find_model(*req.model));
  EXPECT_FALSE(outcome.ok()) << "accepted: model " << *req.model;
  return outcome.ok() ? Error() : outcome.error();
}

void expect_accepted(const ImageRequest& req) {
  Outcome outcome = validate_request(req, find_model(*req.model));
  EXPECT_TRUE(outcome.ok()) << *req.model << ": " << (outcome.ok() ? "" : outcome.error().message);
}

TEST(ValidateRequest, PlainRequestsPass) {
  expect_accepted(generation("gpt-image-1.5"));
  expect_accepted(generation("dall-e-3"));
  expect_accepted(edit("dall-e-2"));
  ImageRequest full = edit("gpt-image-1.5", 1000, 600);
  full.images.push_back(jpeg_upload());
  full.images.push_back(webp_upload());
  full.mask = png_upload(1000, 600);
  full.size = "1536x1024";
  full.quality = "high";
  full.background = "opaque";
  full.output_format = "jpeg";
  full.output_compression = 70;
  full.input_fidelity = "high";
  full.partial_images = 3;
  full.n = 10;
  expect_accepted(full);
}

TEST(ValidateRequest, OperationMustBeOffered) {
  Error e = rejection(edit("dall-e-3"));
  EXPECT_EQ(e.status, Status::Unsupported);
  EXPECT_EQ(e.param, "model");
  EXPECT_EQ(e.message, "dall-e-3 does not accept edits; it accepts only generations");
}

TEST(ValidateRequest, PromptRequiredForGenerationsAndEdits) {
  ImageRequest req = generation("gpt-image-1.5");
  req.prompt.reset();
  Error e = rejection(req);
  EXPECT_EQ(e.status, Status::InvalidArgument);
  EXPECT_EQ(e.param, "prompt");
  EXPECT_EQ(e.message, "prompt is required for generations with gpt-image-1.5");

  ImageRequest ed = edit("dall-e-2");
  ed.prompt = "";
  EXPECT_EQ(rejection(ed).message, "prompt is required for edits with dall-e-2");
}

TEST(ValidateRequest, PromptLengthCountsCharactersNotBytes) {
  ImageRequest req = generation("dall-e-2");
  // 1000 characters of two bytes each: at the limit in characters, over it in bytes.
  std::string at_limit;
  for (int i = 0; i < 1000; ++i) at_limit += "é";
  req.prompt = at_limit;
  expect_accepted(req);

  req.prompt = at_limit + "x";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "prompt");
  EXPECT_EQ(e.message, "prompt is 1001 characters long; dall-e-2 accepts at most 1000");

  req.prompt = std::string("bad \xC3(", 6);
  EXPECT_EQ(rejection(req).message, "prompt is not valid UTF-8 text");
}

TEST(ValidateRequest, DallE2VariationTakesNoPromptGptVariationMayHaveOne) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.model = "dall-e-2";
  req.images = {png_upload(256, 256)};
  expect_accepted(req);
  req.prompt = "make it blue";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "prompt");
  EXPECT_EQ(e.message,
            "prompt is not accepted by dall-e-2 for variations (the variations endpoint takes none); "
            "leave it empty, or make an edit with a GPT image model");

  req.model = "gpt-image-1.5";
  expect_accepted(req);
  req.prompt.reset();
  expect_accepted(req);  // the default variation prompt is used
}

TEST(ValidateRequest, NRange) {
  ImageRequest req = generation("gpt-image-1.5");
  req.n = 11;
  Error e = rejection(req);
  EXPECT_EQ(e.param, "n");
  EXPECT_EQ(e.message, "n 11 is out of range for gpt-image-1.5; use 1 to 10");
  req.n = 0;
  EXPECT_EQ(rejection(req).message, "n 0 is out of range for gpt-image-1.5; use 1 to 10");
  // dall-e-3 takes n = 1 per request, but n results are fanned out, so n up to 10 is fine.
  ImageRequest d3 = generation("dall-e-3");
  d3.n = 4;
  expect_accepted(d3);
}

TEST(ValidateRequest, FixedSizesListWhatIsAllowed) {
  ImageRequest req = edit("dall-e-2");
  req.size = "800x600";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "size");
  EXPECT_EQ(e.message, "size '800x600' is not accepted by dall-e-2 for edits; use 256x256, 512x512 or 1024x1024");

  ImageRequest gen = generation("gpt-image-1.5");
  gen.size = "1536x864";
  EXPECT_EQ(rejection(gen).message,
            "size '1536x864' is not accepted by gpt-image-1.5 for generations; use auto, 1024x1024, "
            "1536x1024 or 1024x1536");
  gen.size = "auto";
  expect_accepted(gen);
}

TEST(ValidateRequest, CustomSizeRule) {
  ImageRequest req = generation("gpt-image-2");
  for (const char* ok : {"1536x864", "3840x2160", "2160x3840", "768x2304", "auto", "1024x1536"}) {
    req.size = ok;
    expect_accepted(req);
  }
  const std::string allowed =
      "; use auto, 1024x1024, 1536x1024 or 1024x1536 or any WIDTHxHEIGHT with both sides divisible by "
      "16, an aspect ratio within 1:3 to 3:1, and at most 3840x2160";
  const std::pair<const char*, const char*> bad[] = {
      {"1000x600", "both sides must be divisible by 16"},
      {"3200x1024", "the aspect ratio is beyond 3:1"},
      {"4096x2048", "it is larger than 3840x2160"},
      {"2304x2304", "it is larger than 3840x2160"},  // short side above 2160
      {"0x0", "each side must be at least 16"},
      {"1024*1024", "it is not WIDTHxHEIGHT"},
  };
  for (auto [size, problem] : bad) {
    req.size = size;
    Error e = rejection(req);
    EXPECT_EQ(e.param, "size");
    EXPECT_EQ(e.message, std::string("size '") + size + "' is not accepted by gpt-image-2 for generations (" +
                             problem + ")" + allowed);
  }
}

TEST(ValidateRequest, EnumeratedParameters) {
  ImageRequest req = generation("gpt-image-1.5");
  req.quality = "hd";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "quality");
  EXPECT_EQ(e.message, "quality 'hd' is not accepted by gpt-image-1.5; use auto, low, medium or high");

  ImageRequest sunburst = generation("gpt-image-2.5-sunburst");
  sunburst.quality = "max";
  expect_accepted(sunburst);

  ImageRequest d3 = generation("dall-e-3");
  d3.style = "pastel";
  EXPECT_EQ(rejection(d3).message, "style 'pastel' is not accepted by dall-e-3; use vivid or natural");

  ImageRequest d2 = generation("dall-e-2");
  d2.background = "transparent";
  e = rejection(d2);
  EXPECT_EQ(e.param, "background");
  EXPECT_EQ(e.message, "background 'transparent' is given but dall-e-2 does not accept background; leave it unset");

  ImageRequest mini = edit("gpt-image-1-mini");
  mini.input_fidelity = "high";
  EXPECT_EQ(rejection(mini).message, "input_fidelity 'high' is not accepted by gpt-image-1-mini; use low");

  ImageRequest two = edit("gpt-image-2");
  two.input_fidelity = "low";
  EXPECT_EQ(rejection(two).message,
            "input_fidelity 'low' is given but gpt-image-2 does not accept input_fidelity; leave it unset");
}

TEST(ValidateRequest, ParametersTiedToAnOperation) {
  ImageRequest req = edit("gpt-image-1.5");
  req.moderation = "low";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "moderation");
  EXPECT_EQ(e.message, "moderation is only accepted for generations, not for edits; leave it unset");

  ImageRequest gen = generation("gpt-image-1.5");
  gen.input_fidelity = "high";
  EXPECT_EQ(rejection(gen).message,
            "input_fidelity only applies to input images, so it is not accepted for generations; leave it unset");
}

TEST(ValidateRequest, OutputCompressionNeedsJpegOrWebp) {
  ImageRequest req = generation("gpt-image-1.5");
  req.output_compression = 50;
  Error e = rejection(req);
  EXPECT_EQ(e.param, "output_compression");
  EXPECT_EQ(e.message, "output_compression 50 needs output_format jpeg or webp, but output_format is png");
  req.output_format = "webp";
  expect_accepted(req);
  req.output_compression = 101;
  EXPECT_EQ(rejection(req).message, "output_compression 101 is out of range; use 0 to 100");

  ImageRequest d2 = generation("dall-e-2");
  d2.output_compression = 50;
  EXPECT_EQ(rejection(d2).message,
            "output_compression 50 is given but dall-e-2 does not accept output_compression; leave it unset");
}

TEST(ValidateRequest, TransparentBackgroundNeedsAlphaFormat) {
  ImageRequest req = generation("gpt-image-1.5");
  req.background = "transparent";
  expect_accepted(req);  // png is the default output format
  req.output_format = "jpeg";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "background");
  EXPECT_EQ(e.message, "background 'transparent' needs output_format png or webp, but output_format is jpeg");
}

TEST(ValidateRequest, ResponseFormatOnlyWhereAccepted) {
  ImageRequest req = generation("gpt-image-1.5");
  req.response_format = "url";
  Error e = rejection(req);
  EXPECT_EQ(e.param, "response_format");
  EXPECT_EQ(e.message, "response_format 'url' is given but gpt-image-1.5 always answers with b64_json; leave it unset");

  ImageRequest d2 = generation("dall-e-2");
  d2.response_format = "url";
  expect_accepted(d2);
  d2.response_format = "png";
  EXPECT_EQ(rejection(d2).message, "response_format 'png' is not accepted; use url or b64_json");
}

TEST(ValidateRequest, PartialImagesOnlyWhereStreaming) {
  ImageRequest req = generation("gpt-image-1.5");
  req.partial_images = 0;
  expect_accepted(req);
  req.partial_images = 4;
  Error e = rejection(req);
  EXPECT_EQ(e.param, "partial_images");
  EXPECT_EQ(e.message, "partial_images 4 is out of range for gpt-image-1.5; use 0 to 3");

  ImageRequest d2 = edit("dall-e-2");
  d2.partial_images = 1;
  EXPECT_EQ(rejection(d2).message,
            "partial_images 1 asks for streaming, which dall-e-2 does not offer for edits; leave it unset");
}

TEST(ValidateRequest, InputImageCountAndPresence) {
  ImageRequest req = edit("gpt-image-1.5");
  req.images.clear();
  Error e = rejection(req);
  EXPECT_EQ(e.param, "image");
  EXPECT_EQ(e.message, "edits need at least one input image; none was given");

  req.images.assign(17, png_upload(64, 64));
  EXPECT_EQ(rejection(req).message, "17 input images were given; gpt-image-1.5 accepts at most 16 for edits");
  req.images.resize(16);
  expect_accepted(req);

  ImageRequest d2 = edit("dall-e-2");
  d2.images.push_back(png_upload(512, 512));
  EXPECT_EQ(rejection(d2).message, "2 input images were given; dall-e-2 accepts at most 1 for edits");

  ImageRequest gen = generation("gpt-image-1.5");
  gen.images = {png_upload(64, 64)};
  EXPECT_EQ(rejection(gen).message, "image is not accepted for generations (1 given); make an edit to start from an image");
}

TEST(ValidateRequest, InputFormatSizeAndSquareness) {
  ImageRequest req = edit("dall-e-2");
  req.images = {jpeg_upload()};
  Error e = rejection(req);
  EXPECT_EQ(e.param, "image");
  EXPECT_EQ(e.message, "image 1 is a JPEG file; dall-e-2 accepts PNG");

  req.images = {UploadFile{{'G', 'I', 'F', '8', '9', 'a'}, FileFormat::Unknown}};
  EXPECT_EQ(rejection(req).message, "image 1 is not a PNG, JPEG or WebP file (6 bytes); dall-e-2 accepts PNG");

  req.images = {png_upload(512, 384)};
  EXPECT_EQ(rejection(req).message, "image 1 is 512x384; dall-e-2 needs a square image");

  req.images = {png_upload(512, 512, 6, false, 4'000'000)};
  e = rejection(req);
  EXPECT_EQ(e.message.substr(0, 14), "image 1 is 4.0");
  EXPECT_NE(e.message.find("dall-e-2 accepts less than 4.0 MB per image"), std::string::npos) << e.message;

  ImageRequest gpt = edit("gpt-image-1.5", 512, 384);  // any shape is fine on GPT models
  gpt.images.push_back(UploadFile{{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, FileFormat::Png});
  EXPECT_EQ(rejection(gpt).message, "image 2 starts like a PNG but its header (IHDR) cannot be read");
}

TEST(ValidateRequest, MaskRules) {
  ImageRequest req = edit("dall-e-2");
  req.mask = png_upload(512, 512, 2);  // RGB: no alpha
  Error e = rejection(req);
  EXPECT_EQ(e.param, "mask");
  EXPECT_EQ(e.message,
            "mask has no alpha channel (PNG color type 2, no tRNS); its transparent pixels mark the area, "
            "so it needs RGBA, gray+alpha or tRNS");

  req.mask = png_upload(512, 512, 2, /*with_trns=*/true);
  expect_accepted(req);
  req.mask = png_upload(512, 512, 4);
  expect_accepted(req);

  req.mask = png_upload(256, 256);
  EXPECT_EQ(rejection(req).message,
            "mask is 256x256 but the first image is 512x512; they must have the same size");

  req.mask = webp_upload();
  EXPECT_EQ(rejection(req).message, "mask is a WebP file; it must be a PNG with an alpha channel");

  req.mask = png_upload(512, 512, 6, false, 4'000'000);
  EXPECT_NE(rejection(req).message.find("dall-e-2 accepts less than 4.0 MB"), std::string::npos);

  ImageRequest variation;
  variation.op = Operation::Variation;
  variation.model = "dall-e-2";
  variation.images = {png_upload(256, 256)};
  variation.mask = png_upload(256, 256);
  EXPECT_EQ(rejection(variation).message, "mask is not accepted for variations; make an edit to use a mask");
}

TEST(ValidateRequest, MarkupMustContainTransparentPixels) {
  Image opaque{32, 32, PixelFormat::Rgba8, std::vector<uint8_t>(32 * 32 * 4, 255)};
  ImageRequest req = edit("gpt-image-2.5-sunburst", 32, 32);
  req.markup = UploadFile{encode_png(opaque).value(), FileFormat::Png};
  Error e = rejection(req);
  EXPECT_EQ(e.param, "markup");
  EXPECT_NE(e.message.find("no transparent pixel"), std::string::npos) << e.message;

  opaque.pixels[7] = 0;  // one transparent pixel is enough
  req.markup = UploadFile{encode_png(opaque).value(), FileFormat::Png};
  expect_accepted(req);
}

TEST(ValidateRequest, ComplexityOnGptModels) {
  ImageRequest req = generation("gpt-image-1.5");
  req.complexity = "high";
  expect_accepted(req);
  req.complexity = "extreme";
  EXPECT_EQ(rejection(req).message, "complexity 'extreme' is not accepted by gpt-image-1.5; use low, medium or high");
  ImageRequest old = generation("dall-e-3");
  old.complexity = "low";
  EXPECT_EQ(rejection(old).param, "complexity");
}

// A real RGBA markup (its pixels are read): a stroke across the middle, transparent elsewhere
// unless `drawn_everywhere`.
UploadFile markup_upload(uint32_t width, uint32_t height, bool drawn_everywhere = false) {
  Image image;
  image.width = width;
  image.height = height;
  image.format = PixelFormat::Rgba8;
  image.pixels.assign(size_t(width) * height * 4, drawn_everywhere ? 255 : 0);
  for (uint32_t x = 0; x < width; ++x) {
    uint8_t* p = image.pixels.data() + (size_t(height / 2) * width + x) * 4;
    p[0] = 255;
    p[3] = 255;
  }
  return UploadFile{encode_png(image).value(), FileFormat::Png};
}

TEST(ValidateRequest, MarkupMustHaveTransparentPixels) {
  ImageRequest req = edit("gpt-image-2.5-flare", 64, 48);
  req.markup = markup_upload(64, 48, true);
  Error e = rejection(req);
  EXPECT_EQ(e.param, "markup");
  EXPECT_EQ(e.message, "markup has no transparent pixels; it is drawn over the first image, so "
                       "everything not drawn must be fully transparent (alpha 0)");
  req.markup = markup_upload(64, 48);
  expect_accepted(req);
  req.markup = png_upload(64, 48);  // a header without pixel data behind it
  EXPECT_EQ(rejection(req).param, "markup");
}

TEST(ValidateRequest, MarkupOnlyOnGptImage25AndNotWithMask) {
  ImageRequest req = edit("gpt-image-2.5-sunburst", 1024, 768);
  req.markup = markup_upload(1024, 768);
  expect_accepted(req);

  req.mask = png_upload(1024, 768);
  Error e = rejection(req);
  EXPECT_EQ(e.param, "markup");
  EXPECT_EQ(e.message, "markup cannot be combined with mask; send one of them");

  ImageRequest older = edit("gpt-image-2", 1024, 768);
  older.markup = markup_upload(1024, 768);
  EXPECT_EQ(rejection(older).message,
            "markup is given but gpt-image-2 does not accept markup; use a GPT Image 2.5 model or a mask");

  req.mask.reset();
  req.markup = png_upload(1024, 1024);
  EXPECT_EQ(rejection(req).message,
            "markup is 1024x1024 but the first image is 1024x768; they must have the same size");
}

TEST(ValidateRequest, UnknownModelsLeaveDecisionsToTheServer) {
  ImageRequest req = edit("my-local-model", 800, 600);
  req.size = "800x600";
  req.quality = "ultra";
  req.response_format = "url";
  req.images.push_back(jpeg_upload());
  req.prompt = std::string(40000, 'x');
  expect_accepted(req);

  req.n = 11;  // a structural bound still holds
  EXPECT_EQ(rejection(req).message, "n 11 is out of range for my-local-model; use 1 to 10");
}

TEST(CheckNotRetired, RefusesRetiredModelsOnlyAtOpenAi) {
  Outcome at_openai = check_not_retired(find_model("dall-e-2"), "https://api.openai.com/v1");
  ASSERT_FALSE(at_openai.ok());
  EXPECT_EQ(at_openai.error().status, Status::ModelRetired);
  EXPECT_EQ(at_openai.error().message,
            "dall-e-2 was retired by OpenAI on 2026-05-12; use gpt-image-1-mini instead (a compatible "
            "server may still serve dall-e-2)");

  Outcome gpt1 = check_not_retired(find_model("gpt-image-1"), "https://api.openai.com/v1");
  ASSERT_FALSE(gpt1.ok());
  EXPECT_NE(gpt1.error().message.find("2026-10-23"), std::string::npos);
  EXPECT_NE(gpt1.error().message.find("gpt-image-2.5-sunburst"), std::string::npos);

  EXPECT_TRUE(check_not_retired(find_model("dall-e-2"), "http://localhost:8080/v1").ok());
  EXPECT_TRUE(check_not_retired(find_model("gpt-image-1.5"), "https://api.openai.com/v1").ok());
  EXPECT_TRUE(check_not_retired(find_model("my-local-model"), "https://api.openai.com/v1").ok());
}

TEST(DefaultVariationPrompt, AsksForAVariationKeepingComposition) {
  std::string prompt(default_variation_prompt());
  EXPECT_NE(prompt.find("variation"), std::string::npos);
  EXPECT_NE(prompt.find("composition"), std::string::npos);
  // Short enough for the smallest prompt limit of any model (dall-e-2: 1000).
  EXPECT_LE(prompt.size(), 1000u);
}

}  // namespace
}  // namespace oaimg
