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
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import gimp_checks as gc  # noqa: E402
from dialog_texts import english_left  # noqa: E402
from gimp_e2e import (closed_port, files_containing, keep_screenshots,  # noqa: E402
                      model_checks_done_today,
                      start_server, stop)

GIMP = "gimp-console-2.10"
GIMP_GUI = "gimp-2.10"
INTERACTIVE_SH = os.path.join(HERE, "..", "gimp3", "interactive.sh")
# What the "user" does in the dialog cases, as for GIMP 3 (interactive.sh): window title | keys
# [| file whose text is typed first]. {prompt} is TYPED_PROMPT, {short} PROMPT, {typed} the key.
PROGRESS_TITLE = "Working: Inpaint Selection"
INTERACTIVE_STEPS = {
    # Typed straight into the freshly opened dialog and sent with Ctrl+Return; the run fails
    # (server error), and the next dialog comes back with the prompt, sent again as it is.
    "interactive_prompt": ["Inpaint Selection|ctrl+Return|{prompt}",
                           "Inpaint Selection|ctrl+Return"],
    # Send (its mnemonic), then the progress window while the server answers: the screenshot.
    "interactive_edit": ["Inpaint Selection|alt+e|{short}", PROGRESS_TITLE + "|"],
    # Send, then Cancel in the progress window while the server waits.
    "interactive_cancel": ["Inpaint Selection|alt+e|{short}", PROGRESS_TITLE + "|Escape"],
    # The prompt typed, the dialog's screen on the default model (dall-e-2 here: the reference
    # row greyed out), gpt-image-1.5 typed into the model box, the screen again, Send.
    "interactive_references": ["Inpaint Selection|alt+m ctrl+a g p t minus i m a g e minus 1 "
                               "period 5 pause|{short}", "!refs|alt+e"],
    # The key typed into Settings, then Save (its mnemonic).
    "interactive_settings": ["OpenAI Images Settings|alt+s|{typed}"],
    # LANG=zh_CN.UTF-8, LANGUAGE=zh_CN: the job dialog (Ctrl+Return sends), the progress window,
    # then Settings closed; every text they showed must be Chinese.
    "interactive_dialogs_zh": ["重绘选区|ctrl+Return|{short}", "OpenAI 图像设置|Escape"],
    # The prompt typed, gpt-image-2.5-flare typed over the model (Alt+M, select all), the Guide
    # layer (Alt+G) moved from None to the first layer offered; the screen kept, then Send.
    "interactive_guide": ["Inpaint Selection|alt+m ctrl+a g p t minus i m a g e minus 2 period 5 "
                          "minus f l a r e alt+g Down|{short}", "!guided|alt+e"],
    # Test Connection, then close: with the key in use, then with a wrong one typed in.
    "interactive_test_connection": ["OpenAI Images Settings|alt+n pause Escape",
                                    "OpenAI Images Settings|alt+n pause Escape|{prompt}"],
    # The script waits in Settings; Filters ▸ OpenAI Images (above Script-Fu, the last) ▸ Extend
    # Canvas in the image window; To aspect ratio (Alt+A), its ratio (Alt+I) moved up from the
    # stored 3:2 to 16:9, the prompt chosen from Used before (Alt+U, the one stored), the screen
    # kept, sent; once the progress window is gone, Settings closed.
    "interactive_extend": ["OpenAI Images Settings|", "@{dir}/ready",
                           ".*Untitled.*|alt+r pause Up Up Right", "!menu|e",
                           "Extend Canvas|alt+a alt+i Up alt+u Down", "!extend|ctrl+Return",
                           "Working: Extend Canvas|", "OpenAI Images Settings|Escape"],
}
# What the Extend Canvas dialog held when last closed (By pixels, nothing to add, 3:2): the
# interactive case starts from it, so that choosing the aspect ratio is the user's doing.
EXTEND_LAST_VALUES = ("[extend]\nprompt=\nn=1\nmodel=dall-e-2\nmode=0\nleft=0\ntop=0\nright=0\n"
                      "bottom=0\naspect=3:2\nedge=0\n")
