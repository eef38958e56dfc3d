"""Prompt packets: runs/<id>/logs/gates/<G>/prompt-<n>.txt, never overwritten, with everything
an agent needs; the attempt records its SHA-256, which covers reproducible content only."""

from __future__ import annotations

import hashlib
import shutil

from helpers import ART, SLUG, write_outputs
from run_helpers import add_workflow, attempt, commit_all, load, rin, run_id_of, write_json

TEMPLATE = ("Draft the intake of {slug} in {artifact_path} ({depth}) as {agent}, "
            "attempt {attempt} of {gate}; {unknown} stays.\n")
SKILL = "SKILL BODY: write in plain words.\n"


def _workspace(root):
    write_json(root / "contracts" / "W1.contract.json", {
        "gate": "W1", "name": "Intake draft", "blocking": True,
        "required_outputs": {"any_of": [{"path": "{artifact_path}/G1-INTAKE.md", "description": "the intake"}]},
        "validations": [
            {"type": "file_exists", "target": "any_of", "description": "an intake exists"},
            {"type": "not_contains", "target": "{artifact_path}/G1-INTAKE.md", "pattern": "[DRAFT]",
             "severity": "warning", "description": "no draft marker"}],
        "required_skills": [{"path": "orchestration/skills/writing", "name": "Writing", "reason": "house style",
                             "inject": ["SKILL.md"]}],
    })
    skill = root / "orchestration" / "skills" / "writing" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text(SKILL)
    (root / "orchestration" / "prompts").mkdir(parents=True)
    (root / "orchestration" / "prompts" / "W1.md").write_text(TEMPLATE)
    add_workflow(root, {"workflow": "draft", "version": "7", "gates": [
        {"gate": "W1", "name": "Intake draft", "kind": "agent", "agent": "drafter", "prompt_template": "W1",
         "approval": {"required": True}}]})
    commit_all(root)
    (root / "brief.txt").write_text("ORIGINAL PROMPT: the word robot, 1920 to now.\n")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_packet_contents_hash_and_never_overwritten(ws_root):
    root = ws_root
    _workspace(root)
    out = rin(root, "run", "draft", "--slug", SLUG, "--artifact-path", ART, "--depth", "deep",
              "--prompt-file", root / "brief.txt", check=3)
    rid = run_id_of(out)
    packets = root / "runs" / rid / "logs" / "gates" / "W1"
    first = packets / "prompt-1.txt"
    text = first.read_text()
    for expected in (
        f"run:            {rid}", "workflow:       draft (7)", "gate:           W1 (kind agent)",
        "attempt:        1", f"slug:           {SLUG}", f"artifact path:  {ART}", "depth:          deep",
        "agent:          drafter",
        "## Original prompt\nORIGINAL PROMPT: the word robot, 1920 to now.",
        f"## Instructions\nDraft the intake of {SLUG} in {ART} (deep) as drafter, attempt 1 of W1; {{unknown}} stays.",
        "## Skills\n### Writing\nhouse style\n--- orchestration/skills/writing/SKILL.md ---\n"
        "SKILL BODY: write in plain words.\n--- end of orchestration/skills/writing/SKILL.md ---",
        f"## Required outputs (at least one of)\n- {ART}/G1-INTAKE.md: the intake",
        f"## What validation will check\n1. file_exists any_of: an intake exists\n"
        f"2. not_contains {ART}/G1-INTAKE.md (warning only): no draft marker",
        f"`runner run resume --run {rid}`", f"`runner gate approve --run {rid} --gate W1`",
        f"`runner gate fail --run {rid} --gate W1 --reason TEXT`",
    ):
        assert expected in text, expected
    opened = load(root, rid).gate("W1").current
    assert opened.packet.path == f"runs/{rid}/logs/gates/W1/prompt-1.txt"
    assert opened.packet.sha256 == _sha(first)

    # Attempt 1 fails (no outputs); the retry writes prompt-2 and leaves prompt-1 alone.
    rin(root, "run", "resume", "--run", rid, check=1)
    assert attempt(root, rid, "W1", 1).prompt_packet.sha256 == _sha(first)
    rin(root, "run", "resume", "--run", rid, check=3)
    second = (packets / "prompt-2.txt").read_text()
    assert "attempt:        2" in second and "attempt 2 of W1" in second
    assert "## Previous attempt\nnone of the any_of outputs exists" in second
    assert first.read_text() == text
    assert load(root, rid).gate("W1").current.packet.sha256 == _sha(packets / "prompt-2.txt")

    # A packet file in the way is never overwritten: the next attempt is refused instead.
    rin(root, "run", "resume", "--run", rid, check=1)
    (packets / "prompt-3.txt").write_text("somebody else's notes\n")
    refused = rin(root, "run", "resume", "--run", rid, check=4)
    assert "prompt-3.txt exists with other content" in refused.err
    assert (packets / "prompt-3.txt").read_text() == "somebody else's notes\n"
    assert load(root, rid).gate("W1").current is None


