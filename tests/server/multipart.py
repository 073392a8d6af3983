"""A strict multipart/form-data parser (RFC 7578): the stand-in must refuse bodies a real server
would refuse, so a missing boundary, a missing closing delimiter or a part without a name is an
error rather than something to guess around."""

import re


class MultipartError(ValueError):
    pass


class Part:
    def __init__(self, name, filename, content_type, data):
        self.name = name
        self.filename = filename
        self.content_type = content_type
        self.data = data


_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def header_params(value):
    """('form-data', {'name': ..., 'filename': ...}) from a header value with parameters."""
    main = value.split(";", 1)[0].strip().lower()
    params = {}
    for key, raw in _PARAM.findall(value):
        raw = raw.strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[key.lower()] = raw
    return main, params


def boundary_of(content_type):
    kind, params = header_params(content_type or "")
    if kind != "multipart/form-data":
        return None
    b = params.get("boundary", "")
    if not b or len(b) > 70:
        raise MultipartError("multipart/form-data Content-Type has no valid boundary")
    return b.encode("latin-1")


def parse(body, boundary):
    delim = b"--" + boundary
    if not body.startswith(delim):
        # A preamble before the first delimiter is legal; find the first one on its own line.
        start = body.find(b"\r\n" + delim)
        if start < 0:
            raise MultipartError("multipart body does not contain its boundary")
        body = body[start + 2:]
    sections = body.split(b"\r\n" + delim)
    parts = []
    first = sections[0][len(delim):]
    sections = [first] + sections[1:]
    closed = False
    for sec in sections:
        if sec.startswith(b"--"):
            closed = True
            break
        if not sec.startswith(b"\r\n"):
            raise MultipartError("multipart delimiter is not followed by a line break")
        head, sep, data = sec[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("multipart part has no header/body separator")
        headers = {}
        for line in head.split(b"\r\n"):
            if not line:
                continue
            key, colon, val = line.decode("utf-8", "replace").partition(":")
            if not colon:
                raise MultipartError("multipart part has a malformed header line")
            headers[key.strip().lower()] = val.strip()
        disp, params = header_params(headers.get("content-disposition", ""))
        if disp != "form-data" or "name" not in params:
            raise MultipartError("multipart part lacks Content-Disposition: form-data; name=...")
        parts.append(Part(params["name"], params.get("filename"),
                          headers.get("content-type"), data))
    if not closed:
        raise MultipartError("multipart body is truncated (no closing boundary)")
    return parts
