"""What `cmake --install` puts next to the oaimg binary: the man page and bash completion, and
that both know every option the program itself lists.

    python3 test_cli_install.py BUILD_DIR
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

if len(sys.argv) < 2:
    sys.exit("usage: test_cli_install.py BUILD_DIR [unittest args]")
BUILD = os.path.abspath(sys.argv[1])
del sys.argv[1:2]
COMMANDS = ("generate", "edit", "variation", "extend", "models")


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="oaimg-install-")
        cls.prefix = cls.tmp.name
        subprocess.run(["cmake", "--install", BUILD, "--prefix", cls.prefix], check=True,
                       capture_output=True, timeout=120)
        cls.binary = os.path.join(cls.prefix, "bin", "oaimg")
        cls.env = dict(os.environ, PATH=os.path.join(cls.prefix, "bin") + os.pathsep +
                       os.environ.get("PATH", ""),
                       LD_LIBRARY_PATH=os.pathsep.join(
                           os.path.join(cls.prefix, d) for d in ("lib", "lib64",
                                                                 "lib/x86_64-linux-gnu")))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def options_of(self, command):
        out = subprocess.run([self.binary, command, "--help"], env=self.env, check=True,
                             capture_output=True, text=True).stdout
        return set(re.findall(r"--[a-z][a-z-]*", out)) - {"--help"}

    def complete(self, *words):
        script = os.path.join(self.prefix, "share", "bash-completion", "completions", "oaimg")
        line = " ".join(words)
        cmd = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _oaimg; printf "%%s\\n" '
               '"${COMPREPLY[@]}"' % (script, line, len(words) - 1))
        return subprocess.run(["bash", "--norc", "-c", cmd], env=self.env, check=True,
                              capture_output=True, text=True, timeout=30).stdout.split()

    def test_man_page_documents_every_option_and_exit_status(self):
        path = os.path.join(self.prefix, "share", "man", "man1", "oaimg.1")
        with open(path) as f:
            text = f.read().replace("\\-", "-")
        for command in COMMANDS:
            for option in self.options_of(command):
                self.assertIn(option, text, "%s (%s) is not in the man page" % (option, command))
        for status in ("130", ".B 2", ".B 1"):
            self.assertIn(status, text)

    def test_bash_completion_offers_commands_options_and_models(self):
        self.assertIn("edit", self.complete("oaimg", "ed"))
        self.assertEqual(self.complete("oaimg", "edit", "--mas"), ["--mask"])
        self.assertNotIn("--mask", self.complete("oaimg", "variation", "--"))
        self.assertIn("--safety-identifier", self.complete("oaimg", "generate", "--saf"))
        self.assertIn("gpt-image-2", self.complete("oaimg", "generate", "-m", "gpt-image-"))
        self.assertIn("extend", self.complete("oaimg", "ext"))
        self.assertEqual(self.complete("oaimg", "extend", "--asp"), ["--aspect"])
        self.assertIn("16:9", self.complete("oaimg", "extend", "--aspect", "16"))
        self.assertEqual(self.complete("oaimg", "edit", "--refe"), ["--reference"])
        self.assertNotIn("--left", self.complete("oaimg", "edit", "--"))


if __name__ == "__main__":
    unittest.main()
