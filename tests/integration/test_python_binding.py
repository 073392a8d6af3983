"""The Python binding (c-api/python/oaimg.py) against the stand-in server, through the real
liboaimg.so. Usage: test_python_binding.py  (OAIMG_LIBRARY and PYTHONPATH set by CTest)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
import harness  # noqa: E402
import images  # noqa: E402
import oaimg  # noqa: E402

RED = (255, 0, 0)


class PythonBindingTest(unittest.TestCase):
    def setUp(self):
        self.server = harness.FakeServer().__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)

    def client(self, **kw):
        return oaimg.Client(api_key=kw.pop("api_key", self.server.key),
                            base_url=self.server.base_url, max_retries=0, **kw)

    def test_generate_gives_the_servers_images(self):
        result = self.client().run(oaimg.Request("generate", prompt="a lighthouse", n=2,
                                                 model="dall-e-2", size="256x256"))
        pngs = result.images()
        self.assertEqual(len(pngs), 2)
        first = images.decode_png(pngs[0])
        self.assertEqual((first.width, first.height), (256, 256))
        self.assertEqual(tuple(first.pixels[0:3]), RED)
        self.assertEqual(result.summary()["count"], 2)

    def test_edit_with_selection_places_layers_under_it(self):
        width, height = 320, 200
        pixels = bytes([40, 80, 120]) * (width * height)
        coverage = bytearray(width * height)
        for y in range(60, 140):
            for x in range(100, 220):
                coverage[y * width + x] = 255
        request = oaimg.Request("edit", prompt="a pond", model="dall-e-2")
        request.set_source(pixels, width, height, "RGB").set_selection(bytes(coverage), width, height)
        layers = self.client().run(request).layers()
        self.assertEqual(len(layers), 1)
        rgba, w, h, x, y, mask = layers[0]
        # The layer covers the selection and stays inside the image.
        self.assertTrue(x <= 100 and y <= 60 and x + w >= 220 and y + h >= 140, (x, y, w, h))
        self.assertTrue(x >= 0 and y >= 0 and x + w <= width and y + h <= height, (x, y, w, h))
        cx, cy = 160 - x, 100 - y
        self.assertEqual(mask[cy * w + cx], 255)
        self.assertEqual(tuple(rgba[4 * (cy * w + cx):4 * (cy * w + cx) + 3]), RED)
        self.assertEqual(mask[0], 0, "far from the selection the put-back mask is empty")

    def test_refused_key_raises_without_revealing_it(self):
        secret = "sk-wrong-" + "x" * 20
        with self.assertRaises(oaimg.Error) as caught:
            self.client(api_key=secret).run(oaimg.Request("generate", prompt="x", model="dall-e-2"))
        error = caught.exception
        self.assertEqual(error.http_status, 401)
        self.assertEqual(error.status_text, "authentication failed")
        self.assertNotIn(secret, str(error))
        self.assertNotIn(secret[-12:], str(error))


    def test_fields_without_a_text_setter_are_refused(self):
        # markup and context_mode have setters, but not of a C string: they must not be reached.
        for name in ("markup", "context_mode", "source", "mask"):
            with self.assertRaises(ValueError, msg=name):
                oaimg.Request("edit", **{name: "x"})

    def test_short_pixel_buffers_are_refused_before_the_library_reads_them(self):
        request = oaimg.Request("edit", prompt="x")
        with self.assertRaises(ValueError):
            request.set_source(bytes(4), 100, 100, "RGBA")
        with self.assertRaises(ValueError):
            request.set_source(bytes(3 * 100 * 99), 100, 100, "RGB")
        with self.assertRaises(ValueError):
            request.set_selection(bytes(10), 100, 100)
        request.set_source(bytes(3 * 100 * 100), 100, 100, "RGB")  # exactly enough is fine


if __name__ == "__main__":
    unittest.main()
