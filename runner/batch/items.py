"""Reading a batch's items (items.csv or items.jsonl) into manifest lines, with every
invalid row reported at once: `line L, column C: why`.

Each item: `id` (default: its line number), `slug` (default: the id), `artifact_path`
(default: artifacts/<batch-id>/<id>), and params (the other CSV columns, or the JSONL
object's `params` and other keys)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from runner.batch.messages import ItemMeta, ManifestLine
from runner.errors import RunnerError, WorkspaceError
from runner.paths import in_run_records, is_safe_name, work_tree_path

RESERVED = ("id", "slug", "artifact_path")
TASK = "runner.batch.run"


class ItemsError(RunnerError):
    """An items file with invalid rows (every one listed); nothing was written."""


def read_items(path: Path, root: Path, workflow: str, batch_id: str, runs_dir: str = "runs") -> list[ManifestLine]:
    if not path.is_file():  # a FIFO or a device would be read forever
        raise ItemsError(f"{path} is not a file", "give a UTF-8 items.csv or items.jsonl")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's byte order mark is not part of the header
    except (OSError, UnicodeDecodeError) as exc:
        raise ItemsError(f"cannot read {path}: {exc}", "give a UTF-8 items.csv or items.jsonl") from None
    if path.suffix == ".csv":
        rows, errors = _csv_rows(text)
    elif path.suffix in (".jsonl", ".ndjson"):
        rows, errors = _jsonl_rows(text)
    else:
        raise ItemsError(f"{path.name}: unknown items format {path.suffix or '(none)'}", "use .csv or .jsonl")
    lines = []
    seen: dict[str, int] = {}
    for line, fields in rows:
        meta = _meta(line, fields, (root, runs_dir), batch_id, errors)
        if meta is None:
            continue
        for key, value in (("id", meta.id), ("artifact_path", meta.artifact_path)):
            earlier = seen.setdefault(f"{key}={value}", line)
            if earlier != line:
                errors.append(f"line {line}, column {key}: {value!r} is also the {key} of line {earlier}")
                break
        lines.append(ManifestLine(task=TASK, args=[workflow], meta=meta))
    if not lines and not errors:
        errors.append("line 1: no items")
    if errors:
        errors.sort(key=lambda e: int(e.split()[1].rstrip(",:")))
        shown = "; ".join(errors[:20]) + (f"; and {len(errors) - 20} more" if len(errors) > 20 else "")
        raise ItemsError(f"{path.name}: {len(errors)} invalid row(s): {shown}",
                         "fix those rows and plan again; nothing was written")
    return lines


def _csv_rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    rows, errors = [], []
    header: list[str] | None = None
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # an unterminated quote, a field over the csv module's limit
            errors.append(f"line {reader.line_num}, column 1: the CSV is malformed ({exc}): check its quotes")
            break
        line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip() for cell in record]
            blank = [i + 1 for i, name in enumerate(header) if not name]
            if blank:
                errors.append(f"line {line}, column {blank[0]}: the header has an empty column name")
            twice = [i + 1 for i, name in enumerate(header) if name and name in header[:i]]
            if twice:
                errors.append(f"line {line}, column {twice[0]}: the header names {header[twice[0] - 1]!r} twice")
            continue
        if len(record) != len(header):
            errors.append(f"line {line}, column {min(len(record), len(header)) + 1}: "
                          f"{len(record)} field(s), the header has {len(header)}")
            continue
        rows.append((line, dict(zip(header, record))))
    return rows, errors


def _jsonl_rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    rows, errors = [], []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"line {line}, column {exc.colno}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            errors.append(f"line {line}, column 1: an item is a JSON object, not {type(value).__name__}")
            continue
        params = value.pop("params", {})
        if not isinstance(params, dict):
            errors.append(f"line {line}, column params: params is a JSON object")
            continue
        rows.append((line, {**value, **params, **{k: value[k] for k in RESERVED if k in value}}))
    return rows, errors


def _meta(line: int, fields: dict, where: tuple[Path, str], batch_id: str, errors: list[str]) -> ItemMeta | None:
    given = fields.get("id")
    item_id = str(line if given is None or given == "" else given).strip()
    slug = str(fields.get("slug") or item_id).strip()
    found = len(errors)
    for key, value in (("id", item_id), ("slug", slug)):
        if not is_safe_name(value):
            errors.append(f"line {line}, column {key}: {value!r} is not a name (letters, digits, '.', '_', '-')")
            break  # a slug taken from a bad id says the same again
    given_art = str(fields.get("artifact_path") or f"artifacts/{batch_id}/{item_id}").strip()
    art = os.path.normpath(given_art) if given_art else given_art  # one spelling: duplicates are found
    problem = _artifact_problem(where, given_art)
    if problem:
        errors.append(f"line {line}, column artifact_path: {problem}")
    if len(errors) > found:
        return None
    params = {k: v for k, v in fields.items() if k not in RESERVED}
    return ItemMeta(id=item_id, slug=slug, artifact_path=art, params=params, line=line)


def _artifact_problem(where: tuple[Path, str], art: str) -> str | None:
    """Why an item's artifact folder cannot be one (None: it can): outside the work tree,
    the workspace itself, or in a run's record folder."""
    root, runs_dir = where
    try:
        work_tree_path(root, art, what="artifact_path")
    except WorkspaceError as exc:
        return exc.message
    if Path(os.path.normpath(art)).parts in ((), (".",)):
        return f"artifact_path {art!r} is the workspace itself; give a folder inside it"
    if in_run_records(art, runs_dir):
        return f"artifact_path {art!r} is in a run's record folder"
    return None
