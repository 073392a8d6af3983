"""The stand-in server's own behaviour: it must refuse what the real API refuses and answer in
the real shapes, or every client test built on it proves nothing."""

import base64
import http.client
import json
import os
import sys
import threading
import unittest
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import images  # noqa: E402
from harness import FakeServer, sse_events  # noqa: E402

PALETTE = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]


def rgba(w, h, alpha=255):
    return images.solid_png(w, h, (10, 20, 30), alpha)


def rgb(w, h):
    return images.solid_png(w, h, (10, 20, 30))


def png_file(name, data, ctype="image/png"):
    return (name, name.strip("[]") + ".png", ctype, data)


def decode_b64(item):
    return images.decode_png(base64.b64decode(item["b64_json"]))


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer()
        self.s = self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)

    def assertApiError(self, r, status, param=None, code=None):
        self.assertEqual(r.status, status, r.body)
        err = r.json()["error"]
        self.assertEqual(set(err), {"message", "type", "param", "code"})
        self.assertTrue(err["message"])
        if param is not None:
            self.assertEqual(err["param"], param)
        if code is not None:
            self.assertEqual(err["code"], code)
        self.assertTrue(r.headers.get("x-request-id", "").startswith("req_"))
        return err


class Auth(ServerTest):
    def test_missing_authorization_is_401_invalid_api_key(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat"},
                            headers={"Content-Type": "application/json"})
        self.assertApiError(r, 401, code="invalid_api_key")

    def test_wrong_key_is_401_and_not_echoed(self):
        wrong = "sk-wrong-" + "x" * 20
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat"},
                            headers={"Content-Type": "application/json",
                                     "Authorization": "Bearer " + wrong})
        err = self.assertApiError(r, 401, code="invalid_api_key")
        self.assertNotIn("wrong", err["message"])

    def test_log_records_auth_but_never_the_key(self):
        self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat"})
        raw = self.s.request("GET", "/_control/log").body.decode()
        self.assertNotIn(self.s.key, raw)
        self.assertTrue(json.loads(raw)["requests"][0]["auth_ok"])


