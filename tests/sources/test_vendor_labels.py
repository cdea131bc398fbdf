"""Amplitude's own privacy labels grade properties whose names look harmless, and
`inventory --by-property` shows the vendor's label beside drift's verdict."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.sources.conftest import base, serve_happy
from tests.sources.test_vendor_run import drift

CONFIG = """
[database]
url = "sqlite:///drift.db"

[[sources]]
name = "amplitude-prod"
type = "amplitude"
api_key_env = "AMPLITUDE_API_KEY"
secret_key_env = "AMPLITUDE_SECRET_KEY"
base_url = "{url}"

[[notify]]
type = "file"
directory = "reports"
"""


def setup(tmp_path: Path, server: HTTPServer) -> Path:
    serve_happy(server, "amplitude")
    config = tmp_path / "drift.toml"
    config.write_text(CONFIG.format(url=base(server)))
    return config


def test_vendor_label_is_a_finding_with_its_labeller(tmp_path: Path, httpserver) -> None:
    config = setup(tmp_path, httpserver)
    code, output = drift(config, "run")
    assert code == 0, output
    digest = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    text = json.dumps(digest)
    assert "Amplitude classifies it PII" in text  # buyer_ref: a harmless-looking name
    code, output = drift(config, "inventory", "--format", "json")
    rows = {r["property"]: r for r in json.loads(output)["properties"]}
    assert rows["buyer_ref"]["reason"] == "Amplitude classifies it PII"
    assert rows["buyer_ref"]["severity"] == "high" and rows["buyer_ref"]["identifies"] == "direct"
    assert rows["support_ticket_id"]["category"] in ("external_ref", "vendor_pii")
    assert "vendor_pii" in [
        rows["support_ticket_id"]["category"],
        *rows["support_ticket_id"]["also"],
    ]
    assert rows["revenue"]["category"] != "vendor_pii"  # REVENUE is not a privacy label


def test_by_property_shows_vendor_and_drift_when_they_disagree(tmp_path: Path, httpserver) -> None:
    config = setup(tmp_path, httpserver)
    assert drift(config, "snapshot")[0] == 0
    code, output = drift(config, "inventory", "--by-property", "--format", "json")
    assert code == 0, output
    props = {p["property"]: p for p in json.loads(output)["properties"]}
    buyer = props["buyer_ref"]
    assert buyer["vendor_labels"] == ["amplitude-prod: Amplitude PII"]
    assert buyer["flags"] == [
        "labelled by the vendor, not by drift's rules: amplitude-prod (Amplitude PII)"
    ]
    company = props["company_name"]  # both say it is sensitive: no disagreement flag
    assert company["vendor_labels"] == ["amplitude-prod: Amplitude SENSITIVE"]
    assert "organization" in company["categories"] and company["flags"] == []
    code, table = drift(config, "inventory", "--by-property")
    assert "Amplitude PII" in table


def test_exposure_and_timeline_grade_the_vendor_label(tmp_path: Path, httpserver) -> None:
    import datetime as dt

    config = setup(tmp_path, httpserver)
    assert drift(config, "snapshot")[0] == 0
    today = dt.datetime.now(dt.UTC).date()
    window = ["--since", str(today - dt.timedelta(days=1)), "--until", str(today)]
    code, output = drift(config, "exposure", *window, "--format", "json")
    assert code == 0, output
    rows = {r["property"]: r for r in json.loads(output)["properties"]}
    assert rows["buyer_ref"]["category"] == "vendor_pii"  # held: Amplitude labels it PII
    code, output = drift(config, "timeline", "buyer_ref", "--format", "json")
    (key,) = json.loads(output)["keys"]
    (moment,) = key["moments"]
    assert [f["reason"] for f in moment["findings"]] == ["Amplitude classifies it PII"]
