"""Cross-checks the stand-in server against the published spec with Stoplight Prism 5.14.2
(`prism proxy --errors` in front of the stand-in): requests the stand-in accepts must pass
Prism's request validation and its JSON answers must match the spec's ImagesResponse; requests
breaking the schema must be refused by both.

    python3 test_against_prism.py PRISM_BINARY SPEC_YAML

Limits (Prism's, see API-FACTS.md): it cannot forward multipart uploads intact nor validate
text/event-stream bodies, so only JSON generations are cross-checked here.
"""

import json
import os
import socket
import subprocess
import sys
import time
import unittest

if len(sys.argv) < 3:
    sys.exit("usage: test_against_prism.py PRISM_BINARY SPEC_YAML [unittest args]")
PRISM, SPEC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
del sys.argv[1:3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import FakeServer  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AgainstPrism(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = FakeServer()
        cls.s = cls.server.__enter__()
        cls.port = free_port()
        cls.prism = subprocess.Popen(
            [PRISM, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(cls.port), SPEC,
             cls.s.base_url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # bounded: 60 s in 0.1 s steps for node to start
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                return
            except OSError:
                if cls.prism.poll() is not None:
                    break
                time.sleep(0.1)
        cls.tearDownClass()
        raise RuntimeError("prism did not start")

    @classmethod
    def tearDownClass(cls):
        cls.prism.terminate()
        try:
            cls.prism.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.prism.kill()
            cls.prism.wait(timeout=10)
        cls.server.__exit__(None, None, None)

    def via_prism(self, body):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", "/images/generations", json.dumps(body).encode(),
                         self.s.auth({"Content-Type": "application/json"}))
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def test_accepted_requests_and_answers_match_the_spec(self):
        cases = [
            {"model": "gpt-image-1.5", "prompt": "a cat", "n": 2, "size": "1024x1536",
             "quality": "low", "background": "opaque", "output_format": "png"},
            {"model": "gpt-image-1-mini", "prompt": "a cat", "moderation": "low",
             "output_format": "webp", "output_compression": 60, "size": "1536x1024"},
            {"model": "dall-e-2", "prompt": "a cat", "size": "256x256"},
            {"model": "dall-e-2", "prompt": "a cat", "size": "512x512",
             "response_format": "b64_json", "n": 3},
            {"model": "dall-e-3", "prompt": "a cat", "quality": "hd", "style": "natural",
             "size": "1792x1024"},
        ]
        for body in cases:
            with self.subTest(body=body):
                self.assertEqual(self.s.generate(body).status, 200)
                status, answer = self.via_prism(body)
                self.assertEqual(status, 200, answer[:600])

    def test_schema_violations_are_refused_by_both(self):
        cases = [
            {"model": "gpt-image-1.5", "prompt": "a cat", "n": 11},
            {"model": "gpt-image-1.5", "prompt": "a cat", "n": 0},
            {"model": "gpt-image-1.5", "prompt": "a cat", "n": "2"},
            {"model": "gpt-image-1.5", "prompt": "a cat", "quality": "ultra"},
            {"model": "gpt-image-1.5", "prompt": "a cat", "background": "sideways"},
            {"model": "gpt-image-1.5", "prompt": "a cat", "output_format": "bmp"},
            {"model": "gpt-image-1.5", "prompt": "a cat", "moderation": "off"},
            {"model": "dall-e-2", "prompt": "a cat", "response_format": "png"},
            {"model": "dall-e-3", "prompt": "a cat", "style": "baroque"},
            {"model": "gpt-image-1.5", "prompt": "a cat", "stream": "yes"},
            {"model": "gpt-image-1.5"},
        ]
        for body in cases:
            with self.subTest(body=body):
                self.assertEqual(self.s.generate(body).status, 400)
                status, answer = self.via_prism(body)
                self.assertEqual(status, 422, answer[:600])


if __name__ == "__main__":
    unittest.main()
