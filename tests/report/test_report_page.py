"""The page of a run still under way: what a gate waits for and an attempt not finished;
free text of the workflow (a gate's name) escaped like the records."""

from __future__ import annotations

from html.parser import HTMLParser

from runner.models.report import GateEntry, RunReport, VerifySummary
from runner.models.run import Actor, OpenAttempt, Waiting, WorkflowRef
from runner.report import render


class _Text(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_a_paused_run_shows_what_each_gate_waits_for():
    ada = Actor(name="Ada")
    gates = [
        GateEntry(gate="REVIEW", name="<i>Producer</i> review", kind="human", status="AWAITING_APPROVAL",
                  waiting=Waiting(attempt=1, waiting_for="decision", since="2026-01-01T00:00:00Z",
                                  deadline="2026-01-01T00:30:00Z", on_timeout="approve")),
        GateEntry(gate="RECAST", kind="recast", status="RUNNING",
                  current=OpenAttempt(attempt=2, started_at="2026-01-01T00:05:00Z", started_by=ada)),
    ]
    report = RunReport(run_id="run_x", workflow=WorkflowRef(name="video", slug="clip"), status="RUNNING",
                       started_at="2026-01-01T00:00:00Z", created_by=ada, runner_version="0", gates=gates,
                       verify=VerifySummary(ok=True, records=1, commits=1, artifacts=0))
    page = _Text(render(report))
    text = "".join(page.text)
    assert "<i>Producer</i> review" in text and "i" not in page.tags
    assert "waits for decision since 2026-01-01T00:00:00Z; at 2026-01-01T00:30:00Z the timer will approve" in text
    assert "attempt 2 started 2026-01-01T00:05:00Z by Ada, not finished" in text


def test_outputs_with_the_same_bytes_are_one_figure():
    from runner.models.report import Picture

    uri = "data:image/jpeg;base64,/9j/"
    pictures = [Picture(path="render/final.mp4", sha256="a" * 64, recorded=True, kind="contact_sheet", frames=8,
                        data_uri=uri),
                Picture(path="dist/final.mp4", sha256="a" * 64, recorded=True, kind="contact_sheet", frames=8,
                        same_as="render/final.mp4")]
    report = RunReport(run_id="run_x", workflow=WorkflowRef(name="video", slug="clip"), status="PASSED",
                       started_at="2026-01-01T00:00:00Z", created_by=Actor(name="Ada"), runner_version="0",
                       pictures=pictures, verify=VerifySummary(ok=True, records=1, commits=1, artifacts=2))
    page = _Text(render(report))
    assert page.tags.count("img") == page.tags.count("figure") == 1
    assert "contact sheet of render/final.mp4, dist/final.mp4" in "".join(page.text)
