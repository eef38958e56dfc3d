"""The one JSON writer: canonical (sorted keys, indent 2, trailing newline) and atomic
(temp file, fsync, rename, directory fsync). Also the one reader, which names the file
in every error."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, TypeVar

from runner.errors import RecordError

T = TypeVar("T")


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def canonical_bytes(data: Any) -> bytes:
    """Compact canonical form, for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_atomic(path: Path, data: Any | bytes | str, *, exclusive: bool = False) -> None:
    """Write JSON (or raw text/bytes) to `path` atomically.

    With `exclusive`, refuse (FileExistsError) when `path` already exists, and never
    replace it even under a race: the temp file is hard-linked into place."""
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
        raise error(f"{what} {path} is nested too deeply to read") from None
    if has_lone_surrogate(data):
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
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(None, None, "anchors and aliases (&, *) are not allowed",
                                                  event.start_mark)
            return super().compose_node(parent, index)

    if not timestamps:
        Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
    return Loader


def has_lone_surrogate(data: Any) -> bool:
    """Whether a parsed document holds a string no UTF-8 file can store (a lone surrogate,
    which JSON and YAML escapes such as "\\ud800" produce)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


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
        try:
            return msgspec.json.decode(raw, type=kind)
        except msgspec.ValidationError as exc:
            raise error(f"{what} {path}: {describe(exc)}", hint) from None
        except msgspec.DecodeError:
            pass  # the reader below names the syntax error with its line and column
    data = parse_document(decode(raw, path, what=what, error=error), path, what=what, error=error,
                          yaml_suffixes=yaml_suffixes)
    return load(kind, data, error, f"{what} {path}", hint)
