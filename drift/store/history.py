"""History over the temporal store: a name's timeline, and what risky properties a source held.

Both are answered from the item intervals, never by loading stored copies:

- ``timeline``: every key with that property (or event) name, found through ``item_key.name_hash``,
  with each definition it had, when, and how the classifier grades it.
- ``exposure``: every sensitive property present at some moment of a window. "Present in the
  window" is interval overlap on snapshot ids: with ``lo`` the last snapshot at or before ``since``
  (or the first one after it) and ``hi`` the last at or before ``until``, an item overlaps when
  ``valid_from <= hi`` and (``valid_to`` is NULL or ``valid_to > lo``). Names are graded once per
  (name, definition); only the sensitive names are then read in detail.

Times are aware UTC here; commands render them in the configured timezone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from drift.errors import ConfigError
from drift.model import Finding, ItemKey, Scope, Severity
from drift.store.acks import Ack, AckIndex, acks_in_force
from drift.store.queries import source_id
from drift.store.record import chunks, h16
from drift.store.tables import DefinitionRow, ItemKeyRow, ItemRow, SnapshotRow, SourceRow


class Classifier(Protocol):
    rules_hash: str

    def classify(
        self, name: str, types: Sequence[str], description: str
    ) -> tuple[Finding, ...]: ...


@dataclass(frozen=True)
class SnapshotRef:
    id: int
    taken_at: dt.datetime
    content_hash: str


class SourceSnapshots:
    """The snapshots of one source in recording order, for id and time look-ups."""

    def __init__(self, name: str, rows: Sequence[SnapshotRef]) -> None:
        self.name = name
        self.rows = list(rows)
        self._ids = [r.id for r in self.rows]
        self._by_id = {r.id: r for r in self.rows}

    def at(self, snapshot_id: int) -> SnapshotRef:
        return self._by_id[snapshot_id]

    def before(self, snapshot_id: int) -> SnapshotRef:
        """The snapshot preceding ``snapshot_id``: the last one an item closed there was in."""
        return self.rows[bisect.bisect_left(self._ids, snapshot_id) - 1]

    def last_at_or_before(self, moment: dt.datetime) -> SnapshotRef | None:
        found = [r for r in self.rows if r.taken_at <= moment]
        return found[-1] if found else None

    def first_after(self, moment: dt.datetime) -> SnapshotRef | None:
        return next((r for r in self.rows if r.taken_at > moment), None)

    def between(self, lo: int, hi: int) -> list[SnapshotRef]:
        return [r for r in self.rows if lo <= r.id <= hi]


def source_snapshots(session: Session, name: str) -> SourceSnapshots:
    query = (
        select(SnapshotRow.id, SnapshotRow.taken_at, SnapshotRow.content_hash)
        .where(SnapshotRow.source_id == source_id(session, name))
        .order_by(SnapshotRow.id)
    )
    return SourceSnapshots(name, [SnapshotRef(*row) for row in session.execute(query)])


@dataclass(frozen=True)
class Window:
    since: dt.datetime  # aware
    until: dt.datetime  # aware

    def ids(self, snaps: SourceSnapshots) -> tuple[int, int] | None:
        """(lo, hi) snapshot ids covering the window, or None when nothing was recorded by then."""
        hi = snaps.last_at_or_before(self.until)
        if hi is None:
            return None
        lo = snaps.last_at_or_before(self.since) or snaps.first_after(self.since)
        return (lo.id if lo else hi.id), hi.id


@dataclass(frozen=True)
class Interval:
    """One item row: a key with one definition from one snapshot until another (or now)."""

    key: ItemKey
    definition_id: int
    valid_from: int
    valid_to: int | None
    first_seen: dt.datetime
    last_seen: dt.datetime | None  # the last snapshot it was in; None: still present
    gone_at: dt.datetime | None  # the snapshot that no longer had it (or had it changed)

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.valid_from <= hi and (self.valid_to is None or self.valid_to > lo)


@dataclass(frozen=True)
class Version:
    interval: Interval
    definition: Mapping[str, Any]
    definition_hash: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class KeyHistory:
    """One key on one source over its whole history, oldest version first."""

    source: str
    key: ItemKey
    versions: tuple[Version, ...]

    @property
    def first_seen(self) -> dt.datetime:
        return self.versions[0].interval.first_seen

    @property
    def last_seen(self) -> dt.datetime | None:
        return self.versions[-1].interval.last_seen

    @property
    def present(self) -> bool:
        return self.versions[-1].interval.valid_to is None

    def moments(self) -> list[Moment]:
        """What happened to this key, in order: appeared, changed, disappeared, reappeared."""
        out: list[Moment] = []
        previous: Version | None = None
        for version in self.versions:
            start = version.interval
            if previous is None:
                out.append(Moment(start.first_seen, start.valid_from, "appeared", "", version))
            elif previous.interval.valid_to == start.valid_from:
                detail = _field_changes(previous.definition, version.definition)
                out.append(Moment(start.first_seen, start.valid_from, "changed", detail, version))
            else:
                out.append(_gone(previous))
                out.append(Moment(start.first_seen, start.valid_from, "reappeared", "", version))
            previous = version
        if previous is not None and previous.interval.valid_to is not None:
            out.append(_gone(previous))
        return out


@dataclass(frozen=True)
class Moment:
    """One dated step of a key's history; ``version`` is what it was from then on (or, for
    ``disappeared``, what it last was)."""

    at: dt.datetime
    snapshot: int
    what: str  # appeared | changed | disappeared | reappeared
    detail: str
    version: Version


def _gone(version: Version) -> Moment:
    interval = version.interval
    assert interval.gone_at is not None and interval.valid_to is not None
    return Moment(interval.gone_at, interval.valid_to, "disappeared", "", version)


def _field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """Which definition fields changed; types are shown, other values are not."""
    parts = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name):
            continue
        if name == "type":
            old, new = ("|".join(d.get("type", ())) or "-" for d in (before, after))
            parts.append(f"type {old} -> {new}")
        else:
            parts.append(f"{name} changed")
    return "; ".join(parts)


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

    @property
    def top(self) -> Finding:
        return self.findings[0]

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(sorted({_where(i.key) for i in self.intervals}))


@dataclass(frozen=True)
class ExposureReport:
    window: Window
    generated_at: dt.datetime
    rules_hash: str
    rows: tuple[Exposure, ...]
    snapshots: Mapping[str, tuple[SnapshotRef, ...]] = field(default_factory=dict)

    def summary(self) -> list[tuple[str, str, Severity, int]]:
        """(source, category, highest severity, properties) per source and top category."""
        counts: dict[tuple[str, str], list[Exposure]] = {}
        for row in self.rows:
            counts.setdefault((row.source, row.top.category), []).append(row)
        return [
            (src, cat, max((r.top.severity for r in rows), key=lambda s: s.rank), len(rows))
            for (src, cat), rows in sorted(counts.items())
        ]


def timeline(
    session: Session,
    name: str,
    classifier: Classifier,
    *,
    source: str | None = None,
    event: str | None = None,
) -> list[KeyHistory]:
    """Every key named ``name`` (a property, or an event), each with its versions over time."""
    query = (
        select(ItemKeyRow, SourceRow.name)
        .join(SourceRow, SourceRow.id == ItemKeyRow.source_id)
        .where(ItemKeyRow.name_hash == h16(name))  # the source is filtered below (index choice)
    )
    if source is not None:
        source_id(session, source)  # says so when the source is unknown
    keys = {
        row.id: (src, _key(row))
        for row, src in session.execute(query)
        if _key_name(_key(row)) == name
        and (event is None or row.event == event)
        and (source is None or src == source)
    }
    rows = _item_rows(session, keys)
    snaps = {src: source_snapshots(session, src) for src, _ in keys.values()}
    definitions = _definitions(session, {r[1] for r in rows})
    grouped: dict[int, list[Version]] = {}
    for key_id, def_id, valid_from, valid_to in sorted(rows, key=lambda r: (r[0], r[2])):
        src, key = keys[key_id]
        interval = _interval(snaps[src], key, def_id, valid_from, valid_to)
        grouped.setdefault(key_id, []).append(_version(interval, definitions, classifier))
    found = [KeyHistory(*keys[k], tuple(v)) for k, v in grouped.items()]
    return sorted(found, key=lambda h: (h.source, h.key))


def exposure(
    session: Session,
    window: Window,
    classifier: Classifier,
    *,
    sources: Iterable[str] | None = None,
    min_severity: Severity = Severity.LOW,
    now: dt.datetime | None = None,
) -> ExposureReport:
    """Every property graded ``min_severity`` or worse that a source held during ``window``."""
    if window.since > window.until:
        raise ConfigError("--since is after --until")
    now = now or dt.datetime.now(dt.UTC)
    names = list(sources) if sources else _all_sources(session)
    index = acks_in_force(session, window.since, max(window.until, now))
    rows: list[Exposure] = []
    grader = _Grader(classifier, min_severity)
    evidence: dict[str, tuple[SnapshotRef, ...]] = {}
    for name in names:
        snaps = source_snapshots(session, name)
        span = window.ids(snaps)
        if span is None:
            evidence[name] = ()
            continue
        evidence[name] = tuple(snaps.between(*span))
        rows += _source_exposure(session, snaps, span, grader, index)
    return ExposureReport(window, now, classifier.rules_hash, tuple(rows), evidence)


class _Grader:
    """Findings per (name, definition); each distinct (name, types, description) is classified
    once and each definition body parsed once."""

    def __init__(self, classifier: Classifier, min_severity: Severity) -> None:
        self._classifier = classifier
        self._min = min_severity.rank
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
        for name, def_id in pairs - self._by_pair.keys():
            self._by_pair[(name, def_id)] = self._classify(name, *self._texts[def_id])

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
    for interval in _name_intervals(session, snaps, sid, risky):
        by_name.setdefault(interval.key.name, []).append(interval)
    return [
        _exposure(snaps.name, name, by_name.get(name, []), span, grader, index) for name in risky
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
    findings = _merge(f for i in inside for f in grader.findings(name, i.definition_id))
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
    session: Session, snaps: SourceSnapshots, sid: int, names: list[str]
) -> list[Interval]:
    """Every interval (whole history) of the given property names on one source."""
    wanted = set(names)
    keys: dict[int, ItemKey] = {}
    for chunk in chunks([h16(n) for n in names]):
        # By name hash alone, so that every backend walks ix_item_key_name_hash (SQLite without
        # statistics prefers the (source_id, key_hash) index and would scan the whole source).
        query = select(
            ItemKeyRow.id, ItemKeyRow.source_id, ItemKeyRow.scope, ItemKeyRow.event, ItemKeyRow.name
        ).where(ItemKeyRow.name_hash.in_(chunk))
        for key_id, key_source, scope, event, name in session.execute(query):
            if key_source == sid and scope != Scope.EVENT and name in wanted:
                keys[key_id] = ItemKey(Scope(scope), event, name)
    rows = _item_rows(session, keys)
    return [_interval(snaps, keys[k], d, f, t) for k, d, f, t in rows]


def _item_rows(session: Session, key_ids: Iterable[int]) -> list[tuple[int, int, int, int | None]]:
    query = select(ItemRow.key_id, ItemRow.definition_id, ItemRow.valid_from, ItemRow.valid_to)
    rows: list[tuple[int, int, int, int | None]] = []
    for chunk in chunks(sorted(key_ids)):
        rows += [
            (k, d, f, t) for k, d, f, t in session.execute(query.where(ItemRow.key_id.in_(chunk)))
        ]
    return rows


def _definitions(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """definition id -> (canonical JSON body, hex of its 16-byte hash)."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks(sorted(ids)):
        query = select(DefinitionRow.id, DefinitionRow.body, DefinitionRow.hash)
        for def_id, body, digest in session.execute(query.where(DefinitionRow.id.in_(chunk))):
            found[def_id] = (body, bytes(digest).hex())
    return found


