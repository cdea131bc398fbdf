"""Vendor first-seen dates: `timeline` and `exposure` say "at the vendor since D (vendor's date),
first recorded by drift on E", and what drift's first snapshot held is present at baseline."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from drift.cli import cli
from tests.sources.conftest import base, case
from tests.sources.test_vendor_run import drift

CONFIG = """
[database]
url = "sqlite:///drift.db"

[schedule]
timezone = "Europe/Berlin"

[[sources]]
name = "posthog-cloud"
type = "posthog"
project_id = 7
api_key_env = "POSTHOG_API_KEY"
base_url = "{url}"
"""


def serve(server: HTTPServer, events: list[dict], props: list[dict]) -> None:
    server.clear()
    api = "/api/projects/7"
    body = {"count": len(events), "next": None, "results": events}
    server.expect_request(f"{api}/event_definitions/").respond_with_json(body)
    listing = {"count": len(props), "next": None, "results": props}

    def handler(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        found = listing if request.args.get("type") == "event" else {"results": [], "next": None}
        return Response(json.dumps(found), content_type="application/json")

    server.expect_request(f"{api}/property_definitions/").respond_with_handler(handler)


def test_vendor_dates_and_baseline(tmp_path: Path, httpserver: HTTPServer) -> None:
    config = tmp_path / "drift.toml"
    config.write_text(CONFIG.format(url=base(httpserver)))
    pageview = case("posthog", "event_defs_page1.json")["results"][0]  # created 2024-01-01
    email = {"id": "p1", "name": "email", "property_type": "String"}
    serve(httpserver, [pageview], [email])
    with time_machine.travel("2026-11-02T10:00:00Z", tick=False):
        assert drift(config, "snapshot")[0] == 0
    signup = {"id": "e2", "name": "Signup", "created_at": "2026-10-30T08:00:00Z"}
    serve(httpserver, [pageview, signup], [email])
    with time_machine.travel("2026-11-03T10:00:00Z", tick=False):
        assert drift(config, "snapshot")[0] == 0

    code, out = drift(config, "timeline", "$pageview", "--format", "json")
    (key,) = json.loads(out)["keys"]
    assert key["origin"] == (
        "at the vendor since 2024-01-01T01:00:00+01:00 (vendor's date), "
        "first recorded by drift on 2026-11-02T11:00:00+01:00 (present at baseline)"
    )
    assert [m["what"] for m in key["moments"]] == ["present at baseline"]
    code, out = drift(config, "timeline", "Signup", "--format", "json")
    (key,) = json.loads(out)["keys"]
    assert [m["what"] for m in key["moments"]] == ["appeared"]  # new since drift's baseline
    assert key["vendor_since"] == "2026-10-30T09:00:00+01:00"
    assert key["origin"].startswith("at the vendor since 2026-10-30T09:00:00+01:00")
    code, out = wide(config, "timeline", "$pageview")
    assert "at the vendor since 2024-01-01T01:00:00+01:00 (vendor's date)" in out

    code, out = wide(config, "exposure", "--since", "2026-11-01", "--until", "2026-11-04")
    assert code == 0 and "(present at baseline)" in out  # email, held since the first snapshot


def wide(config: Path, *args: str) -> tuple[int, str]:
    """A table as a wide terminal shows it (no wrapping inside cells)."""
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout
