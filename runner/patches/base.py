"""What every patch kind shares: the error, the planned change, and reading and writing
the bytes of text and structured (JSON/YAML) artifacts. No file I/O here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from runner.errors import RunnerError

STRUCTURED = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
MAX_GROWTH = 64 * 1024 * 1024  # bytes a patch may add to a file: a few bytes of patch must not fill memory
MAX_MESSAGE = 200  # what an error quotes of a library's message (which may hold the whole document)


class PatchError(RunnerError):
    """A patch is malformed, does not fit its target, or can no longer be applied (exit 4)."""


@dataclass
class PlannedFile:
    """One file a patch changes: where, its hash before and after, the new bytes."""

    path: str  # workspace-relative posix path
    sha256_before: str
    sha256_after: str
    content: bytes = field(repr=False)  # the new bytes (not stored in records)


def structured_kind(rel: str) -> str | None:
    """'json', 'yaml' or None, from the file name's suffix."""
    dot = rel.rfind(".")
    return STRUCTURED.get(rel[dot:].lower()) if dot >= 0 else None


def decode(data: bytes, rel: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PatchError(f"{rel} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                         "only text files can be patched this way") from None


def load_structured(data: bytes, rel: str) -> Any:
    kind = structured_kind(rel)
    text = decode(data, rel)
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise PatchError(f"{rel} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                             "fix the file before patching it") from None
    if kind == "yaml":
        import yaml  # heavy: only for a YAML target

        from runner.jsonio import yaml_loader

        try:
            return yaml.load(text, Loader=yaml_loader())
        except yaml.YAMLError as exc:
            raise PatchError(f"{rel} is not valid YAML: {one_line(exc)}", "fix the file before patching it") from None
    raise PatchError(f"{rel} is not a JSON or YAML file", "name a .json, .yaml or .yml output as the target")


def dump_structured(document: Any, rel: str) -> bytes:
    """JSON: indent 2, trailing newline, the document's own key order. YAML: safe_dump,
    key order kept. Deterministic: the same document always gives the same bytes."""
    if structured_kind(rel) == "json":
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    import yaml

    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


def one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "..."


def check_growth(added: int, rel: str) -> None:
    """Refuse a patch that would add more than MAX_GROWTH bytes to `rel`."""
    if added > MAX_GROWTH:
        raise PatchError(f"the patch would add about {added // 2**20} MiB to {rel}, more than the "
                         f"{MAX_GROWTH // 2**20} MiB a patch may add", "patch the file in smaller steps, or regenerate it")


def shorten(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")
