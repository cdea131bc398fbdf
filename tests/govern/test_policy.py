"""Policy as code: each violation once, with the policy line it breaks; acks need an expiry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drift.govern import cached_findings, check_policies, evaluate_policies, find_violations
from drift.model import ItemKey, Scope, Severity
from drift.store.database import Database
from tests.govern.scenario import (
    DAYS,
    StubClassifier,
    app_schema,
    config,
    load_latest,
    prop,
    record_days,
    web_schema,
)

FORBID = 'policy "no contact data" (drift.toml [[policy]] #1): forbid contact'
MAX_SEV = "policy #2 (drift.toml [[policy]] #2): max_severity medium"
FINDINGS = cached_findings(StubClassifier())
NOW = DAYS[-1] + dt.timedelta(hours=1)


@dataclass(frozen=True)
class FakeAck:
    reason: str
    expires_at: dt.datetime | None


def test_each_violation_once_with_the_rule_it_breaks(database: Database) -> None:
    record_days(database)
    latest = load_latest(database)
    violations = evaluate_policies(config(), latest.schemas, FINDINGS, None, NOW)
    got = sorted((v.source, v.name, v.rule, v.category) for v in violations)
    assert got == [
        ("app-events", "email", MAX_SEV, "contact"),
        ("web-events", "email", FORBID, "contact"),
        ("web-events", "email", MAX_SEV, "contact"),
        ("web-events", "first_name", MAX_SEV, "person_name"),
        ("web-events", "phone_number", FORBID, "contact"),
        ("web-events", "phone_number", MAX_SEV, "contact"),
    ]
    phone = next(v for v in violations if v.name == "phone_number" and v.rule == FORBID)
    assert phone.events == ("Purchase", "Signup")  # one violation, its events listed
    assert phone.severity is Severity.HIGH and phone.policy == 'policy "no contact data"'
    assert phone.key == ItemKey(Scope.EVENT_PROPERTY, "Purchase", "phone_number")
    first_name = next(v for v in violations if v.name == "first_name")
    assert first_name.events == ("(user)",)


def test_documented_sources_outside_the_policy_are_not_checked() -> None:
    schemas = {"web-events": web_schema(2), "app-events": app_schema(2)}
    names = {v.source for v in find_violations(config(), schemas, FINDINGS)}
    assert names == {"web-events", "app-events"}  # the plan holds email too, but no policy names it


def _matcher(acks: dict[tuple[str, str, str], FakeAck]):  # type: ignore[no-untyped-def]
    return lambda source, key, category: acks.get((source, key.name, category))


def test_ack_with_expiry_hides_a_violation_until_it_expires() -> None:
    schemas = {"web-events": web_schema(2)}
    until = NOW + dt.timedelta(days=7)
    ack = FakeAck("legal basis: consent, ticket SEC-12", until)
    ack_for = _matcher({("web-events", "phone_number", "contact"): ack})

    before = check_policies(config(), schemas, FINDINGS, ack_for, now=NOW)
    assert not [v for v in before.open if v.name == "phone_number"]
    assert {v.rule for v in before.acknowledged} == {FORBID, MAX_SEV}
    assert {v.acknowledged_until for v in before.acknowledged} == {until}

    after = check_policies(
        config(), schemas, FINDINGS, ack_for, now=until + dt.timedelta(seconds=1)
    )
    assert {v.rule for v in after.open if v.name == "phone_number"} == {FORBID, MAX_SEV}
    assert not after.acknowledged


def test_ack_without_expiry_or_reason_does_not_hide_a_violation() -> None:
    schemas = {"web-events": web_schema(2)}
    for ack in (FakeAck("accepted forever", None), FakeAck("  ", NOW + dt.timedelta(days=1))):
        ack_for = _matcher({("web-events", "phone_number", "contact"): ack})
        outcome = check_policies(config(), schemas, FINDINGS, ack_for, now=NOW)
        assert {v.rule for v in outcome.open if v.name == "phone_number"} == {FORBID, MAX_SEV}
        assert not outcome.acknowledged


def test_ack_on_one_event_leaves_the_other_events_open() -> None:
    schemas = {"web-events": web_schema(2)}
    ack = FakeAck("Signup form only, until the fix ships", NOW + dt.timedelta(days=3))

    def ack_for(source: str, key: ItemKey, category: str) -> FakeAck | None:
        return ack if key.event == "Signup" and key.name == "phone_number" else None

    outcome = check_policies(config(), schemas, FINDINGS, ack_for, now=NOW)
    phone = [v for v in outcome.open if v.name == "phone_number"]
    assert {v.events for v in phone} == {("Purchase",)}


def test_allow_list_and_forbidden_temporary_markers() -> None:
    text = """
[[sources]]
name = "web-events"
type = "events"
path = "web.ndjson"

[[policy]]
name = "only pseudonymous ids"
sources = ["web-events"]
allow = ["user_id"]
forbid = ["temporary"]
"""
    from drift.model import Provenance, Schema

    schema = Schema.build(
        "web-events",
        Provenance.OBSERVED,
        [
            prop("A", "user_id", "string"),
            prop("A", "ip", "string"),
            prop("A", "debug_ip", "string"),
        ],
    )
    violations = find_violations(config(text), {"web-events": schema}, FINDINGS)
    rule = 'policy "only pseudonymous ids" (drift.toml [[policy]] #1): '
    assert sorted((v.name, v.rule.removeprefix(rule), v.category) for v in violations) == [
        ("debug_ip", "allow user_id", "device_id"),
        ("debug_ip", "forbid temporary", "temporary"),
        ("ip", "allow user_id", "device_id"),
    ]
    debug = next(v for v in violations if v.name == "debug_ip" and v.category == "device_id")
    assert debug.severity is Severity.HIGH  # medium raised one level by the tmp marker
