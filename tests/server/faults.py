"""Queued faults (POST /_control/faults): each /v1 request whose path starts with a fault's
`match` consumes one use of the first such fault, FIFO, so a test can script "two 429s, then
success" for one endpoint while others answer normally."""

import threading

import api_errors

KINDS = ("status", "delay", "truncate", "invalid_json", "html", "stream_error")


class Fault:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault must be an object")
        self.kind = spec.get("kind", "status")
        if self.kind not in KINDS:
            raise ValueError("unknown fault kind %r (one of %s)" % (self.kind, ", ".join(KINDS)))
        self.match = spec.get("match", "/v1")
        self.times = int(spec.get("times", 1))
        if self.times < 1:
            raise ValueError("times must be at least 1")
        self.status = int(spec.get("status", 502 if self.kind == "html" else 500))
        self.headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}
        self.error = spec.get("error") or {}
        self.seconds = float(spec.get("seconds", 0))
        if self.kind == "status" and "status" not in spec:
            raise ValueError("a status fault needs a status")


class FaultQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, specs):
        faults = [Fault(s) for s in specs]  # all or nothing: a bad spec queues none of them
        with self._lock:
            self._faults.extend(faults)
        return len(faults)

    def take(self, path):
        with self._lock:
            for f in self._faults:
                if path.startswith(f.match):
                    f.times -= 1
                    if f.times == 0:
                        self._faults.remove(f)
                    return f
        return None

    def clear(self):
        with self._lock:
            self._faults.clear()

    def pending(self):
        with self._lock:
            return len(self._faults)


HTML_PAGE = ("<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n"
             "<center><h1>{status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
             "</body>\r\n</html>\r\n")


def as_api_error(fault):
    return api_errors.for_status(fault.status, fault.error, fault.headers)

