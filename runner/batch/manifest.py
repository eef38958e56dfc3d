"""batches/<batch-id>/manifest.jsonl: planned once (versioned names, as the seed's
planner makes them: <name>_01, <name>_02, ...), written atomically and committed like
a record; read back as typed lines."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from runner import __version__, contracts, git, jsonio, locking
from runner.batch.items import read_items
from runner.batch.messages import ManifestLine
from runner.errors import NotFoundError, RecordError
from runner.git import commit
from runner.models.base import describe, to_data
from runner.paths import check_name
from runner.run.session import Session

BATCHES = "batches"
MANIFEST = "manifest.jsonl"


class Batch(msgspec.Struct):
    batch_id: str
    workflow: str
    items: list[ManifestLine]
    path: str  # the manifest, workspace-relative


def batch_dir(root: Path, batch_id: str) -> Path:
    return root / BATCHES / check_name(batch_id, "batch id")


def next_batch_id(root: Path, name: str) -> str:
    """`<name>_NN`, one more than the highest planned (the seed's get_next_filename)."""
    check_name(name, "batch name")
    pattern = re.compile(rf"^{re.escape(name)}_(\d+)$")
    taken = [int(m.group(1)) for p in (root / BATCHES).glob(f"{name}_*") if (m := pattern.match(p.name))]
    return f"{name}_{max(taken, default=0) + 1:02d}"


def plan(s: Session, workflow: str, items_file: Path, name: str | None = None) -> Batch:
    """Validate every item, then write and commit the manifest (nothing is written when a row is invalid)."""
    root = s.ws.root
    wf = contracts.load_workflow(s.ws, workflow).model
    lock = s.ws.git_dir / "runner.lock"
    with locking.hold(lock, s.ws.config.lock_timeout_s, "batch plan"):
        batch_id = next_batch_id(root, name or wf.workflow)
        lines = read_items(items_file, root, workflow, batch_id, s.ws.config.runs_dir)
        path = batch_dir(root, batch_id) / MANIFEST
        jsonio.write_atomic(path, b"".join(msgspec.json.encode(to_data(line)) + b"\n" for line in lines),
                            exclusive=True)
        rel = s.ws.rel(path)
        if s.commit:
            fields = {"Batch-Id": batch_id, "Items": len(lines), "Op": "batch-plan",
                      "Actor": f"{s.actor.name} <{s.actor.email}>" if s.actor.email else s.actor.name,
                      "Runner-Version": __version__}
            message = f"runner: batch {batch_id} planned ({len(lines)} items of {workflow})\n\n{git.trailers(fields)}\n"
            author = git.Identity(s.actor.name, s.actor.email or "")
            commit.commit_files(root, s.ws.git_dir, [rel], message, author, config=s.git_settings)
    return Batch(batch_id, workflow, lines, rel)


def load(root: Path, batch_id: str) -> Batch:
    path = batch_dir(root, batch_id) / MANIFEST
    if not path.is_file():
        planned = sorted(p.name for p in (root / BATCHES).glob("*") if (p / MANIFEST).is_file())
        raise NotFoundError(f"no batch {batch_id}", f"planned batches: {', '.join(planned) or 'none'}; "
                                                    "plan one with `runner batch plan`")
    items = []
    decoder = msgspec.json.Decoder(ManifestLine)
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            items.append(decoder.decode(raw))
        except msgspec.ValidationError as exc:
            raise RecordError(f"{path.name} line {number}: {describe(exc)}", "restore it from git") from None
        except msgspec.DecodeError as exc:
            raise RecordError(f"{path.name} line {number}: {exc}", "restore it from git") from None
    if not items or not items[0].args:
        raise RecordError(f"{path.name} of batch {batch_id} lists no items", "restore it from git")
    workflow = items[0].args[0]
    return Batch(batch_id, workflow, items, str(path.relative_to(root)))
