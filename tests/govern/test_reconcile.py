"""Documented vs observed: each undocumented property, mismatch and gap once, with its origin."""

from __future__ import annotations

import pytest

from drift.govern import new_undocumented, reconcile_all
from drift.govern.properties import types_compatible, types_differ
from drift.model import Item, ItemKey, Provenance, Schema, Scope
from drift.plugins import source_class
from drift.store.database import Database
from tests.govern.scenario import (
    DAYS,
    app_schema,
    config,
    load_latest,
    plan_schema,
    record_days,
    web_schema,
)

ORIGIN = "[[reconcile]] #1 plan=plan"


def test_each_result_once_with_its_origin_and_first_seen(database: Database) -> None:
    record_days(database)
    latest = load_latest(database)
    report = reconcile_all(config(), latest.schemas, latest.first_seen)

    assert [(u.observed, u.name, u.events, u.first_seen) for u in report.undocumented] == [
        ("web-events", "phone_number", ("Purchase", "Signup"), DAYS[1]),
        ("app-events", "ip_address", ("*",), DAYS[0]),
    ]
    phone = report.undocumented[0]
    assert phone.summary == "undocumented, at web-events since 11 Nov 2026"
    assert [
        (m.observed, m.name, m.events, m.plan_types, m.observed_types) for m in report.mismatches
    ] == [
        ("web-events", "amount", ("Purchase",), ("number",), ("string",)),
        ("app-events", "amount", ("*",), ("number",), ("boolean",)),
    ]
    assert [(n.name, n.events, n.observed) for n in report.never_observed] == [
        ("coupon_code", ("Purchase",), ("web-events", "app-events")),
    ]
    results = [*report.undocumented, *report.mismatches, *report.never_observed]
    assert {r.origin.label for r in results} == {ORIGIN}
    assert {r.plan for r in results} == {"plan"}
    assert not report.unavailable


def test_first_seen_is_the_earliest_snapshot_holding_the_name(database: Database) -> None:
    record_days(database)
    latest = load_latest(database)
    assert latest.first_seen("web-events", "phone_number") == DAYS[1]
    assert latest.first_seen("web-events", "email") == DAYS[0]
    assert latest.first_seen("web-events", "ip_address") is None
    assert latest.first_seen("no-such-source", "email") is None


def test_new_undocumented_since_the_last_digest(database: Database) -> None:
    record_days(database)
    latest = load_latest(database)
    report = reconcile_all(config(), latest.schemas, latest.first_seen)
    assert [u.name for u in new_undocumented(report, DAYS[0])] == ["phone_number"]
    assert new_undocumented(report, DAYS[2]) == []
    assert len(new_undocumented(report, None)) == 2


def test_integer_fits_a_planned_number_and_null_is_fine() -> None:
    schemas = {"plan": plan_schema(), "web-events": web_schema(0), "app-events": app_schema(0)}
    report = reconcile_all(config(), schemas)
    assert [m.observed for m in report.mismatches] == ["app-events"]  # boolean, not integer/null


def test_a_source_without_snapshot_is_unavailable_not_empty() -> None:
    schemas = {"plan": plan_schema(), "web-events": web_schema(2)}
    report = reconcile_all(config(), schemas)
    assert [s for s, _ in report.unavailable] == ["app-events"]
    assert {u.observed for u in report.undocumented} == {"web-events"}
    missing_plan = reconcile_all(config(), {"web-events": web_schema(2)})
    assert missing_plan.empty and [s for s, _ in missing_plan.unavailable] == ["plan", "app-events"]


def test_user_properties_match_by_name_and_events_by_event() -> None:
    from drift.model import Provenance, Schema
    from tests.govern.scenario import prop

    observed = Schema.build(
        "web-events",
        Provenance.OBSERVED,
        [
            prop("", "first_name", "string", scope=Scope.USER_PROPERTY),
            prop("Signup", "currency", "string"),  # planned on Purchase only
        ],
    )
    report = reconcile_all(
        config(), {"plan": plan_schema(), "web-events": observed, "app-events": app_schema(0)}
    )
    web = [(u.name, u.events) for u in report.undocumented if u.observed == "web-events"]
    assert web == [("currency", ("Signup",))]


@pytest.mark.parametrize(
    ("planned", "observed", "fits"),
    [
        (["number"], ["integer"], True),
        (["integer"], ["number"], True),
        (["string"], ["null", "string"], True),
        (["string"], ["null"], True),
        ([], ["boolean"], True),
        (["any"], ["object"], True),
        (["datetime"], ["string"], True),
        (["string"], ["integer"], False),
        (["string"], ["string", "array"], False),
    ],
)
def test_type_compatibility(planned: list[str], observed: list[str], fits: bool) -> None:
    assert types_compatible(planned, observed) is fits


