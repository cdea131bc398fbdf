"""``drift policy check``, ``drift reconcile``, ``drift inventory``: the answers of
:mod:`drift.answers.policy`, ``.reconcile`` and ``.inventory``, formatted.

A source that was never snapshotted is named on stderr (and under ``unavailable`` in JSON), never
treated as an empty schema: "no violations" must not mean "not read".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import click

from drift import clockface
from drift.answers import inventory as inventory_answer
from drift.answers import policy as policy_answer
from drift.answers import reconcile as reconcile_answer
from drift.answers.inventory import CrossProperty, PropertyRow
from drift.answers.policy import Violation
from drift.answers.reconcile import ReconcileReport
from drift.app import App
from drift.commands.output import emit, format_option
from drift.exitcodes import Exit
from drift.logs import notice
from drift.model import Severity
from drift.report.escape import visible


def warn_missing(missing: Sequence[str], what: str) -> None:
    for name in missing:
        notice(
            f"warning: source {visible(name)!r} has no snapshot yet, so {what}; "
            f"run `drift snapshot --source {visible(name)}`",
            colour="yellow",
            event="never_read",
        )


# --- drift policy check ----------------------------------------------------------------------


@click.group("policy")
def policy() -> None:
    """Data minimisation as code: the [[policy]] blocks of drift.toml."""


def _violation_row(v: Violation, tz: dt.tzinfo) -> dict[str, Any]:
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
    answer = policy_answer.policy(app)
    warn_missing(answer.unavailable, "its policies were not checked")
    outcome = answer.outcome
    rows = [_violation_row(v, app.timezone) for v in outcome.open]
    document = {
        "violations": rows,
        "acknowledged": [_violation_row(v, app.timezone) for v in outcome.acknowledged],
        "checked": list(answer.checked),
        "unavailable": list(answer.unavailable),
    }
    columns = ["source", "property", "events", "category", "severity", "rule"]
    if rows or fmt == "json":
        emit(rows, fmt, columns, title="Policy violations", document=document)
    else:
        click.echo(f"no policy violations ({len(answer.checked)} sources checked)")
    if fmt == "table" and outcome.acknowledged:
        click.echo(f"{len(outcome.acknowledged)} violation(s) acknowledged until their expiry")
    if outcome.open:
        raise SystemExit(Exit.FINDINGS)


# --- drift reconcile -------------------------------------------------------------------------


def _reconcile_rows(report: ReconcileReport, tz: dt.tzinfo) -> list[dict[str, Any]]:
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
    answer = reconcile_answer.reconcile(app)
    warn_missing(answer.missing, "the [[reconcile]] blocks naming it were not fully checked")
    report = answer.report
    rows = _reconcile_rows(report, app.timezone)
    document = {"results": rows, "unavailable": [s for s, _ in report.unavailable]}
    columns = ["kind", "property", "events", "detail", "origin"]
    if rows or fmt == "json":
        emit(rows, fmt, columns, title="Documented vs observed", document=document)
    else:
        click.echo("plan and observed sources agree")


# --- drift inventory -------------------------------------------------------------------------


def _inventory_row(row: PropertyRow) -> dict[str, Any]:
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


def _cross_row(prop: CrossProperty) -> dict[str, Any]:
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
    answer = inventory_answer.inventory(
        app,
        source=source,
        min_severity=Severity.parse(min_severity) if min_severity else None,
        category=category,
        across=by_property,
    )
    warn_missing(answer.missing, "it is not in this inventory")
    if by_property:
        out = [_cross_row(c) for c in answer.properties]
        columns = ["property", "sources", "types", "categories", "vendor_labels", "severity"]
        columns += ["flags"]
        document = {"properties": out, "unavailable": list(answer.missing)}
        emit(out, fmt, columns, title="Properties across sources", document=document)
        return
    out = [_inventory_row(r) for r in answer.rows]
    columns = ["source", "property", "events", "types", "identifies", "category", "severity"]
    columns += ["rule", "reason"]
    document = {"properties": out, "unavailable": list(answer.missing)}
    emit(out, fmt, columns, title="Inventory", document=document)
