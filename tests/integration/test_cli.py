"""The `oaimg` command line end to end, against a private stand-in server per test.

    python3 test_cli.py /path/to/oaimg /path/to/tests/server/fake_openai.py [unittest args]

The key reaches the CLI only through OPENAI_API_KEY (never argv), and every test checks that it
shows in no output and no file the CLI writes.
"""

import datetime
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
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

    def env(self, key=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env["OPENAI_API_KEY"] = key if key is not None else self.s.key
        env["OPENAI_BASE_URL"] = self.s.base_url
        # The once-a-day model check keeps its stamps here, never in the real home.
        env["XDG_CACHE_HOME"] = os.path.join(self.tmp.name, "cache")
        return env

    def api_log(self):
        """The image requests the server saw (without the CLI's GET /v1/models check)."""
        return [e for e in self.s.log() if e["path"].startswith("/v1/images/")]

    def oaimg(self, *args, key=None, stdin=None):
        env = self.env(key)
        r = subprocess.run([CLI, *args], env=env, capture_output=True, timeout=RUN_TIMEOUT,
                           input=stdin if stdin is not None else b"")
        for secret in {self.s.key, env["OPENAI_API_KEY"]} - {""}:
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
        self.assertEqual(self.api_log(), [])

    def test_timeout_beyond_what_fits_in_milliseconds_is_a_usage_error(self):
        # 1e300 s as a long of milliseconds is undefined behaviour; it must be refused by name.
        r = self.oaimg("generate", "--prompt", "a cat", "--timeout", "1e300", "--out-dir", self.out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertOneLineFailure(r, "--timeout")
        self.assertEqual(self.api_log(), [])


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
        log = self.api_log()
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
        fields = self.api_log()[0]["fields"]
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
        (entry,) = self.api_log()
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
        self.assertEqual([e["path"] for e in self.api_log()], ["/v1/images/variations"])
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
        self.assertEqual(self.api_log(), [])
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
        files = {f["field"]: f for f in self.api_log()[0]["files"]}
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
        (entry,) = self.api_log()
        self.assertEqual(entry["path"], "/v1/images/edits")

    def test_results_deflate_only_what_they_change(self):
        # The source is deflated once around the rectangle the results change, and each result
        # only inside it: the rows below the selection are the same deflated bytes in every
        # result (a whole-image deflate per result shares almost none: the Huffman codes of a
        # block differ with its content). The pixels must still be exact: the source's outside
        # the selection, the layer's inside, and zlib's Adler-32 must hold.
        w, h = 160, 120
        image = self.path("in.png", pattern_png(w, h))
        box = (30, 8, 70, 24)
        sel = self.path("sel.png", rect_selection_png(w, h, box))
        self.s.control("config", {"color": [240, 20, 200]})
        r = self.oaimg("edit", "--image", image, "--selection", sel, "--prompt", "pink",
                       "--model", "gpt-image-1.5", "--n", "2", "--out-dir", self.out)
        self.assertOk(r)
        streams = []
        for name in ("result-1.png", "result-2.png"):
            with open(os.path.join(self.out, name), "rb") as f:
                data = f.read()
            img = images.decode_png(data)  # zlib checks the Adler-32 of the pieces put together
            for y in range(h):
                for x in range(w):
                    if not (box[0] - 8 <= x < box[2] + 8 and box[1] - 8 <= y < box[3] + 8):
                        self.assertEqual(img.at(x, y), pattern_at(x, y) + (255,), (name, x, y))
            self.assertNotEqual(img.at(50, 16)[:3], pattern_at(50, 16))
            streams.append(b"".join(b for t, b in images.png_info(data).chunks if t == b"IDAT"))
        first, second = (s[:-4] for s in streams)  # without the Adler-32s, which differ
        self.assertNotEqual(first, second)
        shared = 0
        while shared < min(len(first), len(second)) and first[-1 - shared] == second[-1 - shared]:
            shared += 1
        self.assertGreater(shared, len(first) // 2, "the rows below the selection were deflated again")

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
        self.assertEqual(len(self.api_log()), 1)  # a bad key is not retried

    def test_500_after_retries(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 500, "times": 10}]})
        r = self.run_generate()
        self.assertOneLineFailure(r, "500", "server")
        self.assertGreater(len(self.api_log()), 1)  # 500 is retried
        self.assertLessEqual(len(self.api_log()), 3)  # at most 2 retries by default

    def test_content_policy_400_is_reported_not_retried(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 400, "times": 10,
                                              "error": {
            "message": "Your request was rejected as a result of our safety system.",
            "code": "content_policy_violation"}}]})
        r = self.run_generate()
        self.assertOneLineFailure(r, "safety system", "content_policy", "content policy")
        self.assertEqual(len(self.api_log()), 1)

    def test_html_from_a_proxy_gives_a_readable_line(self):
        self.s.control("faults", {"faults": [{"kind": "html", "status": 502, "times": 10}]})
        err = self.assertOneLineFailure(self.run_generate(), "502", "gateway")
        self.assertNotIn("<html", err.lower())

    def test_timeout(self):
        self.s.control("config", {"delay": 3.0})
        r = self.oaimg("generate", "--prompt", "a cat", "--model", "gpt-image-1.5", "--timeout",
                       "0.5", "--out-dir", self.out)
        self.assertOneLineFailure(r, "timed out", "timeout", "time")