class Generations(ServerTest):
    def test_gpt_answer_has_real_shape_size_and_palette(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat", "n": 2,
                             "size": "1536x1024"})
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertIsInstance(body["created"], int)
        self.assertEqual(body["size"], "1536x1024")
        self.assertEqual(body["output_format"], "png")
        self.assertEqual(set(body["usage"]["input_tokens_details"]),
                         {"text_tokens", "image_tokens"})
        for i, item in enumerate(body["data"]):
            self.assertEqual(set(item), {"b64_json"})
            img = decode_b64(item)
            self.assertEqual((img.width, img.height), (1536, 1024))
            self.assertEqual(img.at(700, 500), PALETTE[i] + (255,))

    def test_auto_size_answers_1024_square(self):
        r = self.s.generate({"model": "gpt-image-2", "prompt": "a cat", "size": "auto"})
        img = decode_b64(r.json()["data"][0])
        self.assertEqual((img.width, img.height), (1024, 1024))

    def test_n_range(self):
        r = self.s.generate({"model": "dall-e-2", "prompt": "a cat", "n": 11, "size": "256x256"})
        self.assertApiError(r, 400, "n", "integer_above_max_value")
        r = self.s.generate({"model": "dall-e-2", "prompt": "a cat", "n": 0})
        self.assertApiError(r, 400, "n", "integer_below_min_value")
        r = self.s.generate({"model": "dall-e-2", "prompt": "a cat", "n": 10, "size": "256x256",
                             "response_format": "b64_json"})
        self.assertEqual(len(r.json()["data"]), 10)

    def test_n_must_be_an_integer(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat", "n": "2"})
        self.assertApiError(r, 400, "n", "invalid_type")

    def test_dalle3_only_n1_and_generations(self):
        r = self.s.generate({"model": "dall-e-3", "prompt": "a cat", "n": 2})
        self.assertApiError(r, 400, "n")
        r = self.s.form("edits", {"model": "dall-e-3", "prompt": "x"},
                        [png_file("image", rgba(256, 256))])
        self.assertApiError(r, 400, "model")

    def test_dalle3_adds_revised_prompt(self):
        r = self.s.generate({"model": "dall-e-3", "prompt": "a cat", "style": "natural",
                             "quality": "hd", "response_format": "b64_json"})
        item = r.json()["data"][0]
        self.assertIn("a cat", item["revised_prompt"])
        self.assertNotIn("usage", r.json())

    def test_bad_sizes(self):
        cases = [("gpt-image-1.5", "1000x1000"), ("dall-e-2", "1536x1024"),
                 ("gpt-image-2", "1000x1008"), ("gpt-image-2", "3200x1008"),
                 ("gpt-image-2", "4096x2048"), ("gpt-image-2.6-flare", "1536x864"),
                 ("dall-e-3", "auto")]
        for model, size in cases:
            with self.subTest(model=model, size=size):
                r = self.s.generate({"model": model, "prompt": "a cat", "size": size})
                self.assertApiError(r, 400, "size", "invalid_value")

    def test_custom_size_on_gpt_image_2_and_2_5(self):
        for model in ("gpt-image-2", "gpt-image-2.5-flare-2026-09-08"):
            r = self.s.generate({"model": model, "prompt": "a cat", "size": "1536x864"})
            self.assertEqual(r.status, 200, r.body)
            img = decode_b64(r.json()["data"][0])
            self.assertEqual((img.width, img.height), (1536, 864))

    def test_prompt_limits(self):
        r = self.s.generate({"model": "dall-e-2", "prompt": "p" * 1001})
        self.assertApiError(r, 400, "prompt", "string_above_max_length")
        r = self.s.generate({"model": "dall-e-2", "prompt": "p" * 1000,
                             "response_format": "b64_json", "size": "256x256"})
        self.assertEqual(r.status, 200, r.body)
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "p" * 32001})
        self.assertApiError(r, 400, "prompt", "string_above_max_length")
        r = self.s.generate({"model": "gpt-image-1.5"})
        self.assertApiError(r, 400, "prompt", "missing_required_parameter")

    def test_response_format_refused_on_gpt_models(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat",
                             "response_format": "b64_json"})
        self.assertApiError(r, 400, "response_format")

    def test_gpt_only_and_dalle_only_parameters(self):
        cases = [({"model": "dall-e-2", "background": "opaque"}, "background"),
                 ({"model": "dall-e-3", "stream": True}, "stream"),
                 ({"model": "gpt-image-1.5", "style": "vivid"}, "style"),
                 ({"model": "gpt-image-1.5", "quality": "hd"}, "quality"),
                 ({"model": "gpt-image-1.5", "quality": "xhigh"}, "quality"),
                 ({"model": "gpt-image-1.5", "output_format": "gif"}, "output_format"),
                 ({"model": "gpt-image-1.5", "moderation": "none"}, "moderation"),
                 ({"model": "gpt-image-1.5", "background": "transparent",
                   "output_format": "jpeg"}, "background"),
                 ({"model": "gpt-image-1.5", "output_compression": 50}, "output_compression"),
                 ({"model": "gpt-image-1.5", "partial_images": 4, "stream": True},
                  "partial_images"),
                 ({"model": "gpt-image-1.5", "frobnicate": 1}, "frobnicate")]
        for extra, param in cases:
            with self.subTest(param=param, extra=extra):
                r = self.s.generate(dict({"prompt": "a cat"}, **extra))
                self.assertApiError(r, 400, param)
        r = self.s.generate({"model": "gpt-image-2.5-sunburst", "prompt": "a cat",
                             "quality": "max", "output_format": "webp",
                             "output_compression": 80, "background": "transparent"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["quality"], "max")
        self.assertEqual(r.json()["background"], "transparent")

    def test_unknown_model_is_404(self):
        r = self.s.generate({"model": "gpt-image-1", "prompt": "a cat"})
        self.assertApiError(r, 404, "model", "model_not_found")

    def test_content_type_and_json_are_checked(self):
        r = self.s.request("POST", "/v1/images/generations", b'{"prompt": "x"}',
                           self.s.auth({"Content-Type": "text/plain"}))
        self.assertApiError(r, 400)
        r = self.s.request("POST", "/v1/images/generations", b'{"prompt": ',
                           self.s.auth({"Content-Type": "application/json"}))
        self.assertIn("parse the JSON", self.assertApiError(r, 400)["message"])

    def test_url_results_download_without_auth(self):
        r = self.s.generate({"model": "dall-e-2", "prompt": "a cat", "size": "512x512", "n": 2})
        urls = [d["url"] for d in r.json()["data"]]
        for i, url in enumerate(urls):
            with urllib.request.urlopen(url, timeout=10) as f:
                self.assertEqual(f.headers["Content-Type"], "image/png")
                img = images.decode_png(f.read())
            self.assertEqual((img.width, img.height), (512, 512))
            self.assertEqual(img.at(0, 0), PALETTE[i] + (255,))
        self.assertEqual(len(self.s.control("log")["downloads"]), 2)

    def test_colour_config_and_color_by_request(self):
        self.s.control("config", {"color": [1, 2, 3]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", "size": "1024x1024"})
        self.assertEqual(decode_b64(r.json()["data"][0]).at(5, 5), (1, 2, 3, 255))
        self.s.control("reset", {})
        self.s.control("config", {"color_by_request": True})
        seen = []
        for _ in range(3):
            r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", "size": "1024x1024"})
            seen.append(decode_b64(r.json()["data"][0]).at(5, 5)[:3])
        self.assertEqual(seen, PALETTE[:3])

    def test_parallel_requests_really_overlap(self):
        self.s.control("config", {"delay": 0.5})
        threads = [threading.Thread(target=self.s.generate,
                                    args=({"model": "gpt-image-1.5", "prompt": "a"},))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        a, b = self.s.log()
        self.assertLess(b["start"], a["end"])  # the second began before the first finished


class Edits(ServerTest):
    def test_dalle2_requires_square_png(self):
        r = self.s.form("edits", {"model": "dall-e-2", "prompt": "x"},
                        [png_file("image", rgba(256, 128))])
        self.assertApiError(r, 400, "image", "invalid_image_dimensions")

    def test_dalle2_without_mask_requires_alpha(self):
        r = self.s.form("edits", {"model": "dall-e-2", "prompt": "x"},
                        [png_file("image", rgb(256, 256))])
        self.assertApiError(r, 400, "image")
        r = self.s.form("edits", {"model": "dall-e-2", "prompt": "x", "size": "256x256"},
                        [png_file("image", rgba(256, 256, 0))])
        self.assertEqual(r.status, 200, r.body)

    def test_mask_must_match_first_image_and_have_alpha(self):
        for model, image in (("dall-e-2", rgb(256, 256)), ("gpt-image-1.5", rgb(300, 200))):
            with self.subTest(model=model):
                r = self.s.form("edits", {"model": model, "prompt": "x"},
                                [png_file("image", image), png_file("mask", rgba(128, 128, 0))])
                self.assertApiError(r, 400, "mask", "invalid_image_dimensions")
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image[]", rgb(300, 200)), png_file("image[]", rgb(64, 64)),
                         png_file("mask", rgb(300, 200))])
        self.assertApiError(r, 400, "mask", "invalid_image_format")
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x", "size": "1024x1536"},
                        [png_file("image[]", rgb(300, 200)), png_file("image[]", rgb(64, 64)),
                         png_file("mask", rgba(300, 200, 0))])
        self.assertEqual(r.status, 200, r.body)
        files = self.s.log()[-1]["files"]
        self.assertEqual([(f["field"], f["width"], f["height"]) for f in files],
                         [("image[]", 300, 200), ("image[]", 64, 64), ("mask", 300, 200)])

    def test_corrupt_png_is_refused(self):
        good = rgba(256, 256)
        idat = good.index(b"IDAT")
        bad = bytearray(good)
        bad[idat + 6] ^= 0xFF  # inside the compressed data: the chunk CRC no longer matches
        bad_crc = bytearray(good)
        bad_crc[32] ^= 0x01  # last byte of IHDR's CRC; the pixels themselves are intact
        truncated = good[:-12]  # no IEND
        fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
        for data in (bytes(bad), bytes(bad_crc), truncated, fake):
            r = self.s.form("edits", {"model": "dall-e-2", "prompt": "x"},
                            [png_file("image", data)])
            self.assertApiError(r, 400, "image", "invalid_image_file")

    def test_corrupt_compressed_data_with_valid_crc_is_refused(self):
        # A PNG whose chunks are consistent but whose pixels do not inflate to the right size.
        short = zlib.compress(b"\x00" * 10)
        data = images.PNG_SIGNATURE + images._chunk(
            b"IHDR", (256).to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])) + images._chunk(
            b"IDAT", short) + images._chunk(b"IEND", b"")
        r = self.s.form("edits", {"model": "dall-e-2", "prompt": "x"}, [png_file("image", data)])
        self.assertApiError(r, 400, "image", "invalid_image_file")

    def test_gpt_input_mimetype_and_count(self):
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image", rgb(64, 64), "application/octet-stream")])
        self.assertApiError(r, 400, "image", "unsupported_file_mimetype")
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image[]", rgb(16, 16))] * 17)
        self.assertApiError(r, 400, "image")
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image[]", rgb(16, 16))] * 16)
        self.assertEqual(r.status, 200, r.body)

    def test_several_images_go_as_repeated_image_array_parts_in_order(self):
        for names in (("image", "image"), ("image", "image[]"), ("image[]", "image")):
            with self.subTest(names=names):
                r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                                [png_file(n, rgb(16, 16)) for n in names])
                self.assertApiError(r, 400, "image", "invalid_value")
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image[]", rgb(16 + i, 16)) for i in range(3)])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([(f["field"], f["width"]) for f in self.s.log()[-1]["files"]],
                         [("image[]", 16), ("image[]", 17), ("image[]", 18)])

    def test_input_fidelity_per_model(self):
        # 7.59.0 documents it for gpt-image-1.5 (high, low) and 1-mini (low) only.
        for model, value, ok in (("gpt-image-1.5", "high", True), ("gpt-image-1-mini", "high",
                                                                    False),
                                 ("gpt-image-1-mini", "low", True), ("gpt-image-2", "low", False),
                                 ("gpt-image-2.5-sunburst", "high", False),
                                 ("chatgpt-image-latest", "low", False)):
            with self.subTest(model=model, value=value):
                r = self.s.form("edits", {"model": model, "prompt": "x", "input_fidelity": value},
                                [png_file("image", rgb(64, 64))])
                self.assertEqual(r.status, 200 if ok else 400, r.body)

    def test_markup_only_on_2_5_and_never_with_mask(self):
        image, over = rgb(64, 64), rgba(64, 64, 0)
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"},
                        [png_file("image", image), png_file("markup", over)])
        self.assertApiError(r, 400, "markup")
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image", image), png_file("markup", over),
                         png_file("mask", over)])
        self.assertApiError(r, 400, "markup")
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image", image), png_file("markup", over)])
        self.assertEqual(r.status, 200, r.body)

    def test_markup_must_contain_transparent_pixels(self):
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image", rgb(64, 64)), png_file("markup", rgba(64, 64, 255))])
        err = self.assertApiError(r, 400, "markup")
        self.assertIn("transparent pixels", err["message"])

    def test_markup_partly_transparent_everywhere_is_refused(self):
        # Transparent means alpha 0, as the client checks it: a markup drawn at half opacity over
        # the whole image has no pixel that shows the image untouched.
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image", rgb(64, 64)), png_file("markup", rgba(64, 64, 128))])
        err = self.assertApiError(r, 400, "markup", "invalid_image_format")
        self.assertIn("transparent pixels", err["message"])
        # One fully transparent pixel is enough.
        pixels = bytearray(bytes((200, 0, 0, 255)) * (64 * 64))
        pixels[3] = 0
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image", rgb(64, 64)),
                         png_file("markup", images.encode_png(64, 64, 6, bytes(pixels)))])
        self.assertEqual(r.status, 200, r.body)

    def test_uploads_are_logged_with_their_bytes_only_when_asked(self):
        image = rgb(16, 16)
        self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"}, [png_file("image", image)])
        self.assertNotIn("b64", self.s.log()[-1]["files"][0])
        self.s.control("config", {"keep_uploads": True})
        self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x"}, [png_file("image", image)])
        self.assertEqual(base64.b64decode(self.s.log()[-1]["files"][0]["b64"]), image)

    def test_markup_matches_the_first_image_of_several(self):
        # References after the first image do not change what the markup must match.
        over = rgba(64, 64, 0)
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image[]", rgb(64, 64)), png_file("image[]", rgb(32, 32)),
                         png_file("markup", over)])
        self.assertEqual(r.status, 200, r.body)
        r = self.s.form("edits", {"model": "gpt-image-2.5-sunburst", "prompt": "x"},
                        [png_file("image[]", rgb(32, 32)), png_file("image[]", rgb(64, 64)),
                         png_file("markup", over)])
        err = self.assertApiError(r, 400, "markup", "invalid_image_dimensions")
        self.assertIn("32x32", err["message"])

    def test_safety_identifier_wins_over_user_and_is_echoed(self):
        for fields, echoed in (({"user": "u1"}, "u1"),
                               ({"user": "u1", "safety_identifier": "sid"}, "sid"),
                               ({"user": "u1", "safety_identifier": ""}, "u1"),
                               ({}, None)):
            with self.subTest(fields=fields):
                r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", **fields})
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.json().get("safety_identifier"), echoed)

    def test_complexity_on_gpt_generations_and_edits_only(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", "complexity": "high"})
        self.assertEqual(r.status, 200, r.body)
        r = self.s.form("edits", {"model": "gpt-image-2", "prompt": "x", "complexity": "low"},
                        [png_file("image", rgb(64, 64))])
        self.assertEqual(r.status, 200, r.body)
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", "complexity": "max"})
        self.assertApiError(r, 400, "complexity")
        r = self.s.generate({"model": "dall-e-2", "prompt": "a", "complexity": "low"})
        self.assertApiError(r, 400, "complexity")

    def test_usage_has_output_tokens_details(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        usage = r.json()["usage"]
        self.assertEqual(set(usage["output_tokens_details"]), {"text_tokens", "image_tokens"})
        self.assertEqual(sum(usage["output_tokens_details"].values()), usage["output_tokens"])

    def test_multipart_without_closing_boundary_is_refused(self):
        body = (b"--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n")
        r = self.s.request("POST", "/v1/images/edits", body,
                           self.s.auth({"Content-Type": "multipart/form-data; boundary=b"}))
        self.assertApiError(r, 400)

    def test_edit_default_model_is_gpt_and_answers_b64(self):
        r = self.s.form("edits", {"prompt": "x"}, [png_file("image", rgb(64, 64))])
        body = r.json()
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("usage", body)
        self.assertEqual(decode_b64(body["data"][0]).width, 1024)


class Variations(ServerTest):
    def test_dalle2_only(self):
        r = self.s.form("variations", {"model": "gpt-image-1.5"},
                        [png_file("image", rgb(256, 256))])
        self.assertApiError(r, 400, "model")

    def test_no_prompt_and_square(self):
        r = self.s.form("variations", {"model": "dall-e-2", "prompt": "x"},
                        [png_file("image", rgb(256, 256))])
        self.assertApiError(r, 400, "prompt", "unknown_parameter")
        r = self.s.form("variations", {"model": "dall-e-2"}, [png_file("image", rgb(256, 200))])
        self.assertApiError(r, 400, "image")

    def test_answers_with_urls_by_default(self):
        r = self.s.form("variations", {"model": "dall-e-2", "n": "3", "size": "256x256"},
                        [png_file("image", rgb(256, 256))])
        self.assertEqual([sorted(d) for d in r.json()["data"]], [["url"]] * 3)


class Streaming(ServerTest):
    def test_generation_stream_shapes(self):
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a cat", "stream": True,
                             "partial_images": 2, "size": "1024x1536"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/event-stream"))
        events = sse_events(r.body)
        self.assertEqual([e for e, _ in events], ["image_generation.partial_image"] * 2 +
                         ["image_generation.completed"])
        common = {"type", "b64_json", "created_at", "size", "quality", "background",
                  "output_format"}
        for i, (name, data) in enumerate(events[:2]):
            self.assertEqual(set(data), common | {"partial_image_index"})
            self.assertEqual((data["type"], data["partial_image_index"]), (name, i))
            self.assertNotEqual(decode_b64(data).at(0, 0), PALETTE[0] + (255,))
        done = events[2][1]
        self.assertEqual(set(done), common | {"usage"})
        img = decode_b64(done)
        self.assertEqual((img.width, img.height, img.at(0, 0)), (1024, 1536, PALETTE[0] + (255,)))

    def test_edit_stream_uses_image_edit_events(self):
        r = self.s.form("edits", {"model": "gpt-image-1.5", "prompt": "x", "stream": "true",
                                  "partial_images": "0"}, [png_file("image", rgb(64, 64))])
        self.assertEqual([e for e, _ in sse_events(r.body)], ["image_edit.completed"])


class Faults(ServerTest):
    def test_status_fault_is_consumed_fifo_on_its_path_only(self):
        self.s.control("faults", {"faults": [
            {"match": "/v1/images/edits", "times": 2, "kind": "status", "status": 429,
             "headers": {"Retry-After": "1"}}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        self.assertEqual(r.status, 200)  # another path: untouched
        for _ in range(2):
            r = self.s.form("edits", {"prompt": "x"}, [png_file("image", rgb(64, 64))])
            self.assertApiError(r, 429, code="rate_limit_exceeded")
            self.assertEqual(r.headers["retry-after"], "1")
        r = self.s.form("edits", {"prompt": "x"}, [png_file("image", rgb(64, 64))])
        self.assertEqual(r.status, 200)

    def test_status_fault_with_custom_error(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 400, "error": {
            "message": "Your request was rejected by the safety system.",
            "code": "content_policy_violation"}}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        err = self.assertApiError(r, 400, code="content_policy_violation")
        self.assertIn("safety system", err["message"])
        self.assertEqual(err["type"], "invalid_request_error")

    def test_html_fault(self):
        self.s.control("faults", {"faults": [{"kind": "html"}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        self.assertEqual(r.status, 502)
        self.assertEqual(r.headers["content-type"], "text/html")
        self.assertIn(b"Bad Gateway", r.body)
        self.assertIn("x-request-id", r.headers)

    def test_invalid_json_fault(self):
        self.s.control("faults", {"faults": [{"kind": "invalid_json"}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        self.assertEqual(r.status, 200)
        with self.assertRaises(ValueError):
            r.json()

    def test_truncate_fault(self):
        self.s.control("faults", {"faults": [{"kind": "truncate"}]})
        with self.assertRaises(http.client.IncompleteRead):
            self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        self.assertEqual(self.s.generate({"model": "gpt-image-1.5", "prompt": "a"}).status, 200)

    def test_delay_fault_then_normal_answer(self):
        self.s.control("faults", {"faults": [{"kind": "delay", "seconds": 0.3}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a"})
        self.assertEqual(r.status, 200)
        entry = self.s.log()[0]
        self.assertGreaterEqual(entry["end"] - entry["start"], 0.3)  # a lower bound: sleep's

    def test_stream_error_fault(self):
        self.s.control("faults", {"faults": [{"kind": "stream_error", "error": {
            "message": "generation failed"}}]})
        r = self.s.generate({"model": "gpt-image-1.5", "prompt": "a", "stream": True})
        events = sse_events(r.body)
        self.assertEqual([e for e, _ in events], ["image_generation.partial_image", "error"])
        self.assertEqual(events[1][1]["error"]["message"], "generation failed")

    def test_bad_fault_spec_is_refused_whole(self):
        r = self.s.request("POST", "/_control/faults", json.dumps({"faults": [
            {"kind": "status", "status": 500}, {"kind": "explode"}]}).encode(),
            {"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.s.generate({"model": "gpt-image-1.5", "prompt": "a"}).status, 200)

    def test_reset_clears_faults_and_log(self):
        self.s.control("faults", {"faults": [{"kind": "status", "status": 500}]})
        self.s.control("reset", {})
        self.assertEqual(self.s.log(), [])
        self.assertEqual(self.s.generate({"model": "gpt-image-1.5", "prompt": "a"}).status, 200)


class Cancellation(ServerTest):
    def test_a_client_hanging_up_during_the_delay_is_logged(self):
        import socket
        import time
        self.s.control("config", {"delay": 5.0})
        body = json.dumps({"model": "gpt-image-1.5", "prompt": "a cat"}).encode()
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        sock.sendall(b"POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer " + self.s.key.encode() + b"\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                     + body)
        time.sleep(0.5)
        sock.close()
        started = time.monotonic()
        while not self.s.log() and time.monotonic() - started < 4:
            time.sleep(0.05)
        (entry,) = self.s.log()
        self.assertTrue(entry.get("client_closed"), entry)
        self.assertLess(time.monotonic() - started, 4)  # noticed at once, not after the delay


class Models(ServerTest):
    def test_retired_models_carry_shutdown_date(self):
        r = self.s.request("GET", "/v1/models/dall-e-2", headers=self.s.auth())
        self.assertEqual(r.json()["shutdown_date"], "2026-05-12")
        r = self.s.request("GET", "/v1/models/gpt-image-2.6-flare", headers=self.s.auth())
        self.assertIsNone(r.json()["shutdown_date"])
        r = self.s.request("GET", "/v1/models/gpt-image-1", headers=self.s.auth())
        self.assertApiError(r, 404, code="model_not_found")
        r = self.s.request("GET", "/v1/models/dall-e-2")
        self.assertApiError(r, 401)

    def test_announced_shutdown_dates_are_configurable(self):
        self.s.control("config", {"shutdown_dates": {"gpt-image-1.5": "2027-01-15"}})
        r = self.s.request("GET", "/v1/models/gpt-image-1.5", headers=self.s.auth())
        self.assertEqual(r.json()["shutdown_date"], "2027-01-15")


if __name__ == "__main__":
    unittest.main()
