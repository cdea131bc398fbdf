"""Amplitude's Taxonomy API as Amplitude answers (tests/cases/vendors/amplitude/README.md cites
each field): privacy labels, owners, activity and visibility flags, deleted vs hidden."""

from __future__ import annotations

from pytest_httpserver import HTTPServer

from drift.model import ANY_EVENT
from tests.sources.conftest import VENDORS_DIR, base, make_source, serve_happy
from tests.sources.test_segment import labels

AMPLITUDE_ITEMS = {
    "event:Checkout Completed": {
        "description": "User paid",
        "display_name": "Checkout",
        "category": "Conversion",
        "tags": ["revenue"],
        "owners": ["pat@example.com"],
    },
    "event:Viewed Pricing": {"vendor": {"custom_event": True}},  # "null" description dropped
    "event:Promo Banner Seen": {
        "vendor": {"inactive": True, "hidden_from": ["dropdowns", "pathfinder"]}
    },
    "event:Old Signup": {  # only in the showDeleted list: deleted at Amplitude
        "description": "Replaced by Signup Completed",
        "category": "Onboarding",
        "deleted": True,
        "vendor": {"inactive": True},
    },
    "event_property:Checkout Completed.company_name": {
        "type": ["string"],
        "classifications": ["SENSITIVE"],
        "classified_by": "Amplitude",
    },
    "event_property:Checkout Completed.plan": {
        "type": ["string"],
        "enum": ["free", "pro"],
        "pattern": "^[a-z]+$",
        "required": True,
    },
    "event_property:Checkout Completed.buyer_ref": {
        "type": ["string"],
        "description": "Reference from the order form",
        "classifications": ["PII"],
        "classified_by": "Amplitude",
    },
    "event_property:Checkout Completed.revenue": {
        "type": ["number"],
        "hidden": True,
        "classifications": ["REVENUE"],
        "classified_by": "Amplitude",
    },
    "event_property:Viewed Pricing.tiers_seen": {"is_array": True},
    f"event_property:{ANY_EVENT}.app_version": {"type": ["string"], "description": "Build"},
    "user_property:user.support_ticket_id": {
        "classifications": ["PII"],
        "classified_by": "Amplitude",
        "vendor": {"custom": True},
    },
    "user_property:user.country": {"type": ["string"]},
    "user_property:user.legacy_cohort": {
        "type": ["boolean"],
        "description": "Old cohort flag",
        "deleted": True,
        "vendor": {"custom": True},
    },
}


def test_amplitude_taxonomy_exactly(httpserver: HTTPServer, clock) -> None:
    serve_happy(httpserver, "amplitude")
    source = make_source("amplitude", base(httpserver), clock=clock)
    assert labels(source.fetch()) == AMPLITUDE_ITEMS
    assert source.absence_is_unlisting is True  # hidden events vanish from both lists
    asked = [(r.path.rsplit("/", 1)[1], dict(r.args)) for r, _ in httpserver.log]  # type: ignore[attr-defined]
    assert ("event", {"showDeleted": "true"}) in asked and ("event", {}) in asked
    per_event = sorted(a.get("event_type", "") for p, a in asked if p == "event-property")
    # a deleted event costs no per-event call
    assert per_event == ["", "Checkout Completed", "Promo Banner Seen", "ce:Viewed Pricing"]


def test_fixture_readme_names_every_file() -> None:
    readme = (VENDORS_DIR / "amplitude" / "README.md").read_text()
    for path in (VENDORS_DIR / "amplitude").glob("*.json"):
        assert f"`{path.name}`" in readme


def test_deleted_at_amplitude_is_not_the_same_as_hidden(tmp_path, httpserver: HTTPServer) -> None:
    """Next run: one event deleted at Amplitude (only on the showDeleted list), one hidden (on
    neither list). The digest says "deleted" for the first, "no longer listed" for the second."""
    import json

    from tests.sources.test_vendor_labels import setup
    from tests.sources.test_vendor_run import drift

    config = setup(tmp_path, httpserver)
    assert drift(config, "run")[0] == 0
    listed = json.loads((VENDORS_DIR / "amplitude" / "events.json").read_text())
    checkout, pricing, _hidden = listed["data"]
    deleted = {**checkout, "deleted": True}
    httpserver.clear()
    httpserver.expect_request("/api/2/taxonomy/event", query_string="").respond_with_json(
        {"success": True, "data": [pricing]}
    )
    httpserver.expect_request(
        "/api/2/taxonomy/event", query_string="showDeleted=true"
    ).respond_with_json({"success": True, "data": [pricing, deleted]})
    httpserver.expect_request("/api/2/taxonomy/event-property").respond_with_json(
        {"success": True, "data": []}
    )
    httpserver.expect_request("/api/2/taxonomy/user-property").respond_with_json(
        {"success": True, "data": []}
    )
    assert drift(config, "run")[0] == 0
    reports = [json.loads(p.read_text()) for p in (tmp_path / "reports").glob("*.json")]
    (source,) = max(reports, key=lambda d: str(d["run_at"]))["sources"]
    kinds = {(c["event"], c["kind"]) for c in source["changes"] if c["scope"] == "event"}
    assert ("Checkout Completed", "visibility_changed") in kinds
    assert ("Promo Banner Seen", "event_no_longer_listed") in kinds
    change = next(c for c in source["changes"] if c["event"] == "Checkout Completed")
    assert {"path": "deleted", "before": None, "after": True} in change["fields"]