# It starts with a space (which once pressed a button of the dialog) and is long enough (330
# characters) to have widened the old one-line entry.
TYPED_PROMPT = (" a lighthouse on a rocky shore at dusk, " * 9)[:330]
# The old one-line entry grew the GIMP 3 dialog to 2079 px with this prompt; the screen is 1280.
DIALOG_MAX_WIDTH = 900
GIMP_TIMEOUT_S = 240
# GIMP's GUI starts slowly on a busy machine, and a dialog case runs it once or twice.
GIMP_GUI_TIMEOUT_S = 360
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
    for name in ("plug-in-oaimg-next-result", "plug-in-oaimg-previous-result",
                 "plug-in-oaimg-keep-result"):
        c.check(c.report.get(name) == ["3", "0", "run-mode image drawable "],
                "%s is registered as %s, not (run-mode image drawable)"
                % (name, c.report.get(name)))
    extend = "run-mode image drawable prompt n model left top right bottom "
    c.check(c.report.get("plug-in-oaimg-extend") == ["10", "2", extend],
            "plug-in-oaimg-extend is registered as %s, not (%s) returning 2 values"
            % (c.report.get("plug-in-oaimg-extend"), extend.strip()))
    guided = order + "guide "
    c.check(c.report.get("plug-in-oaimg-edit-guided") == ["12", "2", guided],
            "plug-in-oaimg-edit-guided is registered as %s, not (%s) returning 2 values"
            % (c.report.get("plug-in-oaimg-edit-guided"), guided.strip()))
    c.check(c.report.get("plug-in-oaimg-settings", [""])[0] == "1",
            "plug-in-oaimg-settings is registered as %s" % c.report.get("plug-in-oaimg-settings"))


def check_results_choose(c):
    """After a run the shown result is the active layer, not its mask; a second run's group lands
    above the first; layers are "Result 1" ... n; next / previous wrap round, each leaving the
    shown result active; keep removes the others; a plain layer is refused."""
    r = c.report
    c.check(r.get("first", [""])[1:] == ["Result 1;Result 2;"], "layer names %s" % r.get("first"))
    active = r.get("active-after-first", ["", "", ""])
    c.check(active[1:] == ["Result 1", "0"], "after the run the active drawable is %s" % active)
    group1, group2, name2, layer = r.get("groups", ["", "", "", ""])
    c.check(name2 == "a blue cube", "group named %r" % name2)
    tree = [entry.split(":")[0] for entry in r.get("tree", ["", ""])[1].split(";") if entry]
    c.check(tree[:3] == [group2, group1, layer], "the second group is not above the first: %s"
            % r.get("tree"))
    # Start: result 0 shown; next 1, 2, 0 (wraps), previous 2 (wraps), 1.
    for i, want in enumerate((1, 2, 0, 2, 1)):
        shown = r.get("step-%d-shown" % i, [""])[0]
        c.check(shown == "".join("1" if k == want else "0" for k in range(3)),
                "step %d: shown %r, wanted result %d" % (i, shown, want))
        act = r.get("step-%d-active" % i, ["", "", ""])
        # GIMP keeps names unique in an image: the second group's "Result 1" is "Result 1 #1".
        c.check(act[1].split(" #")[0] == "Result %d" % (want + 1) and act[2] == "0",
                "step %d: active %s" % (i, act))
    kept = r.get("kept", ["", ""])
    c.check([n.split(" #")[0] for n in kept[0].split(";") if n] == ["Result 2"],
            "kept %s" % kept[0])
    c.check(kept[1:] == ["2"], "keep changed the other group: %s" % kept)
    c.check(r.get("on-plain-layer") == ["error"], "next-result on a plain layer: %s"
            % r.get("on-plain-layer"))
    c.check("Select a result layer of OpenAI Images" in c.output,
            "no message asks for a result layer: %s" % c.messages())
    c.check(len(c.requests()) == 2, "server saw %d requests" % len(c.requests()))


def geometry(c, step):
    path = os.path.join(c.out, "geometry-%d" % step)
    if not os.path.exists(path):
        return {}
    return {k: int(v) for k, v in (line.strip().split("=", 1) for line in open(path)
                                   if "=" in line) if v.isdigit()}


