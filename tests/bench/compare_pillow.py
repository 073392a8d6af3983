#!/usr/bin/python3
"""The benchmark's preparation done with Pillow, on the same pixels, for a comparison made on the
same machine at the same moment (reports figures, asserts nothing; not a CTest test).

    build/tests/bench_pipeline --dump /tmp/oaimg-bench
    /usr/bin/python3 tests/bench/compare_pillow.py /tmp/oaimg-bench

Needs Pillow (Debian: apt-get install python3-pil). Same steps as oaimg's prepare: selection
bounds, the same region, crop + Lanczos downscale to 1024x1024 (Pillow premultiplies RGBA itself),
the request mask (selection on the target grid, grown 8 pixels, gray+alpha) and the put-back mask
(core grown 11 pixels, two box blurs of 5, at least the coverage), both PNGs. Dilation is a box
blur thresholded at > 0, which grows a binary mask by exactly the blur's radius and is the fast
way in Pillow (its MaxFilter is O(size^2) a pixel). Times are this process's CPU time.
"""
import io
import statistics
import sys
import time

from PIL import Image, ImageChops, ImageFilter


def load(directory):
    with open(f"{directory}/selection.txt") as f:
        sx, sy, sw, sh, width, height = (int(v) for v in f.read().split())
    with open(f"{directory}/source.rgba", "rb") as f:
        source = Image.frombytes("RGBA", (width, height), f.read())
    with open(f"{directory}/selection.gray", "rb") as f:
        coverage = Image.frombytes("L", (sw, sh), f.read())
    selection = Image.new("L", (width, height), 0)
    selection.paste(coverage, (sx, sy))
    return source, selection


def region_for(bounds, width, height):
    """oaimg's automatic context (plan_region) for a square target, inside the image."""
    x0, y0, x1, y1 = bounds
    w, h = x1 - x0, y1 - y0
    margin = max(max(width, height) // 16, (w + h) // 4)
    x0, y0 = max(0, x0 - margin), max(0, y0 - margin)
    x1, y1 = min(width, x1 + margin), min(height, y1 + margin)
    side = max(x1 - x0, y1 - y0)

    def grow(start, length, limit):
        new = min(side, limit)
        start = min(max(start - (new - length) // 2, 0), limit - new)
        return start, new

    x0, w = grow(x0, x1 - x0, width)
    y0, h = grow(y0, y1 - y0, height)
    return (x0, y0, x0 + w, y0 + h)


def dilate(binary, radius):
    return binary.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v else 0)


def prepare(source, selection, rgb_image):
    bounds = selection.getbbox()
    region = region_for(bounds, *source.size)
    crop = source.crop(region)
    sent = crop.resize((1024, 1024), Image.LANCZOS)
    if rgb_image:
        sent = sent.convert("RGB")
    image_png = io.BytesIO()
    sent.save(image_png, "PNG")

    covered = selection.crop(region)
    on_target = covered.resize((1024, 1024), Image.BOX).point(lambda v: 255 if v else 0)
    keep = ImageChops.invert(dilate(on_target, 8))
    mask = Image.merge("LA", (keep, keep))
    mask_png = io.BytesIO()
    mask.save(mask_png, "PNG")

    core = covered.point(lambda v: 255 if v >= 128 else 0)
    band = dilate(core, 11).filter(ImageFilter.BoxBlur(5)).filter(ImageFilter.BoxBlur(5))
    put_back = ImageChops.lighter(band, covered)
    return len(image_png.getvalue()), len(mask_png.getvalue()), put_back.size


def main():
    source, selection = load(sys.argv[1])
    for rgb_image in (False, True):
        times = []
        for _ in range(5):
            start = time.process_time()
            image_bytes, mask_bytes, _ = prepare(source, selection, rgb_image)
            times.append((time.process_time() - start) * 1000)
        kind = "RGB" if rgb_image else "RGBA (as cropped)"
        print(f"Pillow {Image.__version__}, image PNG {kind}: prepare "
              f"{statistics.median(times):.1f} ms median of 5, image PNG {image_bytes} bytes, "
              f"mask PNG {mask_bytes} bytes")


if __name__ == "__main__":
    main()
