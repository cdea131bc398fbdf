"""A reader upgrade is not drift in the vendor: a database written by the previous Segment reader,
then a run with today's: the digest lists the differences in their own collapsed section, reports
no mass "changed", and still grades the sensitive properties that became visible."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from drift import pipeline
from drift.app import App
from drift.model import Item, Schema, Scope
from drift.sources.segment import SegmentSource
from tests.conftest import CASES
from tests.sources.conftest import base, serve_happy
from tests.sources.test_vendor_run import drift

CONFIG = """
[database]
url = "sqlite:///drift.db"

[[sources]]
name = "segment-web"
type = "segment"
token_env = "SEGMENT_TOKEN"
tracking_plans = ["tp_web"]
base_url = "{url}"

[[notify]]
type = "file"
directory = "reports"
"""


def previous_reader(rules: list[Mapping[str, Any]], plan: str = "") -> Iterator[Item]:
    """What drift's Segment reader v1 made of the rules: every version, every rule deprecated
    (zero-time deprecatedAt), top-level properties only, no context, no descriptions."""
    for rule in rules:
        kind = str(rule.get("type") or "TRACK").upper()
        event = f"{str(rule.get('key') or '') or kind.lower()} [{kind} v{rule.get('version')}]"
        yield Item.of(Scope.EVENT, event, deprecated=bool(rule.get("deprecatedAt")))
        props = rule["jsonSchema"]["properties"].get("properties", {}).get("properties", {})
        for name, prop in props.items():
            yield Item.of(Scope.EVENT_PROPERTY, event, name, type=prop.get("type"))


class PreviousSegmentSource(SegmentSource):
    """drift's Segment connector v1, reading the rules the loopback server serves."""

    reader_version = 1

    def fetch(self) -> Schema:
        pages = sorted((CASES / "vendors" / "segment").glob("web_rules_page*.json"))
        rules = [r for p in pages for r in json.loads(p.read_text())["data"]["rules"]]
        return Schema.build(self.name, self.provenance, previous_reader(rules))


def digests(tmp_path: Path) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text()) for p in (tmp_path / "reports").glob("*.json")]
    return sorted(found, key=lambda d: str(d["run_at"]))


def test_upgrade_section_instead_of_mass_changes(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_happy(httpserver, "segment")
    config = tmp_path / "drift.toml"
    config.write_text(CONFIG.format(url=base(httpserver)))
    older = App(config, source_classes={"segment": PreviousSegmentSource})
    try:
        assert pipeline.run(older).exit_code == 0  # the database as the v1 connector left it
    finally:
        older.close()
    code, output = drift(config, "run")
    assert code == 0, output
    (source,) = digests(tmp_path)[-1]["sources"]
    sections = source["sections"]
    assert "upgraded (v1 to v2)" in source["status_line"]
    upgrade = {(r["name"], tuple(r["events"])) for r in sections["reader_upgrade"]}
    assert ("Order Completed [TRACK v2]", ()) in upgrade  # no longer marked deprecated
    assert ("Order Completed [TRACK v1]", ()) in upgrade  # superseded version, not "removed"
    assert "other" not in sections and "removed" not in sections  # no mass "changed"
    new = {r["name"]: r for r in sections["new"]}
    assert new["travelers.passport_number"]["category"] == "government_id"  # still graded
    assert new["context.ip"]["category"] == "device_id"
    assert "reader_upgrade" not in {c["kind"] for c in source["changes"]}

    assert drift(config, "run")[0] == 0  # the next run is ordinary again
    (source,) = digests(tmp_path)[-1]["sources"]
    assert "reader_upgrade" not in source["sections"] and "upgraded" not in source["status_line"]
