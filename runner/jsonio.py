"""The one JSON writer: canonical (sorted keys, indent 2, trailing newline) and atomic
(temp file, fsync, rename, directory fsync). Also the one reader, which names the file
in every error."""

from __future__ import annotations

import functools
import json
import os
import re
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

from runner.errors import RecordError

T = TypeVar("T")
MAX_DEPTH = 200  # the deepest nesting of arrays and objects a document may have
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def canonical_bytes(data: Any) -> bytes:
    """Compact canonical form, for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_atomic(path: Path, data: Any | bytes | str, *, exclusive: bool = False, durable: bool = True) -> None:
    """Write JSON (or raw text/bytes) to `path` atomically.

    With `exclusive`, refuse (FileExistsError) when `path` already exists, and never
    replace it even under a race: the temp file is hard-linked into place. Without
    `durable`, the file and its folder are not synced to disk (the caller syncs once
    for many writes): still atomic for every process, not across a power loss."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        payload = data
    elif isinstance(data, str):
        payload = data.encode()
    else:
        payload = dumps(data).encode()
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, _mode(path))  # mkstemp makes 0600; keep the file's mode, or the usual one
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)  # fails with FileExistsError if someone else won
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def temp_path(path: Path) -> Path:
    """A new name beside `path` for its temp file: .<name>.<pid>.<random>.tmp"""
    return path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def temp_owner(path: Path) -> int | None:
    """The pid a temp_path name carries (None for another name)."""
    parts = path.name.split(".")
    return int(parts[-3]) if len(parts) >= 5 and parts[-1] == "tmp" and parts[-3].isdigit() else None


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def sync_files(paths: list[Path]) -> None:
    """Make files written without `durable` durable: each file, then each folder that
    holds one, synced. Only these files are flushed, not the other writes of the machine
    (os.sync would wait for every render in progress)."""
    for path in paths:
        fsync_path(path)
    for directory in sorted({Path(p).parent for p in paths}):
        fsync_path(directory)


def fsync_dir(directory: Path) -> None:
    fsync_path(directory)


def fsync_path(path: Path) -> None:
    """fsync a file or a directory by its path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json(path: Path, *, what: str = "file", error: type[Exception] = RecordError) -> Any:
    return read_document(path, what=what, error=error, yaml_suffixes=())


def read_document(path: Path, *, what: str = "file", error: type[Exception] = RecordError,
                  yaml_suffixes: tuple[str, ...] = (".yaml", ".yml")) -> Any:
    """The one reader of JSON (and, by suffix, YAML) documents: every failure is `error`
    with the file named, never another exception."""
    path = Path(path)
    return parse_document(read_text(path, what=what, error=error), path, what=what, error=error,
                          yaml_suffixes=yaml_suffixes)


def read_text(path: Path, *, what: str = "file", error: type[Exception] = RecordError) -> str:
    return decode(read_bytes(path, what=what, error=error), path, what=what, error=error)


def decode(data: bytes, path: Path, *, what: str = "file", error: type[Exception] = RecordError) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path} is not UTF-8 text: {exc.reason}") from None


def read_bytes(path: Path, *, what: str = "file", error: type[Exception] = RecordError) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found: {path}", "check the path") from None
    except IsADirectoryError:
        raise error(f"{what} {path} is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{what} {path} cannot be read: {exc.strerror}") from None


def parse_document(text: str, path: Path, *, what: str = "file", error: type[Exception] = RecordError,
                   yaml_suffixes: tuple[str, ...] = (".yaml", ".yml")) -> Any:
    """The text of `path` parsed as JSON, or YAML for `yaml_suffixes`."""
    try:
        if path.suffix.lower() in yaml_suffixes:
            import yaml  # only YAML documents pay for it

            try:
                data = yaml.load(text, Loader=yaml_loader())  # noqa: S506 (a SafeLoader subclass)
            except yaml.YAMLError as exc:
                raise error(f"{what} {path} is not valid YAML: {' '.join(str(exc).split())}", "fix the syntax") from None
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise error(f"{what} {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            "fix the syntax and try again") from None
    except RecursionError:
        raise error(f"{what} {path} {TOO_DEEP}", "flatten the document") from None
    problem = document_problem(data)
    if problem == "deep":
        raise error(f"{what} {path} {TOO_DEEP}", "flatten the document")
    if problem == "surrogate":
        raise error(f"{what} {path} holds a lone surrogate escape (\\ud800-\\udfff), which is not text",
                    "no record can store it: write the character itself, or a valid surrogate pair")
    return data


@functools.cache
def yaml_loader(timestamps: bool = True) -> type:
    """yaml.SafeLoader refusing anchors and aliases (a few lines of aliases expand to
    billions of nodes: an alias bomb). Without `timestamps`, a date stays the string it is
    in the file, as it would be in JSON."""
    import yaml

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(None, None, "anchors and aliases (&, *) are not allowed",
                                                  event.start_mark)
            if self.depth > MAX_DEPTH:  # before Python's own recursion limit is reached
                raise yaml.composer.ComposerError(None, None, f"the document {TOO_DEEP}", event.start_mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    if not timestamps:
        Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
    return Loader


def json_too_deep(raw: bytes) -> bool:
    """Whether JSON bytes nest deeper than MAX_DEPTH, found before parsing: strings are
    dropped, then the running depth of the brackets left is taken."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:  # most records: nothing to scan
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return bool(brackets) and max(accumulate(1 if b in b"[{" else -1 for b in brackets)) > MAX_DEPTH


