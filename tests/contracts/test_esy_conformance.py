"""Conformance with the original Esy runner: its 18 real contracts (../shared/conformance/esy)
evaluated on ten workspaces of its team (esy_fixtures.py) give the verdict the original
gives, for every (fixture x gate) pair (esy_verdicts.json: 180 pairs), offline."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from esy_fixtures import ART, FIXTURES, SLUG, write_fixture
from helpers import ESY, requires_shared

from runner.contracts.evaluate import evaluate
from runner.models.contract import Contract
from runner.paths import run_variables

pytestmark = requires_shared()
EXPECTED = json.loads((Path(__file__).parent / "esy_verdicts.json").read_text(encoding="utf-8"))


def _verdicts(root: Path) -> dict[str, str]:
    verdicts = {}
    for path in sorted((ESY / "contracts").glob("*.contract.json")):
        contract = msgspec.json.decode(path.read_bytes(), type=Contract)
        values = run_variables(root, SLUG, ART, "run_conformance")
        verdicts[contract.gate] = evaluate(root, contract, path.name, values, "standard", offline=True).status
    return verdicts


@pytest.fixture(scope="module")
def agreement(tmp_path_factory) -> dict[str, dict[str, tuple[str, str]]]:
    """fixture -> gate -> (the original's verdict, runner's)."""
    pairs = {}
    for name in FIXTURES:
        root = tmp_path_factory.mktemp(name)
        write_fixture(root, name)
        got = _verdicts(root)
        pairs[name] = {gate: (want, got.get(gate, "absent")) for gate, want in EXPECTED[name].items()}
    return pairs


def test_the_fixtures_and_the_expected_verdicts_cover_180_pairs() -> None:
    assert set(EXPECTED) == set(FIXTURES)
    gates = {json.loads(p.read_text())["gate"] for p in (ESY / "contracts").glob("*.contract.json")}
    assert all(set(verdicts) == gates for verdicts in EXPECTED.values())
    assert sum(len(v) for v in EXPECTED.values()) == 180


def test_runner_gives_the_original_verdict_on_180_of_180_pairs(agreement, capsys) -> None:
    differ = [f"{name} {gate}: original {want}, runner {got}"
              for name, pairs in agreement.items() for gate, (want, got) in pairs.items() if want != got]
    total = sum(len(pairs) for pairs in agreement.values())
    with capsys.disabled():
        print(f"\nesy conformance: {total - len(differ)} of {total} (fixture x gate) verdicts agree")
    assert differ == [] and total == 180


def test_the_known_good_essay_passes_g5_2_and_g5_3_with_its_audits_at_the_other_any_of(agreement) -> None:
    assert agreement["known-good"]["G5.2"] == ("PASS", "PASS")
    assert agreement["known-good"]["G5.3"] == ("PASS", "PASS")

