"""Targeted tests of the check functions beyond the data-driven cases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import msgspec
import pytest
from check_helpers import make_context, write

from runner.checks import CHECKS, AnyCheck, run_check
from runner.checks.frontmatter import parse_frontmatter
from runner.checks.sources import count_sources
from runner.checks.viz import claims
from runner.errors import ContractError, WorkspaceError
from runner.hashing import sha256_dir


def run(root: Path, check: dict, **context):
    spec = _convert(AnyCheck, check)
    return run_check(spec, make_context(root, **context))


# ------------------------------------------------------------------ thresholds
def test_threshold_zero_is_honoured(workspace: Path) -> None:
    (workspace / "essay" / "research").mkdir(parents=True)
    check = {"type": "min_file_count", "target": "{artifact_path}/research", "pattern": "*.md",
             "thresholds": {"quick": 0, "standard": 3}}
    assert run(workspace, check, depth="quick").status == "PASS"
    assert run(workspace, check, depth="standard").status == "FAIL"
    sources = {"type": "min_sources", "target": "{artifact_path}/S.md", "thresholds": {"standard": 0}}
    write(workspace, {"essay/S.md": "nothing\n"})
    assert run(workspace, sources).status == "PASS"


def test_threshold_missing_for_depth_is_a_contract_error(workspace: Path) -> None:
    (workspace / "essay").mkdir()
    check = {"type": "min_file_count", "target": "essay", "pattern": "*.md", "thresholds": {"quick": 1}}
    with pytest.raises(ContractError, match="no value for depth 'deep'"):
        run(workspace, check, depth="deep")


# ------------------------------------------------------------------ paths
def test_a_target_outside_the_workspace_is_refused(workspace: Path) -> None:
    with pytest.raises(WorkspaceError):
        run(workspace, {"type": "file_exists", "target": "../outside.md"})


def test_unknown_path_variable_is_a_contract_error(workspace: Path) -> None:
    with pytest.raises(ContractError, match="unknown path variable {essay_dir}"):
        run(workspace, {"type": "dir_exists", "target": "{essay_dir}/research"})


def test_file_exists_rule_absent_from_the_contract_is_a_contract_error(workspace: Path) -> None:
    outputs = [{"path": "essay/a.md"}]
    with pytest.raises(ContractError, match="has no any_of list"):
        run(workspace, {"type": "file_exists", "target": "any_of"}, rule="all_of", outputs=outputs)


def test_all_of_is_a_synonym_of_all_required(workspace: Path) -> None:
    write(workspace, {"essay/a.md": "x"})
    outcome = run(workspace, {"type": "file_exists", "target": "all_of"}, outputs=[{"path": "essay/a.md"}])
    assert outcome.status == "PASS"


# ------------------------------------------------------------------ not_contains re-pointing
def test_repointing_happens_before_missing_ok(workspace: Path) -> None:
    write(workspace, {"essay/CITATION-AUDIT.md": "Citation Certification: Rejected\n"})
    outputs = [{"path": "essay/research/CITATION-AUDIT.md"}, {"path": "essay/CITATION-AUDIT.md"}]
    check = {"type": "not_contains", "target": "{artifact_path}/research/CITATION-AUDIT.md",
             "pattern": "Citation Certification: Rejected", "missing_ok": True}
    outcome = run(workspace, check, rule="any_of", outputs=outputs)
    assert outcome.status == "FAIL" and outcome.target == "essay/CITATION-AUDIT.md"
    assert outcome.details["repointed_from"] == "essay/research/CITATION-AUDIT.md"


def test_no_repointing_to_all_of_outputs(workspace: Path) -> None:
    write(workspace, {"essay/DESIGN-RESEARCH.md": "status: FAIL\n"})
    check = {"type": "not_contains", "target": "essay/research/G4.1.md", "pattern": "status: FAIL"}
    outcome = run(workspace, check, outputs=[{"path": "essay/DESIGN-RESEARCH.md", "rule": "all_of"}])
    assert (outcome.status, outcome.message) == ("FAIL", "missing file essay/research/G4.1.md")


# ------------------------------------------------------------------ front matter
def test_frontmatter_parsing() -> None:
    text = "\ufeff---\r\nstatus: PASS\r\nscore: 8.50\r\nissues: 0\r\ntitle: A: B\r\nversion: 1.2.3\r\n---\r\nbody\n"
    assert parse_frontmatter(text) == {"status": "PASS", "score": 8.5, "issues": 0.0, "title": "A: B", "version": "1.2.3"}
    assert parse_frontmatter("---\nstatus: PASS\n") is None  # never closed
    assert parse_frontmatter("\n---\nstatus: PASS\n---\n") is None  # not leading
    assert parse_frontmatter("---\n---\n") == {}


def test_frontmatter_plain_values_compare_after_number_parsing(workspace: Path) -> None:
    write(workspace, {"a.md": "---\nversion: 2\nflag: true\n---\n"})
    check = {"type": "frontmatter_status", "target": "a.md", "checks": {"version": "2", "flag": True}}
    assert run(workspace, check).status == "PASS"
    check["checks"] = {"version": {"not": 2}}
    assert run(workspace, check).message.endswith("version is 2")


# ------------------------------------------------------------------ sources
def test_source_heuristics_each_counted() -> None:
    text = (
        "### Primary Sources\n### Karel Čapek archive\n### Tier 2 — secondary\n"
        "- **Source**: Letters\n- **URL:** https://a.example/x.\n  - **Reference**: nested\n"
        "- short one\n* a long enough bullet\n  - nested long bullet is not top-level\n"
        "See https://a.example/x and (https://b.example/y).\n"
    )
    assert count_sources(text) == {"headings": 1, "urls": 2, "source_entries": 3, "bullets": 3}


# ------------------------------------------------------------------ viz
def test_viz_claims_read_name_and_type() -> None:
    text = "visualizations: [\n  { name: 'Globe', type: \"React Three Fiber\" },\n  {\n    name: `Map`,\n    type: 'Leaflet',\n  },\n]"
    assert claims(text) == [("Globe", "React Three Fiber"), ("Map", "Leaflet")]


@pytest.mark.parametrize(
    "kind, code, status",
    [
        ("Three.js", "import * as THREE from 'three';\nconst s = new THREE.Scene();", "PASS"),
        ("Three.js", "import { Scene } from 'three';\nconst s = Scene;", "FAIL"),
        ("WebGL shader", "import * as THREE from 'three';\nc.getContext('webgl2');", "PASS"),
        ("Mapbox GL", "import Map from 'react-map-gl/mapbox';\nreturn <Map />;", "PASS"),
        ("Leaflet map", "import 'leaflet/dist/leaflet.css';\nconst m = L.map(el);", "PASS"),
        ("Leaflet map", "const m = L.map(el);", "FAIL"),
        ("recharts area", "import { AreaChart } from 'recharts';\n<AreaChart data={d} />", "PASS"),
        ("TopoJSON", "import * as topojson from 'topojson-client';\ntopojson.mesh(t);", "PASS"),
        ("SVG + CSS", "return <div />;", "PASS"),  # names no known technology
    ],
)
def test_viz_evidence(workspace: Path, kind: str, code: str, status: str) -> None:
    write(workspace, {
        "essay/page.tsx": f"export const ESSAY_META = {{ visualizations: [{{ name: 'V', type: '{kind}' }}] }};\n",
        "essay/DemoClient.tsx": code + "\n",
    })
    check = {"type": "viz_tech_match", "metadata_source": "{artifact_path}/page.tsx",
             "implementation_target": "{client_component}"}
    assert run(workspace, check).status == status


# ------------------------------------------------------------------ json_schema
def test_json_schema_respects_dollar_schema(workspace: Path) -> None:
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array",
              "items": [{"type": "string"}, {"type": "integer"}]}
    write(workspace, {"s.json": json.dumps(draft7), "ok.json": '["a", 1]', "bad.json": '["a", "b"]'})
    check = {"type": "json_schema", "target": "ok.json", "schema": "s.json"}
    assert run(workspace, check).status == "PASS"
    outcome = run(workspace, {**check, "target": "bad.json"})
    assert outcome.status == "FAIL" and "$[1]: 'b' is not of type 'integer'" in outcome.message
    # without $schema, Draft 2020-12 applies, where `items` must be one schema
    write(workspace, {"s.json": json.dumps({k: v for k, v in draft7.items() if k != "$schema"})})
    with pytest.raises(ContractError, match="not a valid JSON Schema"):
        run(workspace, check)


def test_json_schema_missing_or_broken_schema_is_a_contract_error(workspace: Path) -> None:
    write(workspace, {"out.json": "{}", "broken.json": "{"})
    with pytest.raises(ContractError, match="schema file nope.json not found"):
        run(workspace, {"type": "json_schema", "target": "out.json", "schema": "nope.json"})
    with pytest.raises(ContractError, match="schema broken.json is not valid JSON"):
        run(workspace, {"type": "json_schema", "target": "out.json", "schema": "broken.json"})


def test_json_schema_lists_at_most_five_errors(workspace: Path) -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    write(workspace, {"s.yaml": json.dumps(schema), "o.yml": "".join(f"k{i}: x\n" for i in range(7))})
    outcome = run(workspace, {"type": "json_schema", "target": "o.yml", "schema": "s.yaml"})
    assert outcome.status == "FAIL" and outcome.message.endswith("(and 2 more)")
    assert len(outcome.details["errors"]) == 5 and outcome.details["error_count"] == 7


# ------------------------------------------------------------------ sha256
def test_sha256_hashes_raw_bytes_and_directories(workspace: Path) -> None:
    data = b"\xef\xbb\xbfBOM and\r\nCRLF kept\x00"
    write(workspace, {"out/a.bin": data, "out/b/c.txt": "c"})
    check = {"type": "sha256", "target": "out/a.bin", "sha256": hashlib.sha256(data).hexdigest()}
    assert run(workspace, check).status == "PASS"
    check = {"type": "sha256", "target": "out", "sha256": sha256_dir(workspace / "out")[0]}
    assert run(workspace, check).status == "PASS"


def test_every_check_reports_a_missing_target_as_fail(workspace: Path) -> None:
    """Severity is the caller's business: a check returns FAIL, never WARN."""
    specs = {
        "regex_match": {"regex": "x", "severity": "warning"},
        "min_regex_count": {"regex": "x", "min_count": 1},
        "contains_headings": {"required_headings": ["x"]},
        "contains_text": {"pattern": "x"},
        "not_contains": {"pattern": "x"},
        "frontmatter_status": {"checks": {"status": "PASS"}},
        "min_sources": {"thresholds": {"standard": 1}},
        "sha256": {"sha256": "0" * 64},
    }
    for tag, keys in specs.items():
        outcome = run(workspace, {"type": tag, "target": "nope.md", **keys})
        assert (outcome.status, outcome.message) == ("FAIL", "missing file nope.md"), tag
    assert set(specs) < set(CHECKS)


def _convert(kind, data):
    return msgspec.convert(data, kind)
