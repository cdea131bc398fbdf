"""Segment rules as Segment really sends them (tests/cases/vendors/segment/README.md cites each
field): one parser for the Public API connector and the jsonschema source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from drift.model import Schema
from drift.sources.jsonschema import JsonSchemaConfig, JsonSchemaSource
from tests.sources.conftest import VENDORS_DIR, FakeClock, base, case, make_source, serve_happy

S, N, OBJ, ARR = ["string"], ["null", "string"], ["object"], ["array"]
WEB_ORDER = "Order Completed [TRACK v2]"
#: Every item of the web plan, as recorded (names unprefixed: one plan configured).
WEB_ITEMS: dict[str, dict[str, Any]] = {
    f"event:{WEB_ORDER}": {
        "description": "A customer paid for an order.",
        "tags": ["priority:high", "team:checkout"],
    },
    f"event_property:{WEB_ORDER}.order_id": {
        "type": S,
        "description": "Order id",
        "required": True,
    },
    f"event_property:{WEB_ORDER}.company_name": {"type": N, "description": "B2B buyer"},
    f"event_property:{WEB_ORDER}.billing_address": {
        "type": OBJ,
        "description": "Where the invoice goes",
    },
    f"event_property:{WEB_ORDER}.billing_address.city": {"type": S},
    f"event_property:{WEB_ORDER}.billing_address.postal_code": {"type": N},
    f"event_property:{WEB_ORDER}.travelers": {
        "type": ARR,
        "description": "People on the booking",
        "is_array": True,
    },
    f"event_property:{WEB_ORDER}.travelers.passport_number": {
        "type": S,
        "description": "As printed",
        "required": True,
    },
    f"event_property:{WEB_ORDER}.travelers.first_name": {"type": S},
    f"event_property:{WEB_ORDER}.coupon_codes": {"type": ARR, "is_array": True},
    "event_property:*.app_version": {"type": S},
    "event_property:*.context.ip": {"type": S},
    "event_property:*.context.userAgent": {"type": S, "required": True},
    "event_property:*.context.device": {"type": OBJ},
    "event_property:*.context.device.advertisingId": {"type": S},
    "event:identify [IDENTIFY v1]": {},
    "user_property:user.email": {
        "type": S,
        "description": "Login email",
        "required": True,
        "format": "email",
    },
    "user_property:user.plan": {"enum": ["free", "pro"]},
    "user_property:user.address": {"type": OBJ},
    "user_property:user.address.city": {"type": S},
    "user_property:user.locale": {"type": S},
    "event:group [GROUP v1]": {},
    "group_property:group.industry": {"type": S},
}


def labels(schema: Schema) -> dict[str, dict[str, Any]]:
    return {f"{i.scope}:{i.key.label}": dict(i.definition) for i in schema.items}


def fetch(server: HTTPServer, clock: FakeClock, **extra: Any) -> Schema:
    return make_source("segment", base(server), clock=clock, **extra).fetch()


def test_one_plan_exactly_as_segment_defines_it(httpserver: HTTPServer, clock) -> None:
    """Zero-time deprecatedAt is active, v1 is superseded by v2, nesting and unions are kept,
    COMMON context/traits/properties are read, and the second page of rules is followed."""
    serve_happy(httpserver, "segment")
    assert labels(fetch(httpserver, clock, tracking_plans=["tp_web"])) == WEB_ITEMS
    pages = [r.args.get("pagination.cursor") for r, _ in httpserver.log]  # type: ignore[attr-defined]
    assert pages == [None, "Mw=="]  # both pages of rules, and no plan listing


def test_default_reads_live_plans_prefixed_and_traits_never_collide(httpserver, clock) -> None:
    serve_happy(httpserver, "segment")
    got = labels(fetch(httpserver, clock))
    web = {_prefixed(label, "web"): definition for label, definition in WEB_ITEMS.items()}
    ios = {
        "event:ios/Order Completed [TRACK v1]": {},
        "event_property:ios/Order Completed [TRACK v1].order_id": {"type": S},
        "event:ios/identify [IDENTIFY v3]": {},
        "user_property:ios.email": {"type": N},
        "event:ios/Legacy Checkout [TRACK v1]": {"deprecated": True},
    }
    assert got == web | ios
    assert got["user_property:web.email"] != got["user_property:ios.email"]
    asked = {r.path for r, _ in httpserver.log}  # type: ignore[attr-defined]
    assert "/tracking-plans/tp_lib/rules" not in asked  # a RULE_LIBRARY holds no traffic


def test_plan_types_select_libraries(httpserver: HTTPServer, clock) -> None:
    serve_happy(httpserver, "segment")
    got = labels(fetch(httpserver, clock, plan_types=["RULE_LIBRARY"]))
    assert got == {
        "event:shared-rules/Template Event [TRACK v1]": {},
        "event_property:shared-rules/Template Event [TRACK v1].ssn": {"type": S},
    }


def test_same_rules_same_items_from_the_api_and_from_a_file(
    httpserver: HTTPServer, clock, tmp_path: Path
) -> None:
    serve_happy(httpserver, "segment")
    from_api = fetch(httpserver, clock, tracking_plans=["tp_web"])
    pages = [case("segment", f"web_rules_page{n}.json") for n in (1, 2)]
    rules = [rule for page in pages for rule in page["data"]["rules"]]
    (tmp_path / "export.json").write_text(json.dumps({"rules": rules}))
    (tmp_path / "saved.json").write_text(json.dumps(pages[0]))  # a saved API answer
    from_file = JsonSchemaSource(
        JsonSchemaConfig(name="segment-test", type="jsonschema", path=tmp_path / "export.json")
    ).fetch()
    assert [(i.key, i.definition) for i in from_file.items] == [
        (i.key, i.definition) for i in from_api.items
    ]
    saved = JsonSchemaSource(
        JsonSchemaConfig(name="saved", type="jsonschema", path=tmp_path / "saved.json")
    ).fetch()
    assert f"{WEB_ORDER}.travelers.passport_number" in {i.key.label for i in saved.items}


def test_fixture_readme_names_every_file() -> None:
    readme = (VENDORS_DIR / "segment" / "README.md").read_text()
    for path in (VENDORS_DIR / "segment").glob("*.json"):
        assert f"`{path.name}`" in readme


def _prefixed(label: str, plan: str) -> str:
    kind, _, rest = label.partition(":")
    if kind == "user_property":
        return f"{kind}:{rest.replace('user.', f'{plan}.', 1)}"
    if kind == "group_property":
        return f"{kind}:{plan}/{rest}"
    return f"{kind}:{plan}/{rest}"