def check_interactive_prompt(c):
    ok, _ = c.call("failed")
    c.check(not ok, "the first run succeeded against a failing server")
    c.unchanged("failed")
    log = c.requests()
    c.check(len(log) == 4, "server saw %d requests, not 3 (1 + 2 retries) then 1"
            % len(log))
    prompts = [r["fields"].get("prompt") for r in log]
    c.check(prompts[:1] == [TYPED_PROMPT], "sent %r, not the typed prompt" % prompts[:1])
    c.check(all(p == TYPED_PROMPT for p in prompts),
            "the second dialog did not come back with the typed prompt: sent %r" % prompts[-1:])
    ok, results = c.call("edit")
    if c.check(ok, "the second run failed: %s" % c.messages()):
        group = c.report.get("edit-group", ["", ""])
        c.check(len(results) == 1 and TYPED_PROMPT.strip().startswith(group[1].rstrip("…")),
                "the second run gave %d layers in a group named %r" % (len(results), group[1]))
    g = geometry(c, 1)
    c.facts["dialog_geometry"] = g
    c.check(0 < g.get("WIDTH", 0) <= DIALOG_MAX_WIDTH,
            "the dialog is %s px wide with a %d-character prompt" % (g.get("WIDTH"),
                                                                   len(TYPED_PROMPT)))
    history = os.path.join(c.profile, "oaimg", "history.ini")
    text = open(history, encoding="utf-8").read() if os.path.exists(history) else ""
    c.check(TYPED_PROMPT.strip()[:40] in text, "the prompt is not in the history")


def check_interactive_edit(c):
    ok, results = c.call("edit")
    if c.check(ok, "interactive edit failed: %s" % c.messages()):
        c.group_ok(results, 1, PROMPT)
    c.check(len(c.requests()) == 1, "not exactly one request")


def check_interactive_cancel(c):
    c.check(c.report.get("edit") == ["cancelled"], "the run ended %s, not cancelled"
            % c.report.get("edit"))
    c.unchanged("edit")
    c.check(len(c.requests()) <= 1, "more than one request was sent")


def check_interactive_dialogs_zh(c):
    ok, results = c.call("edit")
    if c.check(ok, "the Chinese edit failed: %s" % c.messages()):
        c.group_ok(results, 1, PROMPT)
    texts_path = os.path.join(c.out, "texts")
    texts = open(texts_path, encoding="utf-8").read() if os.path.exists(texts_path) else ""
    c.facts["texts"] = texts
    c.check("重绘选区" in texts and "OpenAI 图像设置" in texts,
            "the dialogs' texts were not all collected: %r" % texts)
    english = english_left(texts)
    c.check(not english, "English in the Chinese dialogs: %s" % english)


def check_interactive_guide(c):
    """The 2.10 dialog's Guide layer: offered once a 2.5 model is typed in, the layer chosen with
    the keyboard is sent as markup (no mask), and the dialog says what the selection then does."""
    ok, results = c.call("edit")
    c.check(ok, "the guided dialog's run failed: %s" % c.messages())
    log = c.requests()
    fields = [sorted(f["field"] for f in r["files"]) for r in log]
    c.facts["sent"] = fields
    c.facts["models"] = [r["fields"].get("model") for r in log]
    c.check(fields == [["image", "markup"]] and c.facts["models"] == ["gpt-image-2.5-flare"],
            "the dialog sent %s to %s" % (fields, c.facts["models"]))
    texts_path = os.path.join(c.out, "texts")
    texts = open(texts_path, encoding="utf-8").read() if os.path.exists(texts_path) else ""
    c.facts["texts"] = texts
    c.check("Guide layer:" in texts, "the dialog shows no Guide layer choice")
    c.check("not sent as a mask" in texts, "the dialog does not say what the selection does")


