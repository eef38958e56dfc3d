"""`runner report` on a real video run: the page is one self-contained file (parsed and
checked), records are escaped, --json is the same data and validates, and what verify
finds is on the page."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import msgspec
from helpers import REPO, cli
from report_helpers import ART, HOSTILE

from runner import Repo
from runner.models.report import RunReport


class Page(HTMLParser):
    """The elements, attributes and text of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def images(self) -> list[str]:
        return [value for tag, name, value in self.attrs if tag == "img" and name == "src"]


def _page(root, run_id, tmp_path) -> Page:
    out = tmp_path / "report.html"
    result = cli("report", "--repo", root, "--run", run_id, "--html", out, check=0)
    assert str(out) in result.err and result.out == ""
    return Page(out.read_text(encoding="utf-8"))


def test_the_page_shows_every_attempt_with_its_hashes_pictures_and_the_verdict(video_run, tmp_path):
    root, run_id = video_run
    page = _page(root, run_id, tmp_path)
    text = page.all_text
    run = Repo(root).run(run_id)
    refs = [(g.gate, ref) for g in run.gates for ref in g.attempts]
    assert [(gate, ref.attempt) for gate, ref in refs] == [("RENDER", 1), ("RENDER", 2), ("QC", 1), ("QC", 2),
                                                           ("REVIEW", 1)]
    for gate, ref in refs:
        assert ref.sha256 in text, (gate, ref.attempt)  # the attempt file's hash
        attempt = Repo(root).attempt(run_id, gate, ref.attempt)
        for art in attempt.artifacts:
            assert art.sha256 is None or art.sha256 in text, art.path  # every output's hash
        if attempt.contract:
            assert attempt.contract.sha256 in text
    assert "runner verify: verified" in text
    assert "audio_present" in text and page.tags.count("svg") == 2  # the timeline and the QC chart

    ran = [i for i in run.invocations if i.command]  # what the runner ran for the render and QC attempts
    assert {(i.gate, i.attempt) for i in ran} >= {("RENDER", 1), ("RENDER", 2)}
    assert all(" ".join(i.command) in text for i in ran)

    (sheet,) = page.images()  # the contact sheet of the rendered video, embedded
    assert sheet.startswith("data:image/jpeg;base64,")
    assert base64.b64decode(sheet.split(",", 1)[1])[:2] == b"\xff\xd8"  # a JPEG
    assert f"{ART}/render/final.mp4" in text


def test_the_page_fetches_nothing_and_runs_nothing(video_run, tmp_path):
    root, run_id = video_run
    page = _page(root, run_id, tmp_path)
    links = [(tag, name, value) for tag, name, value in page.attrs if name in ("src", "href", "srcset", "action")]
    assert links and all(value.startswith(("data:", "#")) for _, _, value in links), links
    assert not any("http:" in value or "https:" in value for _, name, value in page.attrs if name != "xmlns")
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)


def test_a_note_with_markup_is_shown_as_text(video_run, tmp_path):
    root, run_id = video_run
    page = _page(root, run_id, tmp_path)
    assert HOSTILE in page.all_text  # the parser saw it as text: no element was made of it
    assert "script" not in page.tags and len(page.images()) == 1


def test_json_is_the_same_data_and_validates_against_its_schema(video_run):
    from jsonschema import Draft202012Validator

    root, run_id = video_run
    data = cli("report", "--repo", root, "--run", run_id, "--json", check=0).json
    schema = json.loads((REPO / "schemas" / "run_report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    report = msgspec.convert(data, RunReport)
    assert report.run_id == run_id and report.verify.ok and report.status == "PASSED"
    assert [len(g.attempts) for g in report.gates] == [2, 2, 1]
    (decision,) = report.gates[2].decisions
    assert (decision.record.verdict, decision.record.note, decision.record.by.name) == ("approve", HOSTILE, "Eve")
    assert report.invocations == Repo(root).run(run_id).invocations
    assert all(g.current is None and g.waiting is None for g in report.gates)  # the run is over
    (qc,) = report.qc  # attempt 1's report was written over by attempt 2's
    assert (qc.gate, qc.attempt, qc.report.passed) == ("QC", 2, True)
    (picture,) = report.pictures
    assert picture.recorded and picture.kind == "contact_sheet" and picture.data_uri.startswith("data:image/jpeg")


def test_what_verify_finds_is_on_the_page(video_run_copy, tmp_path):
    root, run_id = video_run_copy
    with open(root / ART / "render" / "final.mp4", "ab") as fh:
        fh.write(b"appended")
    data = cli("report", "--repo", root, "--run", run_id, "--json", check=0).json
    assert not data["verify"]["ok"]
    assert "artifact-changed" in {f["code"] for f in data["verify"]["findings"]}
    assert data["pictures"][0]["recorded"] is False
    text = _page(root, run_id, tmp_path).all_text
    assert "runner verify: verify found" in text and "artifact-changed" in text
    assert "not the bytes an attempt recorded" in text


def test_bad_requests_get_one_line_and_a_documented_code(video_run, tmp_path):
    root, run_id = video_run
    nothing = cli("report", "--repo", root, "--run", run_id, check=2)
    assert "--html OUT.html, --json" in nothing.err
    unknown = cli("report", "--repo", root, "--run", "run_nope", "--json", check=4)
    assert unknown.err.startswith("error: ") and unknown.out == ""
    folder = cli("report", "--repo", root, "--run", run_id, "--html", tmp_path, check=2)
    assert "Traceback" not in folder.err
    (tmp_path / "file").write_text("")
    unwritable = cli("report", "--repo", root, "--run", run_id, "--html", tmp_path / "file" / "r.html", check=4)
    assert unwritable.err.startswith(f"error: cannot write {tmp_path / 'file' / 'r.html'}: ")


def test_a_deleted_video_is_named_without_a_picture(video_run_copy):
    root, run_id = video_run_copy
    (root / ART / "render" / "final.mp4").unlink()
    data = cli("report", "--repo", root, "--run", run_id, "--json", check=0).json
    (picture,) = data["pictures"]
    assert picture["data_uri"] is None and picture["problem"] == "the file no longer exists"
    assert "artifact-missing" in {f["code"] for f in data["verify"]["findings"]}
