"""Starting the stand-in server from Python tests, and the small HTTP client they use (stdlib)."""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_openai.py")
DEFAULT_KEY = "sk-test-oaimg"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body.decode())


class FakeServer:
    """One private server per test: `with FakeServer() as s: ...`."""

    def __init__(self, key=DEFAULT_KEY):
        self.key = key

    def __enter__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="oaimg-fake-")
        port_file = os.path.join(self._dir.name, "port")
        env = dict(os.environ, OAIMG_FAKE_API_KEY=self.key)
        self.proc = subprocess.Popen([sys.executable, SERVER, "--port-file", port_file], env=env)
        deadline = time.monotonic() + 15
        for _ in range(1500):  # bounded: 15 s in 10 ms steps
            if os.path.exists(port_file):
                with open(port_file) as f:
                    self.port = int(f.read())
                return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self.__exit__(None, None, None)
        raise RuntimeError("stand-in server did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._dir.cleanup()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d/v1" % self.port

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def auth(self, extra=None):
        h = {"Authorization": "Bearer " + self.key}
        h.update(extra or {})
        return h

    def generate(self, fields, headers=None):
        return self.request("POST", "/v1/images/generations", json.dumps(fields).encode(),
                            headers if headers is not None else
                            self.auth({"Content-Type": "application/json"}))

    def form(self, endpoint, fields, files, headers=None):
        """files: [(field, filename, content_type, bytes)]."""
        body, ctype = encode_multipart(fields, files)
        h = headers if headers is not None else self.auth()
        h = dict(h, **{"Content-Type": ctype})
        return self.request("POST", "/v1/images/" + endpoint, body, h)

    def control(self, path, obj=None):
        if obj is None:
            r = self.request("GET", "/_control/" + path)
        else:
            r = self.request("POST", "/_control/" + path, json.dumps(obj).encode(),
                             {"Content-Type": "application/json"})
        if r.status != 200:
            raise RuntimeError("control %s answered %d: %r" % (path, r.status, r.body))
        return r.json()

    def log(self):
        return self.control("log")["requests"]


def encode_multipart(fields, files):
    boundary = "oaimgtest" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (
            boundary, name, value)).encode()
    for name, filename, ctype, data in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (boundary, name, filename, ctype)).encode()
        out += data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return bytes(out), "multipart/form-data; boundary=" + boundary


def sse_events(body):
    """[(event, data-object)] of a text/event-stream body."""
    events = []
    for block in body.decode().split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if name or data:
            events.append((name, json.loads("\n".join(data)) if data else None))
    return events
