#!/usr/bin/env python3
"""Runs one GIMP 2.10 end-to-end case: the stand-in server, the real gimp-console-2.10 in batch
mode on this machine with a throwaway profile holding the freshly built plug-in, the Script-Fu
case of cases.scm, then the checks below on what GIMP wrote (pixels through the shared
tests/support/gimp_checks.py, requests through the server's log).

    run_case.py --plugin-dir BUILD/gimp-plugin/gimp2/oaimg --server tests/server/fake_openai.py \
                --cache-dir DIR [--job-test PROGRAM] CASE

The profile's plug-in path holds only this plug-in, Script-Fu and the PNG exporter, so an oaimg
installed system-wide is not what gets tested, and startup queries three plug-ins, not a hundred.
babl's conversion cache lives in --cache-dir across runs (the first run of a machine builds it,
which takes a minute). Each run gets a random key, passed only through the environment; no file
in the profile or the output may contain it afterwards.
"""
import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import gimp_checks as gc  # noqa: E402
from gimp_e2e import (closed_port, files_containing, model_checks_done_today,  # noqa: E402
                      start_server, stop)

GIMP = "gimp-console-2.10"
GIMP_TIMEOUT_S = 240
SYSTEM_PLUGINS = "/usr/lib/gimp/2.0/plug-ins"
SYSTEM_SCRIPTS = "/usr/share/gimp/2.0/scripts"
MODEL, PROMPT = "dall-e-2", "a red ball"