def files_in(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


class ExitCodes(CliTest):
    def test_values_refused_before_sending_are_usage_errors(self):
        cases = [
            (["--n", "0"], "--n"),
            (["--output-compression", "-1", "--output-format", "jpeg"], "--output-compression"),
            (["--max-retries", "-1"], "--max-retries"),
            (["--stream", "-1"], "--stream"),
            (["--stream", "4"], "--stream"),
            (["--size", "999x999"], "999x999"),   # the model refuses it
            (["--n", "11"], "11"),                # the model refuses it
            (["--quality", "ultra"], "ultra"),    # the model refuses it
            (["--complexity", "max"], "complexity"),
            (["--bogus"], "--bogus"),
            (["--dry-run=yes"], "--dry-run"),
        ]
        for extra, needle in cases:
            with self.subTest(extra=extra):
                r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out,
                               *extra)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertOneLineFailure(r, needle)
        self.assertEqual(self.api_log(), [])

    def test_a_failed_request_is_1_and_says_each_thing_once(self):
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out, key="")
        self.assertEqual(r.returncode, 1, r.stderr)
        err = self.assertOneLineFailure(r, "no API key")
        self.assertEqual(err.lower().count("no api key"), 1, err)
        self.s.control("faults", {"faults": [{"kind": "status", "status": 500, "times": 10,
                                              "match": "/v1/images"}]})
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out,
                       "--max-retries", "0")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(files_in(self.out), [])


class OptionSyntax(CliTest):
    def test_short_options_and_equals_values(self):
        r = self.oaimg("generate", "-p", "a cat", "-n", "2", "-m", "gpt-image-1.5",
                       "-s", "1024x1536", "--quality=low", "--out-dir=" + self.out)
        self.assertOk(r)
        (entry,) = self.api_log()
        self.assertEqual((entry["fields"]["prompt"], entry["fields"]["n"], entry["fields"]["size"],
                          entry["fields"]["quality"]), ("a cat", 2, "1024x1536", "low"))
        self.assertEqual(files_in(self.out), ["response.json", "result-1.png", "result-2.png"])

    def test_help_per_subcommand(self):
        r = self.oaimg("edit", "--help")
        self.assertOk(r)
        out = r.stdout.decode()
        self.assertIn("usage: oaimg edit", out)
        self.assertIn("--mask", out)
        self.assertIn("-i, --image", out)
        self.assertNotIn("--moderation", out)  # generations only
        r = self.oaimg("help", "models")
        self.assertOk(r)
        self.assertIn("usage: oaimg models", r.stdout.decode())
        self.assertNotIn("--mask", r.stdout.decode())
        r = self.oaimg("variation", "--mask", "m.png", "-i", "x.png", "-o", self.out)
        self.assertEqual(r.returncode, 2)
        self.assertOneLineFailure(r, "--mask does not apply to variation")


