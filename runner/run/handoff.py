"""`runner handoff register`: record a publication. The registry
(`<runs_dir>/handoff_registry.json`) is rewritten atomically under the workspace lock,
so concurrent writers never lose an entry; the run becomes POSTED, a terminal state."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from runner import jsonio, records
from runner.errors import NotFoundError, StateError, UsageError
from runner.models.base import to_data
from runner.models.recast import HandoffRegistry, Publication
from runner.paths import check_name
from runner.run.session import Session, transaction
from runner.run.transitions import append_event
from runner.timeutil import iso


def registry_path(s: Session) -> Path:
    return s.ws.runs_dir / "handoff_registry.json"


def load_registry(s: Session) -> HandoffRegistry:
    path = registry_path(s)
    return records.load_model(path, HandoffRegistry, "handoff registry") if path.is_file() else HandoffRegistry()


def register(s: Session, run_id: str, platform: str, url: str, video: str | None = None) -> Publication:
    check_name(platform, "platform")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"invalid --url {url!r}", "give the post's http(s) address")
    digest = _video_digest(s, video) if video else None
    with transaction(s, run_id, "handoff register") as tx:
        run = tx.load_run()
        if run.status not in ("PASSED", "POSTED"):
            raise StateError(f"run {run_id} is {run.status}; only a PASSED run can be published",
                             "finish the run first (every blocking gate passed)")
        entry = Publication(run_id=run_id, platform=platform, url=url, posted_at=iso(), by=s.actor,
                            video_sha256=digest, job_id=run.workflow.slug, post_url=url)
        registry = load_registry(s)
        if any(e.run_id == run_id and e.platform == platform and e.url == url for e in registry.entries):
            raise StateError(f"{url} is already registered for {run_id} on {platform}")
        for older in registry.entries:  # written before the registry kept their names
            older.job_id, older.post_url = older.job_id or older.run_id, older.post_url or older.url
        registry.entries.append(entry)
        registry.updated_at = entry.posted_at
        jsonio.write_atomic(registry_path(s), to_data(registry))
        tx.written.append(registry_path(s))
        run.status = "POSTED"
        append_event(run, "posted", s.actor, platform=platform, url=url, video_sha256=digest)
        tx.subject, tx.trailers = f"posted on {platform}", {"Status": "POSTED", "Op": "handoff"}
        tx.save_run(run)
        return entry


def _video_digest(s: Session, video: str) -> str:
    """The SHA-256 of the published file, hashed before the workspace lock is taken."""
    from runner.hashing import sha256_file

    path = s.ws.flag_path(video, "--video")
    if not path.is_file():
        found = "is a directory" if path.is_dir() else "is not a regular file" if path.exists() else "does not exist"
        raise NotFoundError(f"--video {s.ws.rel(path)} {found}; a video file is expected",
                            "give the published video file")
    return sha256_file(path)