class Case:
    def __init__(self, name, out, server_url, output):
        self.name, self.out, self.server_url, self.output = name, out, server_url, output
        self.failures, self.facts = [], {}
        self.report = {}
        path = os.path.join(out, "report.txt")
        if os.path.exists(path):
            for line in open(path, encoding="utf-8"):
                key, *values = line.rstrip("\n").split("\t")
                self.report[key] = values

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition

    def png(self, name, mode="RGBA"):
        return gc.read_png(os.path.join(self.out, name), mode)

    def plane(self, name):
        return self.png(name, "L")

    def requests(self):
        with urllib.request.urlopen(self.server_url + "/_control/log", timeout=10) as r:
            log = json.loads(r.read())["requests"]
        return [r for r in log if r["path"].startswith("/v1/images/")]

    def call(self, tag):
        """(ok, [result facts]) of a call the script made."""
        row = self.report.get(tag)
        if not self.check(row is not None, "the script did not report the call %r" % tag):
            return False, []
        results = []
        for i in range(int(row[2]) if row[0] == "ok" else 0):
            r = self.report.get("%s-result-%d" % (tag, i))
            if not self.check(r is not None, "the script did not report %s result %d" % (tag, i)):
                break
            rid, name, x, y, w, h, visible, parent, mask, typ, bpp = r
            results.append(dict(id=int(rid), name=name, x=int(x), y=int(y), w=int(w), h=int(h),
                                visible=visible == "1", parent=int(parent), mask=int(mask),
                                type=int(typ), bpp=int(bpp), index=i, tag=tag))
        return row[0] == "ok", results

    def group_ok(self, results, n, group_name, position_wanted="0"):
        """The results: one group at the top of the stack, n layers, the first visible, each with
        a mask and a provenance parasite."""
        self.check(len(results) == n, "returned %d layers, wanted %d" % (len(results), n))
        tag = results[0]["tag"] if results else "edit"
        group = self.report.get(tag + "-group")
        if not self.check(group is not None, "result layers are not in a layer group"):
            return
        gid, gname, position, parent, children = group
        self.check(gname == group_name, "group named %r, wanted %r" % (gname, group_name))
        self.check(position == position_wanted and parent == "-1",
                   "the group is not right above the active layer (position %s)" % position)
        self.check(int(children) == n, "the group holds %s layers, not %d" % (children, n))
        for r in results:
            self.check(r["parent"] == int(gid), "layer %d is not in the group" % r["index"])
            self.check(r["visible"] == (r["index"] == 0),
                       "layer %d visible=%s" % (r["index"], r["visible"]))
            self.check(r["mask"] != -1, "layer %d has no layer mask" % r["index"])
            path = os.path.join(self.out, "%s-result-%d-provenance.json" % (tag, r["index"]))
            if self.check(os.path.exists(path), "layer %d has no provenance parasite"
                          % r["index"]):
                text = open(path, encoding="utf-8").read().rstrip("\0")
                prov = json.loads(text)
                self.facts.setdefault("provenance", []).append(prov)
                gc.provenance_ok(self.check, prov, MODEL, PROMPT if group_name == PROMPT
                                 else None)
                self.check("sk-" not in text, "provenance holds something like a key")

    def unchanged(self, tag):
        self.check(self.report.get(tag + "-tree-before")[1:] ==
                   self.report.get(tag + "-tree-after")[1:],
                   "layers changed: %s" % self.report.get(tag + "-tree-after"))
        self.check(self.png(tag + "-source-before.png") == self.png(tag + "-source-after.png"),
                   "the layer's pixels changed")
        self.check(self.png(tag + "-before.png") == self.png(tag + "-after.png"),
                   "the image looks different")

    def source_untouched(self, tag):
        self.check(self.png(tag + "-source-before.png") == self.png(tag + "-source-after.png"),
                   "the source layer's pixels changed")

    def edit_ok(self, n=1, inside=gc.RED, outside=gc.BLUE, mode="RGBA", tolerance=2):
        ok, results = self.call("edit")
        if not self.check(ok, "edit failed: %s" % self.messages()):
            return []
        self.source_untouched("edit")
        self.group_ok(results, n, PROMPT)
        sel, iw, ih = self.plane("edit-selection.png")
        for r in results:
            mask, mw, mh = self.plane("edit-result-%d-mask.png" % r["index"])
            gc.mask_matches_selection(self.check, sel, iw, ih, mask, mw, mh, r["x"], r["y"],
                                      self.facts)
        pixels, w, h = self.png("edit-after.png", mode)
        outside_of = outside if callable(outside) else (lambda x, y: outside)
        gc.composite_shows(self.check, pixels, len(mode), sel, w, h, inside, outside_of,
                           tolerance)
        log = self.requests()
        self.check(len(log) == 1 and log[0]["path"] == "/v1/images/edits",
                   "server saw %s" % [(r["path"], r["status"]) for r in log])
        if log:
            files = {f["field"]: f for f in log[0]["files"]}
            self.check("image" in files and "mask" in files, "edit without image or mask")
            if "image" in files:
                self.check(files["image"]["width"] == files["image"]["height"],
                           "DALL·E 2 edits need a square image, sent %sx%s"
                           % (files["image"]["width"], files["image"]["height"]))
        return results

    def failed_leaving_image(self, words, attempts=None):
        ok, _ = self.call("edit")
        self.check(not ok, "the edit succeeded")
        self.unchanged("edit")
        for w in words:
            self.check(w in self.output, "GIMP's output does not say %r: %s"
                       % (w, self.messages()))
        self.facts["message"] = self.messages()
        if attempts is not None:
            log = self.requests()
            self.check(len(log) == attempts, "expected %d attempts, server saw %s"
                       % (attempts, [r["status"] for r in log]))

    def messages(self):
        return [l for l in self.output.splitlines() if "-Warning:" in l or "Error" in l][:6]


# ---- the checks of each case ----------------------------------------------------------------

def check_edit_ellipse(c):
    if len(c.edit_ok(n=2)) == 2:
        sel, w, h = c.plane("edit-selection.png")
        pixels, _, _ = c.png("second-shown.png")
        gc.composite_shows(c.check, pixels, 4, sel, w, h, gc.GREEN, lambda x, y: gc.BLUE)


def check_edit_offset_layer(c):
    def before(x, y):
        return gc.BLUE if 50 <= x < 170 and 30 <= y < 110 else gc.WHITE
    for r in c.edit_ok(outside=before):
        c.check(r["x"] >= 50 and r["y"] >= 30 and r["x"] + r["w"] <= 170 and
                r["y"] + r["h"] <= 110, "result %s is not inside the source layer" % r)


