"""The page in a real browser (Debian's chromium, driven by Playwright; no download):
log in with a token from the keyboard, read the inbox and a run, approve a gate and see
the run move on, see another person's decision arrive live; a phone-sized screen too.
Screenshots are saved (see the artifacts_dir fixture)."""

from __future__ import annotations

import pytest
from console_helpers import GRACE
from helpers import cli

from runner import Repo

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (make test installs it from Debian's packages)")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def log_in(page, server, who: str = "decider") -> None:
    page.goto(server.url + "/")
    token = page.locator("#token")
    sync_api.expect(token).to_be_focused()
    page.keyboard.type(server.tokens.secrets[who])
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#me")).to_contain_text("(" + who if who == "viewer" else "(decider)")


def test_log_in_approve_and_see_the_run_move_on(server, review_ws, browser, artifacts_dir):
    root, (run_id, other) = review_ws
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, server)
    sync_api.expect(page.locator("#inbox tbody tr")).to_have_count(2)
    sync_api.expect(page.locator("#inbox")).to_contain_text("Grace Hopper <grace@example.org>")
    page.screenshot(path=str(artifacts_dir / "1-inbox.png"), full_page=True)

    page.click(f"text={run_id}")
    sync_api.expect(page.locator('[data-gate-status="B1"]')).to_have_text("AWAITING_APPROVAL")
    attempt = Repo(root).attempt(run_id, "B1", 1)
    notes = next(a for a in attempt.artifacts if a.path.endswith("notes.md"))
    sync_api.expect(page.locator("#gate-B1")).to_contain_text(notes.sha256)
    sync_api.expect(page.locator("#gate-B1 img.preview")).to_have_count(1)
    sync_api.expect(page.locator("#gate-B1 [data-qc] table")).to_contain_text("loudness_lufs")  # QC metrics
    page.click(f"text=Preview {notes.path}")
    sync_api.expect(page.locator(f'[data-preview="{notes.path}"]')).to_contain_text("The robot draft.")
    page.screenshot(path=str(artifacts_dir / "2-run-waiting.png"), full_page=True)

    page.fill("#decide-B1-note", "Reads well. <img src=x onerror=alert(1)>")
    page.focus("#decide-B1-approve")
    page.keyboard.press("Enter")  # the form works from the keyboard
    # The decision is recorded; the server's timer loop runs C1 (no person needed); the page follows live.
    sync_api.expect(page.locator("#run-status")).to_have_text("PASSED", timeout=20_000)
    # A note is text, never markup: shown as typed, no element made from it.
    sync_api.expect(page.locator("#gate-B1")).to_contain_text("Reads well. <img src=x onerror=alert(1)>")
    assert page.locator("#gate-B1 img[src=x]").count() == 0
    page.click("text=Timeline")
    sync_api.expect(page.locator("#timeline")).to_contain_text("Grace Hopper")  # the decision's event
    page.screenshot(path=str(artifacts_dir / "3-run-passed.png"), full_page=True)
    decision = Repo(root).decision(run_id, "B1", 1)
    assert (decision.by.name, decision.by.email) == ("Grace Hopper", "grace@example.org")
    assert decision.note == "Reads well. <img src=x onerror=alert(1)>"

    # Someone else decides the other run from a shell: the open page shows it without a reload.
    page.goto(f"{server.url}/#/run/{other}")
    sync_api.expect(page.locator('[data-gate-status="B1"]')).to_have_text("AWAITING_APPROVAL")
    cli("gate", "reject", "--repo", root, "--run", other, "--gate", "B1", "--actor", GRACE, "--note", "No.", check=0)
    sync_api.expect(page.locator("#gate-B1")).to_contain_text("No.", timeout=20_000)
    assert errors == []
    assert all(url.startswith(server.url) for url in requests), [u for u in requests if not u.startswith(server.url)]


def test_a_viewer_reads_on_a_phone_without_deciding(server, review_ws, browser, artifacts_dir):
    _, (run_id, _) = review_ws
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, server, "viewer")
    sync_api.expect(page.locator("#inbox tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "4-phone-inbox.png"), full_page=True)
    page.goto(f"{server.url}/#/run/{run_id}")
    sync_api.expect(page.locator("#gate-B1")).to_contain_text("A decider token may decide this gate.")
    assert page.locator("#decide-B1-approve").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    page.screenshot(path=str(artifacts_dir / "5-phone-run.png"), full_page=True)
    page.click("#nav-runs")
    sync_api.expect(page.locator("#runs tbody tr")).to_have_count(2)
    page.select_option("#status-filter", "PASSED")
    sync_api.expect(page.locator("#runs tbody tr")).to_have_count(0)


def test_reject_with_a_typed_patch_from_its_form(server, review_ws, browser, artifacts_dir):
    root, (run_id, _) = review_ws
    target = next(a.path for a in Repo(root).attempt(run_id, "B1", 1).artifacts if a.path.endswith("notes.md"))
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    log_in(page, server)
    page.goto(f"{server.url}/#/run/{run_id}")
    page.click("text=Patch the outputs (optional)")
    page.check('#decide-B1 fieldset[data-type="text_replace"] input[type=radio]')
    page.fill("#decide-B1-text_replace-replacements", '[{"old": "robot draft", "new": "robot final"}]')
    page.fill("#decide-B1-target", target)
    page.fill("#decide-B1-note", "Say final.")
    page.click("#decide-B1-reject")
    sync_api.expect(page.locator("#gate-B1 .diff")).to_contain_text("robot final", timeout=20_000)
    page.screenshot(path=str(artifacts_dir / "6-reject-with-patch.png"), full_page=True)
    decision = Repo(root).decision(run_id, "B1", 1)
    assert decision.verdict == "reject" and decision.patch["type"] == "text_replace"
    assert [f.path for f in decision.patched_files] == [target]
    sync_api.expect(page.locator("#gate-B1 .diff")).to_contain_text("- robot draft")

    page.click("#resume")  # the patch is applied and checked as a new attempt, which waits for a person
    sync_api.expect(page.locator("#gate-B1")).to_contain_text("Attempt 2", timeout=20_000)
    assert "robot final" in (root / target).read_text()
    assert Repo(root).attempt(run_id, "B1", 2).patch_of == 1
