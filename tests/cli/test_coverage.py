"""Coverage is part of every answer: ``exposure`` and ``timeline`` say which part of the asked
window drift has records for, and a window before drift's first snapshot is refused plainly, in
every format, with exit code 7 (the store holds snapshots at 23:30 and 00:30 Berlin, 2/3 Nov)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from drift.exitcodes import Exit
from tests.cli.test_history_cli import config, drift  # noqa: F401  (the fixture)

BEFORE = ("--since", "2026-10-01", "--until", "2026-10-31")
FIRST = "2026-11-02 23:30 Europe/Berlin"


def test_a_window_before_the_first_snapshot_is_not_an_empty_answer(config: Path) -> None:  # noqa: F811
    code, out, err = drift(config, "exposure", *BEFORE, "--format", "json")
    assert code == Exit.NO_RECORDS == 7
    doc = json.loads(out)
    assert doc["answerable"] is False and doc["properties"] == []
    (plan,) = doc["coverage"]
    assert plan["extent"] == "none" and plan["first_snapshot_at"] == "2026-11-02T23:30:00+01:00"
    assert f"drift's first snapshot of it is from {FIRST}" in plan["statement"]
    assert "no records for this window" in err


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "html"])
def test_every_format_says_so_in_band(config: Path, fmt: str) -> None:  # noqa: F811
    code, out, err = drift(config, "exposure", *BEFORE, "--format", fmt)
    assert code == Exit.NO_RECORDS, err
    flat = out.replace("\\", "")  # Markdown escapes punctuation
    assert "first snapshot of it is from 2026-11-02 23:30 Europe/Berlin" in flat
    if fmt == "csv":
        (row,) = csv.DictReader(io.StringIO(out))
        assert row["source"] == "plan" and row["property"] == ""
    else:
        assert "NO RECORDS" in flat.upper()


def test_a_window_reaching_before_the_first_snapshot_is_partial(config: Path) -> None:  # noqa: F811
    code, out, err = drift(
        config, "exposure", "--since", "2026-10-01", "--until", "2026-11-03", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    (plan,) = doc["coverage"]
    assert doc["answerable"] is True and plan["extent"] == "partial"
    assert plan["covered_from"] == "2026-11-02T23:30:00+01:00"
    assert plan["covered_until"] == "2026-11-03T00:30:00+01:00"  # the latest snapshot
    assert f"nothing before {FIRST}" in plan["statement"]
    assert "not read after 2026-11-03 00:30 Europe/Berlin" in plan["statement"]
    _, table, _ = drift(config, "exposure", "--since", "2026-10-01", "--until", "2026-11-03")
    assert f"nothing before {FIRST}" in table


def test_a_window_between_snapshots_is_fully_covered(config: Path) -> None:  # noqa: F811
    code, out, _ = drift(
        config,
        "exposure",
        "--since",
        "2026-11-02T23:40",
        "--until",
        "2026-11-03T00:10",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["coverage"][0]["extent"] == "full"


def test_timeline_names_the_span_drift_has_records_for(config: Path) -> None:  # noqa: F811
    code, out, err = drift(config, "timeline", "phone", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    (span,) = doc["coverage"]
    assert span["first_snapshot_at"] == "2026-11-02T23:30:00+01:00" and span["snapshots"] == 2
    (key,) = doc["keys"]
    assert key["present_at_baseline"] is False  # phone arrived with the second snapshot
    _, table, _ = drift(config, "timeline", "plan")
    assert f"plan: records from {FIRST} to 2026-11-03 00:30 Europe/Berlin" in table
