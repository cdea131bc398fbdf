"""A small world for the governance tests: a plan, two observed sources, two policies, 3 days.

- ``plan`` (jsonschema, documented): Signup.plan, Signup.email, Purchase.amount (number),
  Purchase.currency, Purchase.coupon_code (never observed), user first_name.
- ``web-events`` (events, observed, per event): day 1 adds phone_number on Signup and Purchase
  (undocumented, contact), day 2 turns Purchase.amount into a string (type mismatch).
- ``app-events`` (events, observed, project-wide ``*`` like PostHog): email (string|null, fits),
  amount as boolean (mismatch by name), ip_address (undocumented, device_id) from day 0.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

from drift.config import DriftConfig, parse_config
from drift.model import Finding, Item, Provenance, Schema, Scope, Severity
from drift.store.database import Database
from drift.store.firstseen import FirstSeenIndex, load_first_seen
from drift.store.queries import resolve_ref, state_at
from drift.store.record import record_snapshot

T0 = dt.datetime(2026, 11, 10, 7, 0, tzinfo=dt.UTC)
DAYS = [T0 + dt.timedelta(days=i) for i in range(3)]

CONFIG = """
[[sources]]
name = "plan"
type = "jsonschema"
path = "plan.json"

[[sources]]
name = "web-events"
type = "events"
path = "web.ndjson"

[[sources]]
name = "app-events"
type = "events"
path = "app.ndjson"

[[policy]]
name = "no contact data"
sources = ["web-events"]
forbid = ["contact"]

[[policy]]
source_types = ["events"]
max_severity = "medium"

[[reconcile]]
plan = "plan"
observed = ["web-events", "app-events"]
"""


def config(text: str = CONFIG) -> DriftConfig:
    return parse_config(tomllib.loads(text))


class StubClassifier:
    """Stands in for drift.classify until it lands: a handful of whole-token rules."""

    RULES = (
        ({"email"}, "contact", Severity.HIGH),
        ({"phone"}, "contact", Severity.HIGH),
        ({"first", "name"}, "person_name", Severity.HIGH),
        ({"ip"}, "device_id", Severity.MEDIUM),
        ({"url"}, "url", Severity.LOW),
        ({"user", "id"}, "user_id", Severity.LOW),
    )
    rules_hash = "stub"

    def category_severity(self, category: str) -> Severity | None:
        return None  # no vendor-label categories in this stub

    def classify(
        self, name: str, types: Sequence[str] = (), description: str = ""
    ) -> tuple[Finding, ...]:
        tokens = {t.lower() for t in re.split(r"[_\-.\s$]+|(?<=[a-z])(?=[A-Z])", name) if t}
        temporary = bool(tokens & {"tmp", "temp", "debug", "test"})
        out = [
            Finding(
                f"stub.{category}",
                category,
                severity.raised() if temporary else severity,
                tuple(sorted(want)),
                reason=f"{category} token",
                temporary=temporary,
            )
            for want, category, severity in self.RULES
            if want <= tokens
        ]
        if temporary and not out:
            out.append(Finding("stub.temporary", "temporary", Severity.LOW, (), temporary=True))
        return tuple(sorted(out, key=lambda f: -f.severity.rank))


def prop(event: str, name: str, *types: str, scope: Scope = Scope.EVENT_PROPERTY) -> Item:
    return Item.of(scope, event, name, type=list(types))


def event(name: str) -> Item:
    return Item.of(Scope.EVENT, name)


def plan_schema() -> Schema:
    items = [
        event("Signup"),
        event("Purchase"),
        prop("Signup", "plan", "string"),
        prop("Signup", "email", "string"),
        prop("Purchase", "amount", "number"),
        prop("Purchase", "currency", "string"),
        prop("Purchase", "coupon_code", "string"),
        prop("", "first_name", "string", scope=Scope.USER_PROPERTY),
    ]
    return Schema.build("plan", Provenance.DOCUMENTED, items)


def web_schema(day: int) -> Schema:
    items = [
        event("Signup"),
        event("Purchase"),
        prop("Signup", "plan", "string"),
        prop("Signup", "email", "string"),
        prop("Purchase", "amount", "string" if day >= 2 else "integer"),
        prop("Purchase", "currency", "string"),
        prop("", "first_name", "string", scope=Scope.USER_PROPERTY),
    ]
    if day >= 1:
        items += [
            prop("Signup", "phone_number", "string"),
            prop("Purchase", "phone_number", "string"),
        ]
    return Schema.build("web-events", Provenance.OBSERVED, items)


def app_schema(day: int) -> Schema:
    items = [
        prop("*", "email", "null", "string"),
        prop("*", "amount", "boolean"),
        prop("*", "ip_address", "string"),
        prop("*", "plan", "string"),
    ]
    return Schema.build("app-events", Provenance.OBSERVED, items)


def record_days(database: Database, days: int = 3) -> None:
    """Record every source once a day, so first-seen dates come from real intervals."""
    for day in range(days):
        for schema, kind in (
            (plan_schema(), "jsonschema"),
            (web_schema(day), "events"),
            (app_schema(day), "events"),
        ):
            with database.session() as session:
                record_snapshot(session, schema, source_type=kind, taken_at=DAYS[day])


@dataclass(frozen=True)
class Latest:
    schemas: dict[str, Schema]
    first_seen: FirstSeenIndex


def load_latest(
    database: Database, names: Sequence[str] = ("plan", "web-events", "app-events")
) -> Latest:
    with database.session() as session:
        schemas = {}
        for name in names:
            snapshot_id = resolve_ref(session, name, "latest")
            assert snapshot_id is not None
            schemas[name] = state_at(session, snapshot_id)
        return Latest(schemas, load_first_seen(session, names))