def check_interactive_test_connection(c):
    """With the key in use Test Connection reports it accepted; with a wrong key typed into the
    key field it reports the server's refusal; closing without Save stores nothing."""
    texts_path = os.path.join(c.out, "texts")
    texts = open(texts_path, encoding="utf-8").read() if os.path.exists(texts_path) else ""
    c.facts["texts"] = texts
    c.check("the key was accepted" in texts, "the first test did not report success")
    c.check("refused the key (HTTP 401)" in texts, "the second test did not report the refusal")
    with urllib.request.urlopen(c.server_url + "/_control/log", timeout=10) as r:
        log = [x for x in json.loads(r.read())["requests"] if x["path"] == "/v1/models"]
    c.check([x["auth_ok"] for x in log] == [True, False],
            "the server saw %s" % [(x["path"], x["auth_ok"]) for x in log])
    c.check(not os.path.exists(os.path.join(c.profile, "oaimg", "api-key")),
            "a key was stored although Settings was closed without saving")


def check_interactive_settings(c):
    c.check(c.report.get("settings") == ["ok"], "the settings dialog: %s"
            % c.report.get("settings"))
    key_file = os.path.join(c.profile, "oaimg", "api-key")
    c.check(os.path.exists(key_file) and os.stat(key_file).st_mode & 0o777 == 0o600,
            "the key file is missing or not 0600")
    c.check(os.path.exists(key_file) and open(key_file).read().strip() == c.key,
            "the stored key is not the typed one")
    c.check(os.path.exists(os.path.join(c.profile, "oaimg", "settings.ini")),
            "settings.ini was not written")
    ok, _ = c.call("edit")
    c.check(ok, "edit with the stored key failed: %s" % c.messages())
    log = c.requests()
    c.check(len(log) == 1 and log[0]["auth_ok"], "the stored key was not sent")
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

# How far from the old edge the put-back blends into the old image: past this, old pixels stay.
EXTEND_SEAM_LIMIT = 96


def check_extend_right(c):
    ok, results = c.call("extend")
    if not c.check(ok, "extend failed: %s" % c.messages()):
        return
    c.check(c.report.get("image", [])[:2] == ["416", "120"],
            "canvas %s, wanted 416x120" % c.report.get("image"))
    c.check(c.report.get("layer-offsets") == ["0", "0"],
            "the old layer moved to %s" % c.report.get("layer-offsets"))
    c.source_untouched("extend")
    c.group_ok(results, 2, PROMPT)
    before, bw, _ = c.png("extend-before.png")
    after, w, h = c.png("extend-after.png")
    wrong_old = wrong_new = 0
    for y in range(h):
        for x in range(w):
            p = after[(y * w + x) * 4:(y * w + x) * 4 + 4]
            if x < 160 - EXTEND_SEAM_LIMIT:
                wrong_old += tuple(p) != tuple(before[(y * bw + x) * 4:(y * bw + x) * 4 + 4])
            elif x >= 160:
                wrong_new += not (gc.near(tuple(p[:3]), gc.RED) and p[3] == 255)
    c.check(wrong_old == 0, "%d old pixels away from the seam changed" % wrong_old)
    c.check(wrong_new == 0, "%d pixels of the new area are not the result's" % wrong_new)
    log = c.requests()
    c.check(log and all(r["path"] == "/v1/images/edits" for r in log),
            "server saw %s" % [(r["path"], r["status"]) for r in log])
    c.check(c.report.get("after-next") == ["0", "1"],
            "next result did not show result 2: %s" % c.report.get("after-next"))
    second, w2, _ = c.png("second-shown.png")
    i = (60 * w2 + 400) * 4
    c.check(gc.near(tuple(second[i:i + 3]), gc.GREEN), "result 2 does not show its own colour")


def check_extend_failure_restores_canvas(c):
    ok, _ = c.call("extend")
    c.check(not ok, "the extension succeeded against a failing server")
    c.unchanged("extend")
    c.check(c.report.get("image", [])[:2] == ["160", "120"],
            "canvas %s after a failure" % c.report.get("image"))
    c.check("500" in c.output, "GIMP's output does not name the failure: %s" % c.messages())
    ok, _ = c.call("nothing")
    c.check(not ok, "an extension by nothing succeeded")
    c.check("Give at least one side" in c.output, "no message says what to add: %s"
            % c.messages())
    c.check(c.report.get("nothing-image") == ["160", "120"], "extending by nothing changed it")
    c.check(len(c.requests()) == 3, "expected the 3 failing attempts only, server saw %d"
            % len(c.requests()))


