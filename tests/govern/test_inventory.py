"""The inventory and the cross-vendor view: one line per property, flags where vendors disagree."""

from __future__ import annotations

from drift.govern import by_property, cached_findings, inventory
from drift.model import Finding, Item, Provenance, Schema, Scope, Severity, SourceRole
from drift.plugins import source_role
from tests.govern.scenario import StubClassifier, prop, web_schema

FINDINGS = cached_findings(StubClassifier())
TYPES = {"plan": "jsonschema", "cdp": "segment", "mp": "mixpanel", "samples": "events"}
SOURCES = {name: (kind, source_role(kind)) for name, kind in TYPES.items()}


def schema(source: str, *items: Item) -> Schema:
    return Schema.build(source, Provenance.DOCUMENTED, items)


def world() -> dict[str, Schema]:
    return {
        "plan": schema("plan", prop("Signup", "email", "string"), prop("Buy", "amount", "number")),
        "cdp": schema("cdp", prop("Signup", "email", "string"), prop("Buy", "amount", "number")),
        "mp": schema(
            "mp",
            prop("Signup", "email", "string"),
            prop("Buy", "amount", "string"),
            prop("Buy", "ip_address", "string"),
            Item.of(Scope.EVENT_PROPERTY, "Buy", "note", type="string", description="free text"),
        ),
        "samples": schema("samples", prop("Buy", "ip_address", "string"), prop("Buy", "note")),
    }


def findings_by_description(item: Item) -> tuple[Finding, ...]:
    if item.description == "free text":
        return (Finding("t.free", "free_text", Severity.HIGH, ("note",)),)
    return FINDINGS(item)


def test_by_property_flags_types_classification_and_direct_sends() -> None:
    rows = inventory(world(), findings_by_description)
    cross = {c.name: c for c in by_property(rows, SOURCES, plan_sources={"plan"})}
    assert list(cross) == ["amount", "email", "ip_address", "note"]
    assert cross["email"].flags == ()
    assert [h.source for h in cross["email"].holdings] == ["cdp", "mp", "plan"]
    assert cross["email"].categories == ("contact",) and cross["email"].severity is Severity.HIGH
    assert cross["amount"].flags == ("types differ",)
    assert cross["note"].flags == ("classified differently", "not in plan or CDP: mp")
    assert cross["ip_address"].flags == ("not in plan or CDP: mp",)
    assert cross["ip_address"].severity is Severity.MEDIUM


def test_no_direct_flag_without_any_plan_or_cdp() -> None:
    only_vendor = {"mp": world()["mp"]}
    rows = inventory(only_vendor, FINDINGS)
    assert all(
        not c.direct_to_vendor for c in by_property(rows, {"mp": ("mixpanel", SourceRole.VENDOR)})
    )


def test_inventory_lists_every_property_once_per_source_with_its_events() -> None:
    rows = inventory({"web-events": web_schema(2)}, FINDINGS)
    assert [r.name for r in rows] == [
        "amount",
        "currency",
        "email",
        "first_name",
        "phone_number",
        "plan",
    ]
    phone = next(r for r in rows if r.name == "phone_number")
    assert phone.events == ("Purchase", "Signup") and phone.identifies == "direct"
    assert phone.top is not None and phone.top.category == "contact"
    plan = next(r for r in rows if r.name == "plan")
    assert plan.findings == () and plan.identifies == ""


def test_inventory_min_severity_keeps_risky_properties_only() -> None:
    rows = inventory({"mp": world()["mp"]}, FINDINGS, Severity.MEDIUM)
    assert [(r.name, r.identifies) for r in rows] == [
        ("email", "direct"),
        ("ip_address", "indirect"),
    ]
    assert [r.name for r in inventory({"mp": world()["mp"]}, FINDINGS, Severity.HIGH)] == ["email"]