def test_types_differ_across_sources() -> None:
    assert types_differ(["string"], ["integer"])
    assert not types_differ(["integer"], ["number", "null"])
    assert not types_differ([], ["integer"])


def test_empty_config_reconciles_nothing() -> None:
    text = '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "p.json"\n'
    assert reconcile_all(config(text), {"plan": plan_schema()}).empty


def test_segment_rule_suffixes_do_not_hide_a_match() -> None:
    text = """
[[sources]]
name = "segment-plan"
type = "segment"
token_env = "SEGMENT_TOKEN"

[[sources]]
name = "web-events"
type = "events"
path = "web.ndjson"

[[reconcile]]
plan = "segment-plan"
observed = ["web-events"]
"""
    plan = Schema.build(
        "segment-plan",
        Provenance.DOCUMENTED,
        [
            Item.of(Scope.EVENT, "Order Completed [TRACK v2]"),
            Item.of(Scope.EVENT_PROPERTY, "Order Completed [TRACK v2]", "total", type="number"),
        ],
    )
    seen = Schema.build(
        "web-events",
        Provenance.OBSERVED,
        [
            Item.of(Scope.EVENT, "Order Completed"),
            Item.of(Scope.EVENT_PROPERTY, "Order Completed", "total", type="number"),
            Item.of(Scope.EVENT_PROPERTY, "Order Completed", "email", type="string"),
        ],
    )
    report = reconcile_all(config(text), {"segment-plan": plan, "web-events": seen})
    assert [u.name for u in report.undocumented] == ["email"]
    assert not report.never_observed and not report.mismatches


def test_segment_plan_prefixes_and_versions_match_plain_events() -> None:
    segment = source_class("segment")  # the trait, asked through the plugin registry

    assert "Chat Opened" in segment.event_aliases("web/Chat Opened [TRACK v1]")
    assert "Chat Opened" in segment.event_aliases("Chat Opened [TRACK v7]")
    assert segment.event_aliases("/deals/landing") == ("/deals/landing",)  # not a plan's name
    assert segment.is_project_wide("web/*") and segment.is_project_wide("*")
    assert not segment.is_project_wide("web/checkout")


def test_only_sources_that_decorate_event_names_have_them_stripped() -> None:
    """The source class names its events: a Segment export read by the jsonschema source matches
    the plain event, while an event another source really calls ``... [TRACK v1]`` is its own."""
    text = """
[[sources]]
name = "plan"
type = "jsonschema"
path = "plan.json"

[[sources]]
name = "web-events"
type = "events"
path = "web.ndjson"

[[reconcile]]
plan = "plan"
observed = ["web-events"]
"""
    plan = Schema.build(
        "plan",
        Provenance.DOCUMENTED,
        [Item.of(Scope.EVENT_PROPERTY, "Chat Opened [TRACK v1]", "topic", type="string")],
    )
    seen = Schema.build(
        "web-events",
        Provenance.OBSERVED,
        [
            Item.of(Scope.EVENT_PROPERTY, "Chat Opened", "topic", type="string"),
            Item.of(Scope.EVENT_PROPERTY, "Chat Opened [TRACK v2]", "topic", type="string"),
        ],
    )
    report = reconcile_all(config(text), {"plan": plan, "web-events": seen})
    assert [(u.name, u.events) for u in report.undocumented] == [
        ("topic", ("Chat Opened [TRACK v2]",))
    ]
    assert not report.never_observed


def test_undocumented_properties_carry_their_item_keys() -> None:
    """Keys travel as keys: a user or group property is not read back from ``(user)`` text."""
    observed = Schema.build(
        "app-events",
        Provenance.OBSERVED,
        [
            Item.of(Scope.USER_PROPERTY, "", "nickname"),
            Item.of(Scope.GROUP_PROPERTY, "company", "nickname"),
        ],
    )
    schemas = {"plan": plan_schema(), "web-events": web_schema(0), "app-events": observed}
    report = reconcile_all(config(), schemas, lambda source, name: None)
    found = {(u.scope, u.events, u.keys) for u in report.undocumented if u.name == "nickname"}
    assert found == {
        (Scope.USER_PROPERTY, ("(user)",), (ItemKey(Scope.USER_PROPERTY, "", "nickname"),)),
        (
            Scope.GROUP_PROPERTY,
            ("(group:company)",),
            (ItemKey(Scope.GROUP_PROPERTY, "company", "nickname"),),
        ),
    }
