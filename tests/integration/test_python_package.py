"""The installed oaimg package against the stand-in server, through the real liboaimg.so.

Run by CTest with the Python of a venv the package was pip-installed into (python_venv.cmake);
OAIMG_LIBRARY names the library just built, OAIMG_TEST_SERVER_DIR the stand-in server's folder.
"""
import asyncio
import importlib.metadata
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest

sys.path.insert(0, os.environ["OAIMG_TEST_SERVER_DIR"])
import harness  # noqa: E402
import images  # noqa: E402

import numpy  # noqa: E402
from PIL import Image  # noqa: E402

import oaimg  # noqa: E402

PALETTE = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
# Long enough that a cancelled call returning before it proves the transfer was aborted, not
# answered; the server is stopped at the end of each test.
SERVER_DELAY = 30.0


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = harness.FakeServer().__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)

    def client(self, cls=oaimg.Client, **options):
        options.setdefault("api_key", self.server.key)
        options.setdefault("base_url", self.server.base_url)
        options.setdefault("max_retries", 0)
        return cls(**options)

    def fault(self, **spec):
        self.server.control("faults", {"faults": [dict(spec, times=spec.get("times", 10))]})


def selection_array(width, height, box):
    coverage = numpy.zeros((height, width), numpy.uint8)
    x0, y0, x1, y1 = box
    coverage[y0:y1, x0:x1] = 255
    return coverage


