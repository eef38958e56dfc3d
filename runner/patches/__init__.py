"""Patches a person attaches to a gate decision: load, validate, plan (in memory, at
decision time), apply (at resume, only onto the exact bytes the plan saw).

    patch = load_patch(Path("fix.json"))           # a list (RFC 6902) or a typed dict
    planned = plan(root, patch, outputs, target)    # nothing written; hashes before/after
    record = describe(patch, planned[0].path)       # what the decision record stores
    ...                                             # (with the hashes, not the bytes)
    planned = replan(root, record, recorded_files)  # at resume: same bytes, same hashes
    apply(root, planned)                            # refuses files changed since the plan

The patch types are the literal registry PATCH_TYPES: type tag -> function
`(validated spec, current bytes, workspace-relative path) -> new bytes`."""

from __future__ import annotations

import json
import os
import posixpath
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from runner.errors import WorkspaceError
from runner.hashing import sha256_bytes, sha256_file
from runner.jsonio import canonical_bytes, dumps, read_document, write_atomic
from runner.models.base import load as load_typed
from runner.models.patch import PATCH_MODELS, AnyPatch, JsonPatch
from runner.patches import audio, kinds
from runner.patches.base import PatchError, PlannedFile, structured_kind
from runner.paths import inside, relative

__all__ = ["PATCH_TYPES", "PatchError", "PlannedFile", "apply", "describe", "fingerprint", "load_patch", "plan", "replan",
           "stored_form"]

PATCH_TYPES: dict[str, Callable[[Any, bytes, str], bytes]] = {
    "json_patch": kinds.json_patch,
    "text_replace": kinds.text_replace,
    "section_replace": kinds.section_replace,
    "duration_adjust": kinds.duration_adjust,
    "level_adjust": audio.level_adjust,  # imports the media extra only when used
}


def load_patch(path: Path) -> Any:
    """A patch file: YAML when it ends in .yaml/.yml, JSON otherwise. Returns the raw list
    or dict; `plan` and `describe` validate it."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # the reader below names what is wrong
    if mode is not None and not stat.S_ISREG(mode):  # a FIFO would wait for a writer for ever
        raise PatchError(f"patch file {path} is not a regular file", "give a .json, .yaml or .yml file")
    data = read_document(path, what="patch file", error=PatchError)
    if not isinstance(data, (list, dict)):
        raise PatchError(f"patch file {path} holds {type(data).__name__ if data is not None else 'nothing'}",
                         "a patch is a list of JSON Patch operations or an object with a 'type'")
    return data


def describe(patch: Any, target: str | None = None) -> dict:
    """The validated patch as the decision record stores it, with the target resolved
    from `--target` when the patch has none. `plan` of the result gives the same change."""
    spec = _spec(patch, target)
    out: dict[str, Any] = {"type": spec.type}
    if spec.target is not None:
        out["target"] = spec.target
    out.update({k: v for k, v in msgspec.to_builtins(spec).items() if k not in ("type", "target", "operations")})
    if isinstance(spec, JsonPatch):
        out["operations"] = [operation.rfc() for operation in spec.operations]
    return out


def plan(root: Path, patch: Any, outputs: list[str], target: str | None = None) -> list[PlannedFile]:
    """The change `patch` makes to the gate's outputs, computed in memory: nothing is written."""
    root = Path(root)
    spec = _spec(patch, target)
    function = PATCH_TYPES.get(spec.type)
    if function is None:
        raise PatchError(f"no function for patch type {spec.type!r}")
    rel = spec.target
    if rel is None:
        rel = _only_structured_output(root, outputs) if spec.type == "json_patch" else _only_output(root, spec, outputs)
    path = _output_file(root, rel, outputs)
    before = path.read_bytes()
    after = function(spec, before, rel)
    if after == before:
        raise PatchError(f"the patch changes nothing in {rel}", "check the patch against the file")
    return [PlannedFile(rel, sha256_bytes(before), sha256_bytes(after), after)]


def replan(root: Path, patch: Any, recorded: Sequence[Any]) -> list[PlannedFile]:
    """Plan a decision's stored patch again at resume, for `apply`. `recorded` are the
    decision's files (anything with path, sha256_before, sha256_after). Each file must
    still hold its `before` bytes (or already its `after` bytes: an earlier apply), and the
    new plan must give exactly the recorded `after` hashes."""
    root = Path(root)
    pending, done = [], []
    for item in recorded:
        path = _contained(root, _clean(item.path))
        try:
            current = sha256_file(path)
        except FileNotFoundError:
            raise PatchError(f"{item.path} no longer exists; decide again") from None
        if current == item.sha256_after:
            done.append(PlannedFile(item.path, item.sha256_before, item.sha256_after, path.read_bytes()))
        elif current != item.sha256_before:
            raise PatchError(f"{item.path} changed since the decision (sha256 {current}, the decision saw "
                             f"{item.sha256_before}); decide again", "nothing was written")
        else:
            pending.append(item)
    if not pending:
        return done
    target = pending[0].path if len(pending) == 1 else None
    planned = plan(root, patch, [item.path for item in pending], target)
    wanted = {item.path: item.sha256_after for item in pending}
    for item in planned:
        if wanted.get(item.path) != item.sha256_after:
            raise PatchError(f"planning the stored patch again gives a different {item.path} "
                             f"(sha256 {item.sha256_after}, the decision recorded {wanted.get(item.path)})",
                             "decide again")
    if {item.path for item in planned} != set(wanted):
        raise PatchError("planning the stored patch again changes other files than the decision recorded",
                         "decide again")
    return done + planned


