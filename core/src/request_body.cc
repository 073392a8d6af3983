// One HTTP request's body. Generations are JSON; edits and variations are multipart with numbers
// and booleans as text. A GPT model has no variations endpoint any more, so a variation there is
// rewritten into an edit with a prompt and no mask.
#include <json-glib/json-glib.h>

#include <memory>

#include "oaimg/core/request.h"

namespace oaimg {
namespace {

struct Field {
  enum class Kind { Text, Integer, Boolean };
  std::string name;
  Kind kind = Kind::Text;
  std::string text;
  int64_t integer = 0;

  std::string as_text() const {
    switch (kind) {
      case Kind::Text: return text;
      case Kind::Integer: return std::to_string(integer);
      case Kind::Boolean: return integer ? "true" : "false";
    }
    return text;
  }
};

// What actually goes out after the variation rewrite.
enum class Shape { GenerationsJson, EditsMultipart, VariationsMultipart };

Shape shape_for(const ImageRequest& req, const ModelCaps& caps) {
  if (req.op == Operation::Generate) return Shape::GenerationsJson;
  if (req.op == Operation::Edit || caps.family == ModelFamily::GptImage) return Shape::EditsMultipart;
  return Shape::VariationsMultipart;
}

void add_text(std::vector<Field>& fields, const char* name, const std::optional<std::string>& value) {
  if (value) fields.push_back(Field{name, Field::Kind::Text, *value, 0});
}

void add_int(std::vector<Field>& fields, const char* name, const std::optional<int>& value) {
  if (value) fields.push_back(Field{name, Field::Kind::Integer, "", *value});
}

std::vector<Field> text_fields(const ImageRequest& req, const ModelCaps& caps, Shape shape,
                               int n_this_request) {
  std::vector<Field> fields;
  if (shape == Shape::EditsMultipart && req.op == Operation::Variation) {
    bool has_prompt = req.prompt && !req.prompt->empty();
    fields.push_back(Field{"prompt", Field::Kind::Text,
                           has_prompt ? *req.prompt : std::string(default_variation_prompt()), 0});
  } else if (shape != Shape::VariationsMultipart) {
    add_text(fields, "prompt", req.prompt);
  }

  // The model is always named: OpenAI asks clients to, and a compatible server may host several.
  if (req.model) add_text(fields, "model", req.model);
  else if (!caps.name.empty()) fields.push_back(Field{"model", Field::Kind::Text, caps.name, 0});

  // n is sent when the caller chose one, or when a fan-out asks this request for fewer.
  if (req.n || n_this_request != 1)
    fields.push_back(Field{"n", Field::Kind::Integer, "", n_this_request});
  add_text(fields, "size", req.size);
  add_text(fields, "response_format", req.response_format);
  const bool has_safety_identifier = req.safety_identifier && !req.safety_identifier->empty();
  if (shape == Shape::VariationsMultipart) {
    // The variations endpoint knows only the deprecated user, which the identifier replaces.
    add_text(fields, "user", has_safety_identifier ? req.safety_identifier : req.user);
    return fields;  // the endpoint takes nothing else
  }
  add_text(fields, "user", req.user);
  if (has_safety_identifier) add_text(fields, "safety_identifier", req.safety_identifier);
  add_text(fields, "complexity", req.complexity);

  add_text(fields, "quality", req.quality);
  add_text(fields, "background", req.background);
  add_text(fields, "output_format", req.output_format);
  add_int(fields, "output_compression", req.output_compression);
  add_text(fields, "moderation", req.moderation);
  add_text(fields, "input_fidelity", req.input_fidelity);
  add_text(fields, "style", req.style);
  if (req.partial_images) {
    fields.push_back(Field{"stream", Field::Kind::Boolean, "", 1});
    add_int(fields, "partial_images", req.partial_images);
  }
  return fields;
}

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};

std::string to_json(const std::vector<Field>& fields,
                    const std::vector<std::pair<std::string, std::vector<std::string>>>& files) {
  std::unique_ptr<JsonBuilder, GObjectUnref> builder(json_builder_new());
  JsonBuilder* b = builder.get();
  json_builder_begin_object(b);
  for (const Field& f : fields) {
    json_builder_set_member_name(b, f.name.c_str());
    switch (f.kind) {
      case Field::Kind::Text: json_builder_add_string_value(b, f.text.c_str()); break;
      case Field::Kind::Integer: json_builder_add_int_value(b, f.integer); break;
      case Field::Kind::Boolean: json_builder_add_boolean_value(b, f.integer != 0); break;
    }
  }
  for (const auto& [name, descriptions] : files) {
    json_builder_set_member_name(b, name.c_str());
    if (descriptions.size() == 1 && name.find("[]") == std::string::npos) {
      json_builder_add_string_value(b, descriptions[0].c_str());
    } else {
      json_builder_begin_array(b);
      for (const auto& d : descriptions) json_builder_add_string_value(b, d.c_str());
      json_builder_end_array(b);
    }
  }
  json_builder_end_object(b);

  JsonNode* root = json_builder_get_root(b);
  std::unique_ptr<JsonGenerator, GObjectUnref> generator(json_generator_new());
  json_generator_set_root(generator.get(), root);
  gchar* text = json_generator_to_data(generator.get(), nullptr);
  std::string out(text);
  g_free(text);
  json_node_unref(root);
  return out;
}

// The bytes decide, as in validation; the declared format only helps when they are unrecognised.
FileFormat format_of(const UploadFile& file) {
  FileFormat sniffed = sniff_format(file.bytes);
  return sniffed != FileFormat::Unknown ? sniffed : file.format;
}

std::string extension_for(FileFormat f) {
  switch (f) {
    case FileFormat::Png: return "png";
    case FileFormat::Jpeg: return "jpg";
    case FileFormat::Webp: return "webp";
    case FileFormat::Unknown: break;
  }
  return "bin";
}

std::string describe_file(const UploadFile& file) {
  return "<" + std::to_string(file.bytes.size()) + " bytes " + std::string(format_name(format_of(file))) + ">";
}

}  // namespace

