"""``exposure``: every sensitive property a source held at some moment of a window.

"Present in the window" is interval overlap on snapshot ids (see :mod:`drift.store.history`).
Names are graded once per (name, definition); only the sensitive names are then read in detail.
Times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from drift.canonical import h16
from drift.errors import ConfigError
from drift.model import Classifier, Finding, ItemKey, Scope, Severity, ranked_findings, utcnow
from drift.store.acks import Ack, AckIndex, acks_in_force
from drift.store.coverage import Coverage, coverage
from drift.store.history import (
    DefinitionFindings,
    Interval,
    SnapshotRef,
    SourceSnapshots,
    Window,
    item_rows,
    make_interval,
    no_definition_findings,
    source_snapshots,
)
from drift.store.queries import source_id
from drift.store.record import chunks
from drift.store.tables import DefinitionRow, ItemKeyRow, ItemRow, SourceRow


@dataclass(frozen=True)
class Exposure:
    """One sensitive property name on one source, present at some moment of the window."""

    source: str
    name: str
    findings: tuple[Finding, ...]  # most severe first
    intervals: tuple[Interval, ...]  # sensitive intervals overlapping the window
    first_seen: dt.datetime  # first time the source held this name at all
    last_seen: dt.datetime | None  # None: still present
    acks: tuple[Ack, ...] = ()  # matching acknowledgements (newest first)
    fully_acknowledged: bool = False
    vendor_since: dt.datetime | None = None  # the vendor's own first-seen date, when it says
    at_baseline: bool = False  # held since drift's first snapshot of the source

    @property
    def top(self) -> Finding:
        return self.findings[0]

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(sorted({i.key.place for i in self.intervals}))


@dataclass(frozen=True)
class ExposureReport:
    window: Window
    generated_at: dt.datetime
    rules_hash: str
    rows: tuple[Exposure, ...]
    snapshots: Mapping[str, tuple[SnapshotRef, ...]] = field(default_factory=dict)
    coverage: tuple[
        Coverage, ...
    ] = ()  # per source: which part of the window drift has records for

    def summary(self) -> list[tuple[str, str, Severity, int]]:
        """(source, category, highest severity, properties) per source and top category."""
        counts: dict[tuple[str, str], list[Exposure]] = {}
        for row in self.rows:
            counts.setdefault((row.source, row.top.category), []).append(row)
        return [
            (src, cat, max((r.top.severity for r in rows), key=lambda s: s.rank), len(rows))
            for (src, cat), rows in sorted(counts.items())
        ]


def exposure(
    session: Session,
    window: Window,
    classifier: Classifier,
    *,
    sources: Iterable[str] | None = None,
    min_severity: Severity = Severity.LOW,
    now: dt.datetime | None = None,
    labels: DefinitionFindings = no_definition_findings,
) -> ExposureReport:
    """Every property graded ``min_severity`` or worse that a source held during ``window``
    (by its name, or by the vendor's own labels on its definition: ``labels``)."""
    if window.since > window.until:
        raise ConfigError("--since is after --until")
    now = now or utcnow()
    names = list(sources) if sources else _all_sources(session)
    index = acks_in_force(session, window.since, max(window.until, now))
    rows: list[Exposure] = []
    grader = _Grader(classifier, min_severity, labels)
    evidence: dict[str, tuple[SnapshotRef, ...]] = {}
    covered: list[Coverage] = []
    for name in names:
        snaps = source_snapshots(session, name)
        covered.append(coverage(snaps, window))
        span = window.ids(snaps)
        if span is None:
            evidence[name] = ()
            continue
        evidence[name] = tuple(snaps.between(*span))
        rows += _source_exposure(session, snaps, span, grader, index)
    return ExposureReport(window, now, classifier.rules_hash, tuple(rows), evidence, tuple(covered))


class _Grader:
    """Findings per (name, definition); each distinct (name, types, description) is classified
    once and each definition body parsed once."""

    def __init__(
        self, classifier: Classifier, min_severity: Severity, labels: DefinitionFindings
    ) -> None:
        self._classifier = classifier
        self._min = min_severity.rank
        self._labels = labels
        self._labelled: dict[int, tuple[Finding, ...]] = {}
        self._texts: dict[int, tuple[tuple[str, ...], str]] = {}
        self._by_text: dict[tuple[str, tuple[str, ...], str], tuple[Finding, ...]] = {}
        self._by_pair: dict[tuple[str, int], tuple[Finding, ...]] = {}

    def grade(self, session: Session, pairs: set[tuple[str, int]], def_ids: Any) -> None:
        """Grade (name, definition id) pairs; ``def_ids`` selects their definition ids."""
        wanted = select(DefinitionRow.id, DefinitionRow.body).where(
            DefinitionRow.id.in_(def_ids.distinct())
        )
        bodies = {d: b for d, b in session.execute(wanted) if d not in self._texts}
        parsed = json.loads(f"[{','.join(bodies.values())}]")
        for def_id, body in zip(bodies, parsed, strict=True):
            self._texts[def_id] = (tuple(body.get("type", ())), str(body.get("description", "")))
            labelled = self._labels(body)
            self._labelled[def_id] = tuple(f for f in labelled if f.severity.rank >= self._min)
        for name, def_id in pairs - self._by_pair.keys():
            found = self._classify(name, *self._texts[def_id]) + self._labelled[def_id]
            self._by_pair[(name, def_id)] = tuple(sorted(found, key=lambda f: -f.severity.rank))

    def _classify(self, name: str, types: tuple[str, ...], description: str) -> tuple[Finding, ...]:
        text = (name, types, description)
        if text not in self._by_text:
            found = self._classifier.classify(name, types, description)
            self._by_text[text] = tuple(f for f in found if f.severity.rank >= self._min)
        return self._by_text[text]

    def findings(self, name: str, def_id: int) -> tuple[Finding, ...]:
        return self._by_pair[(name, def_id)]


def _source_exposure(
    session: Session,
    snaps: SourceSnapshots,
    span: tuple[int, int],
    grader: _Grader,
    index: AckIndex,
) -> list[Exposure]:
    lo, hi = span
    sid = source_id(session, snaps.name)
    overlapping = (
        select(ItemKeyRow.name, ItemRow.definition_id)
        .select_from(ItemRow)
        .join(ItemKeyRow, ItemKeyRow.id == ItemRow.key_id)
        .where(ItemRow.source_id == sid, ItemRow.valid_from <= hi)
        .where(or_(ItemRow.valid_to.is_(None), ItemRow.valid_to > lo))
        .where(ItemKeyRow.scope != str(Scope.EVENT))
    )
    pairs = {(name, def_id) for name, def_id in session.execute(overlapping)}
    grader.grade(session, pairs, overlapping.with_only_columns(ItemRow.definition_id))
    risky = sorted({n for n, d in pairs if grader.findings(n, d)})
    by_name: dict[str, list[Interval]] = {}
    since: dict[str, dt.datetime] = {}
    for interval in _name_intervals(session, snaps, sid, risky, since):
        by_name.setdefault(interval.key.name, []).append(interval)
    baseline = snaps.rows[0].id if snaps.rows else None
    return [
        replace(
            _exposure(snaps.name, name, by_name.get(name, []), span, grader, index),
            vendor_since=since.get(name),
            at_baseline=min(i.valid_from for i in by_name.get(name, [])) == baseline,
        )
        for name in risky
    ]


def _exposure(
    source: str,
    name: str,
    intervals: list[Interval],
    span: tuple[int, int],
    grader: _Grader,
    index: AckIndex,
) -> Exposure:
    inside = [i for i in intervals if i.overlaps(*span) and grader.findings(name, i.definition_id)]
    findings = ranked_findings(f for i in inside for f in grader.findings(name, i.definition_id))
    wanted = {(i.key, f.category) for i in inside for f in grader.findings(name, i.definition_id)}
    matched = {pair: index.match(source, pair[0], pair[1]) for pair in sorted(wanted)}
    acks = {a.id: a for a in matched.values() if a is not None}
    last = [i.last_seen for i in intervals]
    return Exposure(
        source=source,
        name=name,
        findings=findings,
        intervals=tuple(sorted(inside, key=lambda i: (i.key, i.valid_from))),
        first_seen=min(i.first_seen for i in intervals),
        last_seen=None if None in last else max(t for t in last if t is not None),
        acks=tuple(sorted(acks.values(), key=lambda a: -a.id)),
        fully_acknowledged=bool(matched) and all(matched.values()),
    )


def _name_intervals(
    session: Session,
    snaps: SourceSnapshots,
    sid: int,
    names: list[str],
    since: dict[str, dt.datetime],
) -> list[Interval]:
    """Every interval (whole history) of the given property names on one source; ``since``
    gets the earliest vendor first-seen date per name."""
    wanted = set(names)
    keys: dict[int, ItemKey] = {}
    for chunk in chunks([h16(n) for n in names]):
        # By name hash alone, so that every backend walks ix_item_key_name_hash (SQLite without
        # statistics prefers the (source_id, key_hash) index and would scan the whole source).
        query = select(
            ItemKeyRow.id,
            ItemKeyRow.source_id,
            ItemKeyRow.scope,
            ItemKeyRow.event,
            ItemKeyRow.name,
            ItemKeyRow.vendor_since,
        ).where(ItemKeyRow.name_hash.in_(chunk))
        for key_id, key_source, scope, event, name, vendor in session.execute(query):
            if key_source == sid and scope != Scope.EVENT and name in wanted:
                keys[key_id] = ItemKey(Scope(scope), event, name)
                if vendor is not None and (name not in since or vendor < since[name]):
                    since[name] = vendor
    rows = item_rows(session, keys)
    return [make_interval(snaps, keys[k], d, f, t) for k, d, f, t in rows]


def _all_sources(session: Session) -> list[str]:
    return list(session.scalars(select(SourceRow.name).order_by(SourceRow.name)))
