/* Input images as pixels, for --selection (the library plans and crops from pixels): PNG through
 * liboaimg, JPEG through libjpeg and WebP through libwebp, each only when the build found it. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifdef OAIMG_CLI_JPEG
#include <jpeglib.h>
#endif
#ifdef OAIMG_CLI_WEBP
#include <webp/decode.h>
#endif

/* The limit liboaimg's PNG decoder applies, for the other formats too. */
#define MAX_PIXELS 100000000ull

#ifdef OAIMG_CLI_JPEG
struct jpeg_failure {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

static void on_jpeg_error(j_common_ptr info) {
  struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
  info->err->format_message(info, failure->message);
  longjmp(failure->jump, 1);
}

/* No automatic variables change after setjmp, so the longjmp leaves them valid (C11 7.13.2.1). */
static int decode_jpeg(const uint8_t *bytes, size_t size, uint8_t **rgba, uint32_t *width,
                       uint32_t *height, char *err, size_t err_size) {
  struct jpeg_decompress_struct info;
  struct jpeg_failure failure;
  uint8_t *volatile pixels = NULL;
  uint8_t *volatile row = NULL;
  info.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = on_jpeg_error;
  if (setjmp(failure.jump)) {
    snprintf(err, err_size, "not a readable JPEG (%s)", failure.message);
    jpeg_destroy_decompress(&info);
    free(pixels);
    free(row);
    return -1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes, (unsigned long)size);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB; /* grayscale and CMYK-less YCbCr come out as RGB */
  jpeg_start_decompress(&info);
  if ((unsigned long long)info.output_width * info.output_height > MAX_PIXELS ||
      info.output_components != 3) {
    snprintf(err, err_size, "the JPEG is %ux%u with %d components; at most %llu RGB pixels are read",
             info.output_width, info.output_height, info.output_components, MAX_PIXELS);
    jpeg_destroy_decompress(&info);
    return -1;
  }
  const size_t w = info.output_width, h = info.output_height;
  const size_t pixel_bytes = w * h * 4, row_bytes = w * 3;
  pixels = malloc(pixel_bytes > 0 ? pixel_bytes : 1);
  row = malloc(row_bytes > 0 ? row_bytes : 1);
  if (!pixels || !row) {
    snprintf(err, err_size, "out of memory for a %zux%zu JPEG", w, h);
    jpeg_destroy_decompress(&info);
    free(pixels);
    free(row);
    return -1;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW rows[1] = {row};
    size_t y = info.output_scanline;
    jpeg_read_scanlines(&info, rows, 1);
    for (size_t x = 0; x < w; ++x) {
      memcpy(pixels + (y * w + x) * 4, row + x * 3, 3);
      pixels[(y * w + x) * 4 + 3] = 255;
    }
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  free(row);
  *rgba = pixels;
  *width = (uint32_t)w;
  *height = (uint32_t)h;
  return 0;
}
#endif

#ifdef OAIMG_CLI_WEBP
static int decode_webp(const uint8_t *bytes, size_t size, uint8_t **rgba, uint32_t *width,
                       uint32_t *height, char *err, size_t err_size) {
  int w = 0, h = 0;
  if (!WebPGetInfo(bytes, size, &w, &h)) {
    snprintf(err, err_size, "not a readable WebP file");
    return -1;
  }
  if ((unsigned long long)w * (unsigned long long)h > MAX_PIXELS) {
    snprintf(err, err_size, "the WebP image is %dx%d; at most %llu pixels are read", w, h, MAX_PIXELS);
    return -1;
  }
  uint8_t *decoded = WebPDecodeRGBA(bytes, size, &w, &h);
  if (!decoded) {
    snprintf(err, err_size, "the WebP image could not be decoded");
    return -1;
  }
  /* WebPFree, not free(): copy into memory the caller frees with free(). */
  size_t length = (size_t)w * (size_t)h * 4;
  uint8_t *copy = malloc(length ? length : 1);
  if (copy) memcpy(copy, decoded, length);
  WebPFree(decoded);
  if (!copy) {
    snprintf(err, err_size, "out of memory for a %dx%d WebP image", w, h);
    return -1;
  }
  *rgba = copy;
  *width = (uint32_t)w;
  *height = (uint32_t)h;
  return 0;
}
#endif

int cli_decode_image(const uint8_t *bytes, size_t size, uint8_t **rgba, uint32_t *width,
                     uint32_t *height, void (**release)(void *), char *err, size_t err_size) {
  *release = free;
  if (size >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
#ifdef OAIMG_CLI_JPEG
    return decode_jpeg(bytes, size, rgba, width, height, err, err_size);
#else
    snprintf(err, err_size, "is a JPEG, and this oaimg was built without libjpeg; convert it to PNG");
    return -1;
#endif
  }
  if (size >= 12 && memcmp(bytes, "RIFF", 4) == 0 && memcmp(bytes + 8, "WEBP", 4) == 0) {
#ifdef OAIMG_CLI_WEBP
    return decode_webp(bytes, size, rgba, width, height, err, err_size);
#else
    snprintf(err, err_size, "is a WebP file, and this oaimg was built without libwebp; convert it to PNG");
    return -1;
#endif
  }
  oaimg_status st = oaimg_png_decode(bytes, size, 0, rgba, width, height);
  if (st != OAIMG_OK) {
    const char *why = oaimg_png_error_message();
    snprintf(err, err_size, "is not a readable PNG, JPEG or WebP image (%s)",
             why[0] ? why : oaimg_status_str(st));
    return -1;
  }
  *release = oaimg_free;
  return 0;
}
