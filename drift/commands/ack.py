"""``drift ack``: acknowledge a risky item, property name or name pattern; list; revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from drift import clockface
from drift.answers import acks
from drift.answers.acks import Ack, covers
from drift.app import App
from drift.commands.output import emit, format_option
from drift.errors import ConfigError
from drift.logs import notice
from drift.model import utcnow
from drift.report.escape import visible


@click.command("ack")
@click.option("--source", help="Source the acknowledgement applies to.")
@click.option("--item", "item", help="One item: EVENT:NAME (*:NAME project-wide, :NAME user).")
@click.option("--property", "prop", help="A property name on the source, on any event.")
@click.option("--pattern", help="A glob over property names, e.g. 'utm_*' (case-sensitive).")
@click.option("--category", help="Only findings of this category (e.g. contact).")
@click.option("--reason", help="Why this is acceptable (required).")
@click.option("--by", help="Who acknowledges (default $DRIFT_USER, then the OS user).")
@click.option(
    "--until",
    help="Expiry: a date, +30d (in 30 days) or ISO datetime (configured timezone unless offset);"
    " needed to cover a policy violation.",
)
@click.option(
    "--force", is_flag=True, help="Record it even if it matches nothing drift has seen (yet)."
)
@click.option("--list", "list_", is_flag=True, help="List acknowledgements and their state.")
@click.option("--revoke", type=int, metavar="ID", help="Revoke acknowledgement ID.")
@format_option("table", "json")
@click.pass_obj
def ack(app: App, /, list_: bool, revoke: int | None, fmt: str, **opts: Any) -> None:
    """Acknowledge risky properties (an auditable, append-only ledger); expired ones resurface."""
    if list_ and revoke is not None:
        raise ConfigError("use either --list or --revoke, not both")
    if list_:
        list_command(app, fmt)
    elif revoke is not None:
        revoke_command(app, revoke, opts["reason"], opts["by"], fmt)
    else:
        add_command(app, fmt, **opts)


def add_command(app: App, fmt: str, **opts: Any) -> Ack:
    chosen = [o for o in ("item", "prop", "pattern") if opts.get(o)]
    if len(chosen) != 1:
        raise ConfigError("give exactly one of --item, --property or --pattern (or --list)")
    until = _until(app, opts.get("until"))
    covered = acks.target(
        app,
        source=opts.get("source"),
        category=opts.get("category"),
        item=opts.get("item"),
        name=opts.get("prop"),
        pattern=opts.get("pattern"),
    )
    reason, by = opts.get("reason") or "", opts.get("by")
    made = acks.acknowledge(
        app, covered, reason=reason, by=by, until=until, force=bool(opts.get("force"))
    )
    _print([made], fmt, app.timezone, f"acknowledged #{made.id}", single=True)
    if until is None and app.config.policy:
        notice(f"note: {POLICY_NOTE}", event="ack_without_expiry")
    return made


POLICY_NOTE = (
    "without --until this acknowledgement does not cover [[policy]] violations: an exception to "
    "a policy must expire (add --until, e.g. +90d); it still acknowledges the findings"
)


def revoke_command(app: App, ack_id: int, reason: str | None, by: str | None, fmt: str) -> Ack:
    revoked = acks.revoke(app, ack_id, reason=reason or "", by=by)
    _print([revoked], fmt, app.timezone, f"revoked #{ack_id}", single=True)
    return revoked


def list_command(app: App, fmt: str) -> list[Ack]:
    found = list(acks.ledger(app))
    _print(found, fmt, app.timezone, "Acknowledgements")
    return found


def _until(app: App, text: str | None) -> dt.datetime | None:
    if not text:
        return None
    until = clockface.parse_moment(text.strip(), app.timezone, end_of_day=True)
    if until <= utcnow():
        raise ConfigError(
            f"--until {text!r} is not in the future (write +30d for 30 days from now, or a "
            "later date)"
        )
    return until


def ack_row(ack: Ack, now: dt.datetime, tz: dt.tzinfo) -> dict[str, Any]:
    target = ack.target
    return {
        "id": ack.id,
        "state": str(ack.state(now)),
        "scope": str(target.scope),
        "source": target.source,
        "target": target.key.label if target.key else (target.name or target.pattern),
        "item_scope": str(target.key.scope) if target.key else None,
        "category": target.category,
        "reason": ack.reason,
        "by": ack.by,
        "created_at": _when(ack.created_at, tz),
        "until": _when(ack.until, tz),
        "revoked_at": _when(ack.revoked.at, tz) if ack.revoked else None,
        "revoked_by": ack.revoked.by if ack.revoked else None,
        "revoke_reason": ack.revoked.reason if ack.revoked else None,
        "covers_policy": "yes" if covers(ack, now) else "no: needs --until",
    }


def _when(moment: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def _print(found: list[Ack], fmt: str, tz: dt.tzinfo, title: str, *, single: bool = False) -> None:
    now = utcnow()
    rows = [ack_row(a, now, tz) for a in found]
    if fmt == "table" and single:
        click.echo(f"{title}: {visible(found[0].target.label)} ({rows[0]['state']})")
        return
    columns = ["id", "state", "scope", "source", "target", "category", "by", "until", "reason"]
    if any(r["covers_policy"] != "yes" and r["state"] == "active" for r in rows):
        columns.append("covers_policy")
    emit(rows, fmt, columns, title=f"{title} (times in {tz})")