std::string_view endpoint_for(const ImageRequest& req, const ModelCaps& caps) {
  switch (shape_for(req, caps)) {
    case Shape::GenerationsJson: return operation_endpoint(Operation::Generate);
    case Shape::EditsMultipart: return operation_endpoint(Operation::Edit);
    case Shape::VariationsMultipart: return operation_endpoint(Operation::Variation);
  }
  return operation_endpoint(req.op);
}

HttpBody build_body(const ImageRequest& req, const ModelCaps& caps, int n_this_request) {
  HttpBody body;
  Shape shape = shape_for(req, caps);
  std::vector<Field> fields = text_fields(req, caps, shape, n_this_request);

  if (shape == Shape::GenerationsJson) {
    body.multipart = false;
    body.json = to_json(fields, {});
    body.fields_json = body.json;
    return body;
  }

  body.multipart = true;
  for (const Field& f : fields) body.parts.push_back(MultipartPart{f.name, f.as_text(), nullptr, ""});

  std::vector<std::pair<std::string, std::vector<std::string>>> file_descriptions;
  // One image goes as "image" (what the legacy contract and most compatible servers read); several
  // as repeated "image[]", the form the API documents for arrays.
  const char* image_field = req.images.size() > 1 ? "image[]" : "image";
  std::vector<std::string> image_descriptions;
  for (size_t i = 0; i < req.images.size(); ++i) {
    const UploadFile& file = req.images[i];
    std::string stem = i == 0 ? "image" : "image-" + std::to_string(i + 1);
    body.parts.push_back(
        MultipartPart{image_field, "", &file, stem + "." + extension_for(format_of(file))});
    image_descriptions.push_back(describe_file(file));
  }
  if (!image_descriptions.empty()) file_descriptions.emplace_back(image_field, image_descriptions);

  // A variation never carries a mask or markup: the variations endpoint has no such field, and the
  // GPT rewrite asks for a new image of the whole input.
  if (req.op == Operation::Edit) {
    if (req.mask) {
      body.parts.push_back(
          MultipartPart{"mask", "", &*req.mask, "mask." + extension_for(format_of(*req.mask))});
      file_descriptions.push_back({"mask", {describe_file(*req.mask)}});
    }
    if (req.markup) {
      body.parts.push_back(
          MultipartPart{"markup", "", &*req.markup, "markup." + extension_for(format_of(*req.markup))});
      file_descriptions.push_back({"markup", {describe_file(*req.markup)}});
    }
  }
  body.fields_json = to_json(fields, file_descriptions);
  return body;
}

}  // namespace oaimg
