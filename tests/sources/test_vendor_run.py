"""`drift run` against all four vendors on a loopback server: secrets never leak, and one vendor
failing leaves the others' history intact and its own untouched (never "everything removed")."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from drift.cli import cli
from drift.exitcodes import Exit
from tests.sources.conftest import CANARIES, FIRST_PATH, base, serve_happy

SOURCES = """
[[sources]]
name = "mixpanel-prod"
type = "mixpanel"
project_id = 1
username_env = "MIXPANEL_USERNAME"
secret_env = "MIXPANEL_SECRET"
base_url = "{url}"

[[sources]]
name = "amplitude-prod"
type = "amplitude"
api_key_env = "AMPLITUDE_API_KEY"
secret_key_env = "AMPLITUDE_SECRET_KEY"
base_url = "{url}"

[[sources]]
name = "segment-web"
type = "segment"
token_env = "SEGMENT_TOKEN"
base_url = "{url}"

[[sources]]
name = "posthog-cloud"
type = "posthog"
project_id = 7
api_key_env = "POSTHOG_API_KEY"
base_url = "{url}"

[[notify]]
type = "file"
directory = "reports"
"""


def workdir(tmp_path: Path, server: HTTPServer) -> Path:
    (tmp_path / "drift.toml").write_text(
        '[database]\nurl = "sqlite:///drift.db"\n' + SOURCES.format(url=base(server))
    )
    return tmp_path / "drift.toml"


def drift(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--debug", "--config", str(config), *args])
    return result.exit_code, result.stdout + result.stderr


def test_four_vendors_and_no_secret_anywhere(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    for vendor in FIRST_PATH:
        serve_happy(httpserver, vendor)
    config = workdir(tmp_path, httpserver)
    caplog.set_level(logging.DEBUG)
    code, output = drift(config, "run")
    assert code == Exit.OK, output
    for name in ("mixpanel-prod", "amplitude-prod", "segment-web", "posthog-cloud"):
        assert f"{name}: read" in output
    code, shown = drift(config, "show", "--source", "posthog-cloud", "--format", "json")
    assert code == 0 and json.loads(shown)["items"]
    stored = b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "drift.toml"
    )
    everything = stored + output.encode() + shown.encode() + caplog.text.encode()
    for secret in CANARIES.values():
        assert secret.encode() not in everything
    assert b"Authorization" not in caplog.text.encode()


def test_one_vendor_failing_leaves_the_others_and_its_own_history_intact(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    for vendor in FIRST_PATH:
        serve_happy(httpserver, vendor)
    config = workdir(tmp_path, httpserver)
    assert drift(config, "run")[0] == Exit.OK
    _, before = drift(config, "show", "--source", "mixpanel-prod", "--format", "json")

    httpserver.clear()
    for vendor in ("amplitude", "segment", "posthog"):
        serve_happy(httpserver, vendor)
    httpserver.expect_request(FIRST_PATH["mixpanel"]).respond_with_json(
        {"error": "nope"}, status=401
    )
    code, output = drift(config, "run")
    assert code == Exit.PARTIAL
    assert "mixpanel-prod: failed" in output and "MIXPANEL_USERNAME" in output

    found = [json.loads(p.read_text()) for p in (tmp_path / "reports").glob("*.json")]
    digest = max(found, key=lambda d: str(d["run_at"]))
    statuses = {s["name"]: s["status"] for s in digest["sources"]}
    assert statuses == {
        "mixpanel-prod": "failed",
        "amplitude-prod": "unchanged",
        "segment-web": "unchanged",
        "posthog-cloud": "unchanged",
    }
    assert drift(config, "show", "--source", "mixpanel-prod", "--format", "json")[1] == before
    code, diff = drift(
        config, "diff", "--source", "mixpanel-prod", "--from", "latest", "--format", "json"
    )
    assert code == 0 and json.loads(diff)["changes"] == []
    code, history = drift(config, "history", "--source", "mixpanel-prod", "--format", "json")
    assert [h["items"] for h in json.loads(history)] == [json.loads(before)["items"].__len__()]
