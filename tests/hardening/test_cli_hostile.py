"""The `oaimg` command line against a careless caller and a process that must keep its key:

    python3 test_cli_hostile.py /path/to/oaimg [unittest args]
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

if len(sys.argv) < 2:
    sys.exit("usage: test_cli_hostile.py OAIMG_BINARY [unittest args]")
CLI = os.path.abspath(sys.argv[1])
del sys.argv[1:2]

KEY = "sk-cli-hostile-0123456789abcdefghijklmnopqrstuv"


def env(base_url):
    e = dict(os.environ)
    e["OPENAI_API_KEY"] = KEY
    e["OPENAI_BASE_URL"] = base_url
    return e


class CliHostileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="oaimg-cli-hostile-")
        self.addCleanup(self.tmp.cleanup)

    def test_empty_out_dir_is_a_clear_failure(self):
        # Before the fix cli_make_dirs('') read one byte past its copy (ASan: heap-buffer-overflow).
        p = subprocess.run([CLI, "generate", "--prompt", "a fox", "--out-dir", ""],
                           cwd=self.tmp.name, env=env("http://127.0.0.1:9/v1"),
                           capture_output=True, text=True, timeout=60)
        # An empty folder name is bad usage (issue 11: exit 2), refused before any folder is made.
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("-o/--out-dir '' is empty", p.stderr)
        self.assertNotIn(KEY, p.stderr + p.stdout)
        self.assertEqual(os.listdir(self.tmp.name), [])

    def test_no_core_file_while_the_key_is_in_memory(self):
        # A server that accepts the connection and never answers keeps the CLI waiting with the
        # key loaded; meanwhile its limits say whether a crash would write a core file.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        proc = subprocess.Popen([CLI, "generate", "--prompt", "a fox", "--model", "dall-e-2",
                                 "--out-dir", os.path.join(self.tmp.name, "out")],
                                env=env("http://127.0.0.1:%d/v1" % port),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            limits = ""
            for _ in range(100):  # bounded: 5 s for the CLI to start
                time.sleep(0.05)
                with open("/proc/%d/limits" % proc.pid) as f:
                    limits = f.read()
                with open("/proc/%d/status" % proc.pid) as f:
                    if "State:\tS" in f.read():
                        break
            core = [l for l in limits.splitlines() if l.startswith("Max core file size")]
            self.assertEqual(len(core), 1, limits)
            self.assertEqual(core[0].split()[4:6], ["0", "0"], core[0])
            # Not dumpable: /proc/PID/mem of the CLI is no longer readable by its own user's
            # other processes (root sees it owned by root, no longer by the caller's uid).
            self.assertEqual(os.stat("/proc/%d/mem" % proc.pid).st_uid, 0)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        self.assertNotIn(KEY.encode(), out + err)


if __name__ == "__main__":
    unittest.main()
