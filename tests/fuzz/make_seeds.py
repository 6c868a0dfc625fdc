#!/usr/bin/env python3
"""Writes the fuzz seed corpus, tests/fuzz/seeds/<target>/, from the unit-test tables.

Every string literal in the `#[cfg(test)]` part of the source files a target covers
becomes a seed (Rust escapes decoded, raw strings included). Format strings are also
written with `{{`/`}}` unescaped and `{NAME}` replaced by the file's `const NAME: &str`,
since the tests build many inputs that way (`format!("{TARGET}?sk={KEY}")`). Cookie
seeds also get the JSON literals as the tests encode them (`x_as_i=<encodeURIComponent>`).
Message seeds are the literals and `json!(...)` bodies that are valid JSON documents.

Files are named by the SHA-1 of their content, like libFuzzer's own corpus entries.
Rerun after changing the test tables:  python3 tests/fuzz/make_seeds.py
"""
import hashlib
import glob
import json
import os
import re
import shutil
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds")
MAX_LEN = 4096

TARGETS = {
    "url_referral": ["src/domain/url.rs", "src/domain/attribution.rs", "src/domain/product.rs", "src/domain/session/tests.rs"],
    "cookies": ["src/domain/attribution.rs", "src/app/tests/*.rs"],
    "price": ["src/domain/price/tests.rs", "src/domain/extract.rs"],
    "messages": ["src/domain/messages.rs", "src/domain/record/tests.rs", "src/domain/json/tests.rs", "src/app/tests/*.rs"],
}


def sources(patterns):
    """The files of a target: each pattern is a path or a glob under the project root, and
    must match a file (a moved file stops the script instead of silently losing its seeds)."""
    out = []
    for pat in patterns:
        found = sorted(glob.glob(os.path.join(ROOT, pat)))
        if not found:
            sys.exit(f"make_seeds.py: {pat} matches no file (moved?): fix TARGETS")
        out += [os.path.relpath(f, ROOT) for f in found]
    return out

ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def test_part(path):
    """The source from the first `#[cfg(test)]` on (the whole file for test-only files)."""
    src = open(os.path.join(ROOT, path), encoding="utf-8").read()
    if path.endswith("/tests.rs") or "/tests/" in path:
        return src, src
    i = src.find("#[cfg(test)]")
    return src, (src[i:] if i >= 0 else "")


def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in ESCAPES:
            out.append(ESCAPES[n])
            i += 2
        elif n == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif n == "u":
            j = body.index("}", i)
            out.append(chr(int(body[i + 3:j], 16)))
            i = j + 1
        elif n == "\n":  # line continuation: skip the newline and leading white space
            i += 2
            while i < len(body) and body[i] in " \t\n\r":
                i += 1
        else:
            raise ValueError(f"unknown escape \\{n}")
    return "".join(out)


def literals(code):
    """String literals of Rust source, in order: (value, is_raw)."""
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            i = code.find("\n", i)
            i = n if i < 0 else i
        elif c == "'":  # char literal or lifetime: skip `'x'`, `'\n'`, `'\u{..}'`
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", code[i:])
            i += len(m.group(0)) if m else 1
        elif c == "r" and re.match(r'r#*"', code[i:]) and not (i and (code[i - 1].isalnum() or code[i - 1] == "_")):
            hashes = re.match(r"r(#*)\"", code[i:]).group(1)
            start = i + 2 + len(hashes)
            end = code.index('"' + hashes, start)
            yield code[start:end], True
            i = end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            yield unescape(code[i + 1:j]), False
            i = j + 1
        else:
            i += 1


def consts(src):
    out = {}
    for m in re.finditer(r'const ([A-Z_][A-Z0-9_]*): &str =\s*("(?:[^"\\]|\\.)*")', src):
        out[m.group(1)] = unescape(m.group(2)[1:-1])
    return out


def expand(s, names):
    """A format string with `{NAME}` from `names` substituted and braces unescaped."""
    t = re.sub(r"\{([A-Z_][A-Z0-9_]*)\}", lambda m: names.get(m.group(1), m.group(0)), s)
    return t.replace("{{", "{").replace("}}", "}")


def json_macros(code):
    """Bodies of `json!(...)` that are plain JSON."""
    for m in re.finditer(r"json!\(", code):
        depth, j = 0, m.end() - 1
        while True:
            if code[j] == "(":
                depth += 1
            elif code[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield code[m.end():j]


def is_json_doc(s):
    try:
        return isinstance(json.loads(s), (dict, list))
    except ValueError:
        return False


def seeds_for(target, files):
    out = []
    for path in files:
        src, tests = test_part(path)
        names = consts(src)
        for s, raw in literals(tests):
            out.append(s)
            if not raw and ("{" in s or "}" in s):
                out.append(expand(s, names))
        if target == "messages":
            out.extend(json_macros(tests))
    if target == "messages":
        out = [json.dumps(json.loads(s), ensure_ascii=False, separators=(",", ":")) for s in out if is_json_doc(s)]
    if target == "cookies":
        out += ["x_as_i=" + urllib.parse.quote(s, safe="-_.!~*'()") for s in out if s.startswith("{")]
    seen, uniq = set(), []
    for s in out:
        if s and s not in seen and len(s.encode()) <= MAX_LEN:
            seen.add(s)
            uniq.append(s)
    return uniq


def main():
    resolved = {target: sources(pats) for target, pats in TARGETS.items()}
    for target, files in resolved.items():
        d = os.path.join(OUT, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        seeds = seeds_for(target, files)
        for s in seeds:
            b = s.encode()
            with open(os.path.join(d, hashlib.sha1(b).hexdigest()), "wb") as f:
                f.write(b)
        print(f"{target}: {len(seeds)} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
