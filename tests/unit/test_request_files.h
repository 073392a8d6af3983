// Upload files for the request tests: PNG headers with chosen size and colour type (the validator
// reads only the headers, so the pixel data is a placeholder), and JPEG/WebP magic bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "oaimg/core/request.h"

namespace oaimg::test {

inline uint32_t crc32_of(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

inline void put_chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
  put_be32(out, uint32_t(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, crc32_of(out.data() + start, out.size() - start));
}

// color_type: 2 = RGB, 6 = RGBA, 4 = gray+alpha, 0 = gray. padding_bytes grows the file.
inline std::vector<uint8_t> png_file(uint32_t width, uint32_t height, int color_type = 6,
                                     bool with_trns = false, size_t padding_bytes = 0) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.push_back(8);                    // bit depth
  ihdr.push_back(uint8_t(color_type));
  ihdr.push_back(0);
  ihdr.push_back(0);
  ihdr.push_back(0);
  put_chunk(out, "IHDR", ihdr);
  if (with_trns) put_chunk(out, "tRNS", {0, 0, 0, 0, 0, 0});
  put_chunk(out, "IDAT", std::vector<uint8_t>(16 + padding_bytes, 0));
  put_chunk(out, "IEND", {});
  return out;
}

inline UploadFile png_upload(uint32_t width, uint32_t height, int color_type = 6, bool with_trns = false,
                             size_t padding_bytes = 0) {
  return UploadFile{png_file(width, height, color_type, with_trns, padding_bytes), FileFormat::Png};
}

inline UploadFile jpeg_upload(size_t size = 64) {
  std::vector<uint8_t> bytes(size, 0);
  bytes[0] = 0xFF;
  bytes[1] = 0xD8;
  bytes[2] = 0xFF;
  return UploadFile{bytes, FileFormat::Jpeg};
}

inline UploadFile webp_upload(size_t size = 64) {
  std::vector<uint8_t> bytes(size, 0);
  const char riff[] = "RIFF\0\0\0\0WEBPVP8 ";
  std::copy(riff, riff + 16, bytes.begin());
  return UploadFile{bytes, FileFormat::Webp};
}

}  // namespace oaimg::test
