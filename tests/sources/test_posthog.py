"""PostHog definitions as PostHog answers (tests/cases/vendors/posthog/README.md cites each
field): properties linked to the events they arrive on, session properties, the link cap."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer

from drift.model import ANY_EVENT
from tests.sources.conftest import VENDORS_DIR, base, make_source, serve_happy
from tests.sources.test_segment import labels

DURATION = {"type": ["number"], "vendor": {"property_type": "Duration"}}
POSTHOG_ITEMS: dict[str, dict[str, Any]] = {
    "event:$pageview": {"vendor": {"verified": True}},  # no volume, no last_seen
    "event:support_ticket_opened": {"tags": ["support"], "owners": ["sam@example.com"]},
    "event_property:$pageview.$current_url": {"type": ["string"]},
    "event_property:$pageview.$duration": DURATION,
    "event_property:support_ticket_opened.support_ticket_id": {"type": ["string"]},
    f"event_property:{ANY_EVENT}.email_domain": {"type": ["string"]},  # seen on no listed event
    "event_property:$session.$session_duration": DURATION,
    "event_property:$session.$entry_current_url": {"type": ["string"]},
    "user_property:user.email": {"type": ["string"]},  # the virtual created_at is left out
    "group_property:0.industry": {},
}


def fetch(server: HTTPServer, clock, **extra: Any) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    source = make_source("posthog", base(server), clock=clock, **extra)
    schema = source.fetch()
    assert schema.provenance == "observed" and source.absence_is_unlisting is True
    return labels(schema)


def test_posthog_properties_linked_to_their_events(httpserver: HTTPServer, clock) -> None:
    serve_happy(httpserver, "posthog")
    assert fetch(httpserver, clock) == POSTHOG_ITEMS
    linked = [r.args["event_names"] for r, _ in httpserver.log if "event_names" in r.args]  # type: ignore[attr-defined]
    assert [json.loads(n) for n in linked] == [["$pageview"], ["support_ticket_opened"]]


def test_link_cap_leaves_the_rest_project_wide(httpserver: HTTPServer, clock) -> None:
    serve_happy(httpserver, "posthog")
    got = fetch(httpserver, clock, max_linked_events=1)
    assert "event_property:$pageview.$current_url" in got  # first by name
    assert f"event_property:{ANY_EVENT}.support_ticket_id" in got
    assert "event_property:support_ticket_opened.support_ticket_id" not in got
    httpserver.clear_log()
    got = fetch(httpserver, clock, max_linked_events=0)
    assert {k for k in got if k.startswith("event_property:*")} == {
        f"event_property:{ANY_EVENT}.{n}"
        for n in ("support_ticket_id", "$duration", "$current_url", "email_domain")
    }
    assert not any("event_names" in r.args for r, _ in httpserver.log)  # type: ignore[attr-defined]


def test_fixture_readme_names_every_file() -> None:
    readme = (VENDORS_DIR / "posthog" / "README.md").read_text()
    for path in (VENDORS_DIR / "posthog").glob("*.json"):
        assert f"`{path.name}`" in readme