def _interval(
    snaps: SourceSnapshots, key: ItemKey, def_id: int, valid_from: int, valid_to: int | None
) -> Interval:
    return Interval(
        key,
        def_id,
        valid_from,
        valid_to,
        snaps.at(valid_from).taken_at,
        snaps.before(valid_to).taken_at if valid_to is not None else None,
        snaps.at(valid_to).taken_at if valid_to is not None else None,
    )


def _version(
    interval: Interval, definitions: Mapping[int, tuple[str, str]], classifier: Classifier
) -> Version:
    body, digest = definitions[interval.definition_id]
    definition = json.loads(body)
    name = _key_name(interval.key)
    types = tuple(definition.get("type", ()))
    findings = classifier.classify(name, types, str(definition.get("description", "")))
    return Version(interval, definition, digest, tuple(findings))


def _merge(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per category, the most severe first."""
    best: dict[str, Finding] = {}
    for f in findings:
        if f.category not in best or f.severity.rank > best[f.category].severity.rank:
            best[f.category] = f
    return tuple(sorted(best.values(), key=lambda f: (-f.severity.rank, f.category)))


def _all_sources(session: Session) -> list[str]:
    return list(session.scalars(select(SourceRow.name).order_by(SourceRow.name)))


def _key(row: ItemKeyRow) -> ItemKey:
    return ItemKey(Scope(row.scope), row.event, row.name)


def _key_name(key: ItemKey) -> str:
    return key.event if key.scope is Scope.EVENT else key.name


def _where(key: ItemKey) -> str:
    """Where a property lives: its event, or (user)/(group TYPE) for profile properties."""
    if key.scope is Scope.USER_PROPERTY:
        return "(user)"
    if key.scope is Scope.GROUP_PROPERTY:
        return f"(group {key.event})"
    return key.event
