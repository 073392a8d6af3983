"""What the GIMP 2.10 and GIMP 3 end-to-end runners share: the stand-in server's life, a closed
port, and the search for a leaked key. Imported by tests/gimp2/run_case.py and
tests/gimp3/run_case.py."""
import os
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
