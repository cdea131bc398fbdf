"""``drift status``: last run, next run, stale or never-read sources, deliveries not sent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli
from drift.model import Item, Provenance, Schema, Scope
from drift.store import runs
from drift.store.database import Database
from drift.store.record import record_snapshot
from drift.store.tables import DigestRow, OutboxRow

NOW = dt.datetime.now(dt.UTC)


def config(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "drift.toml"
    blocks = "".join(
        f'[[sources]]\nname = "{n}"\ntype = "jsonschema"\npath = "plan.json"\n'
        for n in ("fresh", "old", "never")
    )
    path.write_text(
        f'[database]\nurl = "{db_url}"\n{blocks}'
        '[schedule]\ncron = "30 6 * * 1-5"\ntimezone = "Europe/Berlin"\n'
    )
    return path


def seed(db: Database) -> None:
    with db.session() as session:
        for name, age in (("fresh", dt.timedelta(hours=3)), ("old", dt.timedelta(days=3))):
            schema = Schema.build(name, Provenance.DOCUMENTED, [Item.of(Scope.EVENT, "Signup")])
            record_snapshot(session, schema, source_type="jsonschema", taken_at=NOW - age)
        run_id = runs.start_run(session, trigger="schedule", holder="h:1:x", fencing_token=1)
        runs.record_source(session, run_id, "fresh", "read")
        runs.record_source(session, run_id, "old", "failed", error="401 from the vendor")
        runs.finish_run(session, run_id, status="partial", exit_code=3)
        digest = DigestRow(digest_key="d1", created_at=NOW, rules_hash="r", subject="s")
        session.add(digest)
        session.flush()
        session.add(
            OutboxRow(
                digest_id=digest.id, channel="slack", idempotency_key="k1", status="pending",
                attempts=2, last_error="503 from Slack", created_at=NOW,
            )
        )  # fmt: skip
        session.add(
            OutboxRow(
                digest_id=digest.id, channel="email", idempotency_key="k2", status="sent",
                attempts=1, created_at=NOW,
            )
        )  # fmt: skip


def test_status_flags_stale_and_never_read_sources_and_stuck_deliveries(
    tmp_path: Path, db_url: str
) -> None:
    db = Database(db_url)
    seed(db)
    db.dispose()
    path = config(tmp_path, db_url)
    result = CliRunner().invoke(cli, ["--config", str(path), "status", "--format", "json"])
    assert result.exit_code == 3, result.output  # unhealthy: usable as a health check
    doc = json.loads(result.stdout)
    assert doc["last_run"]["status"] == "partial" and doc["last_run"]["exit_code"] == 3
    flags = {s["source"]: s["flag"] for s in doc["sources"]}
    assert flags == {
        "fresh": "ok",
        "old": "failed (stale: not read for 3 days)",
        "never": "never read",
    }
    assert doc["healthy"] is False and len(doc["problems"]) == 3
    old = next(s for s in doc["sources"] if s["source"] == "old")
    assert (old["last_outcome"], old["last_error"]) == ("failed", "401 from the vendor")
    assert [(d["channel"], d["last_error"]) for d in doc["deliveries"]] == [
        ("slack", "503 from Slack")
    ]
    upcoming = dt.datetime.fromisoformat(doc["next_run"]).astimezone(
        dt.timezone(dt.timedelta(hours=1))
    )
    assert upcoming.weekday() < 5 and upcoming.minute == 30 and doc["lease"] is None

    table = CliRunner().invoke(cli, ["--config", str(path), "status"])
    assert table.exit_code == 3, table.output
    assert "never read" in table.stdout and "503 from Slack" in table.stdout
    assert "last run: #" in table.stdout and "next run:" in table.stdout
    assert "unhealthy: source old: failed" in table.stderr
    assert "unhealthy: delivery" in table.stderr and "slack: pending after 2" in table.stderr


def test_status_is_a_health_check(tmp_path: Path, db_url: str) -> None:
    """0 before the first run and when all is well; 6 when only a delivery is stuck."""
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n'
        '[[sources]]\nname = "fresh"\ntype = "jsonschema"\npath = "plan.json"\n'
    )
    Database(db_url).upgrade()
    status = ["--config", str(path), "status"]
    first = CliRunner().invoke(cli, status)
    assert first.exit_code == 0, first.output  # nothing has run yet: not a failure
    assert "healthy" in first.stdout
    db = Database(db_url)
    seed(db)
    db.dispose()
    result = CliRunner().invoke(cli, status)
    assert result.exit_code == 6, result.output
    assert "unhealthy: delivery" in result.stderr
