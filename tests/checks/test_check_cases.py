"""The data-driven cases of tests/cases/<type>/<case>/: check.json (the validation),
files/ (the workspace), optional context.json (depth, offline, rule, outputs) and
expect.json ({status, message_contains} or {raises, message_contains})."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import msgspec
import pytest
from check_helpers import make_context

from runner import errors
from runner.checks import CHECKS, AnyCheck, run_check

CASES = Path(__file__).resolve().parents[1] / "cases"
ALL_CASES = sorted(p for p in CASES.glob("*/*") if p.is_dir())


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@pytest.mark.parametrize("case", ALL_CASES, ids=[f"{p.parent.name}/{p.name}" for p in ALL_CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    spec = _convert(AnyCheck, _json(case / "check.json"))
    assert spec.type == case.parent.name, "a case lives in the folder of its check type"
    expect = _json(case / "expect.json")
    root = tmp_path / "ws"
    if (case / "files").is_dir():
        shutil.copytree(case / "files", root)
    else:
        root.mkdir()
    ctx = make_context(root, **_json(case / "context.json"))
    if "raises" in expect:
        with pytest.raises(getattr(errors, expect["raises"])) as info:
            run_check(spec, ctx)
        assert expect["message_contains"] in str(info.value)
        return
    outcome = run_check(spec, ctx)
    assert (outcome.status, expect["message_contains"] in outcome.message) == (expect["status"], True), outcome.message
    if "target" in expect:
        assert outcome.target == expect["target"]
    json.dumps(outcome.details)  # details go into records: they must be JSON


def test_cases_found() -> None:
    assert len(ALL_CASES) >= 2 * len(CHECKS)


def _convert(kind, data):
    return msgspec.convert(data, kind)


# The original re-points a missing single-file target to the first existing any_of
# output for these types (../shared/conformance/README.md), and for no other.
REPOINTED = {"not_contains", "contains_text", "frontmatter_status", "regex_match", "min_regex_count",
             "url_reachable", "viz_tech_match"}
NOT_REPOINTED = {"file_exists", "dir_exists", "min_file_count", "contains_headings", "min_sources"}


@pytest.mark.parametrize("tag", sorted(REPOINTED | NOT_REPOINTED))
def test_every_type_has_a_case_with_the_target_missing_and_an_any_of_sibling(tag: str) -> None:
    names = {p.name for p in (CASES / tag).iterdir()}
    wanted = "missing-target-repointed-to-any-of" if tag in REPOINTED else "missing-target-not-repointed"
    assert any(name.endswith(wanted) for name in names), f"tests/cases/{tag}/ needs a case *-{wanted}"
