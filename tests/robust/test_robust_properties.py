"""Property-based tests (hypothesis, a bounded number of examples): the loaders of
contracts, workflows, run/attempt/decision records, the config, operator files, patch
files, render jobs and QC policies, given arbitrary JSON (whole documents, or valid ones
with parts replaced) and arbitrary bytes, raise only RunnerError; the CLI given random
flags and values returns only documented exit codes and never prints a traceback."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO, RUNNER_BIN, Result, cli, git, install_essay
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from robust_helpers import CONTRACT_A, WORKFLOW, start_torture_run, torture_workspace

from runner import contracts, records, steps, workspace
from runner.contracts import evaluate
from runner.errors import RunnerError
from runner.models.decision import Decision
from runner.models.run import Attempt, Run
from runner.paths import run_variables
from runner.run import approvals
from runner.verify import declarations

EXAMPLES = int(os.environ.get("ROBUST_EXAMPLES", 60))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize="ROBUST_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- strategies -----------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=24)
           | st.sampled_from(["", "..", "../x", "/etc/passwd", "{slug}", "{nope}", "{artifact_path}/../../x",
                              "a\u0000b", "PASS", "FAIL", "all_required", "any_of", "all_of", "*.md", "(", "[",
                              "standard", "agent", "human", "command", "file_exists", "json_schema", "\ud800",
                              "x\udfff", "\U0001f600", "\r\n", "\u2028"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, prefix + (i,))


@st.composite
def mutated(draw, seed):
    """`seed` (a valid document) with zero to three parts replaced (mostly by a scalar, so
    that the rest stays valid and deeper code runs), removed or added."""
    doc = copy.deepcopy(seed)
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(doc))[1:]
        if not paths:
            return draw(json_values)
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["scalar", "scalar", "scalar", "tree", "remove", "add"]))
        if action in ("scalar", "tree"):
            parent[path[-1]] = draw(scalars if action == "scalar" else json_values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(json_values)
        else:
            parent.insert(path[-1], draw(json_values))
    return doc


def documents(seed):
    """Valid documents with parts changed (`seed` a document or a strategy of them),
    arbitrary JSON, and bytes that are not JSON."""
    seeds = seed if isinstance(seed, st.SearchStrategy) else st.just(seed)
    changed = seeds.flatmap(mutated).map(_dumps)
    return st.one_of(changed, changed, changed, json_values.map(_dumps),
                     st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                     st.sampled_from([b"", b"\xff\xfe", b"[" * 5_000, b'{"a":' * 5_000, b"\x00",
                                      b"\xef\xbb\xbf{}", b"NaN", b"1e999999", b"-" * 10]))


CASE_CHECKS = [json.loads(p.read_text()) for p in sorted((REPO / "tests" / "cases").glob("*/*/check.json"))]


@st.composite
def contracts_with_cases(draw):
    """A contract whose validations are checks of the data-driven cases (every type)."""
    checks = draw(st.lists(st.sampled_from(CASE_CHECKS), min_size=1, max_size=4))
    return {**CONTRACT_A, "validations": [*CONTRACT_A["validations"], *checks]}


def _dumps(doc) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")


def only_runner_errors(fn, *args):
    """fn(*args), or None when it raised a RunnerError; any other exception fails the test."""
    try:
        return fn(*args)
    except RunnerError as exc:
        assert exc.message, exc
        return None


RICH_WORKFLOW = {"workflow": "rich", "version": "2", "description": "every kind", "gates": [
    {"gate": "A", "kind": "agent", "agent": "w", "contract": "contracts/A.contract.json", "prompt_template": "A",
     "approval": {"required": True, "auto_approve_after_s": 30, "on_timeout": "reject"}},
    {"gate": "H", "kind": "human", "blocking": False, "approval": {"auto_approve": True}},
    {"gate": "C1", "kind": "command", "command": ["true", "{slug}"], "timeout_s": 5, "phase": "build"},
    {"gate": "Q", "kind": "qc", "params": {"video": "{artifact_path}/v.mp4"}},
    {"gate": "R", "kind": "render", "params": {"job": "{artifact_path}/x.job.json"}},
]}


# --- the seeds: valid documents of every kind ---------------------------------------------------

@pytest.fixture(scope="module")
def seeds(tmp_path_factory, _workspace_template) -> dict:
    """Valid records of a real run (a passed attempt and an approval), and a workspace."""
    root = tmp_path_factory.mktemp("seeds") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    torture_workspace(root)
    install_essay(root)
    run_id = start_torture_run(root, 0)
    for args in (("gate", "start", "--gate", "A"), ("gate", "finish", "--gate", "A"),
                 ("gate", "start", "--gate", "H"), ("gate", "finish", "--gate", "H"), ("gate", "approve", "--gate", "H")):
        cli(*args, "--repo", root, "--run", run_id, check=0)
    record = root / "runs" / run_id / "record"
    job = {"schema_version": 1, "job_id": "j", "visuals": [{"kind": "clip", "path": "a.mp4", "duration": 6.0},
                                                          {"kind": "image", "path": "b.png", "duration": 2.0}],
           "audio": {"path": "t.wav"}, "captions": [{"start": 0.5, "end": 3.0, "text": "One"}],
           "output": {"width": 640, "height": 640, "fps": 25, "preset": "veryfast", "crf": 23}}
    return {
        "root": root, "run_id": run_id,
        "contract": CONTRACT_A, "contract_g2": json.loads((REPO / "contracts" / "G2.contract.json").read_text()),
        "workflow": WORKFLOW, "essay": json.loads((REPO / "orchestration" / "workflows" / "essay.json").read_text()),
        "run": json.loads((record / "RUN.json").read_text()),
        "attempt": json.loads((record / "gates" / "A" / "attempt-1.json").read_text()),
        "decision": json.loads((record / "gates" / "H" / "decision-1.json").read_text()),
        "config": json.loads((root / "runner.json").read_text()),
        "job": job,
        "policy": json.loads((REPO / "runner" / "media" / "default_qc_policy.json").read_text()),
        "operator": {"gates": {"H": {"required": True, "auto_approve_after_s": 60, "on_timeout": "approve"}}},
        "patch": {"type": "text_replace", "target": "art/0/one.md", "find": "one", "replace": "two"},
    }


# --- loaders --------------------------------------------------------------------------------

@SETTINGS
@given(data=st.data())
def test_contract_loader_and_evaluation_raise_only_runner_errors(seeds, data):
    root = seeds["root"]
    ws = workspace.find(root)
    seed = st.sampled_from([seeds["contract"], seeds["contract_g2"]]) | contracts_with_cases()
    raw = data.draw(documents(seed))
    suffix = data.draw(st.sampled_from([".contract.json", ".contract.yaml"]))
    rel = f"contracts/X{suffix}"
    (root / rel).write_bytes(raw)
    loaded = only_runner_errors(contracts.load_contract, ws, rel)
    event(f"contract loads: {loaded is not None}")
    if loaded is not None:  # a contract that loads is evaluated against real outputs
        values = run_variables(root, "s0", "art/0", seeds["run_id"])
        only_runner_errors(evaluate.evaluate, root, loaded.model, rel, values, "standard", True)
    checked, findings = declarations.validate(ws, [root / rel])
    assert checked == 1 and (findings or loaded is not None)


@SETTINGS
@given(data=st.data())
def test_workflow_loader_raises_only_runner_errors(seeds, data):
    root = seeds["root"]
    ws = workspace.find(root)
    raw = data.draw(documents(st.sampled_from([seeds["workflow"], seeds["essay"], RICH_WORKFLOW])))
    suffix = data.draw(st.sampled_from([".json", ".yaml"]))
    (root / "orchestration" / "workflows" / f"x{suffix}").write_bytes(raw)
    try:
        loaded = only_runner_errors(contracts.load_workflow, ws, f"orchestration/workflows/x{suffix}")
        event(f"workflow loads: {loaded is not None}")
        if loaded is not None:  # a workflow that loads: its gates resolve (kinds, contracts, approvals)
            for gate in loaded.model.gates:
                only_runner_errors(steps.has_contract, ws, gate)
        declarations.validate(ws, [root / "orchestration" / "workflows" / f"x{suffix}"])
    finally:
        (root / "orchestration" / "workflows" / f"x{suffix}").unlink()


@SETTINGS
@given(data=st.data())
def test_record_loaders_raise_only_runner_errors(seeds, data):
    root = seeds["root"]
    kind = data.draw(st.sampled_from(["run", "attempt", "decision"]))
    raw = data.draw(documents(seeds[kind]))
    scratch = root / "runs" / "run_scratch" / "record"
    target = {"run": scratch / "RUN.json", "attempt": scratch / "gates" / "A" / "attempt-1.json",
              "decision": scratch / "gates" / "H" / "decision-1.json"}[kind]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    ws = workspace.find(root)
    model = {"run": Run, "attempt": Attempt, "decision": Decision}[kind]
    only_runner_errors(records.load_model, target, model, f"{kind} record")
    if kind == "run":
        only_runner_errors(records.load_run, ws, "run_scratch")
    elif kind == "attempt":
        only_runner_errors(records.load_attempt, ws, "run_scratch", "A", 1)


@SETTINGS
@given(data=st.data())
def test_config_and_operator_loaders_raise_only_runner_errors(seeds, data, tmp_path_factory):
    root = seeds["root"]
    other = tmp_path_factory.mktemp("config")
    (other / "runner.json").write_bytes(data.draw(documents(seeds["config"])))
    only_runner_errors(workspace.load_config, other)
    ws = workspace.find(root)
    path = root / "orchestration" / "approvals.yaml"
    path.write_bytes(data.draw(documents(seeds["operator"])))
    try:
        defaults = only_runner_errors(approvals.operator_defaults, ws)
        if defaults is not None:
            wf = contracts.load_workflow(ws, "torture").model
            for gate in wf.gates:
                only_runner_errors(approvals.resolve, ws, gate, gate.kind == "human", defaults)
    finally:
        path.unlink()


@SETTINGS
@given(data=st.data())
def test_patch_files_raise_only_runner_errors(seeds, data, tmp_path_factory):
    from runner import patches

    root = seeds["root"]
    path = tmp_path_factory.mktemp("patch") / data.draw(st.sampled_from(["p.json", "p.yaml"]))
    seed = data.draw(st.sampled_from([seeds["patch"], {"type": "json_patch", "target": "x.json",
                                                        "operations": [{"op": "add", "path": "/a", "value": 1}]}]))
    path.write_bytes(data.draw(documents(seed)))
    raw = only_runner_errors(patches.load_patch, path)
    if raw is not None:
        only_runner_errors(patches.describe, raw)
        only_runner_errors(patches.plan, root, raw, ["art/0/one.md", "art/0/two.md"], None)


@SETTINGS
@given(data=st.data())
def test_render_jobs_and_qc_policies_raise_only_runner_errors(seeds, data, tmp_path_factory):
    from runner.media import import_caf_policy, load_job, load_policy

    folder = tmp_path_factory.mktemp("media")
    (folder / "x.job.json").write_bytes(data.draw(documents(seeds["job"])))
    only_runner_errors(load_job, folder / "x.job.json")
    (folder / "qc_policy.json").write_bytes(data.draw(documents(seeds["policy"])))
    only_runner_errors(load_policy, folder / "qc_policy.json")
    only_runner_errors(import_caf_policy, data.draw(mutated(_CAF_SEED)))


_CAF_SEED = {"default_action_on_missing_report": "ESCALATE_USER",
             "gates": [{"metric": "duration_s", "min": 1, "action": "RETRY", "severity": "error", "repairable": True}],
             "routing": {"failure_action_priority": ["ABORT", "ESCALATE_USER", "RETRY", "FALLBACK", "FINALIZE"]}}
_caf = Path("/work/shared/conformance/caf/examples/qc_policy.v1.json")
if _caf.is_file():
    _CAF_SEED = json.loads(_caf.read_text())


# --- the CLI --------------------------------------------------------------------------------

DOCUMENTED = {0, 1, 2, 3, 4}
COMMANDS = {
    ("run", "start"): ["--workflow", "--slug", "--artifact-path", "--depth", "--prompt-file", "--actor"],
    ("gate", "start"): ["--run", "--gate", "--agent", "--actor"],
    ("gate", "finish"): ["--run", "--gate", "--actor"],
    ("contracts", "validate"): [],
}
FLAGS = ["--force", "--no-commit", "--offline", "--json", "--help"]


@pytest.fixture(scope="module")
def cli_ws(tmp_path_factory, _workspace_template) -> dict:
    root = tmp_path_factory.mktemp("cli") / "ws"
    shutil.copytree(_workspace_template, root, symlinks=True)
    torture_workspace(root)
    install_essay(root)
    run_id = start_torture_run(root, 0)
    return {"root": root, "run_id": run_id}


def _good(ws: dict) -> dict[str, list[str]]:
    root, run_id = ws["root"], ws["run_id"]
    return {
        "--workflow": ["torture", "essay", "orchestration/workflows/torture.json"], "--slug": ["s", "a-b.c_d"],
        "--artifact-path": ["art/0", str(root / "art" / "0"), "art/new"], "--depth": ["quick", "standard", "deep"],
        "--prompt-file": ["runner.json"], "--actor": ["Ada <ada@example.org>", "Bob"], "--run": [run_id],
        "--gate": ["A", "H"], "--agent": ["writer"],
        "PATH": ["contracts/A.contract.json", "orchestration/workflows/torture.json", str(root / "runner.json"),
                 "contracts", "runner.json"],
    }


HOSTILE = ["", " ", "-", "--", "..", "../x", "/", "/etc", "/etc/passwd", "a b", "$(touch pwned)", "`id`", "é",
           "run_../../x", "<>", "Name <", "x" * 300, "{slug}", "-h", "--json", "\ud800", "a\u0000b"]


@st.composite
def _value(draw, ws: dict, option: str):
    """A good value 8 times in 10, else a hostile or a random one."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(HOSTILE))
    if kind == 1:
        return draw(st.text(max_size=16))
    return draw(st.sampled_from(_good(ws)[option]))


