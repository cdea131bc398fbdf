"""Data minimisation as code: the ``[[policy]]`` outcome over each source's current schema.

``judge`` is the one evaluation: ``drift policy check`` calls it on the latest snapshots, the
digest on the snapshots it covers, with the same findings and acknowledgements at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from drift.answers.findings import findings_fn
from drift.answers.schemas import current_schemas
from drift.app import App
from drift.errors import ConfigError
from drift.govern.policy import PolicyOutcome, Violation, blocks, check_policies, source_type
from drift.model import Schema, utcnow
from drift.store.acks import AckIndex, active_acks

__all__ = ["PolicyAnswer", "PolicyOutcome", "Violation", "judge", "policy", "policy_sources"]


@dataclass(frozen=True)
class PolicyAnswer:
    outcome: PolicyOutcome  # open violations, and those an unexpired, reasoned ack covers
    checked: tuple[str, ...]  # sources with a snapshot that a policy covers
    unavailable: tuple[str, ...]  # sources a policy covers that have no snapshot yet


def judge(
    app: App, schemas: Mapping[str, Schema], acks: AckIndex, now: dt.datetime
) -> PolicyOutcome:
    """Every policy's violations over ``schemas``, split by acknowledgement at ``now``."""
    return check_policies(app.config, schemas, findings_fn(app), acks.match, now)


def policy_sources(app: App) -> list[str]:
    """The configured sources some ``[[policy]]`` block covers (a config error when none)."""
    config = app.config
    if not config.policy:
        raise ConfigError(
            f"no [[policy]] blocks in {config.path or 'drift.toml'}; nothing to check"
        )
    names = [s.name for s in config.sources]
    return [
        n for n in names if any(b.applies_to(n, source_type(config, n)) for b in blocks(config))
    ]


def policy(app: App, now: dt.datetime | None = None) -> PolicyAnswer:
    """The policies over the latest snapshot of every source they cover."""
    now = now or utcnow()
    names = policy_sources(app)
    current = current_schemas(app, names)
    if not current.schemas:
        raise ConfigError("no source a policy covers has a snapshot yet; run `drift snapshot`")
    with app.database.session() as session:
        acks = active_acks(session, now)
    outcome = judge(app, current.schemas, acks, now)
    return PolicyAnswer(outcome, tuple(sorted(current.schemas)), current.missing)
