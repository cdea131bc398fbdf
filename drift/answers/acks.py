"""The acknowledgement ledger: add (checked against what drift has seen), revoke, list."""

from __future__ import annotations

import datetime as dt

from drift.ack_target import AckTarget
from drift.app import App
from drift.classify.rules import require_category
from drift.config import did_you_mean
from drift.errors import ConfigError
from drift.govern.policy import covers
from drift.report.escape import visible
from drift.store import acks, queries
from drift.store.acks import Ack, AckState

__all__ = ["Ack", "AckState", "AckTarget", "acknowledge", "covers", "ledger", "revoke", "target"]


def target(
    app: App,
    *,
    source: str | None,
    category: str | None,
    item: str | None = None,
    name: str | None = None,
    pattern: str | None = None,
) -> AckTarget:
    """What an acknowledgement would cover: one item (``EVENT:NAME``, resolved against what the
    source has held), a property ``name`` on a source, or a glob ``pattern``; names and the
    category are checked, since one that can never match is a typo."""
    if source:
        app.config.source(source)
    if category:
        require_category(category, app.classifier.category_ids, "--category")
    with app.database.session() as session:
        if pattern:
            if source:
                queries.source_id(session, source)
            return AckTarget.glob(pattern, source, category)
        if not source:
            raise ConfigError(f"--{'item' if item else 'property'} needs --source")
        if item:
            return AckTarget.item(source, acks.resolve_item(session, source, item), category)
        return AckTarget.property_name(source, name or "", category)


def acknowledge(
    app: App,
    covered: AckTarget,
    *,
    reason: str,
    by: str | None,
    until: dt.datetime | None,
    force: bool = False,
) -> Ack:
    """Record an acknowledgement; unless ``force``, only one that matches something drift has
    seen (an acknowledgement for a name never seen is usually a typo)."""
    with app.database.session() as session:
        if not force and not acks.matches_seen(session, covered):
            raise ConfigError(_matches_nothing(covered, acks.names_seen(session, covered.source)))
        return acks.add_ack(session, covered, reason=reason, by=by, until=until)


def _matches_nothing(covered: AckTarget, names: set[str]) -> str:
    hint = did_you_mean(covered.name or "", names) if covered.name else ""
    return (
        f"{visible(covered.label)} matches nothing drift has seen{hint}; check the spelling, "
        "or pass --force to acknowledge ahead of time"
    )


def revoke(app: App, ack_id: int, *, reason: str, by: str | None) -> Ack:
    with app.database.session() as session:
        return acks.revoke_ack(session, ack_id, reason=reason, by=by)


def ledger(app: App) -> tuple[Ack, ...]:
    """Every acknowledgement, oldest first, with its revocation folded in."""
    with app.database.session() as session:
        return tuple(acks.list_acks(session))
