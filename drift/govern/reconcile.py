"""Documented vs observed: what arrived that nobody planned, what was planned and never arrived,
and where the arriving types disagree with the plan (``[[reconcile]]`` blocks).

Matching goes by (event, property name) when both sides name events, and by property name when the
observed source keeps properties project-wide (event ``*``, as PostHog does); user properties match
by name. Each source's class says how its events are named elsewhere (Segment's ``Order Completed
[TRACK v2]`` is ``Order Completed``: ``SourceBase.event_aliases``). New risky properties usually
show up in observed sources first, so "undocumented, at web-events since 12 Nov" is the line a
reviewer acts on; the first-seen date comes from the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from drift.config import DriftConfig, ReconcileConfig
from drift.govern.properties import property_items, types_compatible
from drift.model import Item, ItemKey, Schema, Scope
from drift.plugins import source_class as registered_class

if TYPE_CHECKING:
    from drift.sources.base import SourceBase

K = TypeVar("K")
FirstSeen = Callable[[str, str], dt.datetime | None]  # (source, property name) -> first seen
#: source name -> its class, whose traits say how the source names events
Naming = Callable[[str], "type[SourceBase]"]


@dataclass(frozen=True)
class Origin:
    """Which ``[[reconcile]]`` block a result comes from."""

    index: int  # 1-based
    plan: str

    @property
    def label(self) -> str:
        return f"[[reconcile]] #{self.index} plan={self.plan}"


@dataclass(frozen=True)
class Undocumented:
    """A property that arrives at ``observed`` but is not in the plan (for these events)."""

    origin: Origin
    plan: str
    observed: str
    scope: Scope
    name: str
    events: tuple[str, ...]  # for people: each event, ``*``, ``(user)`` or ``(group:x)``
    types: tuple[str, ...]
    first_seen: dt.datetime | None  # at ``observed``; None when the store has no record
    keys: tuple[ItemKey, ...] = ()  # the observed items themselves (keys travel as keys)

    @property
    def summary(self) -> str:
        since = f" since {self.first_seen:%d %b %Y}" if self.first_seen else ""
        return f"undocumented, at {self.observed}{since}"


@dataclass(frozen=True)
class NeverObserved:
    """A planned property that no observed source of the block holds in its latest snapshot."""

    origin: Origin
    plan: str
    observed: tuple[str, ...]
    scope: Scope
    name: str
    events: tuple[str, ...]
    types: tuple[str, ...]


@dataclass(frozen=True)
class TypeMismatch:
    """A property whose observed types do not fit the planned ones (integer~number, null ok)."""

    origin: Origin
    plan: str
    observed: str
    scope: Scope
    name: str
    events: tuple[str, ...]
    plan_types: tuple[str, ...]
    observed_types: tuple[str, ...]


@dataclass(frozen=True)
class ReconcileReport:
    undocumented: tuple[Undocumented, ...] = ()
    never_observed: tuple[NeverObserved, ...] = ()
    mismatches: tuple[TypeMismatch, ...] = ()
    #: (source, block label) for sources a block needs that have no snapshot: not reconciled.
    unavailable: tuple[tuple[str, str], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.undocumented or self.never_observed or self.mismatches)


@dataclass(frozen=True)
class _PlanIndex:
    """The plan's properties, looked up the ways observed sources can name them."""

    exact: Mapping[tuple[Scope, str, str], Item]
    by_name: Mapping[tuple[Scope, str], tuple[Item, ...]]
    project_wide: Mapping[tuple[Scope, str], tuple[Item, ...]]

    @classmethod
    def of(cls, schema: Schema, naming: type[SourceBase]) -> _PlanIndex:
        exact: dict[tuple[Scope, str, str], Item] = {}
        by_name: dict[tuple[Scope, str], list[Item]] = {}
        wide: dict[tuple[Scope, str], list[Item]] = {}
        for item in property_items(schema):
            for alias in naming.event_aliases(item.event):
                exact[(item.scope, alias, item.name)] = item
            by_name.setdefault((item.scope, item.name), []).append(item)
            if naming.is_project_wide(item.event):
                wide.setdefault((item.scope, item.name), []).append(item)
        return cls(exact, _freeze(by_name), _freeze(wide))

    def matches(self, item: Item, naming: type[SourceBase]) -> tuple[Item, ...]:
        """Plan items an observed item (its events named as ``naming`` says) is documented by."""
        if item.scope is Scope.USER_PROPERTY or naming.is_project_wide(item.event):
            return self.by_name.get((item.scope, item.name), ())
        found = self.exact.get((item.scope, naming.plain_event_name(item.event), item.name))
        wide = self.project_wide.get((item.scope, item.name), ())
        return (found, *wide) if found is not None else wide


