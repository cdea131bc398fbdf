"""Changes of a source between two recorded states, read from the intervals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from drift.app import App
from drift.diff.engine import compare
from drift.errors import ConfigError, DriftError
from drift.model import Change, Provenance, Scope
from drift.plugins import source_classes
from drift.store import queries

__all__ = ["ChangesBetween", "changes_between", "diff_source"]


@dataclass(frozen=True)
class ChangesBetween:
    source: str
    before: int | None  # snapshot id (None: before the first one)
    after: int
    changes: tuple[Change, ...]


def changes_between(
    app: App, source: str, from_ref: str = "previous", to_ref: str = "latest"
) -> ChangesBetween:
    """What changed in ``source`` between two snapshots or dates (see ``queries.resolve_ref``)."""
    app.config.source(source)
    with app.database.session() as session:
        a = queries.resolve_ref(session, source, from_ref, app.timezone)
        b = queries.resolve_ref(session, source, to_ref, app.timezone)
        if b is None:
            raise ConfigError(f"no snapshot of {source!r} on or before {to_ref}")
        return ChangesBetween(source, a, b, tuple(diff_source(app, session, source, a, b)))


def diff_source(app: App, session: Session, source: str, a: int | None, b: int) -> list[Change]:
    """Changes of ``source`` from snapshot ``a`` (None: first run) to ``b``, from the intervals."""
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
    cls = source_classes().get(config.type)
    return bool(cls and (cls.absence_is_unlisting or cls.provenance is Provenance.OBSERVED))