class Pipes(CliTest):
    def test_prompt_from_stdin_and_json_summary_on_stdout(self):
        r = self.oaimg("generate", "--prompt", "-", "-m", "gpt-image-1.5", "-o", self.out,
                       "--json", stdin=b"a fox read from a pipe\n")
        self.assertOk(r)
        summary = json.loads(r.stdout)
        self.assertEqual(summary["count"], 1)
        self.assertEqual(summary["model"], "gpt-image-1.5")
        self.assertEqual(self.api_log()[0]["fields"]["prompt"], "a fox read from a pipe")
        self.assertEqual(r.stderr, b"")  # not a terminal: nothing extra

    def test_image_from_stdin_and_empty_prompt_from_stdin(self):
        png = images.solid_png(64, 64, (9, 9, 9))
        r = self.oaimg("edit", "-i", "-", "-p", "make it red", "-m", "gpt-image-1.5", "-o",
                       self.out, stdin=png)
        self.assertOk(r)
        (entry,) = self.api_log()
        self.assertEqual([f["field"] for f in entry["files"]], ["image"])  # maskless edit
        self.assertEqual(entry["files"][0]["bytes"], len(png))
        r = self.oaimg("generate", "-p", "-", "-o", self.out, stdin=b"\n")
        self.assertEqual(r.returncode, 2)
        self.assertOneLineFailure(r, "empty")
        r = self.oaimg("edit", "-i", "-", "-p", "-", "-o", self.out, stdin=png)
        self.assertEqual(r.returncode, 2)
        self.assertOneLineFailure(r, "only one")


class RequestFields(CliTest):
    def test_safety_identifier_wins_and_complexity_is_sent(self):
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out,
                       "--user", "legacy", "--safety-identifier", "hashed-42",
                       "--complexity", "high")
        self.assertOk(r)
        fields = self.api_log()[0]["fields"]
        self.assertEqual((fields["safety_identifier"], fields["user"], fields["complexity"]),
                         ("hashed-42", "legacy", "high"))
        resp = self.response()
        self.assertEqual(resp["safety_identifier"], "hashed-42")
        details = resp["usage"]["output_tokens_details"]
        self.assertGreater(details["image_tokens"], 0)
        # --verbose reads the same through the C API's getters.
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out,
                       "--safety-identifier", "hashed-42", "--verbose")
        self.assertOk(r)
        err = r.stderr.decode()
        self.assertIn("out (text %d, image %d)" % (details["text_tokens"], details["image_tokens"]),
                      err)
        self.assertIn("safety identifier: hashed-42", err)
        stages = re.findall(r"oaimg: (preparing|sending|waiting for the server|receiving|done)\n",
                            err)
        order = ["preparing", "sending", "waiting for the server", "receiving", "done"]
        self.assertEqual(stages, sorted(stages, key=order.index), err)  # never backwards

    def test_planned_sizes_stay_standard_unless_experimental_ones_are_allowed(self):
        big = self.path("big.png", images.solid_png(4000, 3000, (9, 9, 9)))
        args = ("generate", "-i", big, "-p", "a sky", "-m", "gpt-image-2", "--dry-run",
                "-o", self.out)
        r = self.oaimg(*args)
        self.assertOk(r)
        self.assertIn("with 1920x1440", r.stdout.decode())
        self.assertNotIn("experimental", r.stdout.decode())
        r = self.oaimg(*args, "--allow-experimental-size")
        self.assertOk(r)
        out = r.stdout.decode()
        self.assertIn("with 2880x2160", out)
        self.assertIn("size 2880x2160 is experimental", out)

    def test_stream_saves_partials_and_dates_the_result(self):
        before = int(time.time())
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-s", "1024x1024",
                       "--stream", "2", "-n", "2", "-o", self.out)
        self.assertOk(r)
        self.assertEqual(files_in(self.out), ["partial-1-1.png", "partial-1-2.png",
                                              "partial-2-1.png", "partial-2-2.png",
                                              "response.json", "result-1.png", "result-2.png"])
        final = self.result("result-1.png").at(0, 0)
        partial = self.result("partial-1-1.png").at(0, 0)
        self.assertNotEqual(final, partial)  # partials are darker shades
        self.assertGreaterEqual(self.response()["created"], before)  # from created_at


