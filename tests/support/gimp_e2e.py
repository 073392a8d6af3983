"""What the GIMP 2.10 and GIMP 3 end-to-end runners share: the stand-in server's life, a closed
port, and the search for a leaked key. Imported by tests/gimp2/run_case.py and
tests/gimp3/run_case.py."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

SERVER_START_S = 15


def start_server(server_py, key, workdir):
    port_file = os.path.join(workdir, "port")
    env = dict(os.environ, OAIMG_FAKE_API_KEY=key)
    proc = subprocess.Popen([sys.executable, server_py, "--port-file", port_file], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir,
                                                                                "server.err"), "w"))
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                text = f.read().strip()
            if text:
                return proc, int(text)
        if proc.poll() is not None:
            raise RuntimeError("the stand-in server exited with %s" % proc.returncode)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the stand-in server did not start in %d s" % SERVER_START_S)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def closed_port():
    """A local port nothing listens on: bound once by us, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def files_containing(root, needle):
    hits = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                continue
            try:
                with open(path, "rb") as f:
                    if needle in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


def model_checks_done_today(cache_dir, except_models=()):
    """Marks today's model-shutdown check (liboaimg's once-a-day stamp in cache_dir, i.e.
    $XDG_CACHE_HOME/oaimg) as done for every model the stand-in knows but except_models. The
    stand-in announces dall-e-2's real shutdown date, so without this every case would start
    with that warning and a GET /models/{id} that also takes a queued fault; the warning itself
    has cases of its own (model_shutdown_warning)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "server"))
    import rules  # noqa: E402  (the stand-in's model table)
    os.makedirs(cache_dir, exist_ok=True)
    today = int(time.time()) // 86400
    for name in rules.MODELS:
        path = os.path.join(cache_dir, "model-check-" + name)
        if name in except_models:
            if os.path.exists(path):
                os.remove(path)
            continue
        with open(path, "w") as f:
            f.write("%d\n" % today)


def xwd_to_png(xwd_path, png_path, crop=None):
    """Writes a 24/32-bit TrueColor XWD file (Xvfb's frame buffer) as an RGB PNG, optionally
    only the rectangle crop = (x, y, width, height). Plain Python: the host needs no ImageMagick
    for the documentation's screenshots."""
    import struct
    import zlib
    data = open(xwd_path, "rb").read()
    order = ">" if struct.unpack(">I", data[:4])[0] < 65536 else "<"
    h = struct.unpack(order + "25I", data[:100])
    header_size, width, height = h[0], h[4], h[5]
    image_order, bpp, line = h[7], h[11], h[12]
    masks, ncolors = h[14:17], h[19]
    if bpp not in (24, 32):
        raise ValueError("%s: %d bits per pixel, not 24 or 32" % (xwd_path, bpp))
    start = header_size + ncolors * 12
    x0, y0, w, hh = crop or (0, 0, width, height)
    x0, y0 = max(0, x0), max(0, y0)
    w, hh = min(w, width - x0), min(hh, height - y0)
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    step = bpp // 8
    pixel_order = "<" if image_order == 0 else ">"
    rows = []
    for y in range(y0, y0 + hh):
        row = bytearray(b"\0")
        base = start + y * line
        for x in range(x0, x0 + w):
            raw = data[base + x * step:base + x * step + step]
            v = int.from_bytes(raw, "little" if pixel_order == "<" else "big")
            row += bytes(((v & m) >> s) & 0xFF for m, s in zip(masks, shifts))
        rows.append(bytes(row))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    with open(png_path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, hh, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


# Screenshots for the documentation: OAIMG_E2E_SHOTS=DIR keeps each step's screen as DIR/CASE-N.png.
SHOTS_ENV = "OAIMG_E2E_SHOTS"


def keep_screenshots(inside, case):
    target = os.environ.get(SHOTS_ENV)
    if not target:
        return
    os.makedirs(target, exist_ok=True)
    for name in sorted(os.listdir(inside)):
        if name.startswith("shot-") and name.endswith(".xwd"):
            step = name[len("shot-"):-len(".xwd")]
            crop = None
            geometry = os.path.join(inside, "geometry-" + step)
            if os.path.exists(geometry):
                # Only the window the step typed into (Xvfb has no window manager to frame it).
                g = dict(line.strip().split("=", 1) for line in open(geometry) if "=" in line)
                if all(k in g for k in ("X", "Y", "WIDTH", "HEIGHT")):
                    crop = tuple(int(g[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
            try:
                xwd_to_png(os.path.join(inside, name),
                           os.path.join(target, "%s-%s.png" % (case, step)), crop)
            except (OSError, ValueError) as e:
                print("screenshot %s not kept: %s" % (name, e))
