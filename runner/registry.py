"""A registry read like a dict whose values live in modules imported on first look-up:
a command pays only for the check types and step kinds it uses."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Iterator, Mapping


class LazyRegistry(Mapping[str, Any]):
    """A read-only dict of key -> attribute of a module, from {key: (module, attribute)}."""

    def __init__(self, where: dict[str, tuple[str, str]], name: str) -> None:
        self._where = where
        self._name = name
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._loaded[key]
        except KeyError:
            module, attribute = self._where[key]  # KeyError for an unknown key, as a dict
            value = self._loaded[key] = getattr(import_module(module), attribute)
            return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def __repr__(self) -> str:
        return f"{self._name}({list(self._where)})"
