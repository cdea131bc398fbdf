"""`drift schedule`: DST-safe daily fires, explicit zone, catch-up once, deadlines, SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.triggers.cron import CronTrigger

from drift import scheduler
from drift.app import App
from drift.config import ScheduleConfig, parse_config
from drift.cron import just_after, last_fire_time, make_trigger, next_fire_time
from drift.exitcodes import Exit
from drift.scheduler import ScheduleRunner
from drift.store import lease as leases
from drift.store import runs
from drift.store.database import Database

UTC = dt.UTC


def make_app(tmp_path: Path, **schedule: object) -> App:
    raw = {"database": {"url": f"sqlite:///{tmp_path / 'drift.db'}"}, "schedule": schedule}
    return App(config=parse_config(raw, tmp_path / "drift.toml"))


def fires(trigger: CronTrigger, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    out: list[dt.datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        out.append(fire)
        fire = trigger.get_next_fire_time(fire, just_after(fire))
    return out


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_0230_fires_once_per_local_day_across_both_dst_changes_of_2027(zone: str) -> None:
    tz = ZoneInfo(zone)
    trigger = make_trigger(ScheduleConfig(cron="30 2 * * *", timezone=zone))
    start, end = dt.datetime(2027, 1, 1, tzinfo=tz), dt.datetime(2028, 1, 1, tzinfo=tz)
    per_day = Counter(f.astimezone(tz).date() for f in fires(trigger, start, end))
    assert len(per_day) == 365
    assert set(per_day.values()) == {1}


def test_plain_apscheduler_would_fire_twice_on_the_berlin_fold() -> None:
    """Why DriftCronTrigger exists: 02:30 happens twice on 2027-10-31 in Berlin."""
    tz = ZoneInfo("Europe/Berlin")
    plain = CronTrigger.from_crontab("30 2 * * *", timezone=tz)
    day = (dt.datetime(2027, 10, 30, 12, tzinfo=tz), dt.datetime(2027, 11, 1, tzinfo=tz))
    assert len(fires(plain, *day)) == 2
    ours = make_trigger(ScheduleConfig(cron="30 2 * * *", timezone="Europe/Berlin"))
    (only,) = fires(ours, *day)
    assert only.astimezone(UTC) == dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [("1-5", {0, 1, 2, 3, 4}), ("0", {6}), ("7", {6}), ("sat,sun", {5, 6}), ("*/3", {6, 2, 5})],
)
def test_cron_weekday_numbers_mean_what_crontab_means(weekdays: str, expected: set[int]) -> None:
    trigger = make_trigger(ScheduleConfig(cron=f"0 7 * * {weekdays}", timezone="UTC"))
    start = dt.datetime(2027, 3, 1, tzinfo=UTC)  # a Monday
    got = {f.weekday() for f in fires(trigger, start, start + dt.timedelta(days=14))}
    assert got == expected


def test_the_configured_timezone_wins_over_tz_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        runner = ScheduleRunner(make_app(tmp_path, cron="0 7 * * *", timezone="UTC"), _never)
        with time_machine.travel(dt.datetime(2027, 7, 1, 5, 0, tzinfo=UTC), tick=False):
            runner.prepare()
            upcoming = next_fire_time(runner.schedule)
        job = runner.scheduler.get_job(scheduler.JOB_ID)
        assert runner.scheduler.timezone == ZoneInfo("UTC")
        assert job.trigger.timezone == ZoneInfo("UTC")
        assert upcoming == dt.datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
        assert job.misfire_grace_time == runner.schedule.misfire_grace_seconds
        assert job.coalesce is True and job.max_instances == 1
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_last_fire_time_looks_back_only_within_the_grace() -> None:
    trigger = make_trigger(ScheduleConfig(cron="0 7 * * *", timezone="UTC"))
    now = dt.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    assert last_fire_time(trigger, now, dt.timedelta(hours=6)) == now.replace(hour=7)
    assert last_fire_time(trigger, now, dt.timedelta(hours=1)) is None


def _never(cancel: threading.Event, trigger: str) -> int:
    raise AssertionError("the job must not run in this test")


def _record_run(db: Database, trigger: str) -> None:
    with db.session() as session:
        run_id = runs.start_run(session, trigger=trigger, holder="t:1:x", fencing_token=1)
        runs.finish_run(session, run_id, status="completed", exit_code=0)


def test_a_missed_day_is_caught_up_once_not_twice(tmp_path: Path) -> None:
    app = make_app(tmp_path, cron="0 7 * * *", timezone="UTC", heartbeat_file="hb.json")
    with time_machine.travel(dt.datetime(2027, 3, 1, 7, 0, 5, tzinfo=UTC), tick=False):
        _record_run(app.database, "schedule")  # yesterday's run; then down across today's 07:00
    triggers: list[str] = []

    with time_machine.travel(dt.datetime(2027, 3, 2, 9, 0, tzinfo=UTC), tick=True):
        runner = ScheduleRunner(app, lambda cancel, trigger: 0)

        def job(cancel: threading.Event, trigger: str) -> int:
            triggers.append(trigger)
            _record_run(app.database, trigger)
            runner.stop("test done")
            return 0

        runner.job = job
        assert runner.prepare() == dt.datetime(2027, 3, 2, 7, 0, tzinfo=UTC)
        assert runner.run(install_signals=False) == Exit.OK
    assert triggers == ["catch-up"]
    beat = json.loads((tmp_path / "hb.json").read_text())
    assert beat["outcome"] == "completed" and beat["exit_code"] == 0
    assert beat["next_run"].startswith("2027-03-03T07:00:00")

    with time_machine.travel(dt.datetime(2027, 3, 2, 9, 5, tzinfo=UTC), tick=False):
        again = ScheduleRunner(app, _never)
        assert again.prepare() is None  # the catch-up run is in the ledger: no second one


def test_a_fire_older_than_the_grace_is_not_caught_up(tmp_path: Path) -> None:
    app = make_app(tmp_path, cron="0 7 * * *", timezone="UTC", misfire_grace_seconds=3600)
    with time_machine.travel(dt.datetime(2027, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        assert ScheduleRunner(app, _never).prepare() is None


def _fast_app(tmp_path: Path, deadline: float) -> App:
    """Deadlines under the config's minimum of 10 s, so the test stays fast."""
    app = make_app(tmp_path, cron="0 7 * * *", timezone="UTC")
    fast = ScheduleConfig.model_construct(
        **{**app.config.schedule.model_dump(), "run_deadline_seconds": deadline}
    )
    return App(config=app.config.model_copy(update={"schedule": fast}))