def check_interactive_extend(c):
    """The square became 16:9 from the dialog opened in the menu; the stand-in got the typed
    prompt; the dialog showed its plan; the next dialog opens as this one was left."""
    size = [int(v) for v in c.report.get("image", ["0", "0"])[:2]]
    c.facts["canvas"] = size
    if not c.check(size[1] == 512 and abs(size[0] * 9 - 512 * 16) <= 9,
                   "the canvas is %s, not 16:9 of the 512 square: %s" % (size, c.messages())):
        return
    left = (size[0] - 512) // 2
    c.check(c.report.get("layer-offsets") == [str(left), "0"],
            "the old layer is at %s, not centred (%d, 0)" % (c.report.get("layer-offsets"), left))
    tree = c.report.get("extend-tree-after", ["0", ""])
    c.check(tree[0] == "2" and tree[1].split(";")[0].endswith(":group"),
            "no result group above the image: %s" % tree)
    log = c.requests()
    c.check(len(log) == 1 and log[0]["path"] == "/v1/images/edits" and
            log[0]["fields"].get("prompt") == PROMPT and log[0]["fields"].get("model") == MODEL,
            "server saw %s" % [(r["path"], r["fields"].get("prompt")) for r in log])
    texts_path = os.path.join(c.out, "texts")
    texts = open(texts_path, encoding="utf-8").read() if os.path.exists(texts_path) else ""
    c.facts["texts"] = texts
    c.check("New canvas %d × 512" % size[0] in texts, "the dialog did not show the new canvas")
    stored = open(os.path.join(c.profile, "oaimg", "last-values.ini"), encoding="utf-8").read()
    c.check("aspect=16:9" in stored and "mode=1" in stored and "prompt=" + PROMPT in stored,
            "the next dialog would not open as this one was left: %s" % stored)


def check_edit_past_layer(c):
    def before(x, y):
        return gc.BLUE if 20 <= x < 120 and 20 <= y < 100 else gc.WHITE
    c.edit_ok(outside=before)


