// sharp/libvips doing what `oaimg edit --dry-run --selection` does, from PNG files to request
// PNGs, for compare_cli.py (reports nothing itself; not a CTest test).
//
//   NODE_PATH=CACHE/node/node_modules node compare_sharp.cjs SOURCE.png SELECTION.png OUT_DIR TARGET_W TARGET_H rgb|rgba
//
// Steps as oaimg takes them: the selection's bounds (libvips find_trim), the automatic context
// region around them (the same margin rule as oaimg's plan, shaped like the target), crop + Lanczos
// resize to the target, the image PNG; the selection cropped, resized onto the target grid,
// thresholded, grown 8 pixels, inverted and sent as gray+alpha, the mask PNG.
const sharp = require("sharp");  // NODE_PATH: compare_cli.py installs it outside the repository

async function main() {
  const [source, selection, outDir, tw, th, channels] = process.argv.slice(2);
  const targetW = Number(tw), targetH = Number(th);
  sharp.concurrency(2);

  const trimmed = await sharp(selection).trim({ background: "#000000", threshold: 0 })
    .toBuffer({ resolveWithObject: true });
  const meta = await sharp(source).metadata();
  const width = meta.width, height = meta.height;
  const bx0 = -trimmed.info.trimOffsetLeft, by0 = -trimmed.info.trimOffsetTop;
  const bw = trimmed.info.width, bh = trimmed.info.height;

  // oaimg's automatic context: a margin of max(side / 16, (w + h) / 4), then grown to the target's
  // shape around the selection's centre, inside the image.
  const margin = Math.max(Math.floor(Math.max(width, height) / 16), Math.floor((bw + bh) / 4));
  let x0 = Math.max(0, bx0 - margin), y0 = Math.max(0, by0 - margin);
  let x1 = Math.min(width, bx0 + bw + margin), y1 = Math.min(height, by0 + bh + margin);
  const aspect = targetW / targetH;
  let rw = x1 - x0, rh = y1 - y0;
  if (rw / rh < aspect) rw = Math.round(rh * aspect); else rh = Math.round(rw / aspect);
  rw = Math.min(rw, width);
  rh = Math.min(rh, height);
  const grow = (start, length, limit, wanted) =>
    Math.min(Math.max(start - Math.floor((wanted - length) / 2), 0), limit - wanted);
  const region = { left: grow(x0, x1 - x0, width, rw), top: grow(y0, y1 - y0, height, rh),
                   width: rw, height: rh };

  let image = sharp(source).extract(region)
    .resize(targetW, targetH, { kernel: "lanczos3", fit: "fill" });
  if (channels === "rgb") image = image.removeAlpha();
  await image.png().toFile(`${outDir}/request-image.png`);

  const keep = await sharp(selection).extract(region)
    .resize(targetW, targetH, { kernel: "linear", fit: "fill" })
    .extractChannel(0).threshold(1).dilate(8).negate().raw().toBuffer();
  await sharp(keep, { raw: { width: targetW, height: targetH, channels: 1 } })
    .joinChannel(keep, { raw: { width: targetW, height: targetH, channels: 1 } })
    .png().toFile(`${outDir}/request-mask.png`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
