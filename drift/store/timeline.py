"""``timeline``: every key with a property (or event) name, with each definition it had.

Keys are found through ``item_key.name_hash``; each version carries when it held, its definition
and how the classifier grades it. Times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from drift.canonical import h16
from drift.model import Classifier, Finding, ItemKey, MomentKind, Scope
from drift.store.history import (
    DefinitionFindings,
    Interval,
    SourceSnapshots,
    item_rows,
    make_interval,
    no_definition_findings,
    source_snapshots,
)
from drift.store.queries import source_id
from drift.store.record import chunks
from drift.store.tables import DefinitionRow, ItemKeyRow, SourceRow

PRESENT_AT_BASELINE = MomentKind.PRESENT_AT_BASELINE


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
    vendor_since: dt.datetime | None = None  # the vendor's own first-seen/creation date
    baseline: int | None = None  # drift's first snapshot of the source

    @property
    def first_seen(self) -> dt.datetime:
        """When drift first recorded it (drift's clock)."""
        return self.versions[0].interval.first_seen

    @property
    def at_baseline(self) -> bool:
        """Present in drift's first snapshot of the source: it did not "appear" then, it was
        already there (since ``vendor_since``, when the vendor says)."""
        return self.versions[0].interval.valid_from == self.baseline

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
                what = PRESENT_AT_BASELINE if self.at_baseline else MomentKind.APPEARED
                out.append(Moment(start.first_seen, start.valid_from, what, "", version))
            elif previous.interval.valid_to == start.valid_from:
                detail = _field_changes(previous.definition, version.definition)
                out.append(
                    Moment(start.first_seen, start.valid_from, MomentKind.CHANGED, detail, version)
                )
            else:
                out.append(_gone(previous))
                out.append(
                    Moment(start.first_seen, start.valid_from, MomentKind.REAPPEARED, "", version)
                )
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
    what: MomentKind
    detail: str
    version: Version


def _gone(version: Version) -> Moment:
    interval = version.interval
    assert interval.gone_at is not None and interval.valid_to is not None
    return Moment(interval.gone_at, interval.valid_to, MomentKind.DISAPPEARED, "", version)


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


def timeline(
    session: Session,
    name: str,
    classifier: Classifier,
    *,
    source: str | None = None,
    event: str | None = None,
    labels: DefinitionFindings = no_definition_findings,
) -> list[KeyHistory]:
    """Every key named ``name`` (a property, or an event), each with its versions over time."""
    query = (
        select(ItemKeyRow, SourceRow.name)
        .join(SourceRow, SourceRow.id == ItemKeyRow.source_id)
        .where(ItemKeyRow.name_hash == h16(name))  # the source is filtered below (index choice)
    )
    if source is not None:
        source_id(session, source)  # says so when the source is unknown
    found_rows = [
        (row, src)
        for row, src in session.execute(query)
        if _key_name(_key(row)) == name
        and (event is None or row.event == event)
        and (source is None or src == source)
    ]
    keys = {row.id: (src, _key(row)) for row, src in found_rows}
    since = {row.id: row.vendor_since for row, _ in found_rows}
    rows = item_rows(session, keys)
    snaps = {src: source_snapshots(session, src) for src, _ in keys.values()}
    definitions = _definitions(session, {r[1] for r in rows})
    grouped: dict[int, list[Version]] = {}
    for key_id, def_id, valid_from, valid_to in sorted(rows, key=lambda r: (r[0], r[2])):
        src, key = keys[key_id]
        interval = make_interval(snaps[src], key, def_id, valid_from, valid_to)
        version = _version(interval, definitions, classifier, labels)
        grouped.setdefault(key_id, []).append(version)
    found = [
        KeyHistory(*keys[k], tuple(v), since[k], _baseline(snaps[keys[k][0]]))
        for k, v in grouped.items()
    ]
    return sorted(found, key=lambda h: (h.source, h.key))


def _baseline(snaps: SourceSnapshots) -> int | None:
    return snaps.rows[0].id if snaps.rows else None


def _definitions(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """definition id -> (canonical JSON body, hex of its 16-byte hash)."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks(sorted(ids)):
        query = select(DefinitionRow.id, DefinitionRow.body, DefinitionRow.hash)
        for def_id, body, digest in session.execute(query.where(DefinitionRow.id.in_(chunk))):
            found[def_id] = (body, bytes(digest).hex())
    return found


def _version(
    interval: Interval,
    definitions: Mapping[int, tuple[str, str]],
    classifier: Classifier,
    labels: DefinitionFindings,
) -> Version:
    body, digest = definitions[interval.definition_id]
    definition = json.loads(body)
    name = _key_name(interval.key)
    types = tuple(definition.get("type", ()))
    findings = classifier.classify(name, types, str(definition.get("description", "")))
    found = sorted((*findings, *labels(definition)), key=lambda f: -f.severity.rank)
    return Version(interval, definition, digest, tuple(found))


def _key(row: ItemKeyRow) -> ItemKey:
    return ItemKey(Scope(row.scope), row.event, row.name)


def _key_name(key: ItemKey) -> str:
    return key.event if key.scope is Scope.EVENT else key.name
