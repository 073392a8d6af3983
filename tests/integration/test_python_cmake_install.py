"""`cmake --install` as the README's setup runs it, into a scratch prefix: the Python package lands
where this python3 reads packages under the prefix (for /usr/local on Debian 12:
/usr/local/lib/python3.11/dist-packages), imports without PYTHONPATH tricks beyond naming that
folder, and loads the library installed with it, which carries no debug info.

Usage: test_python_cmake_install.py BUILD_DIR WORK_DIR  (run with the python3 the build targets)
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import unittest

BUILD, WORK = sys.argv[1], sys.argv[2]
PREFIX = os.path.join(WORK, "prefix")


def sections(path):
    out = subprocess.run(["readelf", "-S", "-W", path], check=True, capture_output=True,
                         text=True).stdout
    return {line.split("]", 1)[1].split()[0] for line in out.splitlines()
            if line.strip().startswith("[") and "]" in line and line.split("]", 1)[1].split()}


class CMakeInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        subprocess.run(["cmake", "--install", BUILD, "--prefix", PREFIX], check=True,
                       capture_output=True)
        version = "python%d.%d" % sys.version_info[:2]
        debian = "/usr/local/lib/%s/dist-packages" % version in sys.path
        cls.relative = "lib/%s/%s" % (version, "dist-packages" if debian else "site-packages")
        cls.site = os.path.join(PREFIX, cls.relative)
        libdirs = [d for d in ("lib", "lib64", "lib/x86_64-linux-gnu")
                   if os.path.exists(os.path.join(PREFIX, d, "liboaimg.so.1"))]
        cls.library = os.path.realpath(os.path.join(PREFIX, libdirs[0], "liboaimg.so.1"))

    def test_the_package_goes_where_this_python_reads_packages_under_the_prefix(self):
        self.assertTrue(os.path.exists(os.path.join(self.site, "oaimg", "__init__.py")),
                        os.listdir(PREFIX))
        self.assertTrue(os.path.exists(os.path.join(self.site, "oaimg", "py.typed")))
        # The same folder under /usr/local is on this python's own path (Debian: dist-packages).
        under_usr_local = os.path.join("/usr/local", self.relative)
        purelib = sysconfig.get_path("purelib")
        self.assertTrue(under_usr_local in sys.path or purelib.endswith(self.relative),
                        (under_usr_local, sys.path))

    def test_the_installed_package_loads_the_installed_library(self):
        # The scratch prefix goes first: after the README's setup the same package is also
        # installed under /usr/local, which must not be the one imported here.
        code = ("import sys; sys.path.insert(0, sys.argv[1]); import oaimg; "
                "print(oaimg.__file__); print(oaimg.library_path); print(oaimg.__version__)")
        env = {k: v for k, v in os.environ.items()
               if k not in ("OAIMG_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")}
        r = subprocess.run([sys.executable, "-c", code, self.site], env=env, cwd=WORK,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        package, path, version = r.stdout.split()
        self.assertTrue(package.startswith(self.site), package)
        self.assertEqual(os.path.realpath(path), self.library)
        self.assertRegex(version, r"^\d+\.\d+\.\d+$")

    def test_a_library_next_to_the_package_is_loaded_first(self):
        # What a packager bundling liboaimg.so.1 into the package folder relies on.
        bundle = os.path.join(WORK, "bundle")
        shutil.copytree(os.path.join(self.site, "oaimg"), os.path.join(bundle, "oaimg"))
        os.remove(os.path.join(bundle, "oaimg", "_installed_library.py"))
        shutil.copy(self.library, os.path.join(bundle, "oaimg", "liboaimg.so.1"))
        code = "import sys; sys.path.insert(0, sys.argv[1]); import oaimg; print(oaimg.library_path)"
        env = {k: v for k, v in os.environ.items() if k not in ("OAIMG_LIBRARY", "PYTHONPATH")}
        r = subprocess.run([sys.executable, "-c", code, bundle], env=env, cwd=WORK,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(bundle, "oaimg", "liboaimg.so.1"))

    def test_without_a_recorded_path_the_loaders_search_path_is_used(self):
        copy = os.path.join(WORK, "search-path")
        shutil.copytree(os.path.join(self.site, "oaimg"), os.path.join(copy, "oaimg"))
        os.remove(os.path.join(copy, "oaimg", "_installed_library.py"))
        code = ("import sys; sys.path.insert(0, sys.argv[1]); import oaimg; "
                "print(oaimg.library_path, oaimg.__version__)")
        env = {k: v for k, v in os.environ.items() if k not in ("OAIMG_LIBRARY", "PYTHONPATH")}
        env["LD_LIBRARY_PATH"] = os.path.dirname(self.library)
        r = subprocess.run([sys.executable, "-c", code, copy], env=env, cwd=WORK,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split()[0], "liboaimg.so.1")

    def test_the_installed_library_is_stripped_and_its_debug_info_kept_apart(self):
        installed = sections(self.library)
        self.assertNotIn(".debug_info", installed)
        self.assertIn(".gnu_debuglink", installed)
        self.assertIn(".dynsym", installed)
        debug_file = os.path.join(os.path.dirname(self.library), ".debug",
                                  os.path.basename(self.library) + ".debug")
        self.assertIn(".debug_info", sections(debug_file))
        print("installed library %d bytes, debug info apart %d bytes"
              % (os.path.getsize(self.library), os.path.getsize(debug_file)))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
