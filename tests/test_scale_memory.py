"""Memory on big schemas: the daily job holds what one stage needs at a time, not the fetched
schema, every item as a dict and the whole JSON digest at once (#13 item 7: 400k items took
4.36 GB). scripts/bench_scale.py measures the real thing (1M properties, fresh processes)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from drift import pipeline
from drift.app import App
from drift.model import ChangeKind, Provenance, Scope, SourceStatus
from drift.report.build import build_digest
from drift.report.model import DigestInput, SourceInput
from drift.report.render import render_digest
from tests.report.fixtures import RUN_AT, ch

PROPERTIES = 20_000
CONFIG = """
[database]
url = "{url}"

[[sources]]
name = "plan"
type = "jsonschema"
path = "plan.json"

[[notify]]
type = "file"
directory = "reports"
"""


def _plan(size: int) -> dict[str, object]:
    events = {}
    for e in range(size // 20):
        props = {f"prop_{e}_{p}": {"type": "string", "description": "A value."} for p in range(20)}
        events[f"Event {e}"] = {"type": "object", "properties": props}
    return {"events": events}


def _peak(call: object) -> int:
    tracemalloc.start()
    try:
        call()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_first_run_peaks_under_3_5_kb_per_item(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(_plan(PROPERTIES)))
    (tmp_path / "drift.toml").write_text(CONFIG.format(url=db_url))
    app = App(tmp_path / "drift.toml")
    app.classifier  # noqa: B018 - loaded before measuring: the rules are not per item
    # (before: 4.7 kB per item at this size, most of it the digest's JSON built whole, the
    # fetched schema kept to the end and a second copy of the state for the first diff)
    try:
        peak = _peak(lambda: pipeline.run(app))
    finally:
        app.close()
    assert peak / PROPERTIES < 3_500, f"{peak / PROPERTIES:.0f} bytes per item"


def test_the_json_digest_is_never_built_whole() -> None:
    """A first run lists every item as a change: hashing and bounding its JSON go change by
    change, so memory does not grow with the JSON's size."""
    changes = tuple(
        ch("plan", ChangeKind.PROPERTY_NEW, Scope.EVENT_PROPERTY, f"Event {i // 20}", f"p{i}")
        for i in range(PROPERTIES)
    )
    source = SourceInput(
        name="plan",
        type="jsonschema",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.FIRST_RUN,
        item_count=PROPERTIES,
        changes=changes,
    )
    data = DigestInput(run_at=RUN_AT, sources=(source,))
    peak = _peak(lambda: render_digest(build_digest(data), json_cap=100_000))
    # before: 1.8 kB per change
    assert peak < 2_000_000 + 100 * PROPERTIES, f"{peak / PROPERTIES:.0f} bytes per change"