def test_the_deadline_cancels_the_run_and_a_stuck_run_ends_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exits: list[int] = []
    cancelled = threading.Event()

    def stubborn(cancel: threading.Event, trigger: str) -> int:
        cancelled.set() if cancel.wait(2) else None
        time.sleep(0.6)  # ignores the cancel for longer than the grace
        return 1

    runner = ScheduleRunner(
        _fast_app(tmp_path, 0.2), stubborn, hard_exit=exits.append, shutdown_grace=0.3
    )
    runner.run_job()
    assert cancelled.is_set()
    assert exits == [Exit.ERROR]


def test_scheduler_events_become_structured_log_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runner = ScheduleRunner(make_app(tmp_path), _never)
    event = JobExecutionEvent(EVENT_JOB_MISSED, scheduler.JOB_ID, "default", dt.datetime.now(UTC))
    with caplog.at_level(logging.WARNING, logger="drift.scheduler"):
        runner.log_job_event(event)
    (record,) = caplog.records
    assert getattr(record, "event", None) == "job_missed"


FAKE_PIPELINE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from types import SimpleNamespace
    from drift import pipeline
    from drift.store import runs
    from drift.store.lease import RunLease

    def fake_run(app, *, cancel=None, trigger="cli", **_):
        with RunLease(app.database, on_lost=cancel) as lease:
            with app.database.session() as s:
                run_id = runs.start_run(
                    s, trigger=trigger, holder=lease.holder, fencing_token=lease.token
                )
            Path(sys.argv[2]).write_text(trigger)
            cancel.wait(60)  # a fetch that stops when cancelled
            with app.database.session() as s:
                status = "aborted" if cancel.is_set() else "completed"
                runs.finish_run(s, run_id, status=status, exit_code=1)
        return SimpleNamespace(exit_code=1)

    pipeline.run = fake_run
    from drift.cli import main
    main(["--config", sys.argv[1], "schedule"])
    """
)


def test_sigterm_stops_drift_schedule_within_seconds_with_the_lease_free(tmp_path: Path) -> None:
    config = tmp_path / "drift.toml"
    config.write_text(
        '[database]\nurl = "sqlite:///drift.db"\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'
        '[schedule]\ncron = "* * * * *"\ntimezone = "Europe/Berlin"\nheartbeat_file = "hb.json"\n'
    )
    marker = tmp_path / "running"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", FAKE_PIPELINE, str(config), str(marker)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.read_text() == "catch-up", proc.stderr.read() if proc.stderr else ""
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0, err
    assert time.monotonic() - sent < 5
    assert "received SIGTERM" in err
    db = Database(f"sqlite:///{tmp_path / 'drift.db'}")
    with db.session() as session:
        state = leases.read_lease(session)
        (last,) = runs.last_runs(session, 1)
    db.dispose()
    assert state is not None and state.holder is None
    assert (last.status, last.trigger) == ("aborted", "catch-up")
    assert json.loads((tmp_path / "hb.json").read_text())["outcome"] == "aborted"


def test_schedule_polls_for_due_deliveries_between_runs(tmp_path: Path) -> None:
    """A digest waiting for a retry goes out minutes later, not with tomorrow's run."""
    calls: list[str] = []
    runner = ScheduleRunner(
        make_app(tmp_path, cron="0 7 * * *", timezone="UTC"),
        _never,
        retry=lambda cancel: calls.append("retry"),
        after=lambda: calls.append("after"),
    )
    runner.prepare()
    retry = runner.scheduler.get_job(scheduler.RETRY_JOB_ID)
    assert retry.trigger.interval == dt.timedelta(seconds=scheduler.RETRY_POLL_SECONDS)
    assert scheduler.RETRY_POLL_SECONDS <= 300
    retry.func()
    assert calls == ["retry", "after"]
