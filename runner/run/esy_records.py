"""The run records of the original Esy runner, read as they are: RUN.json (the run, its
gates with their attempts embedded, events) and record/gates/<G>/attempt-<n>.json.
Their format has no schema version and few guarantees, so it is read leniently, and
every field that runner's records cannot carry is named (`Notes`), never dropped
silently. No I/O beyond reading the files; importing.py writes and commits."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

import msgspec

from runner import jsonio
from runner.errors import RecordError
from runner.hashing import sha256_bytes
from runner.paths import in_git_dir, is_safe_name, substitute

ATTEMPT_FILE = re.compile(r"^attempt-([1-9][0-9]*)\.json$")
RUN_FIELDS = {"run_id", "workflow", "depth", "prompt", "status", "started_at", "finished_at", "gates",
              "invocations", "artifacts_index", "validations", "events"}
# What runner builds again from the attempts, or cannot carry, and why.
RUN_NOT_CARRIED = {
    "events": "rebuilt from the attempts with their original times; the original messages are not carried",
    "artifacts_index": "derived again from the attempts",
    "validations": "derived again from the attempts",
}
ATTEMPT_NOT_CARRIED = {
    "absolute_path": "a path of the machine that ran it; runner records workspace-relative paths",
    "resolved_path": "a path of the machine that ran it; runner records workspace-relative paths",
    "prompt_sha256": "the original's prompt hash covered a timestamp and cannot be reproduced",
}
INVOCATION_FIELDS = {"id", "gate", "attempt", "agent", "status", "model", "timestamp", "at", "recorded_at",
                     "started_at"}
ATTEMPT_FIELDS = {"attempt", "status", "started_at", "finished_at", "agent", "prompt_sha256", "invocation_ids",
                  "required_outputs", "artifacts", "validations", "failure_reason"}


class RunnerRecord(RecordError):
    """The folder holds a record of runner itself (imported before, or never Esy's)."""


class Notes(msgspec.Struct):
    """field -> why it was not carried (or how it was carried otherwise), for one run."""

    fields: dict[str, str] = msgspec.field(default_factory=dict)

    def add(self, field: str, why: str) -> None:
        self.fields.setdefault(field, why)


class Original(msgspec.Struct):
    """One run of the original, read: RUN.json and its attempt files."""

    folder: Path  # <runs>/<run-id>
    run: dict[str, Any]
    attempts: dict[tuple[str, int], dict[str, Any]]  # (gate, n) -> the attempt as the original recorded it
    sha256: dict[str, str]  # file (relative to the run folder) -> sha256 of its bytes
    notes: Notes


LISTS = ("artifacts", "invocation_ids", "required_outputs", "validations")  # an attempt's fields that are lists


def _json_object(path: Path, what: str) -> tuple[dict[str, Any], bytes]:
    if not path.is_file():  # a FIFO, or a link to /dev/zero, would be read for ever
        raise RecordError(f"{path}: not a regular file", "an Esy record is a JSON file")
    raw = jsonio.read_bytes(path, what=what, error=RecordError)
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise RecordError(f"{path}: not JSON ({exc})", "an Esy record is a JSON file") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path}: not a JSON object", "an Esy record is a JSON object")
    return data, raw


def read_original(folder: Path) -> Original:
    """Read one original run folder; RecordError naming the file and the field when it
    is not one."""
    run, raw = _json_object(folder / "record" / "RUN.json", "Esy run record")
    sha = {"record/RUN.json": sha256_bytes(raw)}
    where = f"{folder / 'record' / 'RUN.json'}"
    workflow = run.get("workflow")
    for name, ok in (("run_id", isinstance(run.get("run_id"), str)), ("workflow", isinstance(workflow, dict)),
                     ("workflow.slug", isinstance(workflow, dict) and isinstance(workflow.get("slug"), str)),
                     ("started_at", isinstance(run.get("started_at"), str))):
        if not ok:
            raise RecordError(f"{where}: {name} is missing or not a string/object",
                              "not a RUN.json of the Esy runner")
    if "schema_version" in run:
        raise RunnerRecord(f"{where}: has a schema_version: a record of runner, not of the Esy runner",
                          "only the original runner's records are imported")
    for name in ("gates", "invocations"):
        if not isinstance(run.get(name) or [], list):
            raise RecordError(f"{where}: {name} is {type(run[name]).__name__}, not a list", "not a RUN.json of the Esy runner")
    for gate in run.get("gates") or []:
        if not isinstance(gate, dict) or not is_safe_name(str(gate.get("gate"))):
            raise RecordError(f"{where}: gates[]: {gate.get('gate') if isinstance(gate, dict) else gate!r} is not "
                              "a gate id runner can record", "use letters, digits, '.', '_' and '-'")
        if not isinstance(gate.get("attempts") or [], list):
            raise RecordError(f"{where}: gates[{gate['gate']}].attempts is {type(gate['attempts']).__name__}, "
                              "not a list", "not a RUN.json of the Esy runner")
    notes = Notes()
    for name in sorted(set(run) - RUN_FIELDS):
        notes.add(name, "a field runner does not know; not carried")
    attempts: dict[tuple[str, int], dict[str, Any]] = {}
    for gate in run.get("gates") or []:
        for embedded in (gate.get("attempts") or []) if isinstance(gate, dict) else []:
            number = embedded.get("attempt") if isinstance(embedded, dict) else None
            if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
                attempts[(str(gate.get("gate")), number)] = embedded
    gates_dir = folder / "record" / "gates"
    for gate_dir in sorted(p for p in gates_dir.iterdir() if p.is_dir()) if gates_dir.is_dir() else []:
        for path in sorted(gate_dir.iterdir()):
            m = ATTEMPT_FILE.match(path.name)
            if not m:
                notes.add(f"record/gates/{gate_dir.name}/{path.name}", "not an attempt file; not carried")
                continue
            data, raw = _json_object(path, "Esy attempt record")
            key = (gate_dir.name, int(m.group(1)))
            sha[f"record/gates/{gate_dir.name}/{path.name}"] = sha256_bytes(raw)
            if key in attempts and attempts[key] != data:
                notes.add(f"gates.{key[0]}.attempts[{key[1]}]", "RUN.json and the attempt file differ; the file "
                          "is carried")
            attempts[key] = data
    for (gate, number), data in attempts.items():
        if not is_safe_name(gate):
            raise RecordError(f"{where}: gate {gate!r} is not a gate id runner can record",
                              "use letters, digits, '.', '_' and '-'")
        _check_attempt(data, f"{where}: gates.{gate}.attempts[{number}]")
        if f"record/gates/{gate}/attempt-{number}.json" not in sha:
            notes.add(f"record/gates/{gate}/attempt-{number}.json",
                      "missing: the attempt is carried from RUN.json")
    return Original(folder, run, attempts, sha, notes)