def check_edit_edge(c):
    for r in c.edit_ok():
        c.check(r["x"] >= 0 and r["y"] >= 0, "result placed outside the canvas at %s" % r)


def check_edit_16bit(c):
    for r in c.edit_ok():
        c.check(r["bpp"] == 8, "result layer has %d bytes a pixel, not 16-bit RGBA" % r["bpp"])
    image = c.report.get("image", [])
    c.check(image[3:4] == ["200"], "image precision changed: %s" % image)  # PRECISION-U16-LINEAR
    c.check(c.report.get("centre-pixel") == ["8", "255 255 0 0 0 0 255 255 "],
            "result centre in linear u16 is %s, not full red" % c.report.get("centre-pixel"))


def check_edit_gray(c):
    red_gray = int(c.report["red-as-gray"][0])
    c.facts["red_as_gray"] = red_gray
    for r in c.edit_ok(inside=(red_gray,), outside=(200,), mode="L", tolerance=1):
        c.check(r["type"] == 3, "result layer type %d, not GRAYA" % r["type"])


def check_edit_indexed(c):
    for r in c.edit_ok(outside=lambda x, y: gc.RED if x < 10 and y < 10 else gc.BLUE):
        c.check(r["type"] == 5, "result layer type %d, not INDEXEDA" % r["type"])


def check_edit_without_selection(c, words="select the area to repaint"):
    ok, _ = c.call("edit")
    c.check(not ok, "edit succeeded without a selection")
    c.unchanged("edit")
    c.check(words in c.output.lower(), "no message asks for a selection: %s" % c.messages())
    c.check(c.requests() == [], "a request was sent without a selection")


def check_edit_without_selection_zh(c):
    check_edit_without_selection(c, "请先选择要重绘的区域")


def check_variation(c):
    ok, results = c.call("whole")
    if c.check(ok, "variation failed: %s" % c.messages()):
        c.source_untouched("whole")
        pixels, w, h = c.png("whole-after.png")
        gc.all_pixels(c.check, pixels, 4, w, h, gc.RED, "the variation")
    ok, results = c.call("region")
    if c.check(ok, "variation of a region failed: %s" % c.messages()) and results:
        r = results[0]
        sel, iw, ih = c.plane("region-selection.png")
        mask, mw, mh = c.plane("region-result-0-mask.png")
        gc.mask_matches_selection(c.check, sel, iw, ih, mask, mw, mh, r["x"], r["y"], c.facts)
        pixels, w, h = c.png("region-after.png")
        gc.composite_shows(c.check, pixels, 4, sel, w, h, gc.RED, lambda x, y: gc.BLUE)
    c.check([r["path"] for r in c.requests()] == ["/v1/images/variations"] * 2,
            "server saw %s" % [r["path"] for r in c.requests()])


def check_generate(c):
    ok, results = c.call("bounds")
    if c.check(ok, "generate failed: %s" % c.messages()) and results:
        r = results[0]
        c.check((r["x"], r["y"], r["w"], r["h"]) == (20, 10, 100, 60),
                "generated layer at %s, not the selection's bounds (20,10) 100x60" % r)
        c.source_untouched("bounds")
        sel, w, h = c.plane("bounds-selection.png")
        pixels, _, _ = c.png("bounds-after.png")
        gc.composite_shows(c.check, pixels, 4, sel, w, h, gc.RED, lambda x, y: gc.BLUE)
    ok, results = c.call("canvas")
    if c.check(ok, "generate on the canvas failed: %s" % c.messages()):
        pixels, w, h = c.png("canvas-after.png")
        gc.all_pixels(c.check, pixels, 4, w, h, gc.RED, "the canvas generation")
    log = c.requests()
    c.check([r["path"] for r in log] == ["/v1/images/generations"] * 2,
            "server saw %s" % [r["path"] for r in log])
    if log:
        c.facts["generation_size"] = log[0]["fields"].get("size")
        c.check(log[0]["fields"].get("size") in ("256x256", "512x512", "1024x1024"),
                "size sent: %r" % log[0]["fields"].get("size"))


