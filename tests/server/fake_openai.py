#!/usr/bin/env python3
"""A strict stand-in for the OpenAI Images API on 127.0.0.1, for the tests.

    python3 fake_openai.py --port-file PATH

Binds an ephemeral port, writes it to PATH (atomically) once listening and serves until SIGTERM.
The accepted key comes from $OAIMG_FAKE_API_KEY (default sk-test-oaimg), never from argv, so it
does not show in `ps`. Clients use http://127.0.0.1:PORT/v1. Unauthenticated /_control/*
endpoints queue faults, change answers and read a log of what clients sent (without the key);
see tests/server/README.md.
"""

import argparse
import base64
import json
import os
import signal
import select
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api_errors  # noqa: E402
from api_errors import ApiError  # noqa: E402
import faults as faults_mod  # noqa: E402
import images  # noqa: E402
import multipart  # noqa: E402
import rules  # noqa: E402

PALETTE = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255),
           (128, 128, 128), (255, 128, 0), (128, 0, 255), (0, 128, 255)]
MAX_BODY = 256 * 1000 * 1000
ENDPOINTS = {"/v1/images/generations": "generate", "/v1/images/edits": "edit",
             "/v1/images/variations": "variation"}


class State:
    def __init__(self, api_key):
        self.api_key = api_key
        self.lock = threading.Lock()
        self.faults = faults_mod.FaultQueue()
        self.reset()

    def reset(self):
        self.faults.clear()
        with self.lock:
            self.config = {"delay": 0.0, "color": None, "color_by_request": False,
                           "shutdown_dates": {}, "keep_uploads": False,
                           "stream_interval": 0.0}
            self.log = []
            self.downloads = []
            self.files = {}
            self.image_requests = 0

    def set_config(self, changes):
        if not isinstance(changes, dict):
            raise ValueError("config must be an object")
        for key, value in changes.items():
            if key in ("delay", "stream_interval"):
                # stream_interval: the seconds between streamed events, as a model that draws
                # for a while between partial images (so a client's display of them can be seen).
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError("%s must be a number of seconds >= 0" % key)
                value = float(value)
            elif key == "color":
                if (not isinstance(value, list) or len(value) != 3 or
                        not all(isinstance(c, int) and 0 <= c <= 255 for c in value)):
                    raise ValueError("color must be [r, g, b] with 0..255 integers")
                value = tuple(value)
            elif key in ("color_by_request", "keep_uploads"):
                if not isinstance(value, bool):
                    raise ValueError("%s must be a boolean" % key)
            elif key == "shutdown_dates":
                # Announce a shutdown for live models: {"gpt-image-1.5": "2027-01-01"}.
                if not isinstance(value, dict) or not all(
                        m in rules.MODELS and isinstance(d, str) for m, d in value.items()):
                    raise ValueError("shutdown_dates must map known model ids to date strings")
            else:
                raise ValueError("unknown config key %r" % key)
            with self.lock:
                self.config[key] = value

    def next_image_request(self):
        with self.lock:
            k = self.image_requests
            self.image_requests += 1
            return k, dict(self.config)


