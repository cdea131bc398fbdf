"""`drift reconcile` across real connectors: a Segment plan (two plans, prefixed rules, COMMON
fields) against Mixpanel and PostHog sending exactly what was planned lists nothing undocumented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from tests.sources.conftest import base, serve_happy
from tests.sources.test_vendor_run import drift

CONFIG = """
[database]
url = "sqlite:///drift.db"

[[sources]]
name = "segment-plan"
type = "segment"
token_env = "SEGMENT_TOKEN"
base_url = "{url}"

[[sources]]
name = "mixpanel-prod"
type = "mixpanel"
project_id = 1
username_env = "MIXPANEL_USERNAME"
secret_env = "MIXPANEL_SECRET"
base_url = "{url}"

[[sources]]
name = "posthog-cloud"
type = "posthog"
project_id = 7
api_key_env = "POSTHOG_API_KEY"
base_url = "{url}"

[[reconcile]]
plan = "segment-plan"
observed = ["mixpanel-prod", "posthog-cloud"]
"""

#: What the Segment fixture plans (tests/cases/vendors/segment): web and ios plans.
ORDER_PROPS = ["order_id", "company_name", "billing_address", "travelers", "coupon_codes"]


def _mixpanel(extra: dict[str, Any]) -> dict[str, Any]:
    props = {name: {"type": "string"} for name in ORDER_PROPS} | extra
    return {
        "status": "ok",
        "results": [
            {"entityType": "event", "name": "Order Completed", "schemaJson": {"properties": props}},
            {"entityType": "event", "name": "Legacy Checkout", "schemaJson": {"properties": {}}},
            {
                "entityType": "profile",
                "name": "$user",
                "schemaJson": {"properties": {"email": {"type": "string"}}},
            },
        ],
    }


def _posthog(server: HTTPServer, extra: list[str]) -> None:
    api = "/api/projects/7"
    events = {"count": 1, "next": None, "results": [{"id": "1", "name": "Order Completed"}]}
    server.expect_request(f"{api}/event_definitions/").respond_with_json(events)

    def props(request: Any) -> Any:
        from werkzeug import Response

        names = {"event": ["order_id", "app_version", *extra], "person": ["email", "locale"]}
        found = names.get(request.args.get("type"), [])
        rows = [{"id": n, "name": n, "property_type": "String"} for n in found]
        body = {"count": len(rows), "next": None, "results": rows}
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(f"{api}/property_definitions/").respond_with_handler(props)


def reconcile(tmp_path: Path, server: HTTPServer, mp: dict[str, Any], ph: list[str]) -> list:
    serve_happy(server, "segment")
    server.expect_request("/api/app/projects/1/schemas").respond_with_json(_mixpanel(mp))
    _posthog(server, ph)
    config = tmp_path / "drift.toml"
    config.write_text(CONFIG.format(url=base(server)))
    code, output = drift(config, "snapshot")
    assert code == 0, output
    code, output = drift(config, "reconcile", "--format", "json")
    assert code == 0, output
    return [r for r in json.loads(output)["results"] if r["kind"] == "undocumented"]


def test_planned_properties_at_every_vendor_are_documented(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    assert reconcile(tmp_path, httpserver, {}, []) == []


def test_only_the_really_undocumented_are_listed(tmp_path: Path, httpserver: HTTPServer) -> None:
    rows = reconcile(tmp_path, httpserver, {"gift_note": {"type": "string"}}, ["email_domain"])
    assert sorted(r["property"] for r in rows) == ["email_domain", "gift_note"]
