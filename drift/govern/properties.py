"""Shared vocabulary of the governance checks: properties grouped by name, findings, type sets.

Governance speaks about *property names* on a source ("email is sent to Mixpanel on 3 events"),
not about single items, so that one risky name yields one row with its events listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from drift.classify.vendor_labels import category_severities, with_labels
from drift.model import Classifier, Finding, Item, ItemKey, Schema, Scope

PROPERTY_SCOPES = frozenset({Scope.EVENT_PROPERTY, Scope.USER_PROPERTY, Scope.GROUP_PROPERTY})

#: How governance gets the findings of one item (the classifier, cached, in production).
FindingsFn = Callable[[Item], tuple[Finding, ...]]


def cached_findings(classifier: Classifier, maxsize: int = 65536) -> FindingsFn:
    """Findings per item, cached on what the classifier looks at (names repeat across events),
    plus the vendor's own privacy labels on the item (:mod:`drift.classify.vendor_labels`)."""
    severities = category_severities(classifier)

    @lru_cache(maxsize=maxsize)
    def by_parts(name: str, types: tuple[str, ...], description: str) -> tuple[Finding, ...]:
        return tuple(classifier.classify(name, types, description))

    def findings(item: Item) -> tuple[Finding, ...]:
        found = by_parts(item.name, item.types, item.description)
        return with_labels(found, item.definition, severities)

    return findings


@dataclass(frozen=True)
class PropertyGroup:
    """Every item of one property name on one source (its events, user or group variants)."""

    source: str
    name: str
    items: tuple[Item, ...]

    @property
    def keys(self) -> tuple[ItemKey, ...]:
        return tuple(item.key for item in self.items)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(item.key.place for item in self.items)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({t for item in self.items for t in item.types}))


def property_items(schema: Schema) -> Iterable[Item]:
    return (item for item in schema.items if item.scope in PROPERTY_SCOPES)


def group_by_name(schema: Schema) -> list[PropertyGroup]:
    """Properties of a schema grouped by name, sorted by name (items keep the schema's order)."""
    groups: dict[str, list[Item]] = {}
    for item in property_items(schema):
        groups.setdefault(item.name, []).append(item)
    return [PropertyGroup(schema.source, name, tuple(groups[name])) for name in sorted(groups)]


def group_findings(
    group: PropertyGroup, findings: FindingsFn
) -> dict[str, list[tuple[Item, Finding]]]:
    """category -> (item, finding) pairs; items of one name can differ by type or description."""
    out: dict[str, list[tuple[Item, Finding]]] = {}
    for item in group.items:
        for finding in findings(item):
            out.setdefault(finding.category, []).append((item, finding))
    return out


# --- type comparison -------------------------------------------------------------------------

#: Types that carry the same JSON value: integers are numbers, datetimes travel as strings.
_SAME = {"integer": "number", "datetime": "string"}


def comparable_types(types: Iterable[str]) -> frozenset[str]:
    """A type list reduced to what can disagree: no ``null``, integer~number, datetime~string."""
    return frozenset(_SAME.get(t, t) for t in types if t != "null")


def types_compatible(planned: Iterable[str], observed: Iterable[str]) -> bool:
    """Whether values of ``observed`` types fit the plan; an empty or ``any`` side fits anything."""
    plan, seen = comparable_types(planned), comparable_types(observed)
    if not plan or not seen or "any" in plan or "any" in seen:
        return True
    return seen <= plan


def types_differ(a: Iterable[str], b: Iterable[str]) -> bool:
    """Two sources disagree on a property's type (unknown or ``any`` agrees with everything)."""
    left, right = comparable_types(a), comparable_types(b)
    if not left or not right or "any" in left or "any" in right:
        return False
    return left != right