def _freeze(
    groups: dict[tuple[Scope, str], list[Item]],
) -> dict[tuple[Scope, str], tuple[Item, ...]]:
    return {k: tuple(v) for k, v in groups.items()}


@dataclass(frozen=True)
class _SeenIndex:
    """What the observed sources of a block hold, to tell whether a planned property arrived."""

    exact: frozenset[tuple[Scope, str, str]]
    names: frozenset[tuple[Scope, str]]
    project_wide: frozenset[tuple[Scope, str]]

    @classmethod
    def of(cls, schemas: Iterable[Schema], naming: Naming) -> _SeenIndex:
        classes = [(naming(s.source), s) for s in schemas]
        named = [(n, item) for n, s in classes for item in property_items(s)]
        return cls(
            frozenset(
                (i.scope, alias, i.name) for n, i in named for alias in n.event_aliases(i.event)
            ),
            frozenset((i.scope, i.name) for _, i in named),
            frozenset((i.scope, i.name) for n, i in named if n.is_project_wide(i.event)),
        )

    def holds(self, item: Item, naming: type[SourceBase]) -> bool:
        """Whether a planned item (named as ``naming`` names events) arrived."""
        if item.scope is Scope.USER_PROPERTY or naming.is_project_wide(item.event):
            return (item.scope, item.name) in self.names
        aliases = naming.event_aliases(item.event)
        exact = any((item.scope, a, item.name) in self.exact for a in aliases)
        return exact or (item.scope, item.name) in self.project_wide


def _grouped(pairs: Iterable[tuple[K, Item]]) -> dict[K, list[Item]]:
    out: dict[K, list[Item]] = {}
    for key, item in pairs:
        out.setdefault(key, []).append(item)
    return out


def _events(items: Iterable[Item]) -> tuple[str, ...]:
    return tuple(sorted({i.key.place for i in items}))


def _types(items: Iterable[Item]) -> tuple[str, ...]:
    return tuple(sorted({t for i in items for t in i.types}))


def _by_name(key: tuple[Scope, str]) -> tuple[str, str]:
    return (key[1], str(key[0]))


def _undocumented(
    origin: Origin, plan: _PlanIndex, observed: Schema, naming: Naming, first_seen: FirstSeen
) -> list[Undocumented]:
    items, named = property_items(observed), naming(observed.source)
    missing = _grouped(((i.scope, i.name), i) for i in items if not plan.matches(i, named))
    return [
        Undocumented(
            origin=origin,
            plan=origin.plan,
            observed=observed.source,
            scope=scope,
            name=name,
            events=_events(group),
            types=_types(group),
            first_seen=first_seen(observed.source, name),
            keys=tuple(sorted({i.key for i in group})),
        )
        for (scope, name), group in sorted(missing.items(), key=lambda kv: _by_name(kv[0]))
    ]


_MismatchKey = tuple[Scope, str, tuple[str, ...], tuple[str, ...]]


