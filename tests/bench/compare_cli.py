#!/usr/bin/python3
"""Whole process, PNG files in, request PNGs out: the oaimg CLI, sharp/libvips and Pillow side by
side (reports figures, asserts nothing; not a CTest test).

    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 --target oaimg_cli
    /usr/bin/python3 tests/bench/compare_cli.py                       # 2 12 24 48 100 MP, 5 rounds
    /usr/bin/python3 tests/bench/compare_cli.py --sizes 2 12 --rounds 7 --real-edit
    /usr/bin/python3 tests/bench/compare_cli.py --before /tmp/main-build/c-api/oaimg

Each case runs `oaimg edit --dry-run --selection` (DALL·E 2 1024x1024 square edit, and gpt-image-2
keeping the region's size), tests/bench/compare_sharp.cjs (the same steps with sharp) and
Pillow's recipe (compare_pillow.prepare; slow, so only at the sizes given to --pillow-sizes),
one after the other within a round, rounds interleaved so that a busy machine disturbs all alike.
Wall time, CPU time and peak RSS come from wait4() on each child. --real-edit also runs the real
`oaimg edit --n 4` against the stand-in server (tests/server) and compares it with the dry run;
its wall time includes the stand-in making and sending the images, its CPU time is the client's.

Inputs (a photo-like RGB PNG, 4:3, and a gray anti-aliased ellipse selection) and sharp (npm
install into CACHE/node) live in --cache (default /var/tmp/oaimg-bench-cache), outside the
repository, made on first use.
"""
import argparse
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

BENCH_KEY = "sk-bench-oaimg"  # the stand-in accepts it; a dry run sends nothing
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def dimensions(megapixels):
    width = round((megapixels * 1e6 * 4 / 3) ** 0.5 / 16) * 16
    if width * (width * 3 // 4) > 100_000_000:
        width -= 16  # 100 MP rounds up past the decoders' limit of 100 M pixels
    return width, width * 3 // 4


def make_inputs(cache, megapixels):
    """Same look as bench_pipeline's photo_like (gradients, blobs, texture, +-6 noise)."""
    width, height = dimensions(megapixels)
    source = f"{cache}/source-{megapixels}mp.png"
    selection = f"{cache}/selection-{megapixels}mp.png"
    if os.path.exists(source) and os.path.exists(selection):
        return source, selection
    import numpy as np  # only here: the measuring parent must stay small (see main)
    from PIL import Image

    print(f"making {width}x{height} inputs in {cache} (once)", file=sys.stderr)
    rng = np.random.default_rng(megapixels)
    pixels = np.empty((height, width, 3), np.uint8)
    u = np.arange(width) / width
    x = np.arange(width)
    for y0 in range(0, height, 512):
        y = np.arange(y0, min(height, y0 + 512))[:, None]
        v = y / height
        blob = np.sin(u * 7.1) * np.cos(v * 5.3) * 40
        texture = np.sin(x * 0.21) * np.sin(y * 0.17) * 12 * (0.5 + u)
        base = (90 + 120 * v + blob, 120 + 60 * u - blob * 0.5, 200 - 130 * v + 0 * u)
        for c in range(3):
            grain = rng.integers(-6, 7, size=(len(y), width))
            pixels[y0:y0 + len(y), :, c] = np.clip(base[c] + texture * (c + 1) / 3 + grain, 0, 255)
    Image.fromarray(pixels, "RGB").save(source + ".tmp", "PNG")
    os.rename(source + ".tmp", source)

    # A 3/8 x 2/5 ellipse (1500x1200 at 12 MP) with a one-pixel anti-aliased edge.
    coverage = np.zeros((height, width), np.uint8)
    a, b = width * 3 / 16, height / 5
    cx, cy = width * 0.45, height * 0.55
    xs = (np.arange(width) + 0.5 - cx) / a
    for y0 in range(0, height, 512):
        ys = ((np.arange(y0, min(height, y0 + 512)) + 0.5 - cy) / b)[:, None]
        d = (1 - np.sqrt(xs * xs + ys * ys)) * min(a, b)
        coverage[y0:y0 + len(ys)] = (np.clip(d + 0.5, 0, 1) * 255 + 0.5).astype(np.uint8)
    Image.fromarray(coverage, "L").save(selection + ".tmp", "PNG")
    os.rename(selection + ".tmp", selection)
    return source, selection


def ensure_sharp(cache):
    modules = f"{cache}/node/node_modules"
    if not os.path.isdir(f"{modules}/sharp"):
        print(f"npm install sharp into {cache}/node (once)", file=sys.stderr)
        os.makedirs(f"{cache}/node", exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        f"{cache}/node", "sharp@0.35"], check=True)
    return modules


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def run(argv, env=None):
    """Wall seconds, peak RSS (MB) and CPU seconds of one child, from wait4()."""
    with open(os.devnull, "wb") as null:
        start = time.monotonic()
        child = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        errors = child.stderr.read().decode(errors="replace")
        child.stderr.close()
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({child.returncode}): {' '.join(argv)}\n{errors}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def pillow_child(source, selection, rgb):
    sys.path.insert(0, HERE)
    from PIL import Image
    import compare_pillow

    Image.MAX_IMAGE_PIXELS = None
    src = Image.open(source)
    src.load()
    sel = Image.open(selection).convert("L")
    compare_pillow.prepare(src.convert("RGBA"), sel, rgb)


