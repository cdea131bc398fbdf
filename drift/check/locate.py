"""Map each item of a plan back to the line of its key in the JSON file.

Every plan format drift reads keeps a property's schema under a JSON Schema ``properties``
object, and names its event either by a member key (``"events": {"Signup": ...}``) or by a
``"name"`` / ``"key"`` / ``"title"`` string of an enclosing object (Lexicon entries, Segment rules,
legacy plans). So the locator needs no knowledge of the formats themselves (the parsers in
``drift.sources`` stay the only ones): it indexes every member of a ``properties`` object by its
key and by the events its ancestors name, with the chain of property names above it, then picks,
for an item, the candidate whose chain ends with the item's (dotted) name under the item's event.
One pass over the document, one dictionary lookup per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from drift.model import ANY_EVENT, ItemKey, Scope, nfc

_NAMING_KEYS = ("name", "key", "title")
NO_EVENT = None  # bucket of properties no enclosing object names as an event


@dataclass(frozen=True)
class Candidate:
    """A member of a ``properties`` object: a property's key in the file."""

    path: str  # property names from the nearest schema root, dotted like item names
    line: int


@dataclass(frozen=True)
class _Visit:
    node: Any
    events: frozenset[str]  # events its ancestors name
    chain: tuple[str, ...]
    is_properties: bool  # node is the value of a JSON Schema ``properties`` keyword


class Locator:
    """Line numbers of a plan's items (``line`` falls back to the event's line, then 1)."""

    def __init__(self, tree: Any, events: Iterable[str], plain: Callable[[str], str]) -> None:
        # ``plain``: the reader's event-name trait. Segment rules are events named
        # "<key> [TRACK v2]" while the file says only "<key>".
        self._plain = plain
        self._events = frozenset(name for e in events for name in (e, plain(e)))
        self._index: dict[tuple[str, str | None], list[Candidate]] = {}
        self._by_leaf: dict[str, list[Candidate]] = {}
        self._event_lines: dict[str, int] = {}
        self._walk(tree)

    def line(self, key: ItemKey) -> int:
        if key.scope is not Scope.EVENT:
            found = self._best(key)
            if found is not None:
                return found.line
        lines = self._event_lines
        return lines.get(key.event) or lines.get(self._plain(key.event), 1)

    def _best(self, key: ItemKey) -> Candidate | None:
        leaves = _leaves(key.name)
        for event in self._buckets(key):
            found = [c for leaf in leaves for c in self._index.get((leaf, event), ())]
            best = _closest(found, key.name)
            if best is not None:
                return best
        return _closest([c for leaf in leaves for c in self._by_leaf.get(leaf, ())], key.name)

    def _buckets(self, key: ItemKey) -> tuple[str | None, ...]:
        if key.scope is Scope.USER_PROPERTY or key.event == ANY_EVENT:
            return (NO_EVENT,)
        return (key.event, self._plain(key.event))

    def _walk(self, tree: Any) -> None:
        stack = [_Visit(tree, frozenset(), (), False)]
        while stack:
            visit = stack.pop()
            if isinstance(visit.node, dict):
                stack.extend(self._members(visit))
            elif isinstance(visit.node, list):
                stack.extend(_Visit(child, visit.events, (), False) for child in visit.node)

    def _members(self, visit: _Visit) -> list[_Visit]:
        node: dict[str, tuple[int, Any]] = visit.node
        named = self._named(node)
        events = visit.events | named if named else visit.events
        out = []
        for raw_key, (line, child) in node.items():
            key = nfc(raw_key)
            chain: tuple[str, ...] = ()
            if visit.is_properties:
                chain = (*visit.chain, key)
                self._add(key, Candidate(".".join(chain), line), events)
            elif key in ("items", "properties"):
                chain = visit.chain
            child_events = events
            if key in self._events:
                self._event_lines.setdefault(key, line)
                child_events = events | {key}
            is_properties = key == "properties" and not visit.is_properties
            out.append(_Visit(child, child_events, chain, is_properties))
        return out

    def _named(self, node: dict[str, tuple[int, Any]]) -> frozenset[str]:
        """Events this object names by a ``name`` / ``key`` / ``title`` member."""
        found = set()
        for k in _NAMING_KEYS:
            if k in node and isinstance(node[k][1], str) and nfc(node[k][1]) in self._events:
                found.add(nfc(node[k][1]))
                self._event_lines.setdefault(nfc(node[k][1]), node[k][0])
        return frozenset(found)

    def _add(self, leaf: str, candidate: Candidate, events: frozenset[str]) -> None:
        self._by_leaf.setdefault(leaf, []).append(candidate)
        for event in events or (NO_EVENT,):
            self._index.setdefault((leaf, event), []).append(candidate)


def _leaves(name: str) -> set[str]:
    """Keys the last step of a dotted name can be: ``a.b.c`` is ``c``, ``b.c`` or ``a.b.c``."""
    parts = name.split(".")
    return {".".join(parts[i:]) for i in range(len(parts))}


def _closest(candidates: list[Candidate], name: str) -> Candidate | None:
    matches = [c for c in candidates if c.path == name or c.path.endswith("." + name)]
    return min(matches, key=lambda c: (len(c.path), c.line)) if matches else None