def document_problem(data: Any) -> str | None:
    """Why a parsed document cannot be read: "deep" when it nests deeper than MAX_DEPTH,
    "surrogate" when it holds a string no UTF-8 file can store (a lone surrogate, which JSON and YAML escapes
    such as "\\ud800" produce), else None. Iterative: any depth is walked safely."""
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "surrogate"
        elif isinstance(item, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                return "deep"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def load_typed(path: Path, kind: type[T], *, what: str = "file", error: type[Exception] = RecordError,
               hint: str | None = None, yaml_suffixes: tuple[str, ...] = (".yaml", ".yml"),
               shown: str | None = None) -> T:
    """A document read and decoded into `kind` (a record type), validated. `shown`: the
    path errors name (default `path`), e.g. relative to the workspace."""
    path = Path(path)
    raw = read_bytes(path, what=what, error=error)
    return decode_typed(raw, Path(shown) if shown else path, kind, what=what, error=error, hint=hint,
                        yaml_suffixes=yaml_suffixes)


def decode_typed(raw: bytes, path: Path, kind: type[T], *, what: str = "file", error: type[Exception] = RecordError,
                 hint: str | None = None, yaml_suffixes: tuple[str, ...] = (".yaml", ".yml")) -> T:
    """`raw`, the bytes of `path`, decoded into `kind`: JSON straight into the type;
    YAML (by suffix) parsed, then converted. Every failure is `error` naming the file and
    the field (`runs/r/record/RUN.json: $.gates[0].status: Invalid enum value 'X'`)."""
    import msgspec

    from runner.models.base import describe, load

    if path.suffix.lower() not in yaml_suffixes:
        if json_too_deep(raw):
            raise error(f"{what} {path} {TOO_DEEP}", hint)
        try:
            return msgspec.json.decode(raw, type=kind)
        except msgspec.ValidationError as exc:
            raise error(f"{what} {path}: {describe(exc)}", hint) from None
        except RecursionError:
            raise error(f"{what} {path} {TOO_DEEP}", "flatten the document") from None
        except msgspec.DecodeError:
            pass  # the reader below names the syntax error with its line and column
    data = parse_document(decode(raw, path, what=what, error=error), path, what=what, error=error,
                          yaml_suffixes=yaml_suffixes)
    return load(kind, data, error, f"{what} {path}", hint)
