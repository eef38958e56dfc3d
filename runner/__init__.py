"""runner: auditable pipelines of human and AI steps, recorded in git.

`runner.Repo(path)` is the library's front door (see runner/repo.py and docs/library.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from runner.repo import Repo


def __getattr__(name: str) -> Any:
    # `from runner import __version__` must not load the whole library.
    if name == "Repo":
        from runner.repo import Repo

        return Repo
    raise AttributeError(f"module 'runner' has no attribute {name!r}")


__all__ = ["Repo", "__version__"]