def _mismatches(
    origin: Origin, plan: _PlanIndex, observed: Schema, naming: Naming
) -> list[TypeMismatch]:
    found: list[tuple[_MismatchKey, Item]] = []
    named = naming(observed.source)
    for item in property_items(observed):
        planned = plan.matches(item, named)
        if planned and not any(types_compatible(p.types, item.types) for p in planned):
            found.append(((item.scope, item.name, _types(planned), item.types), item))
    return [
        TypeMismatch(
            origin=origin,
            plan=origin.plan,
            observed=observed.source,
            scope=scope,
            name=name,
            events=_events(group),
            plan_types=plan_types,
            observed_types=seen_types,
        )
        for (scope, name, plan_types, seen_types), group in sorted(
            _grouped(found).items(), key=lambda kv: (kv[0][1], str(kv[0]))
        )
    ]


def _never_observed(
    origin: Origin, plan: Schema, observed: list[Schema], naming: Naming
) -> list[NeverObserved]:
    seen, named = _SeenIndex.of(observed, naming), naming(plan.source)
    items = property_items(plan)
    absent = _grouped(((i.scope, i.name), i) for i in items if not seen.holds(i, named))
    return [
        NeverObserved(
            origin=origin,
            plan=origin.plan,
            observed=tuple(s.source for s in observed),
            scope=scope,
            name=name,
            events=_events(group),
            types=_types(group),
        )
        for (scope, name), group in sorted(absent.items(), key=lambda kv: _by_name(kv[0]))
    ]


def reconcile_block(
    block: ReconcileConfig,
    index: int,
    schemas_by_source: Mapping[str, Schema],
    first_seen: FirstSeen,
    naming: Naming,
) -> ReconcileReport:
    """One ``[[reconcile]]`` block; sources without a snapshot are listed, never taken as empty."""
    origin = Origin(index, block.plan)
    wanted = [block.plan, *block.observed]
    unavailable = tuple((name, origin.label) for name in wanted if name not in schemas_by_source)
    plan_schema = schemas_by_source.get(block.plan)
    observed = [schemas_by_source[n] for n in block.observed if n in schemas_by_source]
    if plan_schema is None or not observed:
        return ReconcileReport(unavailable=unavailable)
    plan = _PlanIndex.of(plan_schema, naming(block.plan))
    undocumented = [u for o in observed for u in _undocumented(origin, plan, o, naming, first_seen)]
    mismatches = [m for o in observed for m in _mismatches(origin, plan, o, naming)]
    never = _never_observed(origin, plan_schema, observed, naming)
    return ReconcileReport(tuple(undocumented), tuple(never), tuple(mismatches), unavailable)


def reconcile_all(
    config: DriftConfig,
    schemas_by_source: Mapping[str, Schema],
    first_seen: FirstSeen = lambda source, name: None,
    source_class: Callable[[str], type[SourceBase]] = registered_class,
) -> ReconcileReport:
    """Every ``[[reconcile]]`` block of the config, in config order, merged into one report.
    ``source_class`` gives a source type's connector, whose traits say how it names events (the
    caller's ``App.source_class``; the plugin registry's by default)."""
    types = {s.name: str(s.type) for s in config.sources}

    def naming(source: str) -> type[SourceBase]:
        kind = types.get(source)
        return registered_class(None) if kind is None else source_class(kind)

    parts = [
        reconcile_block(block, i, schemas_by_source, first_seen, naming)
        for i, block in enumerate(config.reconcile, start=1)
    ]
    return ReconcileReport(
        tuple(u for p in parts for u in p.undocumented),
        tuple(n for p in parts for n in p.never_observed),
        tuple(m for p in parts for m in p.mismatches),
        tuple(dict.fromkeys(u for p in parts for u in p.unavailable)),
    )


def new_undocumented(
    report: ReconcileReport, since: dt.datetime | Mapping[str, dt.datetime] | None
) -> list[Undocumented]:
    """Undocumented properties first seen after ``since``: the last digest, or per observed source
    the digest that last covered it (a source missing from the mapping: all of its properties).

    A property with no first-seen date counts as new: better one line too many than a miss."""

    def cutoff(u: Undocumented) -> dt.datetime | None:
        return since.get(u.observed) if isinstance(since, Mapping) else since

    return [
        u
        for u in report.undocumented
        if (last := cutoff(u)) is None or u.first_seen is None or u.first_seen > last
    ]