def test_same_inputs_give_the_same_packet_hash(ws_root, tmp_path):
    """The hash covers nothing that changes with time or place: the packet of attempt 1,
    rebuilt later, after the run record moved on (other timestamps, events, status) and in a
    copy of the workspace at another path, is byte for byte the one written."""
    from runner.hashing import sha256_bytes
    from runner.run import packets, session
    from runner.run.lifecycle import workflow_of

    root = ws_root
    _workspace(root)
    rid = run_id_of(rin(root, "run", "draft", "--slug", SLUG, "--artifact-path", ART, "--depth", "deep",
                        "--prompt-file", root / "brief.txt", check=3))
    written = (root / "runs" / rid / "logs" / "gates" / "W1" / "prompt-1.txt").read_bytes()
    write_outputs(root, "G1")
    rin(root, "run", "resume", "--run", rid, check=3)  # W1 passed, now waits for a decision
    rin(root, "gate", "approve", "--run", rid, "--gate", "W1", check=0)

    copy = tmp_path / "elsewhere" / "ws"
    shutil.copytree(root, copy, symlinks=True)
    texts = []
    for where in (root, copy):
        s = session.open_session(where)
        run = load(where, rid)
        assert run.started_at != run.events[-1].at and run.gate("W1").status == "PASS"
        gate = workflow_of(s, run).gate("W1")
        texts.append(packets.build(s, run, gate, run.gate("W1"), 1, []))
        texts.append(packets.build(s, run, gate, run.gate("W1"), 1, []))
    assert {t.encode() for t in texts} == {written}
    assert sha256_bytes(written) == attempt(root, rid, "W1", 1).prompt_packet.sha256
    # ...and what differs between attempts is only what should: the attempt number.
    other = packets.build(s, run, gate, run.gate("W1"), 2, [])
    assert other != texts[0] and other.replace("attempt:        2", "attempt:        1").replace(
        "attempt 2 of W1", "attempt 1 of W1") == texts[0]


def test_packet_names_the_count_a_depth_needs(ws_root):
    """A check with thresholds says in the packet what the run's depth asks for, so the
    agent need not open the contract to learn how many files or sources pass."""
    root = ws_root
    write_json(root / "contracts" / "R1.contract.json", {
        "gate": "R1", "name": "Research", "blocking": True,
        "required_outputs": {"all_of": [{"path": "{artifact_path}/research/CITATIONS.md"}]},
        "validations": [
            {"type": "min_file_count", "target": "{artifact_path}/research", "pattern": "*.md",
             "thresholds": {"quick": 1, "standard": 3, "deep": 6}},
            {"type": "min_sources_any_of", "targets": ["{artifact_path}/a.md", "{artifact_path}/b.md"],
             "thresholds": {"quick": 3, "standard": 5, "deep": 15}}]})
    add_workflow(root, {"workflow": "research", "version": "1", "gates": [
        {"gate": "R1", "name": "Research", "kind": "agent", "agent": "researcher"}]})
    commit_all(root)
    out = rin(root, "run", "research", "--slug", SLUG, "--artifact-path", ART, "--depth", "deep", check=3)
    text = (root / "runs" / run_id_of(out) / "logs" / "gates" / "R1" / "prompt-1.txt").read_text()
    assert (f"1. min_file_count {ART}/research (at least 6 *.md at depth deep)\n"
            f"2. min_sources_any_of {ART}/a.md, {ART}/b.md (at least 15 at depth deep)\n") in text
