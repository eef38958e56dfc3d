"""JavaScript regular expressions, translated to Python `re`.

The original contracts hold JavaScript regexes, compiled by their runner with the
flags `g` and `m`, plus `u` when the source contains `\\u{`. `translate()` rewrites
the JavaScript syntax into an equivalent Python pattern; whatever Python cannot
express is a ContractError, never a silently different regex.

Compiled with re.ASCII, because JavaScript's \\d, \\w and \\b are ASCII-only; \\s is
Unicode in JavaScript, so it is spelled out."""

from __future__ import annotations

import re
from functools import lru_cache

from runner.errors import ContractError

FLAGS = re.MULTILINE | re.ASCII
LINE_BREAKS = r"\n\r\u2028\u2029"
# JavaScript's \s: WhiteSpace and LineTerminator of the ECMAScript spec.
JS_SPACE = r"\t\n\x0b\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")
_CODE_POINT = re.compile(r"u\{([0-9A-Fa-f]{1,6})\}")
_HEX4 = re.compile(r"u([0-9A-Fa-f]{4})")
_LOW_SURROGATE = re.compile(r"\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_GROUP_NAME = re.compile(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>")
_BACKREF_NAME = re.compile(r"k<([A-Za-z_$][A-Za-z0-9_$]*)>")

_OUTSIDE = {
    ".": f"[^{LINE_BREAKS}]",
    "^": rf"(?:(?<=[{LINE_BREAKS}])|\A)",
    "$": rf"(?=[{LINE_BREAKS}]|\Z)",
}
_ESCAPES_OUT = {"s": f"[{JS_SPACE}]", "S": f"[^{JS_SPACE}]"}
# Inside a class \S keeps Python's ASCII meaning (it then also admits non-ASCII
# spaces); the idiom [\s\S] still means "any character".
_ESCAPES_IN = {"s": JS_SPACE, "S": r"\S"}
_KEPT = set("dDwWbBfnrtv")  # same meaning in both (given re.ASCII)
_SYNTAX = set("^$\\.*+?()[]{}|/")
_CLASS_ESCAPE = set("[&~|")  # Python warns about or reserves these inside a class


def is_unicode(source: str) -> bool:
    return "\\u{" in source


def _hex(code: int) -> str:
    return f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"


class _Translator:
    def __init__(self, source: str):
        self.src = source
        self.unicode = is_unicode(source)
        self.out: list[str] = []
        self.i = 0
        self.in_class = False

    def fail(self, what: str) -> ContractError:
        return ContractError(
            f"regex /{self.src}/: {what} at position {self.i}",
            "rewrite the regex with syntax Python's re can express",
        )

    def run(self) -> str:
        src = self.src
        while self.i < len(src):
            ch = src[self.i]
            if ch == "\\":
                self.escape()
            elif self.in_class:
                self.class_char(ch)
            elif ch == "[":
                self.open_class()
            elif ch == "(" and _GROUP_NAME.match(src, self.i):
                m = _GROUP_NAME.match(src, self.i)
                self.out.append(f"(?P<{m.group(1)}>")
                self.i = m.end()
            elif ch == "{":
                m = _QUANTIFIER.match(src, self.i)
                if m:  # a quantifier; otherwise a literal brace in JavaScript
                    self.out.append(m.group(0))
                    self.i = m.end()
                else:
                    self.out.append("\\{")
                    self.i += 1
            else:
                self.out.append(_OUTSIDE.get(ch, ch))
                self.i += 1
        if self.in_class:
            raise self.fail("unterminated character class")
        return "".join(self.out)

    def open_class(self) -> None:
        src, i = self.src, self.i
        if src.startswith("[]", i):  # JavaScript: matches nothing
            self.out.append("(?!)")
            self.i += 2
        elif src.startswith("[^]", i):  # JavaScript: matches anything
            self.out.append(r"[\s\S]")
            self.i += 3
        else:
            negated = src.startswith("[^", i)
            self.out.append("[^" if negated else "[")
            self.i += 2 if negated else 1
            self.in_class = True

    def class_char(self, ch: str) -> None:
        if ch == "]":
            self.in_class = False
            self.out.append("]")
        else:
            self.out.append("\\" + ch if ch in _CLASS_ESCAPE else ch)
        self.i += 1

    def escape(self) -> None:
        src = self.src
        if self.i + 1 >= len(src):
            raise self.fail("trailing backslash")
        nxt = src[self.i + 1]
        rest = self.i + 1
        if nxt == "u" and self.unicode and _CODE_POINT.match(src, rest):
            m = _CODE_POINT.match(src, rest)
            code = int(m.group(1), 16)
            if code > 0x10FFFF:
                raise self.fail(f"code point \\u{{{m.group(1)}}} out of range")
            self.out.append(_hex(code))
            self.i = m.end()
        elif nxt == "u" and _HEX4.match(src, rest):
            self.unit(_HEX4.match(src, rest))
        elif nxt == "k" and _BACKREF_NAME.match(src, rest):
            m = _BACKREF_NAME.match(src, rest)
            self.out.append(f"(?P={m.group(1)})")
            self.i = m.end()
        else:
            self.out.append(self.simple_escape(nxt))
            self.i += 2

    def unit(self, m: re.Match) -> None:
        """\\uXXXX; a surrogate pair becomes the one code point it encodes."""
        code = int(m.group(1), 16)
        self.i = m.end()
        low = _LOW_SURROGATE.match(self.src, self.i)
        if 0xD800 <= code <= 0xDBFF and low:
            code = 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            self.i = low.end()
        self.out.append(_hex(code))

    def simple_escape(self, nxt: str) -> str:
        table = _ESCAPES_IN if self.in_class else _ESCAPES_OUT
        if nxt in table:
            return table[nxt]
        if nxt in _KEPT:
            return "\\" + nxt
        if nxt == "/":
            return "/"
        if nxt == "0" and not self.src[self.i + 2 : self.i + 3].isdigit():
            return r"\x00"
        if nxt.isdigit():
            if self.in_class:
                raise self.fail(f"octal escape \\{nxt} in a class")
            return "\\" + nxt  # back-reference
        if nxt == "x" and re.match(r"[0-9A-Fa-f]{2}", self.src[self.i + 2 :]):
            return "\\x"
        if nxt == "c" and re.match(r"[A-Za-z]", self.src[self.i + 2 :]):
            letter = self.src[self.i + 2]
            self.i += 1
            return f"\\x{ord(letter) % 32:02x}"
        if nxt in _SYNTAX or nxt == "-":
            return "\\" + nxt
        if self.unicode:  # with the u flag JavaScript refuses identity escapes
            if nxt in "pP":
                raise self.fail(f"Unicode property escape \\{nxt}{{...}} is not supported by Python re")
            raise self.fail(f"invalid escape \\{nxt}")
        return re.escape(nxt)  # JavaScript without u: \a means "a"


def translate(source: str) -> str:
    """The Python pattern for a JavaScript regex source (no delimiters, no flags)."""
    return _Translator(source).run()


@lru_cache(maxsize=512)
def compile_js(source: str) -> re.Pattern:
    """Compile a JavaScript regex as their runner did (flags g, m, and u when needed)."""
    pattern = translate(source)
    try:
        return re.compile(pattern, FLAGS)
    except re.error as exc:
        raise ContractError(
            f"regex /{source}/ is not valid: {exc.msg} (Python pattern {pattern!r})",
            "fix the regex in the contract",
        ) from None