def check_edit_references(c):
    """One edit with the two linked layers as references after the edited region, in stack
    order, at their own sizes, colours and opacity; none on DALL·E 2 or with the active layer
    unlinked; sixteen refused before anything is sent."""
    sys.path.insert(0, os.path.join(HERE, "..", "server"))
    import base64
    import images
    log = c.requests()
    c.facts["fields"] = [[f["field"] for f in r["files"]] for r in log]
    c.check(len(log) == 3, "%d requests, wanted 3 (gpt, dall-e-2, unlinked; none over the "
            "limit)" % len(log))
    ok, _ = c.call("edit")
    c.check(ok, "edit with references failed: %s" % c.messages())
    if log:
        files = [(f["field"], images.decode_png(base64.b64decode(f["b64"]))) for f in log[0]["files"]]
        c.check([f for f, _ in files] == ["image[]", "image[]", "image[]", "mask"],
                "fields sent: %s" % [f for f, _ in files])
        if len(files) == 4:
            edited, first, second = files[0][1], files[1][1], files[2][1]
            c.facts["sizes"] = [(i.width, i.height) for _, i in files]
            c.check(gc.near(edited.at(edited.width // 2, edited.height // 2)[:3], gc.BLUE),
                    "the first image is not the edited layer's region")
            c.check((first.width, first.height) == (40, 30) and
                    gc.near(first.at(5, 5), gc.RED + (255,)),
                    "the first reference is not the red layer: %dx%d %s"
                    % (first.width, first.height, first.at(5, 5)))
            c.check((second.width, second.height) == (20, 10) and
                    gc.near(second.at(5, 5), gc.GREEN + (128,)),
                    "the second reference is not the green layer at 50%%: %dx%d %s"
                    % (second.width, second.height, second.at(5, 5)))
    for i, tag in ((1, "dalle"), (2, "unlinked")):
        ok, _ = c.call(tag)
        c.check(ok, "%s edit failed: %s" % (tag, c.messages()))
        if len(log) > i:
            fields = [f["field"] for f in log[i]["files"]]
            c.check(fields == ["image", "mask"], "%s sent %s" % (tag, fields))
    ok, _ = c.call("limit")
    c.check(not ok, "sixteen references did not fail")
    c.unchanged("limit")
    c.check("16 reference layers" in c.output and "at most 15" in c.output,
            "GIMP's output does not name the limit: %s" % c.messages())


def check_interactive_references(c):
    """The linked layers in the GTK 2 dialog as thumbnails with their names; Send makes one edit
    with them after the edited image."""
    ok, _ = c.call("edit")
    c.check(ok, "interactive edit failed: %s" % c.messages())
    log = c.requests()
    if c.check(len(log) == 1, "%d requests, wanted one" % len(log)):
        fields = [f["field"] for f in log[0]["files"]]
        c.check(fields == ["image[]", "image[]", "image[]", "mask"], "fields sent: %s" % fields)
    texts_path = os.path.join(c.out, "texts")
    texts = open(texts_path, encoding="utf-8").read() if os.path.exists(texts_path) else ""
    c.facts["texts"] = texts
    for text in ("Reference layers, sent after the edited one:", "red ref", "green ref"):
        c.check(text in texts, "the dialog did not show %r" % text)


def check_usage_total(c):
    """Each result's provenance carries the run's tokens; the image's parasite sums both runs."""
    totals = []
    for tag, name in (("first", "usage-1.json"), ("second", "usage-2.json")):
        ok, results = c.call(tag)
        if not c.check(ok, "%s run failed: %s" % (tag, c.messages())):
            return
        prov = json.load(open(os.path.join(c.out, "%s-result-0-provenance.json" % tag),
                              encoding="utf-8"))
        usage = prov.get("usage") or {}
        c.check(usage.get("input_text_tokens", 0) > 0 and usage.get("input_image_tokens", 0) > 0
                and usage.get("output_tokens", 0) > 0,
                "%s: provenance usage %r lacks tokens" % (tag, usage))
        path = os.path.join(c.out, name)
        if c.check(os.path.exists(path), "no oaimg-usage parasite after the %s run" % tag):
            totals.append((usage, json.loads(open(path, encoding="utf-8").read().rstrip("\0"))))
    c.facts["totals"] = [t for _, t in totals]
    if len(totals) == 2:
        (u1, t1), (u2, t2) = totals
        c.check(t1["runs"] == 1 and t2["runs"] == 2, "runs counted %s" % [t1, t2])
        for key in ("input_text_tokens", "input_image_tokens", "output_tokens", "total_tokens"):
            c.check(t2[key] == u1[key] + u2[key],
                    "%s total %s is not %s + %s" % (key, t2[key], u1[key], u2[key]))


def decode_upload(entry):
    """(rgba, width, height) of an upload the stand-in kept (keep_uploads)."""
    sys.path.insert(0, os.path.join(HERE, "..", "server"))
    import base64
    import images
    decoded = images.decode_png(base64.b64decode(entry["b64"]))
    return decoded.pixels, decoded.width, decoded.height


def box_of(data, w, h, test):
    hits = [i for i in range(w * h) if test(data[i * 4:i * 4 + 4])]
    if not hits:
        return None
    return (min(i % w for i in hits), min(i // w for i in hits), max(i % w for i in hits),
            max(i // w for i in hits))


def check_edit_guide(c):
    """The guide layer sent as markup on 2.5: the image's size, no mask, its opaque pixels
    exactly where the guide was painted over the edited layer (the image's green block)."""
    ok, results = c.call("edit")
    if not c.check(ok, "guided edit failed: %s" % c.messages()):
        return
    c.source_untouched("edit")
    # Above the edited layer, below the guide layer at the top.
    c.check(len(results) == 1, "returned %d layers" % len(results))
    group = c.report.get("edit-group")
    c.check(group is not None and group[2] == "1", "the group is not right above the layer: %s"
            % group)
    log = c.requests()
    if not c.check(len(log) == 1, "server saw %d requests" % len(log)):
        return
    files = {f["field"]: f for f in log[0]["files"]}
    c.facts["fields"] = sorted(files)
    c.check("mask" not in files, "a mask was sent with the markup")
    if not c.check("markup" in files and "image" in files, "uploads %s" % sorted(files)):
        return
    c.check((files["markup"]["width"], files["markup"]["height"]) ==
            (files["image"]["width"], files["image"]["height"]), "markup and image sizes differ")
    img, iw, ih = decode_upload(files["image"])
    mk, mw, mh = decode_upload(files["markup"])
    green = box_of(img, iw, ih, lambda p: p[1] > 200 and p[0] < 60 and p[2] < 60)
    opaque = box_of(mk, mw, mh, lambda p: p[3] > 128)
    c.facts["green_in_image"], c.facts["opaque_in_markup"] = green, opaque
    c.check(any(mk[i * 4 + 3] == 0 for i in range(mw * mh)), "the markup has no transparency")
    c.check(green is not None and opaque is not None and
            all(abs(a - b) <= 1 for a, b in zip(green, opaque)),
            "the guide's strokes %s are not where they were painted %s" % (opaque, green))


def check_edit_guide_refused(c):
    """A guide on gpt-image-1.5, the edited layer as guide, an opaque guide: each refused with a
    message naming what is wrong and what would be right, nothing sent, the image as it was; the
    edit without guide (the old procedure) then works as before."""
    words = {"model": ["gpt-image-1.5 takes no guide layer", "gpt-image-2.5-flare"],
             "same": ["guide layer is the layer being repainted", "None"],
             "opaque": ["“Arrows” has no transparent pixels", "Transparency"]}
    for tag, expected in words.items():
        ok, _ = c.call(tag)
        c.check(not ok, "%s: the guided edit succeeded" % tag)
        c.unchanged(tag)
        for w in expected:
            c.check(w in c.output, "%s: GIMP's output does not say %r: %s"
                    % (tag, w, c.messages()))
    ok, _ = c.call("plain")
    c.check(ok, "the edit without guide failed: %s" % c.messages())
    log = c.requests()
    c.check(len(log) == 1 and {f["field"] for f in log[0]["files"]} == {"image", "mask"},
            "expected only the plain edit (image and mask), server saw %s"
            % [[f["field"] for f in r["files"]] for r in log])


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items()
          if name.startswith("check_")}
FAULTS = {
    "rate_limit_then_success": [{"kind": "status", "status": 429,
                                 "headers": {"Retry-After": "1"}, "times": 1}],
    "server_error_leaves_image": [{"kind": "status", "status": 500, "times": 10}],
    "extend_failure_restores_canvas": [{"kind": "status", "status": 500, "times": 10}],
    # The first run's three attempts fail; the second run then succeeds.
    "interactive_prompt": [{"kind": "status", "status": 500, "times": 3}],
}
# The stand-in's own settings for a case: a slow answer to cancel during.
CONFIG = {"interactive_cancel": {"delay": 20}, "interactive_edit": {"delay": 4},
          "edit_guide": {"keep_uploads": True},
          "edit_references": {"keep_uploads": True},
          "interactive_extend": {"delay": 4}}


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
        if args.case in CONFIG:
            urllib.request.urlopen(urllib.request.Request(
                server_url + "/_control/config", data=json.dumps(CONFIG[args.case]).encode(),
                method="POST", headers={"Content-Type": "application/json"}), timeout=10).read()
        if args.case in FAULTS:
            urllib.request.urlopen(urllib.request.Request(
                server_url + "/_control/faults", data=json.dumps(
                    {"faults": FAULTS[args.case]}).encode(), method="POST",
                headers={"Content-Type": "application/json"}), timeout=10).read()
        # babl's, GEGL's and GIMP's caches are shared by the cases (babl's takes a minute to
        # build); liboaimg's once-a-day model-check stamps are each run's own, so that a case
        # starting in parallel cannot stamp the model the warning's case is about.
        cache = os.path.join(root, "cache")
        os.makedirs(cache)
        for name in ("babl", "gegl-0.4", "gimp"):
            os.makedirs(os.path.join(args.cache_dir, name), exist_ok=True)
            os.symlink(os.path.join(args.cache_dir, name), os.path.join(cache, name))
        model_checks_done_today(os.path.join(cache, "oaimg"),
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
        env.update(HOME=home, XDG_CACHE_HOME=cache, LANG="C.UTF-8", LANGUAGE="",
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
        if args.case == "interactive_extend":
            os.makedirs(os.path.join(profile, "oaimg"), mode=0o700)
            with open(os.path.join(profile, "oaimg", "last-values.ini"), "w") as f:
                f.write(EXTEND_LAST_VALUES)
            # The box opens empty (last-values has no prompt): the prompt sent is this one.
            with open(os.path.join(profile, "oaimg", "history.ini"), "w") as f:
                f.write("[prompts]\nprompt=%s;\n" % PROMPT)
        if args.case.endswith("_zh"):
            env["LANG"] = env["LC_ALL"] = "zh_CN.UTF-8"
            env["LANGUAGE"] = "zh_CN"
        os.environ["OPENAI_BASE_URL"] = env.get("OPENAI_BASE_URL", "")
        # One batch command: each -b is evaluated apart, and what a load defines does not last.
        batch = '(begin (load "%s") (oaimg-e2e "%s" "%s"))' % (os.path.join(HERE, "cases.scm"),
                                                              args.case, out)
        cmd = [GIMP, "-i", "-d", "-f", "-b", batch, "-b", "(gimp-quit 0)"]
        timeout = GIMP_TIMEOUT_S
        if args.case in INTERACTIVE_STEPS:
            if shutil.which(GIMP_GUI) is None or shutil.which("Xvfb") is None or \
               shutil.which("xdotool") is None:
                print("SKIP: %s, Xvfb or xdotool is not installed" % GIMP_GUI)
                return 77
            files = {"{prompt}": TYPED_PROMPT, "{short}": PROMPT, "{typed}": key}
            steps = []
            for step in INTERACTIVE_STEPS[args.case]:
                for mark, text in files.items():
                    if mark in step:
                        name = os.path.join(root, mark.strip("{}"))
                        with open(name, "w") as f:
                            f.write(text)
                        step = step.replace(mark, name)
                steps.append(step.replace("{dir}", out))
            if args.case == "interactive_settings":
                # The key is typed into the dialog, as a user would.
                del env["OPENAI_API_KEY"]
                key_file = os.path.join(profile, "oaimg", "api-key")
            # No desktop keyring: the key goes to the 0600 file in the profile.
            env.pop("DBUS_SESSION_BUS_ADDRESS", None)
            env.update(OAIMG_E2E_GIMP2="1", OAIMG_E2E_DIR=out,
                       OAIMG_DIALOG_TEXTS=os.path.join(out, "texts"))
            cmd = ["sh", INTERACTIVE_SH, batch] + steps
            timeout = GIMP_GUI_TIMEOUT_S
        started = time.monotonic()
        # Its own process group, so that a hung GIMP is stopped with its plug-ins and Xvfb.
        gimp = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            stdout, _ = gimp.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(gimp.pid, signal.SIGKILL)
            stdout, _ = gimp.communicate(timeout=30)
            print(stdout.decode(errors="replace")[-6000:])
            print("FAIL: GIMP did not finish in %d s" % timeout)
            return 1
        proc = subprocess.CompletedProcess(cmd, gimp.returncode, stdout)
        output = proc.stdout.decode(errors="replace")
        print("gimp exited %d after %.1f s" % (proc.returncode, time.monotonic() - started))

        c = Case(args.case, out, server_url, output)
        c.profile, c.key = profile, key
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
        typed = os.path.join(root, "typed")
        leaked = [p for p in files_containing(root, key.encode()) if p not in (key_file, typed)]
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
        if os.path.isdir(os.path.join(root, "out")):
            keep_screenshots(os.path.join(root, "out"), "gimp2-" + args.case)
        if server is not None:
            stop(server)
        if os.environ.get("OAIMG_E2E_KEEP") != "1":
            shutil.rmtree(root, ignore_errors=True)
        else:
            print("kept", root)


if __name__ == "__main__":
    sys.exit(main())