class InputFormats(CliTest):
    def encoded(self, fmt):
        """The pattern as JPEG (cjpeg, from libjpeg-turbo-progs) or WebP (cwebp, from webp)."""
        w, h = 160, 120
        if fmt == "JPEG":
            ppm = b"P6\n%d %d\n255\n" % (w, h) + b"".join(
                bytes(pattern_at(x, y)) for y in range(h) for x in range(w))
            cmd, data = ["cjpeg", "-quality", "95"], ppm
        else:
            cmd, data = ["cwebp", "-quiet", "-q", "95", "-o", "-", "--", "-"], pattern_png(w, h)
        return subprocess.run(cmd, input=data, capture_output=True, check=True, timeout=60).stdout

    def test_jpeg_and_webp_images_work_with_a_selection(self):
        sel = self.path("sel.png", rect_selection_png(160, 120, (40, 30, 100, 90)))
        for fmt, ext in (("JPEG", "jpg"), ("WEBP", "webp")):
            with self.subTest(fmt=fmt):
                image = self.path("in." + ext, self.encoded(fmt))
                out = os.path.join(self.tmp.name, "out-" + ext)
                r = self.oaimg("edit", "-i", image, "--selection", sel, "-p", "green",
                               "-m", "gpt-image-1.5", "-o", out)
                self.assertOk(r)
                with open(os.path.join(out, "result-1.png"), "rb") as f:
                    result = images.decode_png(f.read())
                self.assertEqual((result.width, result.height), (160, 120))
                far = result.at(5, 5)[:3]  # outside the selection: the decoded source
                self.assertTrue(all(abs(a - b) <= 12 for a, b in zip(far, pattern_at(5, 5))), far)

    def test_a_file_that_is_no_image_is_named(self):
        bad = self.path("bad.png", b"not an image at all")
        sel = self.path("sel.png", rect_selection_png(16, 16, (0, 0, 8, 8)))
        r = self.oaimg("edit", "-i", bad, "--selection", sel, "-p", "x", "-o", self.out)
        self.assertEqual(r.returncode, 2)
        self.assertOneLineFailure(r, "bad.png")


