"""The run ledger on every backend: phases, per-source outcomes, and the queries status reads."""

from __future__ import annotations

import datetime as dt

import pytest

from drift.model import Item, Provenance, Schema, Scope
from drift.store import runs
from drift.store.database import Database
from drift.store.record import record_snapshot

T0 = dt.datetime(2027, 3, 1, 7, 0, tzinfo=dt.UTC)


def start(db: Database, at: dt.datetime, **kwargs: object) -> int:
    options: dict[str, object] = {"trigger": "cli", "holder": "h:1:x", "fencing_token": 1}
    options.update(kwargs)
    with db.session() as session:
        return runs.start_run(session, now=at, **options)  # type: ignore[arg-type]


def test_a_run_moves_through_phases_and_finishes(database: Database) -> None:
    run_id = start(database, T0, trigger="schedule")
    with database.session() as session:
        runs.advance(session, run_id, "fetched")
        runs.record_source(session, run_id, "plan", "read", snapshot_id=7, duration_ms=12)
        runs.record_source(session, run_id, "mixpanel", "failed", error="401 from Mixpanel")
        runs.advance(session, run_id, "delivered")
        runs.finish_run(session, run_id, status="partial", exit_code=3, now=T0)
    with database.session() as session:
        (info,) = runs.last_runs(session)
        outcomes = runs.run_sources(session, run_id)
    assert (info.status, info.phase, info.trigger, info.exit_code) == (
        "partial",
        "delivered",
        "schedule",
        3,
    )
    assert info.finished_at == T0 and info.started_at == T0
    assert [(o.source, o.status, o.error) for o in outcomes] == [
        ("plan", "read", None),
        ("mixpanel", "failed", "401 from Mixpanel"),
    ]


def test_unknown_phase_or_status_is_a_bug_not_a_row(database: Database) -> None:
    run_id = start(database, T0)
    with database.session() as session, pytest.raises(ValueError, match="phase"):
        runs.advance(session, run_id, "snapshotted")
    with database.session() as session, pytest.raises(ValueError, match="status"):
        runs.finish_run(session, run_id, status="done", exit_code=0)


def test_catch_up_queries_ignore_dry_and_aborted_runs(database: Database) -> None:
    real = start(database, T0)
    start(database, T0 + dt.timedelta(hours=1), dry_run=True)
    aborted = start(database, T0 + dt.timedelta(hours=2))
    with database.session() as session:
        runs.finish_run(session, real, status="completed", exit_code=0)
        runs.finish_run(session, aborted, status="aborted", exit_code=1)
    with database.session() as session:
        assert runs.last_completed_run_at(session) == T0
        assert runs.last_started_run_at(session) == T0
        assert len(runs.last_runs(session, include_dry_runs=False)) == 2


def test_orphaned_running_runs_are_closed_by_the_next_holder(database: Database) -> None:
    dead = start(database, T0, holder="dead:1:x")
    mine = start(database, T0 + dt.timedelta(minutes=5), holder="me:2:y")
    with database.session() as session:
        assert runs.close_orphaned_runs(session, holder="me:2:y") == 1
    with database.session() as session:
        by_id = {r.id: r for r in runs.last_runs(session)}
    assert by_id[dead].status == "failed" and "ended without finishing" in (by_id[dead].error or "")
    assert by_id[mine].status == "running"


def test_last_snapshot_and_last_outcome_per_source(database: Database) -> None:
    schema = Schema.build("plan", Provenance.DOCUMENTED, [Item.of(Scope.EVENT, "Signup")])
    with database.session() as session:
        for day in range(3):
            record_snapshot(
                session, schema, source_type="jsonschema", taken_at=T0 + dt.timedelta(days=day)
            )
    first, second = start(database, T0), start(database, T0 + dt.timedelta(days=1))
    with database.session() as session:
        runs.record_source(session, first, "plan", "read")
        runs.record_source(session, second, "plan", "failed", error="boom")
        runs.record_source(session, first, "other", "read")
    with database.session() as session:
        snaps = runs.last_successful_snapshot_per_source(session)
        outcomes = runs.last_source_outcomes(session)
    assert list(snaps) == ["plan"] and snaps["plan"].taken_at == T0 + dt.timedelta(days=2)
    assert outcomes["plan"].run_id == second and outcomes["plan"].status == "failed"
    assert outcomes["other"].run_id == first
