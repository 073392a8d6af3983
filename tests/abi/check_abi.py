#!/usr/bin/env python3
"""Compares liboaimg's ABI with the stored baseline (tests/abi/liboaimg.abi) using libabigail.

    check_abi.py --baseline B --headers DIR [--headers DIR] LIBRARY          check
    check_abi.py --baseline B --headers DIR [--headers DIR] LIBRARY --update  rewrite B
    check_abi.py ... LIBRARY --expect-incompatible NAME   a planted change must be caught

The library (with DWARF: a RelWithDebInfo or Debug build) is read by abidw restricted to what the
public headers declare (--headers, --drop-private-types, exported interfaces only), so the
handles' definitions and the core stay out of it. abidiff then compares the two with
compatible.abignore, which lets through exactly what the ABI rules allow: functions added, and
(libabigail's own harmless category) enumerators appended. Anything else -- a function removed, a
parameter or return type changed, an enumerator renumbered, a public struct changed -- fails.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(library, headers, out_path):
    command = ["abidw", "--exported-interfaces-only", "--drop-private-types", "--no-corpus-path",
               "--no-comp-dir-path", "--no-show-locs", "--no-elf-needed", "--type-id-style",
               "hash", "--out-file", out_path]
    for folder in headers:
        command += ["--headers-dir", folder]
    subprocess.run(command + [library], check=True)
    with open(out_path, encoding="utf-8") as f:
        text = f.read()
    if "function-decl name='oaimg_client_run'" not in text:
        sys.exit("abidw found no DWARF for oaimg_client_run in %s: build with debug info "
                 "(RelWithDebInfo or Debug)" % library)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--headers", action="append", required=True)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--expect-incompatible", metavar="NAME")
    parser.add_argument("library")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oaimg-abi-") as work:
        current = os.path.join(work, "current.abi")
        dump(args.library, args.headers, current)
        if args.update:
            with open(current, encoding="utf-8") as src, \
                    open(args.baseline, "w", encoding="utf-8") as dst:
                dst.write(src.read())
            print("wrote %s" % args.baseline)
            return 0
        r = subprocess.run(["abidiff", "--suppressions", os.path.join(HERE, "compatible.abignore"),
                            args.baseline, current], capture_output=True, text=True)
        report = r.stdout + r.stderr
        if r.returncode & 1:  # libabigail's own failure (bad arguments, unreadable files)
            print(report)
            return 1
        if args.expect_incompatible:
            if r.returncode == 0 or args.expect_incompatible not in report:
                print("the planted change to %s was NOT reported as incompatible (abidiff %d):\n%s"
                      % (args.expect_incompatible, r.returncode, report))
                return 1
            print("planted change caught as it should be (abidiff %d):\n%s" % (r.returncode, report))
            return 0
        if r.returncode != 0:
            print("liboaimg's ABI changed incompatibly against %s (abidiff %d):\n%s\n"
                  "If this change is intended it needs a new major version (SONAME); a compatible "
                  "addition never fails this test. See tests/abi/README.md."
                  % (args.baseline, r.returncode, report))
            return 1
        print("ABI compatible with %s\n%s" % (args.baseline, report))
        return 0


if __name__ == "__main__":
    sys.exit(main())
