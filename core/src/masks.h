// The two masks of an edit (after krita-ai-diffusion): the one sent to the model, which marks the
// selection grown a little so that the model repaints across its edge, and the one that puts the
// result back, opaque over the selection and fading out inside the repainted margin, so the seam
// never shows whatever the model did elsewhere.
#pragma once

#include <cstdint>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"

namespace oaimg {

// How far, in pixels of the image sent, the request mask reaches beyond the selection.
int request_mask_grow(uint32_t upload_width, uint32_t upload_height);

// The request mask over `padded` (source coordinates) sampled at upload_width x upload_height:
// GrayA8, alpha 0 wherever any selection coverage falls (soft edges count) grown by `grow`
// pixels, 255 elsewhere. Gray equals alpha: the colour is unused and so compresses to nothing.
// Coverage outside `clip` (the region) is ignored.
Result<Image> make_request_mask(const Selection& selection, const Rect& clip, const Rect& padded,
                                uint32_t upload_width, uint32_t upload_height, int grow);

// The put-back mask over `area` (source coordinates), area.width * area.height bytes: the
// selection's own coverage (soft edges kept), and around it a band `band` pixels wide falling
// from 255 at the edge of the selection's core (coverage >= 128) to 0. Keep the band within what
// the model repainted (the request mask's grow); it is capped at 1024 pixels.
Result<std::vector<uint8_t>> make_put_back_mask(const Selection& selection, const Rect& area,
                                                int band);

}  // namespace oaimg