class Models(CliTest):
    def test_models_lists_the_table_with_retirements(self):
        r = self.oaimg("models")
        self.assertOk(r)
        out = r.stdout.decode()
        for name in ("gpt-image-1.5", "gpt-image-2", "gpt-image-2.5-flare", "dall-e-2"):
            self.assertRegex(out, r"(?m)^%s\s" % re.escape(name))
        self.assertRegex(out, r"(?m)^gpt-image-1\s.*retired 2026-10-23, use gpt-image-2.5-sunburst")
        r = self.oaimg("models", "--json")
        self.assertOk(r)
        table = {m["name"]: m for m in json.loads(r.stdout)}
        self.assertEqual(table["dall-e-3"]["operations"], ["generate"])
        self.assertEqual(table["dall-e-3"]["n_per_request"], 1)
        self.assertTrue(table["gpt-image-2"]["custom_sizes"])
        self.assertTrue(table["gpt-image-1.5"]["streaming"])
        self.assertFalse(table["dall-e-2"]["streaming"])
        self.assertEqual((table["dall-e-2"]["retired"], table["dall-e-2"]["shutdown_date"]),
                         (True, "2026-05-12"))
        self.assertIn("256x256", table["dall-e-2"]["sizes"])
        self.assertEqual(self.s.log(), [])  # a local table: nothing asked

    def test_a_model_shutting_down_soon_is_warned_about_once_a_day(self):
        soon = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        self.s.control("config", {"shutdown_dates": {"gpt-image-1.5": soon}})
        args = ("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out)
        r = self.oaimg(*args)
        self.assertOk(r)
        err = r.stderr.decode()
        self.assertIn("warning: gpt-image-1.5 shuts down on %s, in 30 days" % soon, err)
        self.assertEqual(err.count("warning"), 1)
        r = self.oaimg(*args)
        self.assertOk(r)
        self.assertEqual(r.stderr, b"")  # checked today already
        gets = [e for e in self.s.log() if e["path"].startswith("/v1/models/")]
        self.assertEqual([e["path"] for e in gets], ["/v1/models/gpt-image-1.5"])

    def test_a_failing_model_check_never_fails_the_run(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 500, "times": 5,
                                              "match": "/v1/models"}]})
        r = self.oaimg("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out)
        self.assertOk(r)
        self.assertEqual(r.stderr, b"")


class Terminal(CliTest):
    """The CLI on a real pseudo-terminal, as a person at a shell runs it."""

    def spawn(self, *args):
        env = self.env()
        env["COLUMNS"] = "200"
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                os.execve(CLI, [CLI, *args], env)
            finally:
                os._exit(127)
        return pid, fd

    def read_until_exit(self, pid, fd, deadline, on_output=None):
        out = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
                if on_output:
                    on_output(out)
        else:
            os.kill(pid, signal.SIGKILL)
            self.fail("the CLI did not finish in time: %r" % out)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")

    def test_progress_line_moves_in_place(self):
        self.s.control("config", {"delay": 3.2})
        pid, fd = self.spawn("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-n", "2",
                             "-o", self.out)
        code, out = self.read_until_exit(pid, fd, time.monotonic() + 60)
        self.assertEqual(code, 0, out)
        frames = [f for f in re.split(r"\r\x1b\[K", out) if f.strip()]
        waiting = [f for f in frames if "waiting for the server" in f]
        seconds = {int(m) for f in waiting for m in re.findall(r"· (\d+) s", f)}
        self.assertGreaterEqual(len(seconds), 3, frames)  # the elapsed time moves
        self.assertTrue(all("0 of 2 results" in f for f in waiting), waiting)
        self.assertNotIn("\n", "".join(frames[:-1]))  # one line, redrawn, no scrolling
        self.assertIn("2 image(s) written", frames[-1])

    def test_retry_reason_and_countdown_are_shown(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 429, "times": 1,
                                              "match": "/v1/images",
                                              "headers": {"Retry-After": "3"}}]})
        pid, fd = self.spawn("generate", "-p", "a cat", "-m", "gpt-image-1.5", "-o", self.out)
        code, out = self.read_until_exit(pid, fd, time.monotonic() + 60)
        self.assertEqual(code, 0, out)
        counts = re.findall(r"rate limited \(HTTP 429\), retry 1 in (\d) s", out)
        self.assertGreaterEqual(len(set(counts)), 2, out)  # the countdown counts down
        self.assertEqual(sorted(set(counts), reverse=True), list(dict.fromkeys(counts)), out)

    def test_ctrl_c_aborts_at_once_writes_nothing_and_exits_130(self):
        self.s.control("config", {"delay": 20})
        pid, fd = self.spawn("generate", "-p", "a cat", "-m", "gpt-image-1.5", "--stream", "1",
                             "-o", self.out)
        sent, model_check_done_at = [], []

        def interrupt_once_waiting(out):
            # The CLI first asks GET /v1/models/{id} (the shutdown warning), which shows "waiting
            # for the server" too: on a loaded machine a Ctrl-C then lands before the image
            # request. Interrupt once that check is over and the image request is waiting.
            if sent:
                return
            if not model_check_done_at:
                if any(e["path"].startswith("/v1/models") for e in self.s.log()):
                    model_check_done_at.append(len(out))
                return
            # "waiting for the server" shows as the request goes out; on a loaded machine a
            # Ctrl-C then can land before the server has read it, and it logs nothing.
            if (b"waiting for the server" in out[model_check_done_at[0]:]
                    and self.s.control("log")["image_requests_begun"] >= 1):
                os.write(fd, b"\x03")  # Ctrl-C: the terminal sends SIGINT
                sent.append(time.monotonic())

        code, out = self.read_until_exit(pid, fd, time.monotonic() + 30, interrupt_once_waiting)
        self.assertTrue(sent, out)
        self.assertEqual(code, 130, out)
        self.assertLess(time.monotonic() - sent[0], 3)  # at once, not after the server's 20 s
        self.assertIn("interrupted; nothing written", out)
        self.assertEqual(files_in(self.out), [])
        deadline = time.monotonic() + 20  # a loaded machine delays the server's log line
        while time.monotonic() < deadline and not self.api_log():
            time.sleep(0.05)
        (entry,) = self.api_log()
        self.assertTrue(entry.get("client_closed"), entry)  # the server saw the hang-up


