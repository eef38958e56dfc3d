"""JavaScript regexes of the contracts, translated to Python re."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.checks.jsregex import compile_js, is_unicode, translate
from runner.errors import ContractError

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "esy" / "contracts"
REGEX_KEYS = ("regex", "url_pattern")


def contract_regexes() -> list[str]:
    if not CONTRACTS.is_dir():
        return []
    found = []
    for path in sorted(CONTRACTS.glob("*.contract.json")):
        for check in json.loads(path.read_text(encoding="utf-8"))["validations"]:
            found += [check[key] for key in REGEX_KEYS if key in check]
    return found


needs_shared = pytest.mark.skipif(not CONTRACTS.is_dir(), reason=f"reference contracts not found at {CONTRACTS}")


@needs_shared
def test_the_contracts_have_regexes() -> None:
    assert len(contract_regexes()) >= 15


@needs_shared
@pytest.mark.parametrize("source", sorted(set(contract_regexes())) or ["-"])
def test_every_contract_regex_compiles(source: str) -> None:
    assert isinstance(compile_js(source), re.Pattern)


EMOJI = r"[\u{1F300}-\u{1F9FF}\u{2600}-\u{26FF}\u{2700}-\u{27BF}]"


@pytest.mark.parametrize("text", ["rocket 🚀", "cyclone 🌀", "sun ☀", "check ✅", "🧿"])
def test_emoji_code_points_match(text: str) -> None:
    assert is_unicode(EMOJI)
    assert compile_js(EMOJI).search(text)


@pytest.mark.parametrize("text", ["plain ASCII", "accents ē ü — «»", "CJK 漢字", "arrow →"])
def test_non_emoji_text_does_not_match(text: str) -> None:
    assert compile_js(EMOJI).search(text) is None


def test_code_point_escape_outside_a_class() -> None:
    assert compile_js(r"a\u{1F680}b").fullmatch("a🚀b")


def test_four_digit_escape_and_surrogate_pair() -> None:
    assert compile_js(r"\u0113").fullmatch("ē")
    assert compile_js(r"\uD83D\uDE80").fullmatch("🚀")


def test_escaped_backslash_u_is_literal() -> None:
    # G5: a raw "\u0113" typed into JSX text
    pattern = compile_js(r'>([^{<"]*\\u[0-9a-fA-F]{4})')
    assert pattern.search("<p>Bront\\u0113</p>")
    assert not pattern.search("<p>Brontē</p>")


def test_multiline_anchors_at_every_line_break() -> None:
    pattern = compile_js(r"^status: FAIL$")
    assert len(pattern.findall("status: FAIL\nx\r\nstatus: FAIL\r\nstatus: FAILED\n")) == 2
    assert pattern.search("a\u2028status: FAIL\u2029b")


def test_dot_does_not_cross_line_terminators() -> None:
    assert not compile_js(r"a.b").search("a\rb")
    assert not compile_js(r"a.b").search("a\u2028b")
    assert compile_js(r"a.b").search("a-b")


def test_slash_needs_no_escape() -> None:
    assert compile_js(r"https://x/y").search("see https://x/y")
    assert compile_js(r"https:\/\/x\/y").search("see https://x/y")


def test_named_groups_and_backreferences() -> None:
    match = compile_js(r"(?<year>\d{4})-\k<year>").search("1920-1920")
    assert match and match.group("year") == "1920"
    assert translate(r"(?<=a)(?<!b)") == r"(?<=a)(?<!b)"


def test_ascii_classes_like_javascript() -> None:
    assert not compile_js(r"\d").search("٣")  # Arabic-Indic digit: not \d in JavaScript
    assert not compile_js(r"\w").search("é")
    assert compile_js(r"\bdelve\b").search("we delve.")
    assert compile_js(r"a\sb").search("a\u00a0b")  # \s is Unicode in JavaScript


def test_javascript_only_class_forms() -> None:
    assert compile_js(r"a[^]b").search("a\nb")
    assert not compile_js(r"a[]b").search("ab")
    assert compile_js(r"[\s\S]+").fullmatch("any\nthing")


def test_braces_that_are_not_quantifiers_are_literal() -> None:
    assert compile_js(r"x{,5}").search("x{,5}")
    assert compile_js(r"\$\{.*\}%").search("width: `${p}%`")
    assert compile_js(r"a{2}").fullmatch("aa")


def test_identity_escape_without_u_flag() -> None:
    assert compile_js(r"\a\e").fullmatch("ae")


@pytest.mark.parametrize(
    "source, words",
    [
        (r"\p{L}\u{41}", "Unicode property escape"),
        (r"\u{41}\q", "invalid escape"),
        (r"(?<=a+)b", "look-behind requires fixed-width"),
        (r"[abc", "unterminated character class"),
        ("abc\\", "trailing backslash"),
        (r"(a", "missing )"),
    ],
)
def test_syntax_python_cannot_express_is_a_contract_error(source: str, words: str) -> None:
    with pytest.raises(ContractError, match=re.escape(words)):
        compile_js(source)


SYNTAX = set("^$\\.*+?()[]{}|/-")


def js_escape(text: str) -> str:
    return "".join("\\" + ch if ch in SYNTAX else ch for ch in text)


@given(st.text(max_size=40))
def test_escaped_text_matches_itself(text: str) -> None:
    assert compile_js(js_escape(text)).fullmatch(text)
