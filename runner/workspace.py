"""The workspace: a git repository with a `runner.json` config (optional: defaults
apply without it). Finds itself from a directory upward; never changes directory."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from runner import examples, jsonio
from runner.errors import WorkspaceError
from runner.models.base import to_data
from runner.models.workflow import Config
from runner.paths import inside, relative, work_tree_path

CONFIG_FILE = "runner.json"
GITIGNORE_LINE = "runs/*/logs/"
FANOUT_LOGS = "{runs}/*/*/*/*/logs/"  # the logs folders of the fan-out layout (records.layout_path)


class Workspace(msgspec.Struct):
    root: Path
    config: Config

    def path(self, rel: str, what: str = "path") -> Path:
        return inside(self.root, rel, what=what)

    def flag_path(self, value: str, what: str) -> Path:
        """A path given on the command line: relative to the workspace root, or absolute
        but inside the workspace."""
        if os.path.isabs(value):
            try:
                value = relative(self.root, Path(value))
            except WorkspaceError:
                raise WorkspaceError(f"{what} {value!r} is outside the workspace {self.root}",
                                     "give a path inside the workspace") from None
        return work_tree_path(self.root, value, what=what)

    def rel(self, path: Path) -> str:
        return relative(self.root, path)

    @property
    def runs_dir(self) -> Path:
        return self.path(self.config.runs_dir, "runs_dir")

    @property
    def contracts_dir(self) -> Path:
        return self.path(self.config.contracts_dir, "contracts_dir")

    @property
    def workflows_dir(self) -> Path:
        return self.path(self.config.workflows_dir, "workflows_dir")

    @property
    def git_dir(self) -> Path:
        return git_dir_of(self.root)


def git_dir_of(root: Path) -> Path:
    dot = root / ".git"
    if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
        target = dot.read_text().strip().removeprefix("gitdir:").strip()
        return (root / target).resolve()
    return dot


def _git_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def find(start: Path | None = None) -> Workspace:
    """The workspace containing `start` (default: the current directory)."""
    start = Path(start or Path.cwd()).resolve()
    if not start.exists():
        raise WorkspaceError(f"no such directory: {start}", "check --repo")
    root = _git_root(start)
    if root is None:
        raise WorkspaceError(
            f"{start} is not inside a git repository",
            "run `git init` and `runner init` there, or pass --repo PATH",
        )
    return Workspace(root, load_config(root))


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    if not path.exists():
        return Config()
    config = jsonio.load_typed(path, Config, what="config", error=WorkspaceError,
                               hint="fix runner.json (see schemas/config.schema.json)", yaml_suffixes=())
    for field in ("contracts_dir", "workflows_dir", "runs_dir", "prompts_dir", "operator_file"):
        work_tree_path(root, getattr(config, field), what=f"{CONFIG_FILE} {field}")
    return config


def init(root: Path, config: Config | None = None, example: str | None = None) -> list[str]:
    """Make `root` (a git repository) a workspace. Idempotent: creates only what is
    missing, never overwrites a user's file. With `example` (see runner/examples.py), the
    example's workflow and every file it names are copied in too. Returns the paths it
    created or changed."""
    if example is not None:
        examples.example_files(example)  # an unknown example is refused before anything is written
    root = Path(root).resolve()
    if _git_root(root) != root:
        raise WorkspaceError(f"{root} is not the top of a git repository", "run `git init` first")
    changed: list[str] = []
    config_path = root / CONFIG_FILE
    if not config_path.exists():
        jsonio.write_atomic(config_path, to_data(config or Config()))
        changed.append(CONFIG_FILE)
    ws = Workspace(root, load_config(root))
    for directory in (ws.contracts_dir, ws.workflows_dir, ws.runs_dir):
        if not directory.exists():
            directory.mkdir(parents=True)
            keep = directory / ".gitkeep"
            keep.touch()
            changed.append(ws.rel(keep))
    runs = ws.config.runs_dir.rstrip("/")
    # logs are not records; records are bytes whose SHA-256 is recorded: git must never
    # convert their line endings (core.autocrlf), or a clone would disagree with them
    for name, line in ((".gitignore", f"{runs}/*/logs/"), (".gitattributes", f"{runs}/** -text")):
        if _add_line(root / name, line):
            changed.append(name)
    if ignore_fanout_logs(ws) and ".gitignore" not in changed:
        changed.append(".gitignore")
    if example is not None:
        changed += examples.install(root, example, ws.config.workflows_dir)
    return changed


def ignore_fanout_logs(ws: Workspace) -> bool:
    """In the fan-out layout (runs/<YYYY-MM>/<x>/<y>/<run-id>/), git ignores the logs
    folders there too; whether .gitignore changed."""
    if ws.config.runs_layout != "fanout":
        return False
    return _add_line(ws.root / ".gitignore", FANOUT_LOGS.format(runs=ws.config.runs_dir.rstrip("/")))


def _add_line(path: Path, line: str) -> bool:
    """Append `line` to a text file unless it is there; whether the file changed."""
    text = path.read_text() if path.exists() else ""
    if line in text.splitlines():
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    jsonio.write_atomic(path, text + line + "\n")
    return True
