"""Documented vs observed (``[[reconcile]]``): undocumented properties, planned ones never
observed, and mismatched types, over each source's current schema."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drift.answers.schemas import read_current
from drift.app import App
from drift.errors import ConfigError
from drift.govern.reconcile import (
    NeverObserved,
    ReconcileReport,
    TypeMismatch,
    Undocumented,
    reconcile_all,
)
from drift.model import Schema
from drift.store.firstseen import load_first_seen

if TYPE_CHECKING:  # SQLAlchemy itself lives in drift/store/
    from sqlalchemy.orm import Session

__all__ = [
    "NeverObserved",
    "ReconcileAnswer",
    "ReconcileReport",
    "TypeMismatch",
    "Undocumented",
    "compare_plans",
    "reconcile",
]


@dataclass(frozen=True)
class ReconcileAnswer:
    report: ReconcileReport
    missing: tuple[str, ...]  # sources named by a block that have no snapshot yet


def compare_plans(app: App, session: Session, schemas: Mapping[str, Schema]) -> ReconcileReport:
    """Every ``[[reconcile]]`` block over ``schemas``, with first-seen dates from the store."""
    observed = [n for b in app.config.reconcile for n in b.observed if n in schemas]
    return reconcile_all(
        app.config, schemas, load_first_seen(session, observed), source_class=app.source_class
    )


def reconcile(app: App) -> ReconcileAnswer:
    """The ``[[reconcile]]`` blocks over the latest snapshots (a config error when none)."""
    blocks = app.config.reconcile
    if not blocks:
        raise ConfigError(f"no [[reconcile]] blocks in {app.config.path or 'drift.toml'}")
    names = [n for b in blocks for n in (b.plan, *b.observed)]
    with app.database.session() as session:
        current = read_current(session, names)
        return ReconcileAnswer(compare_plans(app, session, current.schemas), current.missing)
