"""The installed package in a venv without Pillow or numpy: paths and encoded bytes are enough.

Run by CTest with the Python of python_venv.cmake's plain venv (no system site-packages)."""
import importlib.util
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ["OAIMG_TEST_SERVER_DIR"])
import harness  # noqa: E402
import images  # noqa: E402

import oaimg  # noqa: E402


class WithoutExtras(unittest.TestCase):
    def setUp(self):
        self.server = harness.FakeServer().__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.client = oaimg.Client(api_key=self.server.key, base_url=self.server.base_url,
                                   max_retries=0)

    def test_neither_pillow_nor_numpy_is_there(self):
        self.assertIsNone(importlib.util.find_spec("PIL"))
        self.assertIsNone(importlib.util.find_spec("numpy"))
        self.assertTrue(oaimg.__file__.startswith(sys.prefix), oaimg.__file__)

    def test_generate_and_variation_from_bytes(self):
        self.assertEqual(len(self.client.generate(prompt="x", model="dall-e-2", size="256x256")
                             .images), 1)
        square = images.solid_png(256, 256, (1, 2, 3))
        self.assertEqual(len(self.client.variation(square, model="dall-e-2").images), 1)

    def test_edit_with_a_png_selection_from_paths(self):
        with tempfile.TemporaryDirectory() as folder:
            photo = os.path.join(folder, "photo.png")
            selection = os.path.join(folder, "selection.png")
            with open(photo, "wb") as f:
                f.write(images.solid_png(200, 150, (30, 60, 90)))
            pixels = bytearray(200 * 150)
            for y in range(40, 100):
                pixels[y * 200 + 50:y * 200 + 120] = b"\xff" * 70
            with open(selection, "wb") as f:
                f.write(images.encode_png(200, 150, 0, bytes(pixels)))  # 8-bit grayscale
            result = self.client.edit(photo, selection=selection, prompt="x", model="dall-e-2")
        (layer,) = result.layers
        self.assertTrue(layer.x <= 50 and layer.x + layer.width >= 120, layer)
        self.assertEqual(layer.mask[(70 - layer.y) * layer.width + 80 - layer.x], 255)


if __name__ == "__main__":
    unittest.main(verbosity=2)
