"""The `oaimg` command line end to end, against a private stand-in server per test.

    python3 test_cli.py /path/to/oaimg /path/to/tests/server/fake_openai.py [unittest args]

The key reaches the CLI only through OPENAI_API_KEY (never argv), and every test checks that it
shows in no output and no file the CLI writes.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

if len(sys.argv) < 3:
    sys.exit("usage: test_cli.py OAIMG_BINARY FAKE_SERVER_SCRIPT [unittest args]")
CLI = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[2])))
del sys.argv[1:3]

import images  # noqa: E402
from harness import FakeServer  # noqa: E402

PALETTE = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
RUN_TIMEOUT = 120  # seconds per CLI run: bounds every test even if the CLI hangs


def pattern_png(w, h):
    """An RGB image where every pixel differs from its neighbours, so misplacement shows."""
    px = bytearray()
    for y in range(h):
        for x in range(w):
            px += bytes(((x * 7) % 256, (y * 5) % 256, (x + 3 * y) % 256))
    return images.encode_png(w, h, 2, px)


def pattern_at(x, y):
    return ((x * 7) % 256, (y * 5) % 256, (x + 3 * y) % 256)


def rect_selection_png(w, h, box):
    x0, y0, x1, y1 = box
    px = bytearray(w * h)
    for y in range(y0, y1):
        px[y * w + x0:y * w + x1] = b"\xff" * (x1 - x0)
    return images.encode_png(w, h, 0, px)


class CliTest(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer()
        self.s = self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.tmp = tempfile.TemporaryDirectory(prefix="oaimg-cli-")
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "out")

    def path(self, name, data=None):
        p = os.path.join(self.tmp.name, name)
        if data is not None:
            with open(p, "wb") as f:
                f.write(data)
        return p

    def oaimg(self, *args, key=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env["OPENAI_API_KEY"] = key or self.s.key
        env["OPENAI_BASE_URL"] = self.s.base_url
        r = subprocess.run([CLI, *args], env=env, capture_output=True, timeout=RUN_TIMEOUT)
        for secret in {self.s.key, env["OPENAI_API_KEY"]}:
            self.assertNotIn(secret.encode(), r.stdout + r.stderr, "the key leaked to output")
            self.assertNotIn(secret, " ".join(args))
        self.assertKeyNotInFiles(env["OPENAI_API_KEY"])
        return r

    def assertKeyNotInFiles(self, key):
        if not os.path.isdir(self.out):
            return
        for name in os.listdir(self.out):
            with open(os.path.join(self.out, name), "rb") as f:
                self.assertNotIn(key.encode(), f.read(), "the key leaked into " + name)

    def assertOk(self, r):
        self.assertEqual(r.returncode, 0, r.stderr.decode())

    def assertOneLineFailure(self, r, *needles):
        self.assertNotEqual(r.returncode, 0)
        err = r.stderr.decode().strip()
        self.assertTrue(err, "no message on stderr")
        self.assertEqual(len(err.splitlines()), 1, "expected one line, got: %r" % err)
        self.assertTrue(any(n.lower() in err.lower() for n in needles),
                        "%r names none of %r" % (err, needles))
        return err

    def result(self, name):
        with open(os.path.join(self.out, name), "rb") as f:
            return images.decode_png(f.read())

    def response(self):
        with open(os.path.join(self.out, "response.json")) as f:
            return json.load(f)


class Basics(CliTest):
    def test_help_and_version(self):
        r = self.oaimg("--help")
        self.assertOk(r)
        for cmd in (b"generate", b"edit", b"variation", b"--dry-run", b"--selection"):
            self.assertIn(cmd, r.stdout)
        r = self.oaimg("--version")
        self.assertOk(r)
        self.assertRegex(r.stdout.decode(), r"\d+\.\d+")

    def test_usage_error_is_one_line(self):
        r = self.oaimg("generate", "--prompt", "a cat")  # no --out-dir
        self.assertOneLineFailure(r, "--out-dir")
        self.assertEqual(self.s.log(), [])

    def test_timeout_beyond_what_fits_in_milliseconds_is_a_usage_error(self):
        # 1e300 s as a long of milliseconds is undefined behaviour; it must be refused by name.
        r = self.oaimg("generate", "--prompt", "a cat", "--timeout", "1e300", "--out-dir", self.out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertOneLineFailure(r, "--timeout")
        self.assertEqual(self.s.log(), [])


class Generate(CliTest):
    def test_gpt_generate_writes_results_and_response(self):
        r = self.oaimg("generate", "--prompt", "a red square", "--n", "2", "--model",
                       "gpt-image-1.5", "--size", "1024x1536", "--quality", "low",
                       "--out-dir", self.out)
        self.assertOk(r)
        for i in range(2):
            img = self.result("result-%d.png" % (i + 1))
            self.assertEqual((img.width, img.height), (1024, 1536))
            self.assertEqual(img.at(512, 700)[:3], PALETTE[i])
        self.assertFalse(os.path.exists(os.path.join(self.out, "result-3.png")))
        resp = self.response()
        text = json.dumps(resp)
        self.assertIn("gpt-image-1.5", text)
        self.assertIn("1024x1536", text)
        self.assertIn("usage", text)
        log = self.s.log()
        self.assertEqual(len(log), 1)
        self.assertTrue(log[0]["auth_ok"])
        self.assertEqual(log[0]["fields"]["prompt"], "a red square")
        self.assertIn(log[0]["request_id"], text)

    def test_dalle2_urls_are_downloaded(self):
        self.s.control("config", {"color": [12, 34, 56]})
        r = self.oaimg("generate", "--prompt", "a cat", "--model", "dall-e-2", "--size",
                       "256x256", "--response-format", "url", "--out-dir", self.out)
        self.assertOk(r)
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height, img.at(10, 10)[:3]), (256, 256, (12, 34, 56)))
        self.assertEqual(len(self.s.control("log")["downloads"]), 1)

    def test_dalle3_revised_prompt_reaches_response_json(self):
        r = self.oaimg("generate", "--prompt", "a lighthouse", "--model", "dall-e-3",
                       "--out-dir", self.out)
        self.assertOk(r)
        self.assertIn("A detailed rendering of: a lighthouse", json.dumps(self.response()))

    def test_stream_keeps_the_final_image(self):
        r = self.oaimg("generate", "--prompt", "a cat", "--model", "gpt-image-1.5", "--size",
                       "1024x1024", "--stream", "2", "--out-dir", self.out)
        self.assertOk(r)
        fields = self.s.log()[0]["fields"]
        self.assertIs(fields["stream"], True)
        self.assertEqual(fields["partial_images"], 2)
        self.assertEqual(self.result("result-1.png").at(0, 0)[:3], PALETTE[0])


class EditAndVariation(CliTest):
    def test_gpt_edit_with_mask(self):
        image = self.path("in.png", images.solid_png(96, 64, (9, 9, 9)))
        mask = self.path("mask.png", images.solid_png(96, 64, (0, 0, 0), alpha=0))
        r = self.oaimg("edit", "--image", image, "--mask", mask, "--prompt", "paint it",
                       "--model", "gpt-image-1.5", "--size", "1536x1024", "--out-dir", self.out)
        self.assertOk(r)
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height, img.at(3, 3)[:3]), (1536, 1024, PALETTE[0]))
        (entry,) = self.s.log()
        self.assertEqual(entry["path"], "/v1/images/edits")
        files = {f["field"]: f for f in entry["files"]}
        self.assertIn("mask", files)
        first = next(f for f in entry["files"] if f["field"].startswith("image"))
        self.assertEqual((files["mask"]["width"], files["mask"]["height"]),
                         (first["width"], first["height"]))

    def test_dalle2_edit_with_mask(self):
        image = self.path("in.png", images.solid_png(256, 256, (9, 9, 9)))
        mask = self.path("mask.png", images.solid_png(256, 256, (0, 0, 0), alpha=0))
        r = self.oaimg("edit", "--image", image, "--mask", mask, "--prompt", "paint it",
                       "--model", "dall-e-2", "--size", "256x256", "--n", "2",
                       "--out-dir", self.out)
        self.assertOk(r)
        for i in range(2):
            img = self.result("result-%d.png" % (i + 1))
            self.assertEqual((img.width, img.height, img.at(0, 0)[:3]), (256, 256, PALETTE[i]))

    def test_dalle2_variation(self):
        image = self.path("in.png", pattern_png(256, 256))
        r = self.oaimg("variation", "--image", image, "--model", "dall-e-2", "--size",
                       "512x512", "--n", "2", "--out-dir", self.out)
        self.assertOk(r)
        self.assertEqual([e["path"] for e in self.s.log()], ["/v1/images/variations"])
        for i in range(2):
            img = self.result("result-%d.png" % (i + 1))
            self.assertEqual((img.width, img.height, img.at(9, 9)[:3]), (512, 512, PALETTE[i]))

    def test_variation_with_prompt_on_gpt_model(self):
        image = self.path("in.png", pattern_png(64, 64))
        r = self.oaimg("variation", "--image", image, "--prompt", "same but blue", "--model",
                       "gpt-image-1.5", "--size", "1024x1024", "--out-dir", self.out)
        self.assertOk(r)
        self.assertEqual(self.result("result-1.png").at(0, 0)[:3], PALETTE[0])

    def test_dry_run_sends_nothing_and_writes_what_it_would_send(self):
        image = self.path("in.png", images.solid_png(256, 256, (9, 9, 9)))
        mask = self.path("mask.png", images.solid_png(256, 256, (0, 0, 0), alpha=0))
        args = ["edit", "--image", image, "--mask", mask, "--prompt", "paint it", "--model",
                "dall-e-2", "--size", "512x512", "--out-dir", self.out]
        r = self.oaimg(*args, "--dry-run")
        self.assertOk(r)
        self.assertEqual(self.s.log(), [])
        sizes = {}
        for name in ("request-image.png", "request-mask.png"):
            with open(os.path.join(self.out, name), "rb") as f:
                data = f.read()
            info = images.png_info(data)
            sizes[name] = (len(data), info.width, info.height)
        self.assertEqual(sizes["request-image.png"][1:], sizes["request-mask.png"][1:])
        with open(os.path.join(self.out, "request.json")) as f:
            fields = json.load(f)
        self.assertEqual((fields.get("prompt"), fields.get("model"), fields.get("size")),
                         ("paint it", "dall-e-2", "512x512"))
        # What the dry run wrote is byte for byte what the real run uploads.
        self.assertOk(self.oaimg(*args))
        files = {f["field"]: f for f in self.s.log()[0]["files"]}
        self.assertEqual((files["image"]["bytes"], files["image"]["width"],
                          files["image"]["height"]), sizes["request-image.png"])
        self.assertEqual((files["mask"]["bytes"], files["mask"]["width"],
                          files["mask"]["height"]), sizes["request-mask.png"])


class Selection(CliTest):
    def test_results_are_put_back_under_the_selection_only(self):
        w, h, box = 160, 120, (50, 30, 110, 90)
        image = self.path("in.png", pattern_png(w, h))
        sel = self.path("sel.png", rect_selection_png(w, h, box))
        self.s.control("config", {"color": [10, 200, 30]})
        r = self.oaimg("edit", "--image", image, "--selection", sel, "--prompt", "a green box",
                       "--model", "gpt-image-1.5", "--out-dir", self.out)
        self.assertOk(r)
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height), (w, h))
        x0, y0, x1, y1 = box
        margin = 4  # the put-back mask may feather just inside the selection's edge
        for y in range(h):
            for x in range(w):
                inside = x0 <= x < x1 and y0 <= y < y1
                deep = x0 + margin <= x < x1 - margin and y0 + margin <= y < y1 - margin
                if not inside:
                    self.assertEqual(img.at(x, y), pattern_at(x, y) + (255,), (x, y))
                elif deep:
                    got = img.at(x, y)
                    self.assertTrue(all(abs(a - b) <= 2 for a, b in zip(got, (10, 200, 30, 255))),
                                    ((x, y), got))
        layers = self.response()["layers"]
        self.assertEqual(len(layers), 1)
        L = layers[0]
        self.assertLessEqual(L["x"], x0)
        self.assertLessEqual(L["y"], y0)
        self.assertGreaterEqual(L["x"] + L["width"], x1)
        self.assertGreaterEqual(L["y"] + L["height"], y1)
        layer, mask = self.result("layer-1.png"), self.result("layer-1-mask.png")
        self.assertEqual((layer.width, layer.height), (L["width"], L["height"]))
        self.assertEqual((mask.width, mask.height), (L["width"], L["height"]))
        cx, cy = (x0 + x1) // 2 - L["x"], (y0 + y1) // 2 - L["y"]
        self.assertEqual(mask.at(cx, cy)[0], 255)
        (entry,) = self.s.log()
        self.assertEqual(entry["path"], "/v1/images/edits")

    def test_every_result_is_put_back_over_the_untouched_source(self):
        # The source is decoded once for all results: each composite must start from the source,
        # not from the previous result. Result 1 (pink) tells each soft-edge pixel's opacity a;
        # result 2 (the stand-in's green) must be green over the source with that same a. Over
        # result 1 instead, it would be off by a (1 - a) (pink - source), 15 levels and more here.
        w, h = 128, 80
        pink, green = (240, 20, 200), (0, 255, 0)
        image = self.path("in.png", pattern_png(w, h))
        # Fully selected at x 10-30, and 110/255 selected at x 70-110: far enough from the full
        # part for the put-back mask to keep that partial coverage.
        coverage = bytearray(w * h)
        for y in range(20, 60):
            coverage[y * w + 10:y * w + 30] = b"\xff" * 20
            coverage[y * w + 70:y * w + 110] = bytes([110]) * 40
        sel = self.path("sel.png", images.encode_png(w, h, 0, bytes(coverage)))
        self.s.control("config", {"color": list(pink)})
        r = self.oaimg("edit", "--image", image, "--selection", sel, "--prompt", "pink",
                       "--model", "gpt-image-1.5", "--n", "2", "--out-dir", self.out)
        self.assertOk(r)
        first, second = self.result("result-1.png"), self.result("result-2.png")
        checked = 0
        for y in range(h):
            for x in range(w):
                src = pattern_at(x, y)
                if abs(pink[0] - src[0]) < 60:
                    continue  # too close to tell a precisely
                a = (first.at(x, y)[0] - src[0]) / (pink[0] - src[0])
                if not 0.25 <= a <= 0.75:
                    continue
                expected = tuple(round(g * a + s * (1 - a)) for g, s in zip(green, src))
                got = second.at(x, y)[:3]
                self.assertTrue(all(abs(e - v) <= 4 for e, v in zip(expected, got)),
                                ((x, y), a, expected, got))
                checked += 1
        self.assertGreater(checked, 10, "too few soft-edge pixels to tell a double composite")

    def test_a_corrupt_source_is_named_in_one_line(self):
        png = bytearray(pattern_png(64, 48))
        png[-20] ^= 0xFF  # inside the last IDAT: its CRC no longer matches
        image = self.path("in.png", bytes(png))
        sel = self.path("sel.png", rect_selection_png(64, 48, (10, 10, 30, 30)))
        r = self.oaimg("edit", "--image", image, "--selection", sel, "--prompt", "x",
                       "--model", "gpt-image-1.5", "--dry-run", "--out-dir", self.out)
        err = self.assertOneLineFailure(r, "corrupt PNG")
        self.assertIn("in.png", err)
        self.assertIn("bad CRC", err)
        self.assertEqual(r.returncode, 1)

    def test_a_selection_of_another_size_is_a_usage_error(self):
        image = self.path("in.png", pattern_png(64, 48))
        sel = self.path("sel.png", rect_selection_png(60, 48, (10, 10, 30, 30)))
        r = self.oaimg("edit", "--image", image, "--selection", sel, "--prompt", "x",
                       "--model", "gpt-image-1.5", "--dry-run", "--out-dir", self.out)
        err = self.assertOneLineFailure(r, "must match")
        self.assertIn("60x48", err)
        self.assertIn("64x48", err)
        self.assertEqual(r.returncode, 2)


class Failures(CliTest):
    def run_generate(self, key=None):
        return self.oaimg("generate", "--prompt", "a cat", "--model", "gpt-image-1.5",
                          "--out-dir", self.out, key=key)

    def test_401_names_the_key_problem_and_never_the_key(self):
        r = self.run_generate(key="sk-wrong-0123456789abcdef")
        self.assertOneLineFailure(r, "api key", "401", "auth")
        self.assertEqual(len(self.s.log()), 1)  # a bad key is not retried

    def test_500_after_retries(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 500, "times": 10}]})
        r = self.run_generate()
        self.assertOneLineFailure(r, "500", "server")
        self.assertGreater(len(self.s.log()), 1)  # 500 is retried
        self.assertLessEqual(len(self.s.log()), 3)  # at most 2 retries by default

    def test_content_policy_400_is_reported_not_retried(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 400, "times": 10,
                                              "error": {
            "message": "Your request was rejected as a result of our safety system.",
            "code": "content_policy_violation"}}]})
        r = self.run_generate()
        self.assertOneLineFailure(r, "safety system", "content_policy", "content policy")
        self.assertEqual(len(self.s.log()), 1)

    def test_html_from_a_proxy_gives_a_readable_line(self):
        self.s.control("faults", {"faults": [{"kind": "html", "status": 502, "times": 10}]})
        err = self.assertOneLineFailure(self.run_generate(), "502", "gateway")
        self.assertNotIn("<html", err.lower())

    def test_timeout(self):
        self.s.control("config", {"delay": 3.0})
        r = self.oaimg("generate", "--prompt", "a cat", "--model", "gpt-image-1.5", "--timeout",
                       "0.5", "--out-dir", self.out)
        self.assertOneLineFailure(r, "timed out", "timeout", "time")


if __name__ == "__main__":
    unittest.main()
