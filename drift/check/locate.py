"""Map each item of a plan back to the line of its key in the JSON file.

Every plan format drift reads keeps a property's schema under a JSON Schema ``properties``
object, and names its event either by a member key (``"events": {"Signup": ...}``) or by a
``"name"`` / ``"key"`` / ``"title"`` string of an enclosing object (Lexicon entries, Segment rules,
legacy plans). So the locator needs no knowledge of the formats themselves (the parsers in
``drift.sources`` stay the only ones): it indexes every member of a ``properties`` object with the
chain of property names above it and the names its ancestors mention, then picks, for an item,
the candidate whose chain ends with the item's (dotted) name and whose ancestors mention its event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drift.govern.properties import plain_event
from drift.model import ANY_EVENT, ItemKey, Scope, nfc

_NAMING_KEYS = ("name", "key", "title")


@dataclass(frozen=True)
class Candidate:
    """A member of a ``properties`` object: a property's key in the file."""

    path: str  # property names from the nearest schema root, dotted like item names
    line: int
    mentions: frozenset[str]  # keys and names of its ancestors (event names among them)


@dataclass(frozen=True)
class _Visit:
    node: Any
    mentions: frozenset[str]
    chain: tuple[str, ...]
    is_properties: bool  # node is the value of a JSON Schema ``properties`` keyword


class Locator:
    """Line numbers of a plan's items (``line`` falls back to the event's line, then 1)."""

    def __init__(self, tree: Any, events: Iterable[str]) -> None:
        # Segment rules are events named "<key> [TRACK v2]": the file says only "<key>"
        self._events = frozenset(name for e in events for name in (e, plain_event(e)))
        self._by_leaf: dict[str, list[Candidate]] = {}
        self._event_lines: dict[str, int] = {}
        self._index(tree)

    def line(self, key: ItemKey) -> int:
        if key.scope is not Scope.EVENT:
            found = self._best(key)
            if found is not None:
                return found.line
        return self._event_lines.get(key.event) or self._event_lines.get(plain_event(key.event), 1)

    def _best(self, key: ItemKey) -> Candidate | None:
        matches = [c for c in self._candidates(key.name) if _ends_with(c.path, key.name)]
        if not matches:
            return None
        preferred = [c for c in matches if self._belongs(c, key)] or matches
        return min(preferred, key=lambda c: (len(c.path), c.line))

    def _candidates(self, name: str) -> list[Candidate]:
        parts = name.split(".")
        leaves = {".".join(parts[i:]) for i in range(len(parts))}
        return [c for leaf in leaves for c in self._by_leaf.get(leaf, ())]

    def _belongs(self, candidate: Candidate, key: ItemKey) -> bool:
        if key.scope is Scope.USER_PROPERTY or key.event == ANY_EVENT:
            return not (candidate.mentions & self._events)
        return key.event in candidate.mentions or plain_event(key.event) in candidate.mentions

    def _index(self, tree: Any) -> None:
        stack = [_Visit(tree, frozenset(), (), False)]
        while stack:
            visit = stack.pop()
            if isinstance(visit.node, dict):
                stack.extend(self._members(visit))
            elif isinstance(visit.node, list):
                stack.extend(_Visit(child, visit.mentions, (), False) for child in visit.node)

    def _members(self, visit: _Visit) -> list[_Visit]:
        node: dict[str, tuple[int, Any]] = visit.node
        mentions = visit.mentions | _names(node)
        out = []
        for raw_key, (line, child) in node.items():
            key = nfc(raw_key)
            chain: tuple[str, ...] = ()
            if visit.is_properties:
                chain = (*visit.chain, key)
                path = ".".join(chain)
                self._by_leaf.setdefault(key, []).append(Candidate(path, line, mentions))
            elif key in ("items", "properties"):
                chain = visit.chain
            self._note_event(node, raw_key, line)
            is_properties = key == "properties" and not visit.is_properties
            out.append(_Visit(child, mentions | {key}, chain, is_properties))
        return out

    def _note_event(self, node: dict[str, tuple[int, Any]], raw_key: str, line: int) -> None:
        """An event's line: its member key, or the line of its ``name`` / ``key`` member."""
        key = nfc(raw_key)
        if key in self._events:
            self._event_lines.setdefault(key, line)
        if raw_key in _NAMING_KEYS and isinstance(node[raw_key][1], str):
            name = nfc(node[raw_key][1])
            if name in self._events:
                self._event_lines.setdefault(name, line)


def _names(node: dict[str, tuple[int, Any]]) -> frozenset[str]:
    return frozenset(
        nfc(node[k][1]) for k in _NAMING_KEYS if k in node and isinstance(node[k][1], str)
    )


def _ends_with(path: str, name: str) -> bool:
    return path == name or path.endswith("." + name)
