// Upload formats are recognised by their magic bytes, never by a file name: the plug-in encodes in
// memory, and a server rejects a part whose declared type does not match its content.
#include <cstring>

#include "oaimg/core/request.h"

namespace oaimg {
namespace {

bool starts_with(const std::vector<uint8_t>& bytes, size_t at, const char* magic, size_t length) {
  return bytes.size() >= at + length && std::memcmp(bytes.data() + at, magic, length) == 0;
}

}  // namespace

FileFormat sniff_format(const std::vector<uint8_t>& bytes) {
  if (starts_with(bytes, 0, "\x89PNG\r\n\x1a\n", 8)) return FileFormat::Png;
  if (starts_with(bytes, 0, "\xff\xd8\xff", 3)) return FileFormat::Jpeg;
  if (starts_with(bytes, 0, "RIFF", 4) && starts_with(bytes, 8, "WEBP", 4)) return FileFormat::Webp;
  return FileFormat::Unknown;
}

std::string_view format_mime(FileFormat f) {
  switch (f) {
    case FileFormat::Png: return "image/png";
    case FileFormat::Jpeg: return "image/jpeg";
    case FileFormat::Webp: return "image/webp";
    case FileFormat::Unknown: break;
  }
  return "application/octet-stream";
}

std::string_view format_name(FileFormat f) {
  switch (f) {
    case FileFormat::Png: return "png";
    case FileFormat::Jpeg: return "jpeg";
    case FileFormat::Webp: return "webp";
    case FileFormat::Unknown: break;
  }
  return "unknown";
}

}  // namespace oaimg
