"""A plan file read before is recognised from its bytes, options, reader and drift's code, and
nothing else: any change reads it again (sources/known_reads.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import ClassVar

import pytest

from drift.model import Item, KnownRead, Provenance, Schema, Scope
from drift.sources.jsonschema import JsonSchemaConfig, JsonSchemaSource
from drift.sources.known_reads import KnownReads, cache_directory
from tests.events_world import run_drift

PLAN = {
    "events": {
        "Signup": {
            "type": "object",
            "properties": {"plan": {"type": "string"}, "seats": {"type": "integer"}},
        }
    }
}


def plan_source(path: Path, **options: object) -> JsonSchemaSource:
    config = JsonSchemaConfig(name="plan", type="jsonschema", path=path, **options)  # type: ignore[arg-type]
    return JsonSchemaSource(config)


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    return path


@pytest.fixture
def reads(tmp_path: Path) -> KnownReads:
    return KnownReads(tmp_path / "cache")


def test_a_plan_read_before_is_known_without_parsing(plan: Path, reads: KnownReads) -> None:
    first = plan_source(plan).fetch_known(reads)
    again = plan_source(plan).fetch_known(reads)
    assert isinstance(first, Schema) and isinstance(again, KnownRead)
    assert (again.content_hash, again.item_count) == (first.content_hash, 3)
    assert (again.source, again.provenance) == ("plan", Provenance.DOCUMENTED)
    assert again.parse() == first  # the kept bytes, parsed when the store needs the items
    assert again.parse().content_hash == first.content_hash


class NewerReader(JsonSchemaSource):
    reader_version: ClassVar[int] = JsonSchemaSource.reader_version + 1


def test_a_changed_byte_option_or_reader_reads_the_plan_again(
    plan: Path, reads: KnownReads
) -> None:
    plan_source(plan).fetch_known(reads)
    plan.write_text(json.dumps(PLAN, indent=1))  # the same items: still read again
    assert isinstance(plan_source(plan).fetch_known(reads), Schema)
    assert isinstance(plan_source(plan).fetch_known(reads), KnownRead)
    assert isinstance(plan_source(plan, timeout_seconds=7).fetch_known(reads), Schema)
    config = JsonSchemaConfig(name="plan", type="jsonschema", path=plan)
    assert isinstance(NewerReader(config).fetch_known(reads), Schema)


def test_a_file_added_to_a_folder_reads_it_again(tmp_path: Path, reads: KnownReads) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(PLAN))
    plan_source(folder).fetch_known(reads)
    assert isinstance(plan_source(folder).fetch_known(reads), KnownRead)
    (folder / "b.json").write_text(json.dumps({"events": {"Login": {"type": "object"}}}))
    fetched = plan_source(folder).fetch_known(reads)
    assert isinstance(fetched, Schema) and fetched.item_count == 4


def test_reads_with_vendor_dates_are_not_kept(reads: KnownReads) -> None:
    """Recording keeps the vendor's first-seen dates from the items, so such a read is parsed."""
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    dated = Schema.build("v", Provenance.OBSERVED, [Item.of(Scope.EVENT, "Signup", since=since)])
    reads.put("f" * 64, dated)
    assert reads.get("f" * 64) is None
    plain = Schema.build("v", Provenance.OBSERVED, [Item.of(Scope.EVENT, "Signup")])
    reads.put("f" * 64, plain)
    known = reads.get("f" * 64)
    assert known is not None and known.content_hash == plain.content_hash


def test_a_directory_that_cannot_be_written_only_costs_the_saving(
    plan: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    reads = KnownReads(blocked / "reads")
    assert isinstance(plan_source(plan).fetch_known(reads), Schema)
    assert isinstance(plan_source(plan).fetch_known(reads), Schema)


def test_a_damaged_kept_read_is_ignored(plan: Path, reads: KnownReads) -> None:
    plan_source(plan).fetch_known(reads)
    (kept,) = reads.directory.glob("*.json")
    kept.write_text('{"content_hash": 1')
    assert isinstance(plan_source(plan).fetch_known(reads), Schema)


def test_where_kept_reads_live(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DRIFT_CACHE_DIR", str(tmp_path))
    assert cache_directory() == tmp_path / "reads"
    monkeypatch.setenv("DRIFT_CACHE_DIR", "")
    assert cache_directory() is None and KnownReads.from_environment() is None
    monkeypatch.delenv("DRIFT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_directory() == tmp_path / "xdg" / "drift" / "reads"


def test_drift_snapshot_recognises_an_unchanged_plan_and_reads_a_changed_one(
    tmp_path: Path, plan: Path, db_url: str
) -> None:
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'
    )
    run_drift(config, "db", "upgrade")
    first = run_drift(config, "snapshot", "--format", "json")
    assert len(list((tmp_path / "drift-cache" / "reads").glob("*.json"))) == 1
    again = run_drift(config, "snapshot", "--format", "json")
    assert [(r["status"], r["items"], r["added"]) for r in first + again] == [
        ("read", 3, 3),
        ("unchanged", 3, 0),
    ]
    changed = json.loads(json.dumps(PLAN))
    changed["events"]["Signup"]["properties"]["seats"]["type"] = "string"
    plan.write_text(json.dumps(changed))
    (third,) = run_drift(config, "snapshot", "--format", "json")
    assert (third["status"], third["changed"]) == ("read", 1)