def colour(config, k, i):
    index = (k + i) if config["color_by_request"] else i
    if index % len(PALETTE) == 0 and config["color"] is not None:
        return config["color"]
    return PALETTE[index % len(PALETTE)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and 100-continue, as clients meet them for real
    server_version = "fake-openai/1.0"

    def log_message(self, fmt, *args):  # the log is /_control/log; stderr stays quiet
        pass

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    @property
    def state(self):
        return self.server.state

    # --- plumbing -------------------------------------------------------------------------

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ApiError(413, "Request body too large.")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ApiError(413, "Request body too large.")
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", self.request_id)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.status = status
        self._commit_log()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, headers=None):
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _send_error(self, err):
        self._send_json(err.status, err.body(), err.headers)

    # --- routing --------------------------------------------------------------------------

    def _dispatch(self):
        self.request_id = "req_" + uuid.uuid4().hex
        self.status = None
        start = time.monotonic()
        path = urlsplit(self.path).path
        try:
            body = self._read_body()
        except (ValueError, ApiError) as e:
            self.close_connection = True
            err = e if isinstance(e, ApiError) else ApiError(400, "Malformed request body.")
            return self._send_error(err)
        if path.startswith("/_control/"):
            return self._control(path, body)
        if path.startswith("/_files/") and self.command == "GET":
            return self._download(path)
        if not path.startswith("/v1/"):
            return self._send_error(ApiError(404, "Invalid URL (%s %s)" % (self.command, path)))
        entry = self._log_entry(path, body, start)
        self._pending_log_entry = entry
        try:
            self._api(path, body, entry)
        except ApiError as e:
            self._send_error(e)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self._commit_log()

    def _commit_log(self):
        """Logs the request being answered, once, before the answer's last bytes go out: a client
        that has its answer and then reads /_control/log must find its own request there."""
        entry = getattr(self, "_pending_log_entry", None)
        if entry is None:
            return
        self._pending_log_entry = None
        entry["end"] = time.monotonic()
        entry["status"] = self.status
        with self.state.lock:
            self.state.log.append(entry)

    def _log_entry(self, path, body, start):
        key = self.state.api_key
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("authorization", "cookie") and key not in v}
        entry = {"method": self.command, "path": path, "start": start, "end": None,
                 "status": None, "fields": {}, "files": [], "request_id": self.request_id,
                 "auth_ok": self.headers.get("Authorization") == "Bearer " + key,
                 "user_agent": self.headers.get("User-Agent", ""), "headers": headers}
        try:  # best effort: the log shows what arrived even when the request is refused
            fields, parts = self._parse(body)
            entry["fields"] = {k: v for k, v in fields.items() if key not in str(v)}
            entry["files"] = [self._describe(p) for p in parts]
            with self.state.lock:
                keep = self.state.config["keep_uploads"]
            if keep:  # what a client sent, for tests that look at the pixels of each request
                for described, part in zip(entry["files"], parts):
                    described["b64"] = base64.b64encode(part.data).decode()
        except (ApiError, ValueError):
            pass
        return entry

    @staticmethod
    def _describe(part):
        d = {"field": part.name, "filename": part.filename, "content_type": part.content_type,
             "bytes": len(part.data), "format": None, "width": None, "height": None,
             "color_type": None}
        try:
            fmt, w, h, info = images.sniff(part.data)
            d.update(format=fmt, width=w, height=h,
                     color_type=info.color_type if info else None)
        except images.ImageError as e:
            d["error"] = str(e)
        return d

    def _parse(self, body):
        """(fields, file parts) of a JSON or multipart body."""
        ctype = self.headers.get("Content-Type", "")
        boundary = multipart.boundary_of(ctype)
        if boundary is not None:
            fields, parts = {}, []
            for p in multipart.parse(body, boundary):
                if p.filename is None and p.name not in rules.FILE_FIELDS:
                    fields[p.name] = p.data.decode("utf-8", "replace")
                else:
                    parts.append(p)
            return fields, parts
        if ctype.split(";")[0].strip().lower() == "application/json":
            try:
                obj = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ApiError(400, "We could not parse the JSON body of your request. (HINT: "
                               "This likely means you aren't using your HTTP library correctly. "
                               "The OpenAI API expects a JSON payload, but what was sent was not "
                               "valid JSON.)")
            if not isinstance(obj, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            return obj, []
        return {}, []

    # --- the API --------------------------------------------------------------------------

    def _api(self, path, body, entry):
        fault = self.state.faults.take(path)
        if fault is not None:
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                return self._fault(fault)
        if not entry["auth_ok"]:
            if not self.headers.get("Authorization"):
                raise ApiError(401, "You didn't provide an API key. You need to provide your API "
                               "key in an Authorization header using Bearer auth (i.e. "
                               "Authorization: Bearer YOUR_KEY).", code="invalid_api_key")
            raise api_errors.for_status(401)  # never echoes what was sent
        op = ENDPOINTS.get(path)
        if op is not None and self.command == "POST":
            return self._images(op, body)
        if path == "/v1/models" and self.command == "GET":
            return self._send_json(200, {"object": "list", "data": [
                self._model_obj(m) for m in rules.MODELS.values()]})
        if path.startswith("/v1/models/") and self.command == "GET":
            model = rules.MODELS.get(path[len("/v1/models/"):])
            if model is None:
                raise ApiError(404, "The model `%s` does not exist or you do not have access to "
                               "it." % path[len("/v1/models/"):], param="model",
                               code="model_not_found")
            return self._send_json(200, self._model_obj(model))
        raise ApiError(404, "Invalid URL (%s %s)" % (self.command, path))

    def _model_obj(self, model):
        with self.state.lock:
            announced = self.state.config["shutdown_dates"].get(model.name)
        return {"id": model.name, "object": "model", "created": 1698785189,
                "owned_by": "system", "shutdown_date": announced or model.shutdown_date}

    def _images(self, op, body):
        ctype = self.headers.get("Content-Type", "")
        kind = ctype.split(";")[0].strip().lower()
        want = "application/json" if op == "generate" else "multipart/form-data"
        if kind != want:
            if op == "edit" and kind == "application/json":
                raise rules.invalid("images", "JSON edits with image references (images[].image_"
                                    "url / file_id) are not supported by this stand-in.")
            raise ApiError(400, "Invalid Content-Type header (%s), expected %s." % (
                ctype or "none", want), code="invalid_content_type")
        try:
            fields, parts = self._parse(body)
        except multipart.MultipartError as e:
            raise ApiError(400, "Could not parse multipart form: %s." % e)
        plan = rules.check(op, rules.Fields(fields, op != "generate"), parts)
        k, config = self.state.next_image_request()
        if config["delay"] and not self._work(config["delay"]):
            return None  # the client hung up: nobody to answer
        if plan.stream:
            return self._stream(plan, k, config)
        self._send_json(200, self._result(plan, k, config))

    def _work(self, seconds):
        """Waits like a server generating an image, but notices a client that hangs up (a
        cancelled request): logs "client_closed" and returns False."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    gone = self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    self.close_connection = True
                    entry = getattr(self, "_pending_log_entry", None)
                    if entry is not None:
                        entry["client_closed"] = True
                    return False
                time.sleep(min(left, 0.05))  # pipelined bytes: not a hang-up

    def _png(self, plan, rgb):
        alpha = 255 if plan.background == "transparent" else None
        return images.solid_png(plan.width, plan.height, rgb, alpha)

    def _usage(self, plan):
        text = max(1, len(plan.prompt) // 4)
        image = 194 * len(plan.inputs)
        output = plan.n * max(1, plan.width * plan.height // 4096)
        return {"total_tokens": text + image + output, "input_tokens": text + image,
                "output_tokens": output,
                "input_tokens_details": {"text_tokens": text, "image_tokens": image},
                "output_tokens_details": {"text_tokens": 0, "image_tokens": output}}

    @staticmethod
    def _echo(plan):
        """The request settings as the API reports them back, resolved from "auto"."""
        echo = {"size": "%dx%d" % (plan.width, plan.height),
                "quality": plan.quality if plan.quality not in (None, "auto") else "medium",
                "background": "transparent" if plan.background == "transparent" else "opaque",
                "output_format": plan.output_format}
        if plan.safety_identifier:
            echo["safety_identifier"] = plan.safety_identifier
        return echo

    def _result(self, plan, k, config):
        data = []
        for i in range(plan.n):
            png = self._png(plan, colour(config, k, i))
            if plan.response_format == "url":
                token = uuid.uuid4().hex
                with self.state.lock:
                    self.state.files[token] = png
                item = {"url": "http://127.0.0.1:%d/_files/%s.png" % (
                    self.server.server_address[1], token)}
            else:
                item = {"b64_json": base64.b64encode(png).decode()}
            if plan.model.family == "dall-e-3":
                item["revised_prompt"] = "A detailed rendering of: " + plan.prompt
            data.append(item)
        out = {"created": int(time.time()), "data": data}
        if plan.model.gpt:
            out.update(self._echo(plan))
            out["usage"] = self._usage(plan)
        elif plan.safety_identifier:
            out["safety_identifier"] = plan.safety_identifier
        return out

    # --- streaming ------------------------------------------------------------------------

    def _start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-request-id", self.request_id)
        self.end_headers()
        self.status = 200

    def _event(self, name, obj):
        payload = ("event: %s\ndata: %s\n\n" % (name, json.dumps(obj))).encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.flush()

    def _end_stream(self):
        self._commit_log()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _stream(self, plan, k, config):
        prefix = "image_edit" if plan.op == "edit" else "image_generation"
        echo = self._echo(plan)
        self._start_stream()
        for i in range(plan.n):
            rgb = colour(config, k, i)
            for p in range(plan.partial_images):
                # Partials are darker than the final image so a test can tell them apart.
                dim = tuple(c * (p + 1) // (plan.partial_images + 1) for c in rgb)
                ev = {"type": prefix + ".partial_image",
                      "b64_json": base64.b64encode(self._png(plan, dim)).decode(),
                      "created_at": int(time.time()), **echo, "partial_image_index": p}
                self._event(prefix + ".partial_image", ev)
                if config["stream_interval"] and not self._work(config["stream_interval"]):
                    return None  # the client hung up mid-stream
            ev = {"type": prefix + ".completed",
                  "b64_json": base64.b64encode(self._png(plan, rgb)).decode(),
                  "created_at": int(time.time()), **echo, "usage": self._usage(plan)}
            self._event(prefix + ".completed", ev)
        self._end_stream()

    # --- faults ---------------------------------------------------------------------------

    def _fault(self, fault):
        self.close_connection = fault.kind in ("truncate",)
        if fault.kind == "status":
            return self._send_error(faults_mod.as_api_error(fault))
        if fault.kind == "html":
            page = faults_mod.HTML_PAGE.format(status=fault.status).encode()
            return self._send(fault.status, page, "text/html", fault.headers)
        if fault.kind == "invalid_json":
            return self._send(200, b'{"created": 1713833628, "data": [{"b64_json": "iVBORw0K',
                              "application/json", fault.headers)
        if fault.kind == "truncate":
            full = json.dumps({"created": int(time.time()), "data": [{"b64_json": base64.
                              b64encode(images.solid_png(64, 64, PALETTE[0])).decode()}]})
            full = full.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(full)))
            self.send_header("x-request-id", self.request_id)
            self.end_headers()
            self.wfile.write(full[:len(full) // 2])
            self.wfile.flush()
            self.status = 200
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        # stream_error: one partial image, then the error event a broken generation sends.
        self._start_stream()
        self._event("image_generation.partial_image", {
            "type": "image_generation.partial_image",
            "b64_json": base64.b64encode(images.solid_png(64, 64, PALETTE[0])).decode(),
            "created_at": int(time.time()), "size": "1024x1024", "quality": "medium",
            "background": "opaque", "output_format": "png", "partial_image_index": 0})
        err = api_errors.for_status(500, fault.error)
        self._event("error", {"type": "error", **err.body()})
        self._end_stream()
        return None

    # --- control and downloads ------------------------------------------------------------

    def _download(self, path):
        token = path[len("/_files/"):].removesuffix(".png")
        with self.state.lock:
            png = self.state.files.get(token)
            self.state.downloads.append({"path": path, "found": png is not None,
                                         "time": time.monotonic()})
        if png is None:
            return self._send(404, b"Not found", "text/plain")
        self._send(200, png, "image/png")

    def _control(self, path, body):
        st = self.state
        try:
            obj = json.loads(body.decode() or "{}") if self.command == "POST" else {}
            if path == "/_control/log" and self.command == "GET":
                with st.lock:
                    log = sorted(st.log, key=lambda e: e["start"])
                    downloads = list(st.downloads)
                    begun = st.image_requests
                # "image_requests_begun" counts image requests being answered, not only answered:
                # a test that hangs up must know the server has the request before it does.
                return self._send_json(200, {"requests": log, "downloads": downloads,
                                             "image_requests_begun": begun})
            if path == "/_control/faults" and self.command == "POST":
                if not isinstance(obj, dict) or not isinstance(obj.get("faults"), list):
                    raise ValueError('body must be {"faults": [...]}')
                queued = st.faults.add(obj["faults"])
                return self._send_json(200, {"queued": queued, "pending": st.faults.pending()})
            if path == "/_control/config" and self.command == "POST":
                st.set_config(obj)
                with st.lock:
                    cfg = dict(st.config)
                return self._send_json(200, {"config": cfg})
            if path == "/_control/reset" and self.command == "POST":
                st.reset()
                return self._send_json(200, {"reset": True})
        except (ValueError, TypeError) as e:
            return self._send_json(400, {"error": {"message": str(e), "type": "control_error",
                                                   "param": None, "code": None}})
        self._send_json(404, {"error": {"message": "unknown control endpoint %s %s" % (
            self.command, path), "type": "control_error", "param": None, "code": None}})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True, help="where to write the port once listening")
    args = ap.parse_args(argv)
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(os.environ.get("OAIMG_FAKE_API_KEY", "sk-test-oaimg"))

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it must not run on that thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)  # readers never see a half-written number
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
