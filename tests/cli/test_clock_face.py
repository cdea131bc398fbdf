"""One clock face: a run taken when the UTC date and the configured zone's date differ, read back
by every command. 23:39 UTC on 29 November is 00:39 on 30 November in Berlin: every output says
30 November (zone named), and the date read off any output finds the same records when typed back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from drift.cli import cli
from tests.test_run import day, make_workdir

DAY1 = dt.datetime(2026, 11, 28, 23, 39, tzinfo=dt.UTC)  # 29 Nov 00:39 in Berlin
DAY2 = dt.datetime(2026, 11, 29, 23, 39, tzinfo=dt.UTC)  # 30 Nov 00:39 in Berlin
LOCAL = "2026-11-30T00:39:00+01:00"
LATER = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def drift(work: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(work / "drift.toml"), *args])
    return result.exit_code, result.stdout + result.stderr


def as_json(work: Path, *args: str) -> object:
    code, out = drift(work, *args, "--format", "json")
    assert code == 0, out
    return json.loads(out)


@pytest.fixture
def work(tmp_path: Path, db_url: str) -> Iterator[Path]:
    work = make_workdir(tmp_path, db_url)
    for n, moment in ((1, DAY1), (2, DAY2)):
        day(work, n)
        with time_machine.travel(moment, tick=False):
            code, out = drift(work, "run")
        assert code in (0, 5), out
    with time_machine.travel(LATER, tick=False):
        yield work


def test_history_status_and_show_print_the_local_day(work: Path) -> None:
    rows = as_json(work, "history", "--source", "plan")
    assert isinstance(rows, list) and rows[0]["taken_at"] == LOCAL
    _, table = drift(work, "history")
    assert "2026-11-30T00:39:00+01:00" in table and "Europe/Berlin" in table
    assert "23:39" not in table
    status = as_json(work, "status")
    assert isinstance(status, dict)
    assert status["last_run"]["started_at"] == LOCAL
    assert {s["last_snapshot_at"] for s in status["sources"]} == {LOCAL}
    _, text = drift(work, "status")
    assert f"started {LOCAL} Europe/Berlin" in text
    shown = as_json(work, "show", "--source", "plan", "--at", "2026-11-30")
    assert isinstance(shown, dict) and shown["snapshot"]["taken_at"] == LOCAL


def test_dates_read_off_outputs_find_the_same_records(work: Path) -> None:
    history = as_json(work, "history", "--source", "web-events")
    assert isinstance(history, list)
    read_off = history[0]["taken_at"][:10]  # what a person copies from the table
    assert read_off == "2026-11-30"
    found = as_json(work, "exposure", "--since", read_off, "--until", read_off)
    assert isinstance(found, dict)
    held = {p["property"]: p for p in found["properties"]}
    assert "email_domain" in held  # new on the 30th (local), recorded at 23:39 UTC on the 29th
    assert held["email_domain"]["first_seen"] == LOCAL
    day_before = as_json(
        work, "diff", "--source", "web-events", "--from", "2026-11-29", "--to", read_off
    )
    assert isinstance(day_before, dict)
    assert "email_domain" in {c["name"] for c in day_before["changes"]}
    timeline = as_json(work, "timeline", "email_domain")
    assert isinstance(timeline, dict)
    assert timeline["keys"][0]["first_seen"] == LOCAL


def test_digest_files_subject_and_json_agree_on_the_day(work: Path) -> None:
    files = sorted(p.name for p in (work / "reports").glob("*.json"))
    assert [f[:11] for f in files] == ["2026-11-29_", "2026-11-30_"]
    latest = json.loads((work / "reports" / files[-1]).read_text())
    assert latest["subject"].startswith("drift 2026-11-30:")
    assert latest["run_at"] == LOCAL and latest["local_date"] == "2026-11-30"
    markdown = (work / "reports" / files[-1].replace(".json", ".md")).read_text()
    assert "2026-11-30 00:39 Europe/Berlin" in markdown
    assert "changes since 2026-11-29 00:39 Europe/Berlin" in markdown
    assert "UTC" not in markdown
    undocumented = [
        r["detail"]
        for s in latest["sources"]
        for r in s["sections"].get("undocumented", [])
        if "since" in r["detail"]
    ]
    assert undocumented and all("since 2026-11-30" in d for d in undocumented)
    still_open = [r["detail"] for s in latest["sources"] for r in s["sections"].get("open", [])]
    assert still_open and set(still_open) == {"open since 2026-11-29"}  # 28 Nov in UTC


def test_reconcile_and_report_use_the_same_clock(work: Path) -> None:
    reconcile = as_json(work, "reconcile")
    assert isinstance(reconcile, dict)
    details = [r["detail"] for r in reconcile["results"] if r["kind"] == "undocumented"]
    assert details and all("since 2026-11-30" in d for d in details)
    code, text = drift(work, "report", "--format", "text")
    assert code == 0, text
    assert "2026-11-30 10:00 Europe/Berlin" in text and "UTC" not in text


def test_ack_list_prints_local_times(work: Path) -> None:
    code, out = drift(
        work,
        "ack",
        "--property",
        "email_domain",
        "--source",
        "web-events",
        "--reason",
        "ok",
        "--by",
        "me",
    )
    assert code == 0, out
    acks = as_json(work, "ack", "--list")
    assert isinstance(acks, list)
    assert acks[0]["created_at"] == "2026-11-30T10:00:00+01:00"
