"""The inventory: every current property with its findings, per source or across sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drift.answers.findings import findings_fn
from drift.answers.schemas import CurrentSchemas, current_schemas
from drift.app import App
from drift.classify.rules import require_category
from drift.errors import ConfigError
from drift.govern.inventory import CrossProperty, Holding, PropertyRow, by_property
from drift.govern.inventory import inventory as property_rows
from drift.govern.policy import source_type
from drift.model import Severity, SourceRole

__all__ = ["CrossProperty", "Holding", "Inventory", "PropertyRow", "inventory"]


@dataclass(frozen=True)
class Inventory:
    rows: tuple[PropertyRow, ...]  # per source and property name (empty with ``across``)
    properties: tuple[CrossProperty, ...]  # each name once across sources (``across`` only)
    missing: tuple[str, ...]  # asked sources with no snapshot yet: not in this inventory


def inventory(
    app: App,
    *,
    source: str | None = None,
    min_severity: Severity | None = None,
    category: str | None = None,
    across: bool = False,
) -> Inventory:
    """Every current property (of ``source``, or of every configured source) with its findings;
    only those with a finding at or above ``min_severity`` and of ``category`` when given."""
    if category:
        require_category(category, app.classifier.category_ids, "--category")
    names = [app.config.source(source).name] if source else [s.name for s in app.config.sources]
    current = current_schemas(app, names)
    if source and current.missing:
        raise ConfigError(f"source {source!r} has no snapshot yet; run `drift snapshot`")
    rows = property_rows(
        current.schemas, findings_fn(app), None if across else min_severity, category
    )
    if not across:
        return Inventory(tuple(rows), (), current.missing)
    return Inventory((), tuple(_across(app, current, rows, min_severity)), current.missing)


def _across(
    app: App, current: CurrentSchemas, rows: list[PropertyRow], level: Severity | None
) -> list[CrossProperty]:
    sources = {
        n: (t, app.source_class(t).role)
        for n in current.schemas
        if (t := source_type(app.config, n)) is not None
    }
    cross = by_property(rows, sources, _plan_sources(app, current.schemas))
    if level is None:
        return cross
    return [c for c in cross if c.severity is not None and c.severity.rank >= level.rank]


def _plan_sources(app: App, available: Iterable[str]) -> set[str]:
    plans = {b.plan for b in app.config.reconcile}
    plans |= {
        s.name for s in app.config.sources if app.source_class(s.type).role is SourceRole.PLAN
    }
    return plans & set(available)
