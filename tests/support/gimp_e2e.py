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


# Screenshots for the documentation: OAIMG_E2E_SHOTS=DIR keeps each step's screen as DIR/CASE-N.png.
SHOTS_ENV = "OAIMG_E2E_SHOTS"


def xwd_to_png(xwd_path, png_path, crop=None):
    """Xvfb's frame buffer file (XWD, 24-bit TrueColor in 32-bit ZPixmap units) as a PNG, cut to
    crop = (x, y, w, h) when given; no ImageMagick needed."""
    import struct
    import zlib
    data = open(xwd_path, "rb").read()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, line_bytes, ncolors = fields[7], fields[11], fields[12], fields[19]
    if bpp != 32:
        return False
    pixels = data[header_size + 12 * ncolors:]
    x, y, w, h = crop or (0, 0, width, height)
    x, y = max(0, x), max(0, y)
    w, h = min(w, width - x), min(h, height - y)
    rows = []
    for row in range(y, y + h):
        line = pixels[row * line_bytes + x * 4:row * line_bytes + (x + w) * 4]
        # LSBFirst (0): bytes B G R X.
        order = (2, 1, 0) if byte_order == 0 else (1, 2, 3)
        rgb = bytearray(w * 3)
        for c, src in enumerate(order):
            rgb[c::3] = line[src::4]
        rows.append(b"\0" + bytes(rgb))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    with open(png_path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    return True


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
            xwd_to_png(os.path.join(inside, name),
                       os.path.join(target, "%s-%s.png" % (case, step)), crop)
