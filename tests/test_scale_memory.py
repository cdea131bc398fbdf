"""Memory on big schemas: the daily job holds what one stage needs at a time, not the fetched
schema, every item as a dict and the whole JSON digest at once (#13 item 7: 400k items took
4.36 GB). scripts/bench_scale.py measures the real thing (1M properties, fresh processes)."""

from __future__ import annotations

import importlib
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from drift import pipeline
from drift.app import App
from drift.model import ChangeKind, Item, Provenance, Schema, Scope, SourceStatus
from drift.report.build import build_digest
from drift.report.model import DigestInput, SourceInput
from drift.report.render import render_digest
from drift.store import record
from drift.store.database import Database
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
def test_a_first_run_peaks_under_2_kb_per_item(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(_plan(PROPERTIES)))
    (tmp_path / "drift.toml").write_text(CONFIG.format(url=db_url))
    app = App(tmp_path / "drift.toml")
    app.classifier  # noqa: B018 - loaded before measuring: the rules are not per item
    importlib.import_module("drift.answers.digest")  # and the stages the run loads when it
    importlib.import_module("drift.delivery")  # gets to them
    # (before: 4.7 kB per item at this size, most of it the digest's JSON built whole, the
    # fetched schema kept to the end and a second copy of the state for the first diff; then
    # 2.6 kB, with recording holding 1.3 kB per item beside the schema; now 1.7 kB, the peak in
    # composing the digest)
    try:
        peak = _peak(lambda: pipeline.run(app))
    finally:
        app.close()
    assert peak / PROPERTIES < 2_000, f"{peak / PROPERTIES:.0f} bytes per item"


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


RECORDED = 50_000


def _big_schema(size: int, day: int = 0) -> Schema:
    """``size`` properties with distinct descriptions; ``day`` changes every 1000th one."""
    items = [
        Item.of(
            Scope.EVENT_PROPERTY,
            f"Event {i // 50}",
            f"property_{i}",
            type="integer" if day and i % 1000 == 0 else "string",
            description=f"What property {i} holds.",
        )
        for i in range(size)
    ]
    return Schema.build("plan", Provenance.DOCUMENTED, items)


def _recorded(database: Database, schema: Schema, day: int) -> Callable[[], object]:
    def record_it() -> object:
        with database.session() as session:
            return record.record_snapshot(
                session, schema, source_type="jsonschema", taken_at=RUN_AT.replace(day=day + 1)
            )

    return record_it


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_recording_holds_little_beside_the_schema(database: Database) -> None:
    """Items are opened a round at a time and the open rows let go as they are matched, so what
    recording holds beside the schema does not grow with it (at 50k items, before: 1,429 bytes per
    item on a first snapshot, 972 when 0.1% changed; now about 210 and 240)."""
    _recorded(database, _big_schema(100), 0)()  # the store's modules and statements, loaded
    first, changed = _big_schema(RECORDED), _big_schema(RECORDED, day=1)
    first.content_hash, changed.content_hash  # noqa: B018 - hashed with the schema, not measured
    first_peak = _peak(_recorded(database, first, 1))
    changed_peak = _peak(_recorded(database, changed, 2))
    assert first_peak / RECORDED < 250, f"first: {first_peak / RECORDED:.0f} bytes per item"
    assert changed_peak / RECORDED < 290, f"changed: {changed_peak / RECORDED:.0f} bytes per item"
