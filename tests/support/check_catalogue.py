#!/usr/bin/env python3
"""The plug-in's message catalogue is whole: every source file with translatable strings is in
POTFILES.in, no translatable string is glued to a macro (xgettext stops the msgid at the macro, so
the message would never be found in a catalogue and would stay English), the template in the tree
is the one the sources give, and every language in LINGUAS translates every message, with format
directives that match (msgfmt --check).

    check_catalogue.py SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

# A translatable literal followed, inside the same call, by an identifier: _("a %" G_GINT64_FORMAT).
GLUED = re.compile(r'\bN?_\s*\(\s*"(?:[^"\\]|\\.)*"\s*[A-Za-z_]')
USES = re.compile(r'\bN?_\s*\(\s*"')


def msgids(pot_path):
    """The set of msgids (with contexts and plurals) of a .pot or .po file, as msgcat prints them."""
    out = subprocess.run(["msgcat", "--no-location", "--no-wrap", "--sort-output", pot_path],
                         check=True, capture_output=True, text=True).stdout
    ids, current = set(), []
    for line in out.splitlines():
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
            current.append(line)
        elif line.startswith("msgstr") and current:
            ids.add("\n".join(current))
            current = []
    ids.discard('msgid ""')
    return ids


def main():
    src = sys.argv[1]
    po_dir = os.path.join(src, "gimp-plugin", "po")
    problems = []

    with open(os.path.join(po_dir, "POTFILES.in"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for path in sorted(set(p for p in listed if listed.count(p) > 1)):
        problems.append(f"POTFILES.in lists {path} more than once")
    for path in listed:
        if not os.path.isfile(os.path.join(src, path)):
            problems.append(f"POTFILES.in lists {path}, which does not exist")

    for root, _dirs, files in os.walk(os.path.join(src, "gimp-plugin")):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if USES.search(text) and rel not in listed:
                problems.append(f"{rel} has translatable strings but is not in POTFILES.in")
            for m in GLUED.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{rel}:{line}: a translatable string is glued to a macro; "
                                "xgettext cuts the message there. Format the value into a string "
                                "first and translate a message with %s")

    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "fresh.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                        "--keyword=g_dngettext:2,3", "--add-comments=TRANSLATORS",
                        "--files-from=" + os.path.join(po_dir, "POTFILES.in"),
                        "--directory=" + src, "--output=" + fresh], check=True)
        committed = msgids(os.path.join(po_dir, "oaimg.pot"))
        wanted = msgids(fresh)
        for m in sorted(wanted - committed):
            problems.append(f"oaimg.pot lacks {m!r}: refresh it with "
                            "`cmake --build build --target oaimg-pot`")
        for m in sorted(committed - wanted):
            problems.append(f"oaimg.pot has {m!r}, which no source has any more")

        with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
            languages = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for lang in languages:
            po = os.path.join(po_dir, lang + ".po")
            merged = os.path.join(tmp, lang + ".po")
            subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, po, fresh],
                           check=True)
            for kind, flag in (("untranslated", "--untranslated"), ("fuzzy", "--only-fuzzy")):
                left = msgids_of_selection(merged, flag, tmp)
                for m in sorted(left):
                    problems.append(f"{lang}.po: {kind}: {m!r}")
            check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, po],
                                   capture_output=True, text=True)
            if check.returncode != 0:
                problems.append(f"{lang}.po fails msgfmt --check: {check.stderr.strip()}")

    for p in problems:
        print(p)
    if problems:
        print(f"catalogue: {len(problems)} problem(s)")
        return 1
    print("catalogue: whole")
    return 0


def msgids_of_selection(po, flag, tmp):
    selected = os.path.join(tmp, "selected.po")
    if os.path.exists(selected):
        os.remove(selected)   # msgattrib writes no file when it selects nothing
    subprocess.run(["msgattrib", flag, "--no-obsolete", "-o", selected, po], check=True)
    return msgids(selected) if os.path.exists(selected) else set()


if __name__ == "__main__":
    sys.exit(main())