class Installed(unittest.TestCase):
    def test_imported_from_the_venv_not_the_source_folder(self):
        self.assertTrue(oaimg.__file__.startswith(sys.prefix), oaimg.__file__)
        self.assertTrue(os.path.exists(os.path.join(os.path.dirname(oaimg.__file__), "py.typed")))

    def test_version_is_the_librarys_and_the_distributions(self):
        self.assertEqual(oaimg.__version__, os.environ["OAIMG_EXPECTED_VERSION"])
        self.assertEqual(importlib.metadata.version("oaimg"), oaimg.__version__)
        self.assertEqual(oaimg.library_path, os.environ["OAIMG_LIBRARY"])

    def test_every_public_name_has_a_docstring(self):
        for name in oaimg.__all__:
            value = getattr(oaimg, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                self.assertTrue((value.__doc__ or "").strip(), name)
        for method in ("generate", "edit", "variation", "extend", "with_options"):
            for cls in (oaimg.Client, oaimg.AsyncClient):
                self.assertTrue(getattr(cls, method).__doc__, cls.__name__ + "." + method)

    def test_a_missing_library_is_a_clear_import_error(self):
        env = dict(os.environ, OAIMG_LIBRARY="/nonexistent/liboaimg.so.1")
        r = subprocess.run([sys.executable, "-c", "import oaimg"], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stderr)
        self.assertIn("liboaimg.so.1", r.stderr)
        self.assertIn("OAIMG_LIBRARY", r.stderr)

    def test_no_key_anywhere_is_refused_when_the_client_is_made(self):
        with self.assertRaises(oaimg.Error) as caught:
            oaimg.Client(base_url="http://127.0.0.1:9/v1")
        self.assertIn("OPENAI_API_KEY", str(caught.exception))


class Calls(ServerTest):
    def test_generate(self):
        result = self.client().generate(prompt="a lighthouse", n=2, model="dall-e-2",
                                        size="256x256")
        self.assertEqual(len(result.images), 2)
        for i, data in enumerate(result.images):
            png = images.decode_png(data)
            self.assertEqual((png.width, png.height, png.at(5, 5)[:3]), (256, 256, PALETTE[i]))
        self.assertEqual(result.formats, ["png", "png"])
        self.assertEqual(result.layers, [])
        self.assertEqual(result.model, "dall-e-2")
        (entry,) = self.server.log()
        self.assertEqual(result.request_ids, [entry["request_id"]])
        self.assertEqual(entry["fields"]["n"], 2)
        self.assertNotIn("stream", entry["fields"])  # stream=False is not streaming

    def test_generate_fields_revised_prompt_and_usage(self):
        result = self.client().generate(prompt="a lighthouse", model="dall-e-3", quality="hd",
                                        style="natural", user="u-1")
        self.assertIn("a lighthouse", result.revised_prompts[0])
        fields = self.server.log()[0]["fields"]
        self.assertEqual((fields["quality"], fields["style"], fields["user"]),
                         ("hd", "natural", "u-1"))
        gpt = self.client().generate(prompt="a cat", model="gpt-image-1.5", size="1024x1536",
                                     quality="low", output_format="jpeg", output_compression=50,
                                     background="opaque", moderation="low")
        self.assertEqual((gpt.size, gpt.quality, gpt.output_format), ("1024x1536", "low", "jpeg"))
        self.assertIsNotNone(gpt.usage)
        self.assertGreater(gpt.usage.total_tokens, 0)
        self.assertEqual(self.server.log()[1]["fields"]["output_compression"], 50)

    def test_safety_identifier_complexity_and_usage_details(self):
        result = self.client().generate(prompt="a cat", model="gpt-image-1.5", user="u-1",
                                        safety_identifier="hash-7", complexity="high")
        fields = self.server.log()[0]["fields"]
        self.assertEqual((fields["safety_identifier"], fields["complexity"]), ("hash-7", "high"))
        self.assertEqual(result.safety_identifier, "hash-7")  # the server's echo wins over user
        self.assertIsNotNone(result.usage.output_image_tokens)
        with self.assertRaises(oaimg.ValidationError) as refused:
            self.client().generate(prompt="a cat", model="gpt-image-1.5", complexity="extreme")
        self.assertEqual(refused.exception.param, "complexity")

    def test_stream_with_partial_images_and_progress(self):
        partials, stages = [], []
        result = self.client().generate(
            prompt="a cat", model="gpt-image-1.5", size="1024x1024", stream=True,
            partial_images=2, on_partial_image=lambda i, p, data: partials.append((i, p, data)),
            on_progress=lambda stage, fraction: stages.append(stage))
        self.assertEqual([(i, p) for i, p, _ in partials], [(0, 0), (0, 1)])
        self.assertEqual(images.decode_png(partials[0][2]).width, 1024)
        self.assertEqual(images.decode_png(result.images[0]).at(0, 0)[:3], PALETTE[0])
        fields = self.server.log()[0]["fields"]
        self.assertIs(fields["stream"], True)
        self.assertEqual(fields["partial_images"], 2)
        self.assertEqual(stages[0], "preparing")
        self.assertIn("waiting", stages)
        self.assertEqual(stages[-1], "done")
        self.assertTrue(set(stages) <= set(oaimg.STAGES.values()), stages)

    def test_edit_with_numpy_selection_places_layers(self):
        width, height = 320, 200
        image = numpy.zeros((height, width, 3), numpy.uint8)
        image[:, :] = (40, 80, 120)
        box = (100, 60, 220, 140)
        result = self.client().edit(image, selection=selection_array(width, height, box),
                                    prompt="a pond", model="dall-e-2")
        (layer,) = result.layers
        self.assertTrue(layer.x <= 100 and layer.y <= 60 and layer.x + layer.width >= 220 and
                        layer.y + layer.height >= 140, layer)
        self.assertEqual((len(layer.rgba), len(layer.mask)),
                         (4 * layer.width * layer.height, layer.width * layer.height))
        cx, cy = 160 - layer.x, 100 - layer.y
        self.assertEqual(layer.mask[cy * layer.width + cx], 255)
        self.assertEqual(tuple(layer.rgba[4 * (cy * layer.width + cx):][:3]), PALETTE[0])
        self.assertEqual(layer.mask[0], 0)
        files = {f["field"]: f for f in self.server.log()[0]["files"]}
        self.assertEqual(set(files), {"image", "mask"})

    def test_edit_with_pillow_image_and_selection(self):
        photo = Image.new("RGB", (300, 240), (10, 200, 30))
        selection = Image.new("L", (300, 240), 0)
        selection.paste(255, (50, 40, 150, 120))
        result = self.client().edit(photo, selection=selection, prompt="a pond",
                                    model="dall-e-2", n=2)
        self.assertEqual(len(result.layers), 2)
        patch, mask = result.layers[1].to_pil()
        self.assertEqual(patch.size, mask.size)
        layer = result.layers[1]
        self.assertEqual(patch.getpixel((100 - layer.x, 80 - layer.y))[:3], PALETTE[1])
        # The whole inpaint of the README: the photo is unchanged outside the selection.
        out = photo.convert("RGBA")
        out.paste(patch, (layer.x, layer.y), mask)
        self.assertEqual(out.getpixel((5, 5))[:3], (10, 200, 30))
        self.assertEqual(out.getpixel((100, 80))[:3], PALETTE[1])

    def test_selection_offset_places_a_smaller_selection(self):
        image = numpy.full((200, 300, 4), 90, numpy.uint8)
        small = numpy.full((40, 50), 255, numpy.uint8)
        result = self.client().edit(image, selection=small, selection_offset=(200, 120),
                                    prompt="x", model="dall-e-2", context="selection")
        (layer,) = result.layers
        self.assertTrue(layer.x <= 200 and layer.x + layer.width >= 250, layer)
        self.assertTrue(layer.y <= 120 and layer.y + layer.height >= 160, layer)

    def test_edit_with_mask_file_sends_the_files_as_they_are(self):
        path = os.path.join(self.tmp(), "in.png")
        with open(path, "wb") as f:
            f.write(images.solid_png(256, 256, (9, 9, 9)))
        mask = images.solid_png(256, 256, (0, 0, 0), alpha=0)
        result = self.client().edit(path, mask=mask, prompt="paint it", model="dall-e-2",
                                    size="256x256")
        self.assertEqual(result.layers, [])
        self.assertEqual(images.decode_png(result.images[0]).width, 256)
        files = {f["field"]: f for f in self.server.log()[0]["files"]}
        with open(path, "rb") as f:
            self.assertEqual(files["image"]["bytes"], len(f.read()))
        self.assertEqual(files["mask"]["bytes"], len(mask))

    def test_edit_with_several_images_on_a_gpt_model(self):
        first = numpy.full((64, 96, 3), 9, numpy.uint8)
        second = Image.new("RGBA", (96, 64), (1, 2, 3, 255))
        self.client().edit([first, second], prompt="combine", model="gpt-image-1.5",
                           size="1536x1024", input_fidelity="high")
        entry = self.server.log()[0]
        self.assertEqual([f["field"] for f in entry["files"]], ["image[]", "image[]"])
        self.assertEqual(entry["fields"]["input_fidelity"], "high")

    def test_variation_of_bytes_and_of_a_selection(self):
        square = images.solid_png(256, 256, (50, 60, 70))
        result = self.client().variation(square, model="dall-e-2", n=2, size="256x256")
        self.assertEqual(len(result.images), 2)
        self.assertEqual(self.server.log()[0]["path"], "/v1/images/variations")
        photo = numpy.full((120, 160, 3), 77, numpy.uint8)
        placed = self.client().variation(photo, selection=selection_array(160, 120, (20, 20, 80, 90)),
                                         model="dall-e-2")
        self.assertEqual(len(placed.layers), 1)

    def tmp(self):
        import tempfile
        directory = tempfile.TemporaryDirectory(prefix="oaimg-py-")
        self.addCleanup(directory.cleanup)
        return directory.name


def pattern(width, height):
    """An RGB array whose every pixel differs from its neighbours, so misplacement shows."""
    y, x = numpy.mgrid[0:height, 0:width]
    return numpy.dstack([(x * 7) % 256, (y * 5) % 256, (x + 3 * y) % 256]).astype(numpy.uint8)


def stroke(width, height, alpha_elsewhere=0):
    """A markup: a red line across the middle row, elsewhere transparent (or alpha_elsewhere)."""
    markup = numpy.zeros((height, width, 4), numpy.uint8)
    markup[:, :, 3] = alpha_elsewhere
    markup[height // 2, :] = (255, 0, 0, 255)
    return markup


class ExtendAndGuides(ServerTest):
    def composite(self, source, result, index):
        """The extended image as a person sees it: the source on the canvas, the layer over it."""
        x0, y0, width, height = result.canvas
        extended = Image.new("RGBA", (width, height))
        extended.paste(Image.fromarray(source).convert("RGBA"), (-x0, -y0))
        layer = result.layers[index]
        pixels, mask = layer.to_pil()
        extended.paste(pixels, (layer.x - x0, layer.y - y0), mask)
        return numpy.asarray(extended)

    def test_extend_by_margins_keeps_old_pixels_and_fills_the_new_area(self):
        source = pattern(160, 120)
        for cls in (oaimg.Client, oaimg.AsyncClient):
            with self.subTest(cls=cls.__name__):
                call = self.client(cls).extend(source, prompt="more meadow", right=64, top=32,
                                               model="gpt-image-2", n=2)
                result = asyncio.run(call) if inspect.iscoroutine(call) else call
                self.assertEqual(result.canvas, (0, -32, 224, 152))
                self.assertEqual(len(result.layers), 2)
                for i in range(2):
                    out = self.composite(source, result, i)
                    self.assertEqual(out.shape, (152, 224, 4))
                    # Old pixels away from the seams: exactly the source's.
                    numpy.testing.assert_array_equal(out[32 + 32:, :160 - 32, :3],
                                                     source[32:, :160 - 32])
                    # The new area: filled with this result's colour, opaque.
                    self.assertTrue((out[:, 160:] == PALETTE[i] + (255,)).all())
                    self.assertTrue((out[:32] == PALETTE[i] + (255,)).all())
                entry = self.server.log()[-1]
                self.assertEqual([f["field"] for f in entry["files"]], ["image", "mask"])
        self.assertEqual(len(self.server.log()), 2)

    def test_extend_to_an_aspect(self):
        source = pattern(160, 120)
        result = self.client().extend(source, prompt="wider", aspect="16:9", model="dall-e-2")
        self.assertEqual(result.canvas, (-27, 0, 214, 120))
        out = self.composite(source, result, 0)
        numpy.testing.assert_array_equal(out[:, 27 + 40:27 + 120, :3], source[:, 40:120])
        self.assertTrue((out[:, :27] == PALETTE[0] + (255,)).all())
        result = self.client().extend(source, prompt="taller", aspect=(1, 1), model="dall-e-2")
        self.assertEqual(result.canvas, (0, -20, 160, 160))

    def test_extend_far_past_the_models_size_is_filled_in_parts(self):
        self.server.control("config", {"color_by_request": True})
        source = pattern(64, 48)
        result = self.client().extend(source, prompt="more", right=2100, model="dall-e-2")
        log = self.server.log()
        self.assertEqual(len(log), 3)  # the planned parts, one request each, in order
        self.assertEqual(len(result.request_ids), 3)
        self.assertEqual(result.canvas, (0, 0, 2164, 48))
        (layer,) = result.layers
        self.assertEqual((layer.x, layer.y, layer.width, layer.height), (0, 0, 2164, 48))
        whole = images.decode_png(result.images[0])  # the result is the whole extension
        self.assertEqual((whole.width, whole.height), (2164, 48))
        out = self.composite(source, result, 0)
        numpy.testing.assert_array_equal(out[:, :64 - 24, :3], source[:, :64 - 24])
        self.assertEqual(tuple(out[20, 70]), PALETTE[0] + (255,))
        self.assertEqual(tuple(out[20, 2163]), PALETTE[2] + (255,))
        self.assertTrue((out[:, 64:, 3] == 255).all())

    def test_extend_refuses_bad_margins_before_any_traffic(self):
        extend = self.client().extend
        source = pattern(160, 90)
        for param, kwargs in (("left", dict(left=-5)),
                              ("left", dict()),
                              ("left", dict(left=0, right=0)),
                              ("right", dict(right=1.5)),
                              ("aspect", dict(aspect="16x9")),
                              ("aspect", dict(aspect=(0, 9))),
                              ("aspect", dict(aspect="16:9", left=4)),
                              ("aspect", dict(aspect="16:9"))):  # already 16:9
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(oaimg.ValidationError) as caught:
                    extend(source, prompt="x", model="gpt-image-2", **kwargs)
                self.assertEqual(caught.exception.param, param)
        self.assertEqual(self.server.log(), [])

    def test_references_arrive_as_repeated_image_parts_in_order(self):
        source = pattern(96, 64)
        first = Image.new("RGB", (30, 20), (1, 2, 3))
        second = pattern(40, 10)
        result = self.client().edit(source, prompt="in this style", model="gpt-image-1.5",
                                    references=[first, second])
        (entry,) = self.server.log()
        self.assertEqual([(f["field"], f["width"], f["height"]) for f in entry["files"]][1:],
                         [("image[]", 30, 20), ("image[]", 40, 10)])
        self.assertEqual(entry["files"][0]["field"], "image[]")  # the whole image, no mask
        (layer,) = result.layers
        self.assertEqual((layer.x, layer.y, layer.width, layer.height), (0, 0, 96, 64))
        self.assertEqual(set(layer.mask), {255})
        selected = self.client().edit(source, prompt="x", model="gpt-image-1.5",
                                      references=[second],
                                      selection=selection_array(96, 64, (40, 20, 80, 50)))
        self.assertEqual([f["field"] for f in self.server.log()[-1]["files"]],
                         ["image[]", "image[]", "mask"])
        self.assertEqual(selected.layers[0].mask[0], 0)

    def test_markup_goes_with_the_image_at_its_size(self):
        source = pattern(96, 64)
        self.client().edit(source, prompt="a road along the line", model="gpt-image-2.5-sunburst",
                           markup=stroke(96, 64), references=[pattern(20, 20)])
        (entry,) = self.server.log()
        self.assertEqual([f["field"] for f in entry["files"]], ["image[]", "image[]", "markup"])
        first, markup = entry["files"][0], entry["files"][2]
        self.assertEqual((markup["width"], markup["height"]), (first["width"], first["height"]))
        # With a selection (no references) too: cropped and scaled like the image.
        self.client().edit(source, prompt="x", model="gpt-image-2.5-flare", markup=stroke(96, 64),
                           selection=selection_array(96, 64, (10, 10, 50, 40)))
        files = self.server.log()[-1]["files"]
        self.assertEqual([f["field"] for f in files], ["image", "markup"])
        self.assertEqual((files[1]["width"], files[1]["height"]),
                         (files[0]["width"], files[0]["height"]))

    def test_guides_are_refused_by_name_before_any_traffic(self):
        edit = self.client().edit
        source = pattern(96, 64)
        selection = selection_array(96, 64, (10, 10, 50, 40))
        cases = [
            ("markup", dict(markup=stroke(96, 64, alpha_elsewhere=128), selection=selection,
                            model="gpt-image-2.5-flare"), "fully transparent"),
            ("markup", dict(markup=pattern(96, 64), selection=selection,
                            model="gpt-image-2.5-flare"), "alpha"),
            (None, dict(markup=stroke(96, 64), selection=selection, model="gpt-image-1.5"),
             "does not accept markup"),
            (None, dict(references=[pattern(20, 20)], model="dall-e-2"), "takes one image"),
            ("mask", dict(references=[pattern(20, 20)], mask=images.solid_png(96, 64, (0, 0, 0), 0),
                          model="gpt-image-1.5"), "mask"),
            ("references", dict(references=pattern(20, 20), model="gpt-image-1.5"), "list"),
            ("references[1]", dict(references=[pattern(20, 20), "/nonexistent.png"],
                                   model="gpt-image-1.5"), "nonexistent"),
        ]
        for param, kwargs, needle in cases:
            with self.subTest(param=param, needle=needle):
                with self.assertRaises(oaimg.ValidationError) as caught:
                    edit(source, prompt="x", **kwargs)
                if param is not None:
                    self.assertEqual(caught.exception.param, param)
                self.assertIn(needle, str(caught.exception))
        self.assertEqual(self.server.log(), [])

    def test_extend_and_the_guides_are_documented_and_typed(self):
        for cls in (oaimg.Client, oaimg.AsyncClient):
            self.assertIn("aspect", cls.extend.__doc__)
            hints = inspect.signature(cls.extend).parameters
            for name in ("left", "top", "right", "bottom", "aspect"):
                self.assertIn(name, hints)
                self.assertIsNot(hints[name].annotation, inspect.Parameter.empty)
            self.assertIn("references", inspect.signature(cls.edit).parameters)
        self.assertIn("references", oaimg.Client.edit.__doc__)
        self.assertIn("markup", oaimg.Client.edit.__doc__)


class Errors(ServerTest):
    def call(self, **options):
        return self.client(**options).generate(prompt="a cat", model="gpt-image-1.5")

    def assertRaisesApi(self, cls, status_code, **options):
        with self.assertRaises(cls) as caught:
            self.call(**options)
        error = caught.exception
        self.assertIsInstance(error, oaimg.Error)
        self.assertEqual(error.status_code, status_code)
        if status_code is not None:
            self.assertEqual(error.request_id, self.server.log()[-1]["request_id"])
            self.assertIsNotNone(error.type)
        self.assertTrue(error.message)
        return error

    def test_each_http_status_has_its_class(self):
        for status, cls in ((400, oaimg.BadRequestError), (403, oaimg.PermissionDeniedError),
                            (404, oaimg.NotFoundError), (409, oaimg.ConflictError),
                            (422, oaimg.UnprocessableEntityError),
                            (500, oaimg.InternalServerError), (503, oaimg.InternalServerError)):
            with self.subTest(status=status):
                self.server.control("reset", {})
                self.fault(kind="status", status=status,
                           error={"param": "prompt"} if status == 400 else {})
                error = self.assertRaisesApi(cls, status)
                self.assertIsInstance(error, oaimg.APIStatusError)
                if status == 400:
                    self.assertEqual(error.param, "prompt")

    def test_refused_key_is_an_authentication_error_without_the_key(self):
        secret = "sk-wrong-" + "x" * 24
        error = self.assertRaisesApi(oaimg.AuthenticationError, 401, api_key=secret)
        self.assertEqual(error.code, "invalid_api_key")
        for text in (str(error), repr(error), repr(self.client(api_key=secret))):
            self.assertNotIn(secret[-12:], text)

    def test_blocked_prompt_is_a_bad_request_with_its_code(self):
        self.fault(kind="status", status=400, error={
            "message": "Your request was rejected as a result of our safety system.",
            "code": "content_policy_violation"})
        error = self.assertRaisesApi(oaimg.BadRequestError, 400)
        self.assertEqual(error.code, "content_policy_violation")
        self.assertIn("safety system", error.message)

    def test_rate_limit_carries_retry_after(self):
        self.fault(kind="status", status=429, headers={"retry-after-ms": "1500"})
        error = self.assertRaisesApi(oaimg.RateLimitError, 429)
        self.assertEqual(error.retry_after, 1.5)
        self.assertEqual(error.code, "rate_limit_exceeded")

    def test_connection_and_timeout(self):
        closed = oaimg.Client(api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_retries=0)
        with self.assertRaises(oaimg.APIConnectionError) as caught:
            closed.generate(prompt="x", model="gpt-image-1.5")
        self.assertNotIsInstance(caught.exception, oaimg.APITimeoutError)
        self.assertIsNone(caught.exception.status_code)
        self.server.control("config", {"delay": 3.0})
        with self.assertRaises(oaimg.APITimeoutError):
            self.call(timeout=0.5)

    def test_a_2xx_that_is_no_result(self):
        self.fault(kind="invalid_json", status=200)
        with self.assertRaises(oaimg.APIResponseValidationError) as caught:
            self.call()
        # The library reports no HTTP status with a 2xx it cannot read (yet): None or 200.
        self.assertIn(caught.exception.status_code, (None, 200))
        self.assertIn("JSON", caught.exception.message)

    def test_validation_names_the_parameter_before_any_traffic(self):
        with self.assertRaises(oaimg.ValidationError) as caught:
            self.client().generate(prompt="x", model="dall-e-2", n=11)
        self.assertEqual(caught.exception.param, "n")
        self.assertIn("11", str(caught.exception))
        with self.assertRaises(oaimg.ValidationError) as caught:
            self.client().generate(prompt="x", model="dall-e-3", size="17x17")
        self.assertEqual(caught.exception.param, "size")
        self.assertEqual(self.server.log(), [])


class Values(ServerTest):
    """Values ctypes would truncate or misread are refused by name, and nothing is sent."""

    def refused(self, param, call):
        with self.assertRaises(ValueError) as caught:
            call()
        self.assertIsInstance(caught.exception, oaimg.ValidationError)
        self.assertEqual(caught.exception.param, param)
        self.assertIn(param, str(caught.exception))
        return caught.exception

    def test_out_of_range_and_wrong_types(self):
        client = self.client()
        gen = client.generate
        self.refused("n", lambda: gen(prompt="x", n=2 ** 32 + 1))
        self.refused("n", lambda: gen(prompt="x", n=0))
        self.refused("n", lambda: gen(prompt="x", n=2.0))
        self.refused("n", lambda: gen(prompt="x", n=True))
        self.refused("output_compression", lambda: gen(prompt="x", output_compression=2 ** 31))
        self.refused("prompt", lambda: gen(prompt="a\0b"))
        self.refused("model", lambda: gen(prompt="x", model="dall-e-2\0evil"))
        self.refused("stream", lambda: gen(prompt="x", stream=0))
        self.refused("partial_images", lambda: gen(prompt="x", stream=True, partial_images=4))
        self.refused("partial_images", lambda: gen(prompt="x", partial_images=1))
        image = numpy.zeros((10, 10, 3), numpy.uint8)
        sel = numpy.zeros((10, 10), numpy.uint8)
        self.refused("selection_offset",
                     lambda: client.edit(image, selection=sel, selection_offset=(2 ** 31, 0),
                                         prompt="x"))
        error = self.refused("image", lambda: client.edit(numpy.zeros((10, 10, 3)), selection=sel,
                                                          prompt="x"))
        self.assertIn("float64", str(error))
        self.refused("selection", lambda: client.edit(image, selection=numpy.zeros((10, 10, 3),
                                                                                   numpy.uint8),
                                                      prompt="x"))
        self.refused("image", lambda: client.edit(b"not an image", selection=sel, prompt="x"))
        self.refused("timeout", lambda: self.client(timeout=float("inf")))
        self.refused("max_retries", lambda: self.client(max_retries=2 ** 40))
        self.refused("api_key", lambda: self.client(api_key="sk-\0"))
        with self.assertRaises(TypeError):
            gen(prompt="x", no_such_field=1)
        self.assertEqual(self.server.log(), [])


class Cancel(ServerTest):
    def test_on_progress_returning_true_cancels(self):
        self.server.control("config", {"delay": SERVER_DELAY})
        seen = []

        def on_progress(stage, fraction):
            seen.append(stage)
            return stage == "waiting"

        started = time.monotonic()
        with self.assertRaises(oaimg.RequestCancelled):
            self.client().generate(prompt="x", model="gpt-image-1.5", on_progress=on_progress)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, SERVER_DELAY / 2, "the call waited for the server's answer")
        print("cancel by on_progress: returned %.2f s after the call began" % elapsed)

    def test_an_exception_in_a_callback_cancels_and_propagates(self):
        self.server.control("config", {"delay": SERVER_DELAY})

        def on_progress(stage, fraction):
            if stage == "waiting":
                raise LookupError("from the callback")

        started = time.monotonic()
        with self.assertRaisesRegex(LookupError, "from the callback"):
            self.client().generate(prompt="x", model="gpt-image-1.5", on_progress=on_progress)
        self.assertLess(time.monotonic() - started, SERVER_DELAY / 2)

    def test_ctrl_c_aborts_and_raises_keyboard_interrupt(self):
        script = textwrap.dedent("""
            import sys, oaimg
            client = oaimg.Client(api_key=sys.argv[1], base_url=sys.argv[2], max_retries=0)
            def on_progress(stage, fraction):
                if stage == "waiting":
                    print("waiting", flush=True)
            try:
                client.generate(prompt="x", model="gpt-image-1.5", on_progress=on_progress)
            except KeyboardInterrupt:
                print("KeyboardInterrupt", flush=True)
                raise
        """)
        self.server.control("config", {"delay": SERVER_DELAY})
        child = subprocess.Popen([sys.executable, "-c", script, self.server.key,
                                  self.server.base_url], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: child.poll() is None and child.kill())
        self.assertEqual(child.stdout.readline().strip(), "waiting")
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=SERVER_DELAY / 2)
        latency = time.monotonic() - sent
        self.assertIn("KeyboardInterrupt", out)
        self.assertIn("KeyboardInterrupt", err)
        self.assertNotEqual(child.returncode, 0)
        print("Ctrl-C: the process ended %.2f s after SIGINT" % latency)

    def test_asyncio_task_cancellation_aborts(self):
        client = self.client(oaimg.AsyncClient)
        self.server.control("config", {"delay": SERVER_DELAY})

        async def main():
            waiting = asyncio.Event()

            async def on_progress(stage, fraction):
                if stage == "waiting":
                    waiting.set()

            task = asyncio.create_task(client.generate(prompt="x", model="gpt-image-1.5",
                                                       on_progress=on_progress))
            await asyncio.wait_for(waiting.wait(), SERVER_DELAY / 2)
            sent = time.monotonic()
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            return time.monotonic() - sent

        latency = asyncio.run(main())
        self.assertLess(latency, SERVER_DELAY / 2)
        print("asyncio cancel: the task ended %.2f s after cancel()" % latency)

    def test_async_client_completes_and_raises(self):
        client = self.client(oaimg.AsyncClient)

        async def main():
            done = await client.generate(prompt="x", model="dall-e-2", size="256x256", n=2)
            with self.assertRaises(oaimg.ValidationError):
                await client.generate(prompt="x", model="dall-e-2", n=11)
            return done

        self.assertEqual(len(asyncio.run(main()).images), 2)


class Threads(ServerTest):
    def test_one_client_from_several_threads(self):
        client = self.client()
        self.server.control("config", {"delay": 0.3})
        results, errors = {}, []

        def work(k):
            try:
                size = ("256x256", "512x512")[k % 2]
                results[k] = client.generate(prompt="t%d" % k, model="dall-e-2", size=size)
            except Exception as error:  # reported below, with the thread that raised it
                errors.append((k, error))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        for k, result in results.items():
            self.assertEqual(images.decode_png(result.images[0]).width, (256, 512)[k % 2])
        self.assertEqual(len(results), 6)
        self.assertEqual(len(self.server.log()), 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