class StandIn:
    """The project's stand-in OpenAI server on a free local port, for --real-edit."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="oaimg-standin-")
        port_file = f"{self.folder}/port"
        self.process = subprocess.Popen(
            [sys.executable, f"{ROOT}/tests/server/fake_openai.py", "--port-file", port_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, OAIMG_FAKE_API_KEY=BENCH_KEY))
        for _ in range(100):
            if os.path.exists(port_file):
                with open(port_file) as f:
                    self.port = int(f.read())
                return
            time.sleep(0.1)
        raise SystemExit("the stand-in server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        subprocess.run(["rm", "-rf", self.folder])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--oaimg", default=f"{ROOT}/build/c-api/oaimg")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 12, 24, 48, 100])
    parser.add_argument("--pillow-sizes", type=int, nargs="*", default=[2])
    parser.add_argument("--paths", nargs="+", default=["dall-e-2", "gpt-image-2"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", default="/var/tmp/oaimg-bench-cache")
    parser.add_argument("--before", metavar="OAIMG",
                        help="another oaimg build (say, main's) measured in the same rounds")
    parser.add_argument("--real-edit", action="store_true",
                        help="also the real edit --n 4 against the stand-in server")
    parser.add_argument("--pillow-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--make-inputs", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_inputs:
        make_inputs(args.make_inputs[0], int(args.make_inputs[1]))
        return
    if args.pillow_child:
        pillow_child(args.pillow_child[0], args.pillow_child[1], args.pillow_child[2] == "rgb")
        return

    os.makedirs(args.cache, exist_ok=True)
    modules = ensure_sharp(args.cache)
    sharp_env = dict(os.environ, NODE_PATH=modules)
    cli_env = dict(os.environ, OPENAI_API_KEY=BENCH_KEY,
                   OPENAI_BASE_URL="http://127.0.0.1:9/v1")  # a dry run never connects
    server = StandIn() if args.real_edit else None
    out = tempfile.mkdtemp(prefix="oaimg-compare-")
    rows = []
    try:
        for mp in args.sizes:
            # In a child: Linux carries a process's peak RSS across fork and exec, so a parent
            # grown by making the pixels would raise every tool's measured peak to its own.
            subprocess.run([sys.executable, __file__, "--make-inputs", args.cache, str(mp)],
                           check=True)
            source, selection = make_inputs(args.cache, mp)
            for model in args.paths:
                def command(binary, folder):
                    return [binary, "edit", "--image", source, "--selection", selection,
                            "--prompt", "a pond", "--model", model, "--out-dir", folder] + \
                        (["--size", "1024x1024"] if model == "dall-e-2" else [])
                cli = command(args.oaimg, f"{out}/oaimg")
                run(cli + ["--dry-run"], cli_env)  # warm the page cache; learn the target size
                tw, th = png_size(f"{out}/oaimg/request-image.png")
                request_bytes = (os.path.getsize(f"{out}/oaimg/request-image.png"),
                                 os.path.getsize(f"{out}/oaimg/request-mask.png"))
                before_bytes = None
                if args.before:
                    before_cli = command(args.before, f"{out}/before") + ["--dry-run"]
                    run(before_cli, cli_env)
                    before_bytes = (os.path.getsize(f"{out}/before/request-image.png"),
                                    os.path.getsize(f"{out}/before/request-mask.png"))
                os.makedirs(f"{out}/sharp", exist_ok=True)
                tools = {
                    "oaimg": (cli + ["--dry-run"], cli_env),
                    "sharp": (["node", f"{HERE}/compare_sharp.cjs", source, selection,
                               f"{out}/sharp", str(tw), str(th), "rgb"], sharp_env),
                }
                if args.before:
                    tools["before"] = (before_cli, cli_env)
                if mp in args.pillow_sizes:
                    tools["pillow"] = ([sys.executable, __file__, "--pillow-child", source,
                                        selection, "rgb"], None)
                if server:
                    edit_env = dict(cli_env, OPENAI_BASE_URL=f"http://127.0.0.1:{server.port}/v1")
                    tools["oaimg n=4"] = (cli + ["--n", "4"], edit_env)
                    if args.before:
                        tools["before n=4"] = (command(args.before, f"{out}/before") +
                                               ["--n", "4"], edit_env)
                times = {name: [] for name in tools}
                peaks = {name: [] for name in tools}
                cpu = {name: [] for name in tools}
                for _ in range(args.rounds):
                    for name, (argv, env) in tools.items():
                        wall, peak, seconds = run(argv, env)
                        times[name].append(wall)
                        peaks[name].append(peak)
                        cpu[name].append(seconds)
                sharp_bytes = (os.path.getsize(f"{out}/sharp/request-image.png"),
                               os.path.getsize(f"{out}/sharp/request-mask.png"))
                rows.append((mp, model, tw, th, {n: statistics.median(t) for n, t in times.items()},
                             {n: max(p) for n, p in peaks.items()}, request_bytes, sharp_bytes,
                             before_bytes, {n: statistics.median(c) for n, c in cpu.items()}))
                print_row(rows[-1], header=len(rows) == 1)
    finally:
        if server:
            server.stop()
        subprocess.run(["rm", "-rf", out])


def print_row(row, header):
    mp, model, tw, th, times, peaks, request_bytes, sharp_bytes, before_bytes, cpu = row
    if header:
        print("medians of wall time, peak RSS; ratio = oaimg / sharp (< 1: oaimg faster)")
        print("| source | sent | oaimg | sharp | ratio | before | Pillow | oaimg RSS | sharp RSS "
              "| RSS ratio | before RSS | request PNG bytes, image + mask (oaimg / before / sharp) "
              "| edit n=4 | n=4 RSS | oaimg CPU | sharp CPU | n=4 CPU (client) "
              "| before n=4 | before n=4 RSS | before n=4 CPU |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def seconds(name):
        return f"{times[name]:.2f} s" if name in times else "—"

    def megabytes(name):
        return f"{peaks[name]:.0f} MB" if name in peaks else "—"

    before = f"{before_bytes[0]:,} + {before_bytes[1]:,}" if before_bytes else "—"
    real, real_rss = seconds("oaimg n=4"), megabytes("oaimg n=4")
    real_cpu = f"{cpu['oaimg n=4']:.2f} s ({cpu['oaimg n=4'] / cpu['oaimg']:.2f}×)" \
        if "oaimg n=4" in cpu else "—"
    before_real_cpu = f"{cpu['before n=4']:.2f} s" if "before n=4" in cpu else "—"
    if "oaimg n=4" in times:
        real += f" ({times['oaimg n=4'] / times['oaimg']:.2f}×)"
        real_rss += f" ({peaks['oaimg n=4'] / peaks['oaimg']:.2f}×)"
    print(f"| {mp} MP, {model} | {tw}x{th} | {seconds('oaimg')} | {seconds('sharp')} "
          f"| {times['oaimg'] / times['sharp']:.2f} | {seconds('before')} | {seconds('pillow')} "
          f"| {megabytes('oaimg')} | {megabytes('sharp')} | {peaks['oaimg'] / peaks['sharp']:.2f} "
          f"| {megabytes('before')} "
          f"| {request_bytes[0]:,} + {request_bytes[1]:,} / {before} "
          f"/ {sharp_bytes[0]:,} + {sharp_bytes[1]:,} "
          f"| {real} | {real_rss} | {cpu['oaimg']:.2f} s | {cpu['sharp']:.2f} s | {real_cpu} "
          f"| {seconds('before n=4')} | {megabytes('before n=4')} | {before_real_cpu} |",
          flush=True)


if __name__ == "__main__":
    main()
