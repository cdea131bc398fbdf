"""``drift schedule``: APScheduler 3.x in the foreground, for containers and long-running hosts.

Everything APScheduler would otherwise default is explicit (reliability checklist SCH-01..09):
the configured IANA zone (never the host's TZ), misfire grace from config, ``coalesce=True``,
``max_instances=1``, a memory job store and a fixed job id. A missed fire (the process was down) is
caught up once at start, decided from drift's own run ledger rather than a persistent job store.
Each run gets a cancel event, set by its deadline or by SIGTERM/SIGINT; a job that ignores it past
a grace period ends the process, so a hung run can never block every later run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
    SchedulerEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from drift.app import App
from drift.cron import last_fire_time, make_trigger, zone
from drift.errors import DriftError, LeaseHeld
from drift.exitcodes import Exit
from drift.model import RunTrigger, utcnow
from drift.store import runs
from drift.store.database import Database

log = logging.getLogger("drift.scheduler")

JOB_ID = "drift-run"
RETRY_JOB_ID = "drift-deliver"
#: How often ``drift schedule`` looks for a delivery whose retry is due (the outbox's backoff
#: decides when; this only bounds how late after that it goes out).
RETRY_POLL_SECONDS = 60
#: How long a cancelled run may take to wind down before the process exits hard. Keep the
#: Kubernetes terminationGracePeriodSeconds above this (examples/kubernetes-cronjob.yaml).
SHUTDOWN_GRACE_SECONDS = 25.0
Job = Callable[[threading.Event, RunTrigger], int]


def catch_up_due(
    database: Database, trigger: CronTrigger, grace: dt.timedelta, now: dt.datetime
) -> dt.datetime | None:
    """The missed fire time to catch up, if no real run started at or after it (else None).

    The catch-up run itself starts after that fire time, so a second restart finds it and does
    not run again.
    """
    missed = last_fire_time(trigger, now, grace)
    if missed is None:
        return None
    with database.session() as session:
        started = runs.last_started_run_at(session)
    return missed if started is None or started < missed else None


def write_heartbeat(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically: a health check never reads half a JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _hard_exit(code: int) -> None:  # pragma: no cover - ends the process
    logging.shutdown()
    os._exit(code)


class ScheduleRunner:
    """One foreground scheduler around one job; ``run()`` blocks until SIGTERM/SIGINT/``stop()``."""

    def __init__(
        self,
        app: App,
        job: Job,
        *,
        hard_exit: Callable[[int], None] = _hard_exit,
        shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
        retry: Callable[[threading.Event], object] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.shutdown_grace = shutdown_grace  # how long a cancelled run may take to stop
        self.job = job
        self.retry = retry
        self.after = after
        self.schedule = app.config.schedule
        self.trigger = make_trigger(self.schedule)
        self.scheduler = BlockingScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.schedule.misfire_grace_seconds,
            },
            timezone=zone(self.schedule),
        )
        self.catch_up_at: dt.datetime | None = None
        self._hard_exit = hard_exit
        self._stopping = threading.Event()
        self._current: threading.Event | None = None
        self._watchdog: threading.Timer | None = None
        self._last_run_id: int | None = None

    def prepare(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Add the job (starting at once for a catch-up); returns the missed fire time, if any."""
        now = now or utcnow()
        grace = dt.timedelta(seconds=self.schedule.misfire_grace_seconds)
        self.catch_up_at = catch_up_due(self.app.database, self.trigger, grace, now)
        self.scheduler.add_job(
            self.run_job,
            trigger=self.trigger,
            id=JOB_ID,
            name="drift run",
            replace_existing=True,
            coalesce=True,  # the job defaults, stated on the job too: visible on it
            max_instances=1,
            misfire_grace_time=self.schedule.misfire_grace_seconds,
            **({"next_run_time": now} if self.catch_up_at else {}),
        )
        if self.retry is not None:
            self.scheduler.add_job(
                self._retry,
                trigger=IntervalTrigger(seconds=RETRY_POLL_SECONDS, timezone=zone(self.schedule)),
                id=RETRY_JOB_ID,
                name="retry due deliveries",
                replace_existing=True,
            )
        self._listen()
        return self.catch_up_at

    def run(self, *, install_signals: bool = True) -> int:
        """Block until stopped; returns the process exit code (0 after a clean shutdown)."""
        if not self.scheduler.get_jobs():
            self.prepare()
        previous = self._install_signals() if install_signals else {}
        try:
            self._announce()
            self._heartbeat(None, None, "starting")
            if not self._stopping.is_set():
                self.scheduler.start()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if self._watchdog is not None:
                self._watchdog.cancel()
        log.info("drift schedule stopped", extra={"event": "scheduler_stopped"})
        return Exit.OK

    def stop(self, reason: str = "stop requested") -> None:
        """Cancel the current run and shut down once it has wound down (never blocks the caller).

        The shutdown runs in a thread: a signal handler must return quickly, and
        ``shutdown(wait=True)`` waits for the running job.
        """
        if self._stopping.is_set():
            return
        self._stopping.set()
        log.info("stopping: %s", reason, extra={"event": "scheduler_stopping"})
        if self._current is not None:
            self._current.set()
        self._watchdog = self._timer(self.shutdown_grace, self._stuck, "shutdown")
        threading.Thread(target=self._shutdown, name="drift-shutdown", daemon=True).start()

    def _shutdown(self) -> None:
        # Not started yet: the started listener shuts it down instead.
        with contextlib.suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=True)

    def run_job(self) -> None:
        """One run now, as the schedule fires it: its own cancel event, deadline and heartbeat."""
        if self._stopping.is_set():
            return
        trigger = RunTrigger.CATCH_UP if self.catch_up_at else RunTrigger.SCHEDULE
        self.catch_up_at = None
        cancel = self._current = threading.Event()
        started = utcnow()
        deadline = float(self.schedule.run_deadline_seconds)
        timers = [
            self._timer(deadline, self._deadline_hit, cancel),
            self._timer(deadline + self.shutdown_grace, self._stuck, "deadline"),
        ]
        log.info("run starting (%s)", trigger, extra={"event": "run_starting"})
        try:
            code = int(self.job(cancel, trigger))
        except DriftError as exc:
            log.error("run failed: %s", exc, extra={"event": "run_failed"})
            code = Exit.LEASE_HELD if isinstance(exc, LeaseHeld) else Exit.ERROR
        except Exception:
            log.exception("the run raised", extra={"event": "run_crashed"})
            code = Exit.ERROR
        finally:
            for timer in timers:
                timer.cancel()
            self._current = None
        log.info("run finished with exit code %s", code, extra={"event": "run_finished"})
        self._heartbeat(code, trigger, self._outcome(started, code))
        self._after()

    def _retry(self) -> None:
        """Between runs: deliver what waits for a retry once its backoff has passed."""
        if self._stopping.is_set() or self.retry is None:
            return
        cancel = self._current = threading.Event()
        try:
            self.retry(cancel)
        except Exception:
            log.exception("retrying deliveries failed", extra={"event": "retry_failed"})
        finally:
            self._current = None
        self._after()

    def _after(self) -> None:
        if self.after is None:
            return
        try:
            self.after()
        except Exception:
            log.exception("after-run hook failed (metrics file?)", extra={"event": "after_failed"})

    def _deadline_hit(self, cancel: threading.Event) -> None:
        log.error(
            "run passed its deadline of %ss; cancelling",
            self.schedule.run_deadline_seconds,
            extra={"event": "run_deadline"},
        )
        cancel.set()

    def _stuck(self, what: str) -> None:
        log.critical(
            "the run ignored cancellation for %ss after its %s; exiting so the supervisor "
            "restarts drift (the lease expires by itself)",
            self.shutdown_grace,
            what,
            extra={"event": "run_stuck"},
        )
        self._hard_exit(Exit.ERROR)

    @staticmethod
    def _timer(seconds: float, func: Callable[..., None], *args: Any) -> threading.Timer:
        timer = threading.Timer(seconds, func, args=args)
        timer.daemon = True
        timer.start()
        return timer

    def _outcome(self, started: dt.datetime, code: int) -> str:
        """The ledger's status for the run just finished, or the exit code if none was recorded."""
        try:
            with self.app.database.session() as session:
                (last,) = runs.last_runs(session, 1) or (None,)
        except Exception:
            last = None
        if last is not None and last.started_at >= started - dt.timedelta(seconds=1):
            self._last_run_id = last.id
            return last.status
        return "ok" if code == Exit.OK else f"exit {code}"

    def _heartbeat(self, code: int | None, trigger: RunTrigger | None, outcome: str) -> None:
        path = self.schedule.heartbeat_file
        if path is None:
            return
        now = utcnow().astimezone(self.trigger.timezone)  # the one clock face
        upcoming = self.trigger.get_next_fire_time(None, now)
        data = {
            "pid": os.getpid(),
            "last_run_id": self._last_run_id,
            "outcome": outcome,
            "exit_code": code,
            "trigger": trigger,
            "finished_at": now.isoformat() if code is not None else None,
            "updated_at": now.isoformat(),
            "next_run": upcoming.isoformat() if upcoming else None,
        }
        try:
            write_heartbeat(path, data)  # resolved from the config file's folder
        except OSError as exc:
            log.warning("cannot write the heartbeat file %s: %s", path, exc)

    def _announce(self) -> None:
        upcoming = self.trigger.get_next_fire_time(None, utcnow().astimezone(self.trigger.timezone))
        log.info(
            "drift schedule: cron %r in %s; next run %s%s",
            self.schedule.cron,
            self.schedule.timezone,
            upcoming.isoformat() if upcoming else "never",
            f"; catching up the run due {self.catch_up_at.isoformat()}" if self.catch_up_at else "",
            extra={"event": "scheduler_started"},
        )

    def _listen(self) -> None:
        self.scheduler.add_listener(
            self.log_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        self.scheduler.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)

    def log_job_event(self, event: JobExecutionEvent) -> None:
        """One structured warning line for a job error, miss or overlap (the listener)."""
        names = {
            EVENT_JOB_ERROR: "job_error",
            EVENT_JOB_MISSED: "job_missed",
            EVENT_JOB_MAX_INSTANCES: "job_max_instances",
        }
        name = names.get(event.code, f"job_event_{event.code}")
        log.warning(
            "%s: job %s, scheduled for %s",
            name,
            event.job_id,
            event.scheduled_run_time,
            extra={"event": name},
        )

    def _on_started(self, _event: SchedulerEvent) -> None:
        if self._stopping.is_set():
            threading.Thread(target=self._shutdown, daemon=True).start()

    def _install_signals(self) -> dict[int, Any]:
        def handle(signum: int, _frame: FrameType | None) -> None:
            self.stop(f"received {signal.Signals(signum).name}")

        previous: dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, handle)
        return previous


@contextlib.contextmanager
def cancel_on_signals(cancel: threading.Event) -> Iterator[threading.Event]:
    """For the one-shot ``drift run``: SIGTERM/SIGINT set ``cancel`` instead of killing mid-write.

    Kubernetes sends SIGTERM, then SIGKILL after terminationGracePeriodSeconds; Python's default
    would end the process wherever it is. Main thread only (Python's rule for signal handlers).
    """

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.warning("received %s; stopping after the current phase", signal.Signals(signum).name)
        cancel.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield cancel
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_scheduled(app: App, job: Job, *, install_signals: bool = True, **hooks: Any) -> int:
    """Run ``job(cancel, trigger)`` on the configured cron until SIGTERM/SIGINT; returns 0.
    ``hooks``: ``retry(cancel)`` polled between runs, ``after()`` after each run or retry."""
    runner = ScheduleRunner(app, job, **hooks)
    runner.prepare()
    return runner.run(install_signals=install_signals)
