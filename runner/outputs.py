"""A contract's required outputs: its lists (all_of, any_of, or both) and whether an
item is required at a depth. Shared by the Contract model and the plain-dict path."""

from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")


def groups(all_of: list[T] | None, any_of: list[T] | None) -> list[tuple[str, list[T]]]:
    """(rule, items) of each list given, all_of first."""
    return [(rule, items) for rule, items in (("all_of", all_of), ("any_of", any_of)) if items is not None]


def main_rule(all_of: list | None) -> str:
    """The main list: all_of when present."""
    return "all_of" if all_of is not None else "any_of"


def is_required(required: bool, required_for_depth: Sequence[str] | None,
                optional_for_depth: Sequence[str] | None, depth: str) -> bool:
    if required_for_depth is not None and depth in required_for_depth:
        return True
    if optional_for_depth is not None and depth in optional_for_depth:
        return False
    if required_for_depth is not None:
        return False
    return required