def apply(root: Path, planned: list[PlannedFile]) -> None:
    """Write the planned bytes, but only onto the bytes the plan saw: every file is checked
    first, then each is written atomically, in order; a failed write stops the rest.
    A file that already holds its planned bytes (an earlier apply) is left as it is."""
    root = Path(root)
    todo: list[tuple[Path, PlannedFile]] = []
    for item in planned:
        path = _contained(root, _clean(item.path))
        if sha256_bytes(item.content) != item.sha256_after:
            raise PatchError(f"the planned content of {item.path} does not match its sha256_after",
                             "plan the patch again")
        try:
            current = sha256_file(path)
        except FileNotFoundError:
            raise PatchError(f"{item.path} no longer exists; decide again") from None
        if current == item.sha256_after:
            continue
        if current != item.sha256_before:
            raise PatchError(f"{item.path} changed since the decision (sha256 {current}, the decision saw "
                             f"{item.sha256_before}); decide again", "nothing was written")
        todo.append((path, item))
    done: list[str] = []
    for path, item in todo:
        try:
            write_atomic(path, item.content)  # keeps the file's mode
        except OSError as exc:
            rest = [other.path for _, other in todo[len(done) + 1:]]
            raise PatchError(f"writing {item.path} failed: {exc.strerror or exc}",
                             f"written: {', '.join(done) or 'none'}; not written: "
                             f"{', '.join([item.path, *rest])}") from None
        done.append(item.path)


def _spec(patch: Any, target: str | None) -> AnyPatch:
    """Validate `patch` (a list is a JSON Patch) and settle its target with `--target`."""
    if isinstance(patch, list):
        patch = {"type": "json_patch", "operations": patch}
    if not isinstance(patch, dict):
        raise PatchError(f"a patch is a list of JSON Patch operations or an object with a 'type', "
                         f"not {type(patch).__name__}")
    known = ", ".join(sorted(PATCH_MODELS))
    kind = patch.get("type")
    if not isinstance(kind, str) or kind not in PATCH_MODELS:
        what = f"unknown patch type {kind!r}" if "type" in patch else "the patch has no 'type'"
        raise PatchError(what, f"known types: {known}")
    spec = load_typed(PATCH_MODELS[kind], patch, PatchError, f"invalid {kind} patch", "see docs/patches.md")
    own = _clean(spec.target) if spec.target is not None else None
    if target is not None:
        flag = _clean(target, "--target")
        if own is not None and own != flag:
            raise PatchError(f"the patch targets {own} but --target says {flag}", "drop --target or make them agree")
        own = flag
    return msgspec.structs.replace(spec, target=own)


def _clean(rel: str, what: str = "patch target") -> str:
    """A workspace-relative posix path without '.', '//' or '..'."""
    if not rel or rel.startswith("/") or Path(rel).is_absolute():
        raise PatchError(f"{what} {rel!r} is not a workspace-relative path", "e.g. script.md or out/storyboard.json")
    if ".." in rel.split("/"):
        raise PatchError(f"{what} {rel!r} leaves the workspace ('..')", "name one of the gate's outputs")
    return posixpath.normpath(rel)


def stored_form(patch: Any) -> Any:
    """`patch` as every record holds it (keys sorted): planned in this form, a patch
    applied later writes the very bytes planned now."""
    return json.loads(dumps(patch))


def fingerprint(stored: Any) -> str:
    """The SHA-256 of a patch's canonical JSON (its stored form, as `describe` returns it)."""
    return sha256_bytes(canonical_bytes(stored))


def _only_output(root: Path, spec: AnyPatch, outputs: list[str]) -> str:
    """The target of a typed patch without one: the gate's one output file."""
    files = [posixpath.normpath(o) for o in outputs if not (root / o).is_dir()]
    if len(files) == 1:
        return files[0]
    if not files:
        raise PatchError(f"the {spec.type} patch has no target and the gate has no output file to patch",
                         'add "target" to the patch or pass --target')
    raise PatchError(f"the {spec.type} patch has no target and the gate has {len(files)} outputs: {', '.join(files)}",
                     'say which one with "target" in the patch or --target')


def _is_output(root: Path, rel: str, outputs: list[str]) -> bool:
    cleaned = [posixpath.normpath(output) for output in outputs]
    return rel in cleaned or any(rel.startswith(output + "/") and (root / output).is_dir() for output in cleaned)


def _only_structured_output(root: Path, outputs: list[str]) -> str:
    found = [posixpath.normpath(o) for o in outputs if structured_kind(o) and not (root / o).is_dir()]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(outputs) or "none"
    if not found:
        raise PatchError(f"this gate has no JSON or YAML output for the JSON Patch; outputs: {listed}",
                         "pass --target naming the file to patch")
    raise PatchError(f"the JSON Patch could apply to several outputs: {', '.join(found)}",
                     "choose one with --target")


def _output_file(root: Path, rel: str, outputs: list[str]) -> Path:
    if not _is_output(root, rel, outputs):
        raise PatchError(f"{rel} is not an output of this gate; outputs: {', '.join(outputs) or 'none'}",
                         "a patch may change only the outputs of the gate it is attached to")
    path = _contained(root, rel)
    if not path.is_file():
        raise PatchError(f"{rel} does not exist" if not path.exists() else f"{rel} is not a regular file",
                         "a patch changes an existing file")
    return path


def _contained(root: Path, rel: str) -> Path:
    """The path of `rel`, refusing links: the file written must be the file named."""
    try:
        path = inside(root, rel, what="patch target")
    except WorkspaceError as exc:
        raise PatchError(exc.message, exc.hint) from None
    if path.is_symlink() or relative(root, path) != rel:
        raise PatchError(f"{rel} is (or lies under) a symbolic link", "name the real file as the output")
    return path
