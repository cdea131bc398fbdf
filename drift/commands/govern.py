"""``drift policy check``, ``drift reconcile``, ``drift inventory``.

Each reads the latest snapshot of its sources from the store and hands them to ``drift.govern``.
A source that was never snapshotted is named on stderr (and under ``unavailable`` in JSON), never
treated as an empty schema: "no violations" must not mean "not read".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import click
from sqlalchemy.orm import Session

from drift import clockface, govern
from drift.app import App
from drift.classify.rules import require_category
from drift.commands.output import emit, format_option
from drift.errors import ConfigError
from drift.exitcodes import Exit
from drift.govern.policy import blocks, source_type
from drift.logs import notice
from drift.model import Schema, Severity, SourceRole, utcnow
from drift.plugins import source_role
from drift.report.escape import visible
from drift.store import queries


@dataclass(frozen=True)
class Current:
    """The latest schema of each source that has one, and the sources that have none."""

    schemas: dict[str, Schema]
    missing: tuple[str, ...]


def latest_schemas(session: Session, names: Iterable[str]) -> Current:
    schemas: dict[str, Schema] = {}
    missing: list[str] = []
    for name in dict.fromkeys(names):
        try:
            snapshot_id = queries.resolve_ref(session, name, "latest")
        except ConfigError:  # the source was never recorded
            snapshot_id = None
        if snapshot_id is None:
            missing.append(name)
        else:
            schemas[name] = queries.state_at(session, snapshot_id)
    return Current(schemas, tuple(missing))


def warn_missing(missing: Sequence[str], what: str) -> None:
    for name in missing:
        notice(
            f"warning: source {visible(name)!r} has no snapshot yet, so {what}; "
            f"run `drift snapshot --source {visible(name)}`",
            colour="yellow",
            event="never_read",
        )


def _now() -> dt.datetime:
    return utcnow()


def _findings(app: App) -> govern.properties.FindingsFn:
    return govern.cached_findings(app.classifier)


# --- drift policy check ----------------------------------------------------------------------


@click.group("policy")
def policy() -> None:
    """Data minimisation as code: the [[policy]] blocks of drift.toml."""


def _policy_sources(app: App) -> list[str]:
    config = app.config
    if not config.policy:
        raise ConfigError(
            f"no [[policy]] blocks in {config.path or 'drift.toml'}; nothing to check"
        )
    names = [s.name for s in config.sources]
    return [
        n for n in names if any(b.applies_to(n, source_type(config, n)) for b in blocks(config))
    ]


def _violation_row(v: govern.Violation, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "source": v.source,
        "property": v.name,
        "events": list(v.events),
        "category": v.category,
        "severity": str(v.severity),
        "rule": v.rule,
        "finding_rule": v.finding_rule_id,
        "reason": v.reason,
        "fingerprint": v.fingerprint,
        "acknowledged_until": clockface.iso(v.acknowledged_until, tz),
    }


@policy.command("check")
@format_option("table", "json")
@click.pass_obj
def policy_check(app: App, fmt: str) -> None:
    """Check the latest snapshots against every policy; exit 5 when a violation is open."""
    from drift.store.acks import active_acks

    now = _now()
    with app.database.session() as session:
        current = latest_schemas(session, _policy_sources(app))
        acks = active_acks(session, now)
    if not current.schemas:
        raise ConfigError("no source a policy covers has a snapshot yet; run `drift snapshot`")
    warn_missing(current.missing, "its policies were not checked")
    outcome = govern.check_policies(app.config, current.schemas, _findings(app), acks.match, now)
    rows = [_violation_row(v, app.timezone) for v in outcome.open]
    document = {
        "violations": rows,
        "acknowledged": [_violation_row(v, app.timezone) for v in outcome.acknowledged],
        "checked": sorted(current.schemas),
        "unavailable": list(current.missing),
    }
    columns = ["source", "property", "events", "category", "severity", "rule"]
    if rows or fmt == "json":
        emit(rows, fmt, columns, title="Policy violations", document=document)
    else:
        click.echo(f"no policy violations ({len(current.schemas)} sources checked)")
    if fmt == "table" and outcome.acknowledged:
        click.echo(f"{len(outcome.acknowledged)} violation(s) acknowledged until their expiry")
    if outcome.open:
        raise SystemExit(Exit.FINDINGS)


# --- drift reconcile -------------------------------------------------------------------------


def _reconcile_rows(report: govern.ReconcileReport, tz: dt.tzinfo) -> list[dict[str, Any]]:
    rows = []
    for u in report.undocumented:
        since = f" since {clockface.day(u.first_seen, tz)}" if u.first_seen else ""
        detail = f"undocumented, at {u.observed}{since}"
        rows.append(_rrow("undocumented", u, u.observed, detail, u.origin.label))
        rows[-1]["first_seen"] = clockface.iso(u.first_seen, tz)
    for n in report.never_observed:
        detail = f"planned, never observed at {', '.join(n.observed)}"
        rows.append(_rrow("never_observed", n, ", ".join(n.observed), detail, n.origin.label))
    for m in report.mismatches:
        detail = f"plan: {_types(m.plan_types)}; {m.observed}: {_types(m.observed_types)}"
        rows.append(_rrow("type_mismatch", m, m.observed, detail, m.origin.label))
    return rows


def _rrow(kind: str, result: Any, observed: str, detail: str, origin: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "property": result.name,
        "scope": str(result.scope),
        "events": list(result.events),
        "plan": result.plan,
        "observed": observed,
        "detail": detail,
        "origin": origin,
    }


def _types(types: Sequence[str]) -> str:
    return " | ".join(types) or "(untyped)"


@click.command("reconcile")
@format_option("table", "json", "markdown")
@click.pass_obj
def reconcile(app: App, fmt: str) -> None:
    """Documented vs observed: undocumented, never observed, and mismatched types."""
    from drift.store.firstseen import load_first_seen

    blocks_ = app.config.reconcile
    if not blocks_:
        raise ConfigError(f"no [[reconcile]] blocks in {app.config.path or 'drift.toml'}")
    names = [n for b in blocks_ for n in (b.plan, *b.observed)]
    with app.database.session() as session:
        current = latest_schemas(session, names)
        first_seen = load_first_seen(session, [n for b in blocks_ for n in b.observed])
    warn_missing(current.missing, "the [[reconcile]] blocks naming it were not fully checked")
    report = govern.reconcile_all(app.config, current.schemas, first_seen)
    rows = _reconcile_rows(report, app.timezone)
    document = {"results": rows, "unavailable": [s for s, _ in report.unavailable]}
    columns = ["kind", "property", "events", "detail", "origin"]
    if rows or fmt == "json":
        emit(rows, fmt, columns, title="Documented vs observed", document=document)
    else:
        click.echo("plan and observed sources agree")


# --- drift inventory -------------------------------------------------------------------------


def _inventory_row(row: govern.PropertyRow) -> dict[str, Any]:
    top = row.top
    return {
        "source": row.source,
        "property": row.name,
        "events": list(row.events),
        "types": list(row.types),
        "identifies": row.identifies,
        "category": top.category if top else "",
        "severity": str(top.severity) if top else "",
        "rule": top.rule_id if top else "",
        "reason": top.reason if top else "",
        "also": [f.category for f in row.findings[1:]],
        "findings": [f.as_dict() for f in row.findings],
    }


def _cross_row(prop: govern.CrossProperty) -> dict[str, Any]:
    return {
        "property": prop.name,
        "sources": [h.source for h in prop.holdings],
        "types": [f"{h.source}: {_types(h.types)}" for h in prop.holdings],
        "categories": list(prop.categories),
        "vendor_labels": [
            f"{h.source}: {label}" for h in prop.holdings for label in h.vendor_labels
        ],
        "severity": str(prop.severity) if prop.severity else "",
        "flags": list(prop.flags),
        "holdings": [
            {
                "source": h.source,
                "source_type": h.source_type,
                "types": list(h.types),
                "categories": list(h.categories),
                "vendor_labels": list(h.vendor_labels),
                "severity": str(h.severity) if h.severity else None,
            }
            for h in prop.holdings
        ],
    }


def _plan_sources(app: App, available: Iterable[str]) -> set[str]:
    plans = {b.plan for b in app.config.reconcile}
    plans |= {s.name for s in app.config.sources if source_role(s.type) is SourceRole.PLAN}
    return plans & set(available)


@click.command("inventory")
@click.option("--source", help="Only this source.")
@click.option(
    "--min-severity",
    type=click.Choice([s.value for s in Severity]),
    help="Only properties with a finding at or above this severity.",
)
@click.option("--category", help="Only properties with a finding of this category.")
@click.option("--by-property", is_flag=True, help="Each property once, across sources.")
@format_option("table", "json", "csv")
@click.pass_obj
def inventory(
    app: App,
    source: str | None,
    min_severity: str | None,
    category: str | None,
    by_property: bool,
    fmt: str,
) -> None:
    """Every current property with its findings; flags what could identify a person."""
    if category:
        require_category(category, app.classifier.category_ids, "--category")
    names = [app.config.source(source).name] if source else [s.name for s in app.config.sources]
    with app.database.session() as session:
        current = latest_schemas(session, names)
    if source and current.missing:
        raise ConfigError(f"source {source!r} has no snapshot yet; run `drift snapshot`")
    warn_missing(current.missing, "it is not in this inventory")
    level = Severity.parse(min_severity) if min_severity else None
    rows = govern.inventory(
        current.schemas, _findings(app), None if by_property else level, category
    )
    if by_property:
        _emit_by_property(app, current, rows, level, fmt)
        return
    out = [_inventory_row(r) for r in rows]
    columns = ["source", "property", "events", "types", "identifies", "category", "severity"]
    columns += ["rule", "reason"]
    document = {"properties": out, "unavailable": list(current.missing)}
    emit(out, fmt, columns, title="Inventory", document=document)


def _emit_by_property(
    app: App, current: Current, rows: list[govern.PropertyRow], level: Severity | None, fmt: str
) -> None:
    types = {n: t for n in current.schemas if (t := source_type(app.config, n)) is not None}
    cross = govern.by_property(rows, types, _plan_sources(app, current.schemas))
    if level is not None:
        cross = [c for c in cross if c.severity is not None and c.severity.rank >= level.rank]
    out = [_cross_row(c) for c in cross]
    columns = ["property", "sources", "types", "categories", "vendor_labels", "severity", "flags"]
    document = {"properties": out, "unavailable": list(current.missing)}
    emit(out, fmt, columns, title="Properties across sources", document=document)
