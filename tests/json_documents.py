"""Walking and mutating JSON documents, for tests that send every variant of a valid body."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]


class _Absent:
    """Marks a node to delete rather than replace (for the whole body: no body at all)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


def nodes(document: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON document, the document itself first."""
    yield prefix
    if isinstance(document, dict):
        for key, inner in document.items():
            yield from nodes(inner, (*prefix, key))
    elif isinstance(document, list):
        for index, inner in enumerate(document):
            yield from nodes(inner, (*prefix, index))


def mutated(document: Any, path: Path, value: Any) -> Any:
    """A copy of ``document`` with the node at ``path`` replaced by ``value`` (or deleted)."""
    if not path:
        return value
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if value is ABSENT:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copied
