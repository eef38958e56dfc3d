"""url_reachable against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from check_helpers import make_context, write

from runner.checks.specs import UrlReachable
from runner.checks.urls import check_url_reachable


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        self.seen.append((self.command, self.path))
        if self.path.startswith("/ok"):
            self.send_response(200)
        elif self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/ok/after-redirect.jpg")
        elif self.path.startswith("/head-only") and self.command != "HEAD":
            self.send_response(405)
        elif self.path.startswith("/head-only"):
            self.send_response(204)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def server(monkeypatch) -> Iterator[str]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # 127.0.0.1 must be reached directly
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def spec(**keys) -> UrlReachable:
    return UrlReachable(target="{artifact_path}/images.ts",
                        url_pattern=r"http://127\.0\.0\.1:\d+/[^\"']+", timeout_s=5, **keys)


def images(root: Path, base: str, *paths: str) -> None:
    lines = "".join(f"  i{n}: '{base}{p}',\n" for n, p in enumerate(paths))
    write(root, {"essay/images.ts": f"export const IMAGES = {{\n{lines}}} as const;\n"})


def test_one_reachable_one_404_fails(workspace: Path, server: str) -> None:
    images(workspace, server, "/ok/a.jpg", "/gone/b.jpg")
    outcome = check_url_reachable(spec(), make_context(workspace))
    assert outcome.status == "FAIL"
    assert f"1 of 2 URLs in essay/images.ts failed (max 0): {server}/gone/b.jpg (HTTP 404)" in outcome.message
    assert outcome.details["failures"] == {f"{server}/gone/b.jpg": "HTTP 404"}
    assert {method for method, _ in Handler.seen} == {"HEAD"}


def test_failures_within_max_failures_pass(workspace: Path, server: str) -> None:
    images(workspace, server, "/ok/a.jpg", "/gone/b.jpg")
    outcome = check_url_reachable(spec(max_failures=1), make_context(workspace))
    assert outcome.status == "PASS" and "1 of 2 URLs" in outcome.message


def test_redirects_are_followed_as_head(workspace: Path, server: str) -> None:
    images(workspace, server, "/moved/a.jpg", "/head-only/b.jpg")
    outcome = check_url_reachable(spec(), make_context(workspace))
    assert outcome.status == "PASS", outcome.message
    assert ("HEAD", "/ok/after-redirect.jpg") in Handler.seen
    assert all(method == "HEAD" for method, _ in Handler.seen)


def test_sample_size_counts_distinct_urls_in_order(workspace: Path, server: str) -> None:
    images(workspace, server, "/ok/a.jpg", "/ok/a.jpg", "/ok/b.jpg", "/gone/c.jpg")
    outcome = check_url_reachable(spec(sample_size=2), make_context(workspace))
    assert outcome.status == "PASS"
    assert outcome.details["checked"] == 2 and outcome.details["found"] == 3
    assert sorted(path for _, path in Handler.seen) == ["/ok/a.jpg", "/ok/b.jpg"]


def test_connection_refused_is_a_failure(workspace: Path, server: str) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    images(workspace, f"http://127.0.0.1:{port}", "/ok/a.jpg")
    outcome = check_url_reachable(spec(), make_context(workspace))
    assert outcome.status == "FAIL" and "refused" in outcome.message.lower()


def test_offline_is_skipped_never_passed(workspace: Path, server: str) -> None:
    images(workspace, server, "/ok/a.jpg")
    outcome = check_url_reachable(spec(), make_context(workspace, offline=True))
    assert (outcome.status, outcome.message) == ("SKIPPED", "network checks are off (--offline)")
    assert Handler.seen == []
    write(workspace, {"essay/images.ts": "export const IMAGES = {} as const;\n"})
    assert check_url_reachable(spec(), make_context(workspace, offline=True)).status == "SKIPPED"
