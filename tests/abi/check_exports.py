#!/usr/bin/env python3
"""Checks that liboaimg.so exports exactly the functions oaimg.h declares with OAIMG_API.

A symbol declared but not exported breaks every caller at link time; a symbol exported but not
declared becomes ABI that nobody meant to promise. Both have to be caught before a release.
Usage: check_exports.py HEADER LIBRARY
"""
import re
import subprocess
import sys


def declared(header_path):
    text = open(header_path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    names = set()
    for decl in re.findall(r"OAIMG_API\b([^;]*?)\(", text, flags=re.S):
        match = re.search(r"(oaimg_\w+)\s*$", decl.strip())
        if match:
            names.add(match.group(1))
    return names


def exported(library_path):
    out = subprocess.run(["nm", "-D", "--defined-only", library_path],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in ("T", "W", "D", "B", "R", "V", "i"):
            names.add(parts[2].split("@")[0])
    return names


def main():
    header, library = sys.argv[1], sys.argv[2]
    want, have = declared(header), exported(library)
    if len(want) < 50:
        print(f"only {len(want)} declarations found in {header}: the parser is broken")
        return 1
    missing, extra = sorted(want - have), sorted(have - want)
    for name in missing:
        print(f"declared in oaimg.h but not exported: {name}")
    for name in extra:
        print(f"exported but not declared in oaimg.h: {name}")
    print(f"{len(want)} declared, {len(have)} exported")
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
