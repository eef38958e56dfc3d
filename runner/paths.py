"""Path variables and containment: every path the runner reads or writes for a
workspace goes through `inside()`, which refuses `..`, absolute paths and symbolic
links that leave the workspace."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping

from runner.errors import ContractError, UsageError, WorkspaceError

VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# \Z, not $: `$` also matches before a final newline, and "A\n" is no name.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")

# Lazily computed variables (e.g. {client_component}) are callables.
Variables = Mapping[str, "str | Callable[[], str]"]


def is_safe_name(value: str) -> bool:
    return bool(SAFE_NAME.match(value or "")) and ".." not in value


def check_name(value: str, what: str) -> str:
    """Gate ids, slugs and run ids become path parts: letters, digits, . _ - only."""
    if not is_safe_name(value):
        raise UsageError(
            f"invalid {what} {value!r}",
            "use letters, digits, '.', '_' and '-' (at most 128, not starting with a symbol)",
        )
    return value


def _value(variables: Variables, name: str) -> str:
    value = variables[name]
    return value() if callable(value) else value


def substitute(template: str, variables: Variables, *, strict: bool = True, where: str = "") -> str:
    """Replace `{name}` by its value. With `strict`, an unknown `{name}` is a contract
    error; without it (regexes, text patterns) unknown braces are left as they are."""

    def repl(match: re.Match) -> str:
        name = match.group(1)
        if name in variables:
            return _value(variables, name)
        if strict:
            known = ", ".join("{%s}" % k for k in sorted(variables))
            raise ContractError(f"{where}unknown path variable {{{name}}} in {template!r}", f"known: {known}")
        return match.group(0)

    return VARIABLE.sub(repl, template)


def unknown_variables(template: str, known: set[str]) -> list[str]:
    return [m.group(1) for m in VARIABLE.finditer(template) if m.group(1) not in known]


def inside(root: Path, relative: str | os.PathLike, *, what: str = "path") -> Path:
    """The absolute path of `relative` under `root`, refusing anything that leaves it
    (absolute paths, `..`, symbolic links pointing outside)."""
    text = os.fspath(relative)
    if not text:
        raise WorkspaceError(f"empty {what}")
    if "\0" in text:
        raise WorkspaceError(f"{what} {text!r} contains a NUL byte", "give a plain workspace-relative path")
    if os.path.isabs(text):
        raise WorkspaceError(
            f"{what} {text!r} is absolute", "give a path relative to the workspace root"
        )
    root_real = Path(os.path.realpath(root))
    candidate = root_real / text
    real = Path(os.path.realpath(candidate))
    if real != root_real and root_real not in real.parents:
        raise WorkspaceError(
            f"{what} {text!r} is outside the workspace {root}",
            "keep every path inside the workspace (no '..', no links that lead out)",
        )
    return candidate


def in_git_dir(text: str) -> bool:
    """Whether a path has a `.git` component (any case; with the trailing dots and spaces
    that some file systems drop, as git itself refuses them)."""
    return any(part.rstrip(". ").lower() == ".git" for part in re.split(r"[\\/]", text))


def in_run_records(rel: str, runs_dir: str) -> bool:
    """Whether a workspace-relative path is in a run's record folder (either layout of
    `runs_dir`): the runner's own files, which no output, worker or page may write."""
    parts, runs = Path(os.path.normpath(rel)).parts, Path(runs_dir).parts
    return parts[:len(runs)] == runs and "record" in parts[len(runs):]


def work_tree_path(root: Path, relative: str | os.PathLike, *, what: str = "path") -> Path:
    """inside(), and outside `.git`: where the user's files and the runner's records live."""
    path = inside(root, relative, what=what)
    text = os.fspath(relative)
    real = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    if in_git_dir(text) or in_git_dir(real):
        raise WorkspaceError(f"{what} {text!r} is inside .git",
                             "give a path in the work tree, outside the .git directory")
    return path


def relative(root: Path, path: Path) -> str:
    """Workspace-relative posix form of an absolute path inside `root`."""
    root_real = Path(os.path.realpath(root))
    try:
        return Path(os.path.realpath(path)).relative_to(root_real).as_posix()
    except ValueError:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            raise WorkspaceError(f"path {path} is outside the workspace {root}") from None


def run_variables(root: Path, slug: str, artifact_path: str | None, run_id: str) -> Variables:
    """The path variables of a run: {slug}, {artifact_path}, {run_id} and {client_component}
    (the last two resolved only when a template uses them)."""
    def client_component() -> str:
        if not artifact_path:
            raise ContractError("{client_component} needs an artifact path", "pass --artifact-path")
        directory = inside(root, artifact_path, what="artifact path")
        found = sorted(p for p in directory.glob("*Client.*") if p.suffix in (".tsx", ".jsx")) if directory.is_dir() else []
        # A missing component resolves to a path that does not exist, so the check fails visibly.
        return f"{artifact_path}/{found[0].name}" if found else f"{artifact_path}/<no *Client.tsx or *Client.jsx>"

    def no_artifact_path() -> str:
        raise ContractError("{artifact_path} is used, but this run has no artifact path",
                            "start the run with --artifact-path")

    values: dict = {"slug": slug, "run_id": run_id, "client_component": client_component}
    values["artifact_path"] = artifact_path if artifact_path is not None else no_artifact_path
    return values