def check_rate_limit_then_success(c):
    c.edit_ok_requests = False
    ok, results = c.call("edit")
    c.check(ok, "edit failed after a 429: %s" % c.messages())
    log = c.requests()
    c.check([r["status"] for r in log] == [429, 200], "server answered %s"
            % [r["status"] for r in log])
    if len(log) == 2:
        c.check(log[1]["start"] - log[0]["start"] >= 0.9, "the retry came before Retry-After")
    if ok:
        c.group_ok(results, 1, PROMPT)


def check_server_error_leaves_image(c):
    c.failed_leaving_image(["500"], attempts=3)


def check_unreachable_server(c):
    c.failed_leaving_image(["could not be reached", os.environ["OPENAI_BASE_URL"].rstrip("/")])


def check_stored_settings(c):
    ok, _ = c.call("edit")
    c.check(ok, "edit with stored settings failed: %s" % c.messages())
    log = c.requests()
    c.check(len(log) == 1 and log[0]["auth_ok"], "the stored key was not sent")


def check_sample_merged(c):
    ok, results = c.call("edit")
    if not c.check(ok, "sample-merged edit failed: %s" % c.messages()):
        return
    # The worked-on layer is below "top": the group goes right above it, at position 1.
    c.group_ok(results, 1, PROMPT, position_wanted="1")
    # The stand-in logs uploads by size, not pixels. The same region of the layer alone is one
    # flat blue; the image as shown is half green over it, which no PNG stores as small.
    log = c.requests()
    if c.check(len(log) == 2, "server saw %d requests" % len(log)):
        merged, alone = [next(f["bytes"] for f in r["files"] if f["field"] == "image")
                         for r in log]
        c.facts["upload_bytes"] = {"sample_merged": merged, "layer_only": alone}
        c.check(merged > alone, "the sample-merged upload (%d bytes) is not the composite: the "
                "layer alone gave %d bytes" % (merged, alone))


def check_bad_arguments(c):
    for tag in ("context", "n"):
        ok, _ = c.call(tag)
        c.check(not ok, "%s: a bad argument was accepted" % tag)
        c.unchanged(tag)
    c.check('context is "everything"' in c.output, "no message names the bad context: %s"
            % c.messages())
    c.check("n is 0" in c.output, "no message names the bad n: %s" % c.messages())
    c.check(c.requests() == [], "a request was sent for bad arguments")


def check_registered(c):
    order = ("run-mode image drawable prompt n model size context quality background "
             "sample-merged ")
    for name in ("plug-in-oaimg-edit", "plug-in-oaimg-variation", "plug-in-oaimg-generate"):
        c.check(c.report.get(name) == ["11", "2", order],
                "%s is registered as %s, not (%s) returning 2 values"
                % (name, c.report.get(name), order.strip()))
    c.check(c.report.get("plug-in-oaimg-settings", [""])[0] == "1",
            "plug-in-oaimg-settings is registered as %s" % c.report.get("plug-in-oaimg-settings"))


SAFETY_IDENTIFIER = "user-7f3a9c0e"


def check_safety_identifier(c):
    ok, _ = c.call("edit")
    c.check(ok, "edit failed: %s" % c.messages())
    sent = [r["fields"].get("safety_identifier") for r in c.requests()]
    c.facts["sent"] = sent
    c.check(sent == [SAFETY_IDENTIFIER], "the server saw safety_identifier %s" % sent)