def stroke_png(w, h, alpha_elsewhere=0):
    """A markup: a red line across the middle row, elsewhere transparent (or alpha_elsewhere)."""
    px = bytearray(bytes((0, 0, 0, alpha_elsewhere)) * (w * h))
    for x in range(w):
        px[(h // 2 * w + x) * 4:(h // 2 * w + x) * 4 + 4] = bytes((255, 0, 0, 255))
    return images.encode_png(w, h, 6, bytes(px))


class ExtendAndGuides(CliTest):
    def assertOldPixelsKept(self, img, w, h, left, top, away):
        """The source's pixels, exactly, at (left, top) on the extended image, except within
        `away` pixels of a grown side (where the seam blends)."""
        for y in range(h):
            for x in range(w):
                if (left and x < away) or (top and y < away):
                    continue
                self.assertEqual(img.at(left + x, top + y), pattern_at(x, y) + (255,), (x, y))

    def test_extend_right_writes_the_whole_extended_image(self):
        w, h = 160, 120
        image = self.path("in.png", pattern_png(w, h))
        r = self.oaimg("extend", "--image", image, "--right", "64", "-p", "more meadow", "-n", "2",
                       "-m", "gpt-image-2", "-o", self.out)
        self.assertOk(r)
        for i in range(2):
            img = self.result("result-%d.png" % (i + 1))
            self.assertEqual((img.width, img.height), (w + 64, h))
            # Old pixels away from the seam unchanged (the blend reaches 16 px into the image).
            for y in range(h):
                for x in range(w - 32):
                    self.assertEqual(img.at(x, y), pattern_at(x, y) + (255,), (i, x, y))
            # The new area: filled, opaque, this result's colour.
            for y in range(0, h, 7):
                for x in range(w, w + 64):
                    self.assertEqual(img.at(x, y), PALETTE[i] + (255,), (i, x, y))
            # Each layer's put-back mask, written once for both (they share it): its layer's
            # size, the new area fully covered.
            mask = self.result("layer-%d-mask.png" % (i + 1))
            L = self.response()["layers"][i]
            self.assertEqual((mask.width, mask.height), (L["width"], L["height"]))
            self.assertEqual(mask.at(w + 32 - L["x"], h // 2 - L["y"])[0], 255, i)
        with open(os.path.join(self.out, "layer-1-mask.png"), "rb") as a, \
                open(os.path.join(self.out, "layer-2-mask.png"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        resp = self.response()
        self.assertEqual(resp["canvas"], {"x": 0, "y": 0, "width": w + 64, "height": h})
        (entry,) = self.api_log()
        self.assertEqual(entry["path"], "/v1/images/edits")
        self.assertEqual([f["field"] for f in entry["files"]], ["image", "mask"])
        self.assertEqual(entry["fields"]["n"], "2")

    def test_extend_to_an_aspect_on_dalle2_grows_both_sides_evenly(self):
        w, h = 160, 120  # 16:9 of 120 rows is 213.3, so 214 wide: 27 on each side
        image = self.path("in.png", pattern_png(w, h))
        r = self.oaimg("extend", "-i", image, "--aspect", "16:9", "-p", "wider", "-m", "dall-e-2",
                       "-o", self.out)
        self.assertOk(r)
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height), (214, 120))
        for y in range(h):
            for x in range(40, w - 40):
                self.assertEqual(img.at(27 + x, y), pattern_at(x, y) + (255,), (x, y))
        for y in range(0, h, 9):
            for x in list(range(0, 27)) + list(range(27 + w, 214)):
                self.assertEqual(img.at(x, y), PALETTE[0] + (255,), (x, y))
        (entry,) = self.api_log()
        image_part = entry["files"][0]
        self.assertEqual(image_part["width"], image_part["height"])  # DALL-E 2: square
        self.assertEqual(self.response()["canvas"]["x"], -27)

    def test_extend_far_past_the_models_size_is_filled_in_parts(self):
        w, h = 64, 48
        image = self.path("in.png", pattern_png(w, h))
        args = ("extend", "-i", image, "--right", "3200", "-p", "more", "-m", "gpt-image-1.5",
                "-o", self.out)
        r = self.oaimg(*args, "--dry-run")
        self.assertOk(r)
        out = r.stdout.decode()
        self.assertIn("3 request(s), sending 1536x1024 pixels", out)
        self.assertIn("filled in 3 overlapping parts of up to 1536x1024 at full resolution, one "
                      "request each in order", out)
        self.assertEqual(self.api_log(), [])
        self.s.control("config", {"color_by_request": True})
        r = self.oaimg(*args)
        self.assertOk(r)
        log = self.api_log()
        self.assertEqual(len(log), 3)
        self.assertTrue(all(e["path"] == "/v1/images/edits" for e in log))
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height), (w + 3200, h))
        for y in range(h):
            for x in range(w - 24):
                self.assertEqual(img.at(x, y), pattern_at(x, y) + (255,), (x, y))
        for y in range(0, h, 5):
            self.assertEqual(img.at(w + 10, y), PALETTE[0] + (255,))  # the first part's
            self.assertEqual(img.at(w + 3199, y), PALETTE[2] + (255,))  # the last part's
            self.assertTrue(all(img.at(x, y)[3] == 255 for x in range(w, w + 3200)))
        resp = self.response()
        self.assertEqual(len(resp["request_ids"]), 3)
        self.assertEqual(resp["usage"]["input_image_tokens"], 3 * 194)

    def test_extend_usage_errors_are_2_and_send_nothing(self):
        image = self.path("in.png", pattern_png(160, 90))
        cases = [
            (["--left", "-5"], "at least 0"),
            (["--left", "0", "--right", "0"], "a margin above 0"),
            ([], "needs margins"),
            (["--aspect", "16:9", "--left", "4"], "either --aspect or the margins"),
            (["--aspect", "16x9"], "W:H"),
            (["--aspect", "0:9"], "W:H"),
            (["--aspect", "16:9"], "already is 16:9"),
            (["--right", "10", "--mask", image], "--mask does not apply"),
            (["--right", "10", "--selection", image], "--selection does not apply"),
            (["--right", "10", "-i", image], "exactly one --image"),
        ]
        for extra, needle in cases:
            with self.subTest(extra=extra):
                r = self.oaimg("extend", "-i", image, "-p", "x", "-m", "gpt-image-2", "-o",
                               self.out, *extra)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertOneLineFailure(r, needle)
        self.assertEqual(self.s.log(), [])

    def test_references_arrive_as_repeated_image_parts_in_order(self):
        image = self.path("in.png", pattern_png(96, 64))
        a = self.path("a.png", pattern_png(30, 20))
        b = self.path("b.png", pattern_png(10, 40))
        r = self.oaimg("edit", "-i", image, "--reference", a, "--reference", b, "-p", "in the style",
                       "-m", "gpt-image-1.5", "-o", self.out)
        self.assertOk(r)
        (entry,) = self.api_log()
        self.assertEqual([(f["field"], f["width"], f["height"]) for f in entry["files"]][1:],
                         [("image[]", 30, 20), ("image[]", 10, 40)])
        self.assertEqual(entry["files"][0]["field"], "image[]")  # no mask: the whole image
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height), (96, 64))
        self.assertEqual(img.at(48, 32), PALETTE[0] + (255,))
        # With a selection the mask follows the images, and the put-back keeps to it.
        sel = self.path("sel.png", rect_selection_png(96, 64, (40, 20, 80, 50)))
        r = self.oaimg("edit", "-i", image, "--reference", b, "--selection", sel, "-p", "x",
                       "-m", "gpt-image-1.5", "-o", self.out)
        self.assertOk(r)
        self.assertEqual([f["field"] for f in self.api_log()[-1]["files"]],
                         ["image[]", "image[]", "mask"])
        self.assertEqual(self.result("result-1.png").at(2, 2), pattern_at(2, 2) + (255,))

    def test_markup_is_sent_at_the_first_images_size(self):
        image = self.path("in.png", pattern_png(96, 64))
        markup = self.path("m.png", stroke_png(96, 64))
        ref = self.path("ref.png", pattern_png(20, 20))
        r = self.oaimg("edit", "-i", image, "--markup", markup, "--reference", ref, "-p",
                       "a road along the line", "-m", "gpt-image-2.5-sunburst", "-o", self.out)
        self.assertOk(r)
        (entry,) = self.api_log()
        files = {f["field"]: f for f in entry["files"]}
        self.assertEqual([f["field"] for f in entry["files"]], ["image[]", "image[]", "markup"])
        first = entry["files"][0]
        self.assertEqual((files["markup"]["width"], files["markup"]["height"]),
                         (first["width"], first["height"]))
        self.assertNotIn("mask", files)
        img = self.result("result-1.png")
        self.assertEqual((img.width, img.height), (96, 64))

    def test_guide_usage_errors_are_2_and_send_nothing(self):
        image = self.path("in.png", pattern_png(96, 64))
        ref = self.path("ref.png", pattern_png(20, 20))
        half = self.path("half.png", stroke_png(96, 64, alpha_elsewhere=128))
        small = self.path("small.png", stroke_png(48, 32))
        markup = self.path("m.png", stroke_png(96, 64))
        not_image = self.path("notes.txt", b"hello")
        cases = [
            (["--markup", half, "-m", "gpt-image-2.5-flare"], "no fully transparent pixel"),
            (["--markup", small, "-m", "gpt-image-2.5-flare"], "must have the image's size"),
            (["--markup", markup, "--mask", markup, "-m", "gpt-image-2.5-flare"],
             "cannot be combined with --mask"),
            (["--reference", ref, "--mask", markup, "-m", "gpt-image-1.5"],
             "cannot be combined with --mask"),
            (["--markup", markup, "-m", "gpt-image-1.5"], "does not accept markup"),
            (["--reference", ref, "-i", ref, "-m", "gpt-image-1.5"], "exactly one --image"),
            (["--reference", not_image, "-m", "gpt-image-1.5"], "notes.txt"),
            (["--reference", "-", "-m", "gpt-image-1.5"], "not - (standard input)"),
        ]
        for extra, needle in cases:
            with self.subTest(extra=extra):
                r = self.oaimg("edit", "-i", image, "-p", "x", "-o", self.out, *extra)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertOneLineFailure(r, needle)
        # The one model taking a single image is retired at OpenAI, so its warning comes first.
        r = self.oaimg("edit", "-i", image, "-p", "x", "-o", self.out, "--reference", ref, "-m",
                       "dall-e-2")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("dall-e-2 takes one image, so it cannot take reference images",
                      r.stderr.decode().splitlines()[-1])
        r = self.oaimg("variation", "-i", image, "--reference", ref, "-o", self.out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertOneLineFailure(r, "--reference does not apply to variation")
        self.assertEqual(self.api_log(), [])

    def test_help_shows_extend_and_the_guides(self):
        r = self.oaimg("--help")
        self.assertIn(b"extend", r.stdout)
        r = self.oaimg("extend", "--help")
        self.assertOk(r)
        for option in (b"--left", b"--top", b"--right", b"--bottom", b"--aspect"):
            self.assertIn(option, r.stdout)
        self.assertNotIn(b"--mask", r.stdout)
        r = self.oaimg("edit", "--help")
        self.assertIn(b"--reference", r.stdout)
        self.assertIn(b"--markup", r.stdout)


if __name__ == "__main__":
    unittest.main()