def _check_attempt(data: dict[str, Any], where: str) -> None:
    """The shapes the import relies on: lists where lists are read, text where text is."""
    for name in LISTS:
        if not isinstance(data.get(name) or [], list):
            raise RecordError(f"{where}.{name} is {type(data[name]).__name__}, not a list",
                              "not an attempt of the Esy runner")
    for index, artifact in enumerate(data.get("artifacts") or []):
        for name in ("path", "sha256", "absolute_path"):
            value = artifact.get(name) if isinstance(artifact, dict) else None
            if value is not None and not isinstance(value, str):
                raise RecordError(f"{where}.artifacts[{index}].{name} is {type(value).__name__}, not text",
                                  "not an attempt of the Esy runner")


class Paths:
    """Their path templates made workspace-relative: {slug} and {artifact_path} are
    substituted; {client_component}, which they resolved on their machine, is taken from
    the absolute path they recorded (its file name, in the artifact folder)."""

    def __init__(self, slug: str, artifact_path: str | None):
        self.values = {"slug": slug, "artifact_path": artifact_path or ""}

    def resolve(self, template: str, absolute: str | None = None) -> str:
        """The workspace-relative path; RecordError when it leaves the work tree (runner
        records never name a file outside the workspace, nor in .git)."""
        if "{client_component}" in template and absolute:
            name = posixpath.basename(absolute.replace("\\", "/"))
            template = template.replace("{client_component}", posixpath.join(self.values["artifact_path"], name))
        return work_tree(posixpath.normpath(substitute(template, self.values, strict=False)), template)


def work_tree(path: str, shown: str) -> str:
    """`path` when it stays in the work tree, else RecordError naming `shown`."""
    if "\0" in path or posixpath.isabs(path) or path.split("/")[0] == ".." or in_git_dir(path):
        raise RecordError(f"path {shown!r} leaves the workspace or enters .git",
                          "runner records only workspace-relative paths outside .git")
    return path


def check_paths(original: Original) -> None:
    """Every path the import will record resolves inside the work tree (RecordError
    naming the first that does not), checked before anything is written."""
    wf = original.run["workflow"]
    art = wf.get("artifact_path")
    if art is not None:
        work_tree(posixpath.normpath(str(art)), f"workflow.artifact_path {art}")
    paths = Paths(wf["slug"], text(art))
    for data in original.attempts.values():
        for artifact in (a for a in data.get("artifacts") or [] if isinstance(a, dict)):
            paths.resolve(str(artifact.get("path") or ""), artifact.get("absolute_path"))
        for template in data.get("required_outputs") or []:
            paths.resolve(str(template))
        for check in (v for v in data.get("validations") or [] if isinstance(v, dict)):
            if isinstance(check.get("path"), str):
                paths.resolve(check["path"])


def check_status(record: dict[str, Any], severity: str) -> str:
    """PASS, FAIL, WARN (a failed warning) or SKIPPED, from their `pass`/`skipped`."""
    if record.get("skipped"):
        return "SKIPPED"
    if record.get("pass"):
        return "PASS"
    return "WARN" if severity == "warning" else "FAIL"


def check_message(record: dict[str, Any], status: str) -> str:
    """Their own words when they recorded some, else what their fields say."""
    for key in ("message", "reason", "error"):
        if isinstance(record.get(key), str) and record[key]:
            return record[key]
    shown = ", ".join(f"{k}={record[k]!r}" for k in ("path", "pattern", "found", "count", "required")
                      if k in record and not isinstance(record[k], (dict, list)))
    return f"{record.get('type', 'check')} {status} (imported from the Esy runner{': ' + shown if shown else ''})"


def when(invocation: dict[str, Any]) -> str | None:
    """When the original recorded an invocation (its field names vary)."""
    return next((str(invocation[k]) for k in ("timestamp", "at", "recorded_at", "started_at") if invocation.get(k)),
                None)


def text(value: Any) -> str | None:
    """A field the record types hold as text: None stays None, anything else its text."""
    return None if value is None else str(value)


def mentions(data: Any, name: str) -> bool:
    """Whether the key `name` holds a value anywhere in `data` (nested dicts and lists)."""
    if isinstance(data, dict):
        return any((k == name and v is not None) or mentions(v, name) for k, v in data.items())
    if isinstance(data, list):
        return any(mentions(v, name) for v in data)
    return False
