"""Changes of a source between two recorded states, read from the intervals: between any two
(``drift diff``), and since the last digest that covered it (the daily job, ``drift report``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drift.app import App
from drift.diff.engine import compare, first_changes
from drift.errors import ConfigError, DriftError
from drift.model import Change, ChangeKind, Provenance, Schema, Scope

if TYPE_CHECKING:  # SQLAlchemy itself lives in drift/store/; findings load for the digest only
    from sqlalchemy.orm import Session

    from drift.answers.findings import ByKey, FindingsState

__all__ = [
    "ChangesBetween",
    "LastDigest",
    "SinceLastDigest",
    "changes_between",
    "diff_source",
    "last_digests",
    "since_last_digest",
]


@dataclass(frozen=True)
class ChangesBetween:
    source: str
    before: int | None  # snapshot id (None: before the first one)
    after: int
    changes: tuple[Change, ...]


def changes_between(
    app: App, source: str, from_ref: str = "previous", to_ref: str = "latest"
) -> ChangesBetween:
    """What changed in ``source`` between two snapshots or dates (see ``queries.resolve_ref``).

    A read-only app (``drift diff``) reads through the database driver alone when it can
    (:mod:`drift.store.lean`: no SQLAlchemy to import); otherwise, and for every error, through
    the store."""
    app.config.source(source)
    if app.read_only:
        from drift.store import lean

        found = lean.touched(app.config.database.url, source, from_ref, to_ref)
        if found is not None:
            changes = compare(
                source,
                found.before,
                found.after,
                name_known=found.known.__contains__,
                absence_is_unlisting=_unlisting(app, source),
            )
            return ChangesBetween(source, found.a, found.b, tuple(changes))
    from drift.store import queries

    with app.database.session() as session:
        a = queries.resolve_ref(session, source, from_ref, app.timezone)
        b = queries.resolve_ref(session, source, to_ref, app.timezone)
        if b is None:
            raise ConfigError(f"no snapshot of {source!r} on or before {to_ref}")
        return ChangesBetween(source, a, b, tuple(diff_source(app, session, source, a, b)))


def diff_source(
    app: App,
    session: Session,
    source: str,
    a: int | None,
    b: int,
    current: Schema | None = None,
) -> list[Change]:
    """Changes of ``source`` from snapshot ``a`` (None: first run) to ``b``, from the intervals;
    ``current`` is the state at ``b`` when the caller has read it already (a first run's changes
    are then made from it, not from a second copy of every item)."""
    if a is None and current is not None:
        return first_changes(current)
    from drift.store import queries

    before, after = queries.touched_between(session, source, a, b)
    names = [k.name for k in after if k.scope is not Scope.EVENT]
    known = queries.names_seen_by(session, source, names, min(a, b) if a is not None else None)
    return compare(
        source,
        before,
        after,
        name_known=known.__contains__,
        absence_is_unlisting=_unlisting(app, source),
    )


def _unlisting(app: App, source: str) -> bool:
    """Observed sources and vendors that hide items report absence as "no longer listed"."""
    try:
        config = app.config.source(source)
    except DriftError:
        return False
    cls = app.source_class(config.type)
    return cls.absence_is_unlisting or cls.provenance is Provenance.OBSERVED


# --------------------------------------------------------------------------- since the last digest


@dataclass(frozen=True)
class LastDigest:
    """The newest digest that covered a source: the snapshot it covered, when it was made, and
    the findings it saw (to tell rule-update changes)."""

    snapshot_id: int
    at: dt.datetime
    findings: FindingsState | None


def last_digests(session: Session, names: Iterable[str]) -> dict[str, LastDigest]:
    """Per named source that a digest covered before: that digest (the next one's baseline)."""
    from drift.answers.findings import FindingsState
    from drift.store import outbox

    wanted = set(names)
    baselines = {n: b for n, b in outbox.baselines(session).items() if n in wanted}
    saved = outbox.findings_json(session, {b.digest_id for b in baselines.values()})
    return {
        n: LastDigest(b.snapshot_id, b.digest_at, FindingsState.from_json(saved.get(b.digest_id)))
        for n, b in baselines.items()
    }


@dataclass(frozen=True)
class SinceLastDigest:
    changes: tuple[Change, ...]  # what the digest reports as news
    reader_upgrade: tuple[Change, ...]  # differences a newer reader made, not the vendor
    reader_versions: tuple[int, int] | None  # (baseline's, current's) when a newer reader read it


#: Changes that make an item visible: a newly visible risky property is still news.
VISIBLE = frozenset({ChangeKind.EVENT_ADDED, ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_ADDED})


def since_last_digest(
    app: App,
    session: Session,
    source: str,
    baseline: int | None,
    current: int,
    findings: ByKey,
    schema: Schema | None = None,
) -> SinceLastDigest:
    """Changes of ``source`` from the last digest's snapshot (None: first digest) to ``current``
    (whose state is ``schema``, when the caller has read it). When a newer reader read
    ``current``, only newly visible items with findings stay news."""
    changes = diff_source(app, session, source, baseline, current, schema)
    versions = _reader_versions(session, baseline, current)
    if versions is None:
        return SinceLastDigest(tuple(changes), (), None)
    news = [c for c in changes if c.kind in VISIBLE and findings.get(c.key)]
    upgrade = [c for c in changes if not (c.kind in VISIBLE and findings.get(c.key))]
    return SinceLastDigest(tuple(news), tuple(upgrade), versions)


def _reader_versions(
    session: Session, baseline: int | None, current: int
) -> tuple[int, int] | None:
    if baseline is None:
        return None
    from drift.store import queries

    old = queries.snapshot_info(session, baseline).reader_version
    new = queries.snapshot_info(session, current).reader_version
    return (old, new) if new > old else None
