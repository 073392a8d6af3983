#!/usr/bin/env python3
"""Runs one GIMP 3 end-to-end case: the stand-in server on the host, GIMP in batch mode in the
Debian 13 chroot (install/gimp3-chroot.sh), and the checks of gimp_cases.py.

    run_case.py --chroot-script install/gimp3-chroot.sh --server tests/server/fake_openai.py CASE

Each run gets a fresh GIMP profile and a random key. The key reaches GIMP only through the
environment (never argv, so not in `ps`); afterwards no file GIMP wrote and none of its output
may contain it.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from gimp_e2e import (closed_port, files_containing, keep_screenshots,  # noqa: E402
                      model_checks_done_today, start_server, stop)

# Cases that run a test program of the plug-in's build folder in the chroot instead of GIMP; it
# passes by exiting 0.
PROGRAM_CASES = {
    "job_cancel_before_insert": "/opt/oaimg-build/gimp-plugin/oaimg_plugin_job_test",
    "dialog_logic": "/opt/oaimg-build/gimp-plugin/oaimg_plugin_dialog_logic_test",
}
# GIMP starts slowly on a busy machine (two minutes were seen under load), so the bound is wide.
GIMP_TIMEOUT_S = 480
# What the "user" does in the GUI cases (interactive.sh): window title | keys [| text to type].
INTERACTIVE_STEPS = {
    "interactive_edit": ["Inpaint Selection|alt+e"],
    # Three selected layers: the dialog with the references' thumbnails, Send; then on dall-e-2
    # the row greyed out with its note, closed.
    # dall-e-2 typed into the model box (GIMP brings back the last run's model), the screen,
    # then Send.
    "interactive_references": ["Inpaint Selection|alt+e",
                               "Inpaint Selection|alt+m ctrl+a d a l l minus e minus 2 pause",
                               "!greyed|alt+e"],
    # The same while other X servers hold the displays :90-:189 (BUSY_DISPLAYS).
    "interactive_busy_displays": ["Inpaint Selection|alt+e"],
    # Send, then the progress window's screen twice while the server streams its partials.
    "interactive_stream": ["Inpaint Selection|alt+e", "Working: Inpaint Selection|", "!partial"],
    # Send, then the progress window's screen while the retry after a 429 counts down.
    "interactive_retry": ["Inpaint Selection|alt+e", "Working: Inpaint Selection|"],
    # No key: the dialog saying so, its Settings button, Settings closed, the job dialog closed.
    "interactive_no_key": ["No API key|alt+s", "OpenAI Images Settings|Escape",
                           "Inpaint Selection|Escape"],
    # Sample merged ticked by its mnemonic, then Send.
    "interactive_sample_merged": ["Inpaint Selection|alt+d pause ctrl+Return"],
    # Filters, the submenu by its mnemonic, the menu's screen, Inpaint by its mnemonic, Escape.
    # The Chinese submenu's mnemonic is E: GIMP's Chinese Filters menu already has an O
    # (合成(O), Combine), where the first O press would land.
    "interactive_menu_zh": ["@{dir}/ready", ".*GIMP|alt+r pause e", "!menu|i", "重绘选区|Escape"],
    # Send, then Cancel in the progress window while the server waits.
    "interactive_cancel": ["Inpaint Selection|alt+e", "Working: Inpaint Selection|Escape"],
    "interactive_settings": ["OpenAI Images Settings|alt+s|{typed}"],
    # The same under a D-Bus session with an unlocked GNOME keyring (keyring.sh).
    "interactive_settings_keyring": ["OpenAI Images Settings|alt+s|{typed}"],
    # Send, then Ctrl+Z in the image window once the script says the run is over.
    "interactive_undo": ["Inpaint Selection|alt+e", "@{dir}/ran", ".*Untitled.*|ctrl+z"],
    # Typed straight into the freshly opened dialog and sent with Ctrl+Return; the run fails
    # (server error), and the next dialog comes back with the prompt, sent again as it is.
    "interactive_model_limits": ["Inpaint Selection|ctrl+Return", "Variations|ctrl+Return",
                                 "New Layers from Prompt|ctrl+Return Escape"],
    # Both dialogs in Simplified Chinese: Send, then the progress window, then Settings closed.
    "interactive_dialogs_zh": ["重绘选区|ctrl+Return", "OpenAI 图像设置|Escape"],
    # Test Connection, then close: with the key in use, then with a wrong one typed in.
    "interactive_test_connection": ["OpenAI Images Settings|alt+n pause Escape",
                                    "OpenAI Images Settings|alt+n pause Escape|{prompt}"],
    # Reset ▸ Reset to Factory Defaults (Alt+R, Alt+F), then close the dialog.
    "interactive_reset_defaults": ["Inpaint Selection|alt+r pause alt+f pause Escape pause Escape"],
    # Filters (Alt+R) ▸ OpenAI Images (its mnemonic O), then the screen is kept.
    "interactive_menu": ["@{dir}/ready", ".*Untitled.*|alt+r pause o", "!menu"],
    "interactive_prompt": ["Inpaint Selection|ctrl+Return|{prompt}", "Inpaint Selection|ctrl+Return"],
    # Sent with the guide layer on 2.5; then the model typed over with gpt-image-1.5 (Alt+M,
    # select all), the greyed-out guide's screen kept, and sent without it.
    # Reset ▸ Reset to Factory Defaults (Alt+R, Alt+F) with a guide chosen, a prompt typed
    # (Alt+P, then "ab"), then sent with Ctrl+Return.
    "interactive_guide_reset": ["Inpaint Selection|alt+r pause alt+f pause", "!reset|alt+p a b ctrl+Return"],
    "interactive_guide": ["Inpaint Selection|alt+e", "Inpaint Selection|alt+m ctrl+a",
                          "!typing|g p t minus i m a g e minus 1 period 5",
                          "!greyed|alt+e"],
    # Filters ▸ OpenAI Images ▸ Extend Canvas by keyboard (OpenAI Images is the Filters menu's
    # last entry: Up reaches it, where O would stop at Combine and Decor first); To aspect ratio
    # (Alt+A), its ratio (Alt+I) moved up from the stored 3:2 to 16:9, the prompt chosen from Used
    # before (Alt+U, the one stored), the screen kept, then sent.
    "interactive_extend": ["@{dir}/ready", ".*Untitled.*|alt+r pause Up Right", "!menu|e",
                           "Extend Canvas|alt+a alt+i Up alt+u Down", "!extend|ctrl+Return"],
}
# What the Extend Canvas dialog held when last closed (By pixels, nothing to add, 3:2): the
# interactive case starts from it, so that choosing the aspect ratio is the user's doing.
EXTEND_LAST_VALUES = ("[extend]\nprompt=\nn=1\nmodel=dall-e-2\nmode=0\nleft=0\ntop=0\nright=0\n"
                      "bottom=0\naspect=3:2\nedge=0\n")
# What the user types into the prompt box: it starts with a space (which once pressed a button
# of the dialog) and is long enough (330 characters) to have widened the old one-line entry.
TYPED_PROMPT = (" a lighthouse on a rocky shore at dusk, " * 9)[:330]


BUSY_DISPLAYS = range(90, 190)


def hold_displays(chroot):
    """X lock files for displays that no server uses yet, naming a live process (pid 1), as a
    parallel case's Xvfb would leave them: interactive.sh must find a display of its own. Returns
    the files made, for release_displays()."""
    made = []
    for number in BUSY_DISPLAYS:
        path = os.path.join(chroot, "tmp", ".X%d-lock" % number)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            continue
        os.write(fd, b"%10d\n" % 1)
        os.close(fd)
        made.append(path)
    return made


def release_displays(made):
    for path in made:
        try:
            os.remove(path)
        except OSError:
            pass


def in_place(env):
    """The native stand-in for `gimp3-chroot.sh run`: the same clean environment, no chroot."""
    passed = ["%s=%s" % (n, env[n]) for n in env["OAIMG_CHROOT_PASS_ENV"].split() if n in env]
    return ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"] + passed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chroot-script", required=True)
    ap.add_argument("--server", required=True)
    # GIMP 3 native on this machine (Debian 13): the built plug-in folder, the system plug-in
    # folder (all of it but an installed oaimg is linked into the profile), the job test program.
    ap.add_argument("--native-plugin-dir")
    ap.add_argument("--system-plugins")
    ap.add_argument("--job-test")
    ap.add_argument("--dialog-logic-test")
    ap.add_argument("case")
    args = ap.parse_args()
    native = args if args.native_plugin_dir else None

    if os.geteuid() != 0 and not native:
        print("SKIP: the GIMP 3 tests need root for the chroot")
        return 77
    chroot = os.environ.get("OAIMG_CHROOT", "/var/tmp/oaimg-trixie")
    if native:
        chroot = "/"
    elif not os.path.exists(os.path.join(chroot, ".oaimg-chroot-complete")):
        print("FAIL: no chroot at %s: run install/gimp3-chroot.sh install" % chroot)
        return 1

    key = "sk-e2e-" + secrets.token_hex(16)
    inside = tempfile.mkdtemp(prefix="oaimg-e2e-%s-" % args.case, dir=os.path.join(chroot, "tmp"))
    rel = "/tmp/" + os.path.basename(inside)  # the same folder as seen from inside the chroot
    if native:
        # Only the built plug-in, not one installed system-wide: the profile's plug-in path holds
        # it and links to every other system plug-in (python-fu-eval among them).
        plugins = inside + "/home/.config/GIMP/3.0/plug-ins"
        os.makedirs(plugins)
        for name in os.listdir(native.system_plugins):
            if name != "oaimg":
                os.symlink(os.path.join(native.system_plugins, name), os.path.join(plugins, name))
        shutil.copytree(native.native_plugin_dir, os.path.join(plugins, "oaimg"))
        with open(inside + "/home/.config/GIMP/3.0/gimprc", "w") as f:
            f.write('(plug-in-path "${gimp_dir}/plug-ins")\n')
        PROGRAM_CASES["job_cancel_before_insert"] = native.job_test
        PROGRAM_CASES["dialog_logic"] = native.dialog_logic_test
    host_tmp = tempfile.mkdtemp(prefix="oaimg-e2e-server-")
    server = None
    held = []
    try:
        shutil.copy(os.path.join(HERE, "gimp_cases.py"), inside)
        shutil.copy(os.path.join(HERE, "interactive.sh"), inside)
        shutil.copy(os.path.join(HERE, "keyring.sh"), inside)
        shutil.copy(os.path.join(HERE, "..", "support", "dialog_texts.py"), inside)
        # The stand-in's PNG decoder, for the cases that look at the uploads' pixels.
        shutil.copy(os.path.join(HERE, "..", "server", "images.py"), inside)
        server, port = start_server(args.server, key, host_tmp)
        base_url = "http://127.0.0.1:%d/v1" % port
        env = dict(os.environ,
                   HOME=rel + "/home",
                   OPENAI_API_KEY=key,
                   OPENAI_BASE_URL=base_url,
                   OAIMG_E2E_CASE=args.case,
                   OAIMG_E2E_REPORT=rel + "/report.json",
                   OAIMG_E2E_SERVER="http://127.0.0.1:%d" % port,
                   OAIMG_CHROOT_PASS_ENV="HOME OPENAI_API_KEY OPENAI_BASE_URL OAIMG_E2E_CASE "
                                         "OAIMG_E2E_REPORT OAIMG_E2E_SERVER")
        key_file = typed_file = lookup_file = stale_file = None
        stale_key = "sk-stale-" + secrets.token_hex(16)
        if args.case == "unreachable_server":
            env["OPENAI_BASE_URL"] = "http://127.0.0.1:%d/v1" % closed_port()
        if args.case == "stored_settings":
            # What the Settings dialog writes: settings.ini and the owner-only key file.
            profile = inside + "/home/.config/GIMP/3.0/oaimg"
            os.makedirs(profile, mode=0o700)
            with open(profile + "/settings.ini", "w") as f:
                f.write("[connection]\nbase_url=%s\ndefault_model=\ntimeout_s=120\n" % base_url)
            key_file = profile + "/api-key"
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, key.encode())
            os.close(fd)
            env["OAIMG_CHROOT_PASS_ENV"] = "HOME OAIMG_E2E_CASE OAIMG_E2E_REPORT OAIMG_E2E_SERVER"
        if args.case != "model_shutdown_warning":
            model_checks_done_today(inside + "/home/.cache/oaimg")
        if args.case in ("interactive_no_key",):
            env["OAIMG_CHROOT_PASS_ENV"] = env["OAIMG_CHROOT_PASS_ENV"].replace("OPENAI_API_KEY ",
                                                                                "")
        if args.case.endswith("_zh"):
            # The Simplified Chinese catalogue, through the locale as a user would select it.
            env["LANG"] = "zh_CN.UTF-8"
            env["OAIMG_CHROOT_PASS_ENV"] += " LANG"
        os.makedirs(inside + "/home", exist_ok=True)
        if args.case == "interactive_extend":
            os.makedirs(inside + "/home/.config/GIMP/3.0/oaimg", mode=0o700)
            with open(inside + "/home/.config/GIMP/3.0/oaimg/last-values.ini", "w") as f:
                f.write(EXTEND_LAST_VALUES)
            # The box opens empty (last-values has no prompt): the prompt is chosen from Used
            # before, which holds the typed one in GKeyFile's escapes (a leading space is \s).
            stored = TYPED_PROMPT.replace("\\", "\\\\").replace(";", "\\;")
            stored = "\\s" + stored[1:] if stored.startswith(" ") else stored
            with open(inside + "/home/.config/GIMP/3.0/oaimg/history.ini", "w") as f:
                f.write("[prompts]\nprompt=%s;\n" % stored)
        if args.case in INTERACTIVE_STEPS:
            steps = INTERACTIVE_STEPS[args.case]
            if args.case.startswith("interactive_settings"):
                # The key is typed into the dialog, as a user would; only the plug-in's own
                # stores may hold it afterwards.
                typed_file = inside + "/typed"
                with open(typed_file, "w") as f:
                    f.write(key)
                key_file = inside + "/home/.config/GIMP/3.0/oaimg/api-key"
                env["OAIMG_CHROOT_PASS_ENV"] = ("HOME OPENAI_BASE_URL OAIMG_E2E_CASE "
                                                "OAIMG_E2E_REPORT OAIMG_E2E_SERVER")
                steps = [s.replace("{typed}", rel + "/typed") for s in steps]
            steps = [s.replace("{dir}", rel) for s in steps]
            with open(inside + "/prompt", "w") as f:
                f.write(TYPED_PROMPT)
            steps = [s.replace("{prompt}", rel + "/prompt") for s in steps]
            env["OAIMG_E2E_TYPED_PROMPT"] = TYPED_PROMPT
            env["OAIMG_DIALOG_TEXTS"] = rel + "/texts"
            env["OAIMG_CHROOT_PASS_ENV"] += " OAIMG_E2E_TYPED_PROMPT OAIMG_DIALOG_TEXTS"
            env["OAIMG_E2E_DIR"] = rel
            env["OAIMG_CHROOT_PASS_ENV"] += " OAIMG_E2E_DIR"
            cmd = ["bash", args.chroot_script, "run", "sh", rel + "/interactive.sh",
                   rel + "/gimp_cases.py"] + steps
            if args.case == "interactive_settings_keyring":
                # A key file left from before the keyring ran: storing in the keyring must remove
                # it, or the old key would stay readable on disk.
                os.makedirs(os.path.dirname(key_file), mode=0o700)
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.write(fd, stale_key.encode())
                os.close(fd)
                stale_file, key_file = key_file, None
                lookup_file = inside + "/keyring-lookup"
                cmd[3:4] = ["dbus-run-session", "--", "sh", rel + "/keyring.sh"]
        elif args.case in PROGRAM_CASES:
            cmd = ["bash", args.chroot_script, "run", PROGRAM_CASES[args.case]]
        else:
            cmd = ["bash", args.chroot_script, "run", "gimp-console-3.0", "-i", "--no-splash",
                   "--batch-interpreter", "python-fu-eval",
                   "-b", "exec(open('%s/gimp_cases.py').read())" % rel, "--quit"]
        if args.case == "interactive_busy_displays":
            env["OAIMG_E2E_CASE"] = "interactive_edit"
            held = hold_displays(chroot)
        if native:
            # After every change to env: in_place() copies the passed variables into argv.
            cmd = in_place(env) + cmd[3:]
        started = time.monotonic()
        # Its own process group, so that a hung GIMP is stopped with all its plug-ins (and Xvfb).
        gimp = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            output, _ = gimp.communicate(timeout=GIMP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(gimp.pid, signal.SIGKILL)
            output, _ = gimp.communicate(timeout=30)
            print(output.decode(errors="replace")[-6000:])
            print("FAIL: GIMP did not finish in %d s" % GIMP_TIMEOUT_S)
            return 1
        print("gimp exited %d after %.1f s" % (gimp.returncode, time.monotonic() - started))

        failures = []
        report_path = inside + "/report.json"
        if args.case in PROGRAM_CASES:
            if gimp.returncode != 0:
                failures.append("%s exited %d" % (PROGRAM_CASES[args.case], gimp.returncode))
        elif os.path.exists(report_path):
            with open(report_path) as f:
                report = json.load(f)
            failures += report["failures"]
            print("facts:", json.dumps(report["facts"], indent=1))
            # Messages GIMP shows (a plug-in's gimp_message) reach only its output.
            for text in report["facts"].get("output_once", []):
                seen = output.decode(errors="replace").count(text)
                if seen != 1:
                    failures.append("GIMP's output has %r %d times, not once" % (text, seen))
        else:
            failures.append("no report: the case did not run to its end")
        if key.encode() in output:
            failures.append("the API key appears in GIMP's output")
        leaked = [p for p in files_containing(inside, key.encode())
                  if p not in (key_file, typed_file, lookup_file)]
        if lookup_file:
            # In the keyring (as libsecret's secret-tool finds it), not in the profile.
            lookup = open(lookup_file).read().strip() if os.path.exists(lookup_file) else ""
            if lookup != key:
                failures.append("the typed key is not in the desktop keyring (lookup gave %d "
                                "characters)" % len(lookup))
            if os.path.exists(stale_file):
                failures.append("a key file is still in the profile: %s" % stale_file)
            if stale_key.encode() in output:
                failures.append("the old key appears in GIMP's output")
        if args.case == "interactive_settings":
            if not (key_file and os.path.exists(key_file)):
                failures.append("the Settings dialog did not store the key in the profile")
            elif open(key_file).read().strip() != key:
                failures.append("the stored key is not the typed one")
        if leaked:
            failures.append("the API key was written to %s" % leaked)
        if key_file and os.stat(key_file).st_mode & 0o077:
            failures.append("the key file became readable by others")
        if failures:
            print(output.decode(errors="replace")[-6000:])
            for message in failures:
                print("FAIL:", message)
            return 1
        if os.environ.get("OAIMG_E2E_VERBOSE") == "1":
            print(output.decode(errors="replace"))
        print("PASS", args.case)
        return 0
    finally:
        keep_screenshots(inside, args.case)
        release_displays(held)
        if server is not None:
            stop(server)
        shutil.rmtree(host_tmp, ignore_errors=True)
        if os.environ.get("OAIMG_E2E_KEEP") != "1":
            shutil.rmtree(inside, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