@st.composite
def argv(draw, ws: dict):
    """A command with each of its options present most of the time, mostly with a good
    value, plus random flags and stray arguments."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    args = list(command)
    for option in COMMANDS[command]:
        if draw(st.integers(0, 3)):
            args += [option, draw(_value(ws, option))]
    if command == ("contracts", "validate"):
        args += draw(st.lists(_value(ws, "PATH"), max_size=3))
    flags = ["--json"] + (["--no-commit", "--offline"] if command != ("contracts", "validate") else []) \
        + (["--force"] if command == ("gate", "start") else [])
    args += draw(st.lists(st.sampled_from(flags), max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:  # sometimes something that does not belong
        args.append(draw(st.sampled_from(FLAGS) | st.sampled_from(HOSTILE) | st.text(max_size=8)))
    order = draw(st.permutations(range(2, len(args)))) if draw(st.integers(0, 4)) == 0 else range(2, len(args))
    return args[:2] + [args[i] for i in order]  # (options keep their value only when not shuffled)


@settings(max_examples=int(os.environ.get("ROBUST_EXAMPLES", 150)), deadline=None, derandomize="ROBUST_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_cli_returns_only_documented_exit_codes(cli_ws, data, monkeypatch):
    root = cli_ws["root"]
    monkeypatch.chdir(root)  # a command without --repo acts on the scratch workspace, never on this project
    args = data.draw(argv(cli_ws))
    result = cli(*args, "--repo", root)  # cli() asserts: no traceback, never exit 70
    event(f"{args[0]} {args[1]}: exit {result.code}")
    assert result.code in DOCUMENTED, (args, result)
    if result.code in (2, 4):
        assert result.err.strip(), (args, result)
        assert "Traceback" not in result.out


@pytest.mark.parametrize("args", [
    ["gate", "start", "--run", "RUN", "--gate", b"\xff"],
    ["invocation", "record", "--run", "RUN", "--gate", "A", "--agent", b"\xff\xfe"],
    ["run", "start", "--workflow", "torture", "--slug", "s", "--artifact-path", b"art/\xff"],
    ["run", "start", "--workflow", b"\xc3", "--slug", "s"],
    ["gate", "fail", "--run", "RUN", "--gate", "A", "--reason", b"bad \xff"],
    ["contracts", "validate", b"\xff.json"],
], ids=["gate", "agent", "artifact-path", "workflow", "reason", "path"])
def test_arguments_that_are_not_utf8_are_usage_errors(cli_ws, args):
    """Bytes that are not UTF-8 reach Python as lone surrogates, which no record can
    store: refused as a usage error, nothing written."""
    root = cli_ws["root"]
    head = git(root, "rev-parse", "HEAD")
    argv_bytes = [a if isinstance(a, bytes) else a.replace("RUN", cli_ws["run_id"]).encode() for a in args]
    proc = subprocess.run([str(RUNNER_BIN).encode(), *argv_bytes], cwd=root, capture_output=True)
    result = Result(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))
    assert result.code == 2, result
    assert result.err.startswith("error: ") and "Traceback" not in result.err, result
    assert git(root, "rev-parse", "HEAD") == head