def check_model_shutdown_warning(c):
    for tag in ("edit", "again"):
        ok, _ = c.call(tag)
        c.check(ok, "%s with a model shutting down failed: %s" % (tag, c.messages()))
    with urllib.request.urlopen(c.server_url + "/_control/log", timeout=10) as r:
        checks = [x["path"] for x in json.loads(r.read())["requests"]
                  if x["path"].startswith("/v1/models/")]
    c.facts["model_checks"] = checks
    c.check(checks == ["/v1/models/gpt-image-1.5"], "the server saw these checks: %s" % checks)
    warning = ("This model is being shut down: gpt-image-1.5 shuts down on %s, in 30 days"
               % c.shutdown_date)
    c.check(c.output.count(warning) == 1, "GIMP's output does not hold %r once: %s"
            % (warning, c.messages()))


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items()
          if name.startswith("check_")}
FAULTS = {
    "rate_limit_then_success": [{"kind": "status", "status": 429,
                                 "headers": {"Retry-After": "1"}, "times": 1}],
    "server_error_leaves_image": [{"kind": "status", "status": 500, "times": 10}],
}


def make_profile(root, plugin_dir):
    """A GIMP 2.10 profile whose plug-ins are Script-Fu, the PNG exporter and ours."""
    profile = os.path.join(root, "profile")
    plugins = os.path.join(profile, "plug-ins")
    scripts = os.path.join(profile, "scripts")
    os.makedirs(plugins)
    os.makedirs(scripts)
    for folder in ("gradients", "brushes", "patterns", "palettes"):
        os.makedirs(os.path.join(profile, folder))
    for name in ("script-fu", "file-png"):
        os.symlink(os.path.join(SYSTEM_PLUGINS, name), os.path.join(plugins, name))
    for name in os.listdir(SYSTEM_SCRIPTS):
        if name.endswith(".init"):
            os.symlink(os.path.join(SYSTEM_SCRIPTS, name), os.path.join(scripts, name))
    shutil.copytree(plugin_dir, os.path.join(plugins, "oaimg"))
    with open(os.path.join(profile, "gimprc"), "w") as f:
        f.write('(plug-in-path "${gimp_dir}/plug-ins")\n(script-fu-path "${gimp_dir}/scripts")\n')
    return profile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--job-test")
    ap.add_argument("case")
    args = ap.parse_args()

    if shutil.which(GIMP) is None:
        print("SKIP: %s is not installed" % GIMP)
        return 77
    key = "sk-e2e-" + secrets.token_hex(16)
    root = tempfile.mkdtemp(prefix="oaimg-gimp2-%s-" % args.case)
    server = None
    try:
        server, port = start_server(args.server, key, root)
        server_url = "http://127.0.0.1:%d" % port
        urllib.request.urlopen(urllib.request.Request(
            server_url + "/_control/reset", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"}), timeout=10).read()
        if args.case in FAULTS:
            urllib.request.urlopen(urllib.request.Request(
                server_url + "/_control/faults", data=json.dumps(
                    {"faults": FAULTS[args.case]}).encode(), method="POST",
                headers={"Content-Type": "application/json"}), timeout=10).read()
        os.makedirs(args.cache_dir, exist_ok=True)
        # The cache is shared by the cases: the warning's case clears its models' stamps.
        model_checks_done_today(os.path.join(args.cache_dir, "oaimg"),
                                ("gpt-image-1.5",) if args.case == "model_shutdown_warning"
                                else ())
        shutdown_date = None
        if args.case == "model_shutdown_warning":
            import datetime
            shutdown_date = (datetime.datetime.now(datetime.timezone.utc).date() +
                             datetime.timedelta(days=30)).isoformat()
            urllib.request.urlopen(urllib.request.Request(
                server_url + "/_control/config", data=json.dumps(
                    {"shutdown_dates": {"gpt-image-1.5": shutdown_date}}).encode(),
                method="POST", headers={"Content-Type": "application/json"}), timeout=10).read()
        home = os.path.join(root, "home")
        os.makedirs(home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env.update(HOME=home, XDG_CACHE_HOME=args.cache_dir, LANG="C.UTF-8", LANGUAGE="",
                   OPENAI_API_KEY=key, OPENAI_BASE_URL=server_url + "/v1")
        env.pop("DISPLAY", None)
        key_file = None
        if args.case == "job_cancel_before_insert":
            proc = subprocess.run([args.job_test], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=GIMP_TIMEOUT_S)
            print(proc.stdout.decode(errors="replace")[-3000:])
            if proc.returncode != 0:
                print("FAIL: %s exited %d" % (args.job_test, proc.returncode))
                return 1
            print("PASS", args.case)
            return 0
        profile = make_profile(root, args.plugin_dir)
        env["GIMP2_DIRECTORY"] = profile
        out = os.path.join(root, "out")
        os.makedirs(out)
        if args.case == "unreachable_server":
            env["OPENAI_BASE_URL"] = "http://127.0.0.1:%d/v1" % closed_port()
        if args.case == "stored_settings":
            # What the Settings dialog writes: settings.ini and the owner-only key file.
            stored = os.path.join(profile, "oaimg")
            os.makedirs(stored, mode=0o700)
            with open(os.path.join(stored, "settings.ini"), "w") as f:
                f.write("[connection]\nbase_url=%s\ndefault_model=\ntimeout_s=120\n"
                        % env["OPENAI_BASE_URL"])
            key_file = os.path.join(stored, "api-key")
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, key.encode())
            os.close(fd)
            del env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"]
        if args.case == "safety_identifier":
            stored = os.path.join(profile, "oaimg")
            os.makedirs(stored, mode=0o700)
            with open(os.path.join(stored, "settings.ini"), "w") as f:
                f.write("[connection]\nbase_url=\ndefault_model=\ntimeout_s=120\n"
                        "safety_identifier=%s\n" % SAFETY_IDENTIFIER)
        if args.case.endswith("_zh"):
            env["LANG"] = env["LC_ALL"] = "zh_CN.UTF-8"
        os.environ["OPENAI_BASE_URL"] = env.get("OPENAI_BASE_URL", "")
        # One batch command: each -b is evaluated apart, and what a load defines does not last.
        cmd = [GIMP, "-i", "-d", "-f", "-b", '(begin (load "%s") (oaimg-e2e "%s" "%s"))'
               % (os.path.join(HERE, "cases.scm"), args.case, out), "-b", "(gimp-quit 0)"]
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=GIMP_TIMEOUT_S,
                                  start_new_session=True)
        except subprocess.TimeoutExpired as e:
            print((e.output or b"").decode(errors="replace")[-6000:])
            print("FAIL: GIMP did not finish in %d s" % GIMP_TIMEOUT_S)
            return 1
        output = proc.stdout.decode(errors="replace")
        print("gimp exited %d after %.1f s" % (proc.returncode, time.monotonic() - started))

        c = Case(args.case, out, server_url, output)
        c.shutdown_date = shutdown_date
        if c.report.get("end") != [args.case]:
            c.failures.append("the case did not run to its end: %s" % c.report)
        elif "script-error" in c.report:
            c.failures.append("the script failed: %s" % c.report["script-error"])
        else:
            try:
                CHECKS[args.case](c)
            except Exception as e:  # a crash in a check is a failure with its reason
                import traceback
                c.failures.append(traceback.format_exc())
        if key.encode() in proc.stdout:
            c.failures.append("the API key appears in GIMP's output")
        leaked = [p for p in files_containing(root, key.encode()) if p != key_file]
        if leaked:
            c.failures.append("the API key was written to %s" % leaked)
        if key_file and os.stat(key_file).st_mode & 0o077:
            c.failures.append("the key file became readable by others")
        print("facts:", json.dumps(c.facts, indent=1, default=str))
        if c.failures:
            print(output[-6000:])
            for m in c.failures:
                print("FAIL:", m)
            return 1
        if os.environ.get("OAIMG_E2E_VERBOSE") == "1":
            print(output)
        print("PASS", args.case)
        return 0
    finally:
        if server is not None:
            stop(server)
        if os.environ.get("OAIMG_E2E_KEEP") != "1":
            shutil.rmtree(root, ignore_errors=True)
        else:
            print("kept", root)


if __name__ == "__main__":
    sys.exit(main())
