"""A decision's patch in the report: a diff of the file's bytes while it holds what the
decision saw, the patch's own lines once applied; on the page, escaped and marked."""

from __future__ import annotations

from html.parser import HTMLParser

from runner.hashing import sha256_bytes
from runner.models.decision import Decision, PatchedFile
from runner.models.report import DecisionEntry, GateEntry, RunReport, VerifySummary
from runner.models.run import Actor, WorkflowRef
from runner.report import render
from runner.report.diffs import decision_diffs

BEFORE = b"# Notes\nhello world\nsecond line\n"
AFTER = b"# Notes\nhello <b>there</b>\nsecond line\n"
PATCH = {"type": "text_replace", "target": "notes/a.md", "replacements": [{"old": "world", "new": "<b>there</b>"}]}


def _decision(patch=PATCH, path="notes/a.md", before=BEFORE, after=AFTER) -> Decision:
    return Decision(run_id="run_x", gate="REVIEW", decision=1, attempt=1, verdict="reject", by=Actor(name="Eve"),
                    at="2026-01-01T00:00:00Z", patch=patch, runner_version="0",
                    patched_files=[PatchedFile(path=path, sha256_before=sha256_bytes(before),
                                               sha256_after=sha256_bytes(after))])


def test_a_pending_patch_is_a_diff_of_the_bytes(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_bytes(BEFORE)
    (diff,) = decision_diffs(tmp_path, _decision())
    assert diff.source == "bytes"
    lines = diff.diff.splitlines()
    assert lines[:2] == ["--- a/notes/a.md", "+++ b/notes/a.md"]
    assert "-hello world" in lines and "+hello <b>there</b>" in lines and " second line" in lines
    assert (tmp_path / "notes" / "a.md").read_bytes() == BEFORE  # planned in memory only


def test_an_applied_patch_shows_its_own_lines(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_bytes(AFTER)  # the bytes before are gone
    (diff,) = decision_diffs(tmp_path, _decision())
    assert diff.source == "patch" and diff.sha256_before == sha256_bytes(BEFORE)
    assert diff.diff.splitlines()[2:] == ["@@ text_replace @@", "-world", "+<b>there</b>"]

    operations = [{"op": "add", "path": "/beats/-", "value": {"id": "credits", "duration": 4}},
                  {"op": "remove", "path": "/beats/0"}]
    (json_diff,) = decision_diffs(tmp_path, _decision(patch={"type": "json_patch", "target": "notes/a.md",
                                                             "operations": operations}))
    lines = json_diff.diff.splitlines()
    assert "@@ add /beats/- @@" in lines and '+  "id": "credits",' in lines and "@@ remove /beats/0 @@" in lines


def test_a_decision_without_a_patch_has_no_diff(tmp_path):
    decision = _decision()
    decision.patch, decision.patched_files = None, []
    assert decision_diffs(tmp_path, decision) == []


class _Spans(HTMLParser):
    def __init__(self):
        super().__init__()
        self.classes, self.tags, self.stack, self.texts = [], [], [], {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(dict(attrs).get("class"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] in ("add", "del"):
            self.texts.setdefault(self.stack[-1], []).append(data)


def test_the_page_shows_the_diff_escaped_and_marked(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_bytes(BEFORE)
    decision = _decision()
    report = RunReport(run_id="run_x", workflow=WorkflowRef(name="w", slug="s"), status="RUNNING",
                       started_at="2026-01-01T00:00:00Z", created_by=Actor(name="Ada"), runner_version="0",
                       gates=[GateEntry(gate="REVIEW", kind="human", status="PENDING", decisions=[
                           DecisionEntry(file="runs/run_x/record/gates/REVIEW/decision-1.json", sha256="ab" * 32,
                                         record=decision, diffs=decision_diffs(tmp_path, decision))])],
                       verify=VerifySummary(ok=True, records=1, commits=1, artifacts=0))
    page = _Spans()
    page.feed(render(report))
    assert "b" not in page.tags  # the patch's markup is text
    assert page.texts["add"] == ["+hello <b>there</b>"] and page.texts["del"] == ["-hello world"]
