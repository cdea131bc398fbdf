"""The only module that calls every stage in order: fetch -> record -> diff -> classify -> report
-> notify. Stages do not import each other; values between them are frozen dataclasses. The stages
after recording (compose, render, deliver) are imported by the functions that run them, so ``drift
snapshot`` starts without loading them.

``run`` is the daily job. Its phases are recorded in the run ledger; each durable step is its own
transaction, so a crash at any point leaves history intact and the next run picks up: snapshots are
whole or absent, a digest and its outbox rows are committed together, and a committed digest is
delivered by whichever run comes next.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drift.app import App
from drift.errors import Cancelled, DriftError, LeaseHeld, StoreError
from drift.exitcodes import Exit
from drift.model import (
    DeliveryStatus,
    Fetched,
    RenderedDigest,
    RunPhase,
    RunStatus,
    RunTrigger,
    Severity,
    SourceStatus,
    utcnow,
)
from drift.progress import SILENT, Phase, Progress, Task
from drift.scrub import scrub
from drift.store import outbox, runs
from drift.store.lease import RunLease
from drift.store.record import Recorded, record_snapshot

if TYPE_CHECKING:  # the daily job's stages load when it runs: `drift snapshot` never needs them
    from sqlalchemy.orm import Session

    from drift import delivery
    from drift.answers.digest import Composed
    from drift.report.model import Digest

log = logging.getLogger("drift.run")

#: Called with each phase once it is durable (crash-injection tests pass one to :func:`run`).
PhaseHook = Callable[[RunPhase], None]


def _no_hook(phase: RunPhase) -> None:
    """The default :data:`PhaseHook`: nothing to do."""


@dataclass(frozen=True)
class SourceOutcome:
    """What happened to one source in one run: read, unchanged, or failed (with the reason)."""

    name: str
    type: str
    status: SourceStatus  # read | unchanged | failed
    error: str | None = None
    recorded: Recorded | None = None
    transient: bool = False
    duration_ms: int = 0


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    run_id: int | None = None
    outcomes: tuple[SourceOutcome, ...] = ()
    digest: Digest | None = None
    rendered: RenderedDigest | None = None
    deliveries: tuple[delivery.DeliveryOutcome, ...] = field(default=())
    message: str = ""
    #: Deliveries still waiting after this run (its own digest or an earlier one), with retry times.
    undelivered: tuple[outbox.OpenDelivery, ...] = ()


# --------------------------------------------------------------------------- fetch and record


def fetch(
    app: App,
    names: Sequence[str] = (),
    cancel: threading.Event | None = None,
    progress: Progress = SILENT,
) -> dict[str, Fetched | DriftError]:
    """Each source's schema, or its failure. A plan file read before with the same bytes,
    options and code comes back as a ``KnownRead``, unparsed (see ``sources/known_reads.py``)."""
    from drift.sources.fetching import fetch_all
    from drift.sources.known_reads import KnownReads

    sources = app.sources(tuple(names), cancel)
    tasks = {s.name: progress.start(Phase.FETCH, s.name, unit="pages") for s in sources}
    for source in sources:
        source.runtime.on_page = tasks[source.name].advance
    return fetch_all(
        sources,
        on_done=lambda name, result: _fetched(tasks[name], result),
        reads=KnownReads.from_environment(),
    )


def _fetched(task: Task, result: Fetched | DriftError) -> None:
    if isinstance(result, DriftError):
        task.finish(failed=True)
    else:
        task.finish(items=result.item_count)


def record_all(
    app: App,
    session: Session,
    results: dict[str, Fetched | DriftError],
    *,
    run_id: int | None,
    now: dt.datetime,
    progress: Progress = SILENT,
) -> list[SourceOutcome]:
    outcomes = []
    for name, result in results.items():
        type_ = app.config.source(name).type
        if isinstance(result, DriftError):
            outcomes.append(
                SourceOutcome(name, type_, SourceStatus.FAILED, str(result), None, result.transient)
            )
            continue
        task = progress.start(Phase.RECORD, name, total=result.item_count)
        try:
            recorded = record_snapshot(
                session,
                result,
                source_type=type_,
                taken_at=now,
                run_id=run_id,
                reader_version=app.source_class(type_).reader_version,
                on_items=task.advance,
            )
        except BaseException:
            task.finish(failed=True)
            raise
        task.finish()
        outcomes.append(SourceOutcome(name, type_, _read_status(recorded), None, recorded))
    return outcomes


def _read_status(recorded: Recorded) -> SourceStatus:
    return SourceStatus.UNCHANGED if recorded.unchanged else SourceStatus.READ


def snapshot(
    app: App,
    names: Sequence[str] = (),
    *,
    run_id: int | None = None,
    cancel: threading.Event | None = None,
    wait: float = 0.0,
    progress: Progress = SILENT,
) -> list[SourceOutcome]:
    """Fetch the sources concurrently, then record each success in its own transaction, holding
    the run lease (waiting up to ``wait`` seconds for a run that holds it): history has one writer.

    A source that fails records nothing, so its history never looks like "everything removed".
    """
    results = fetch(app, names, cancel, progress)
    outcomes = []
    lease = RunLease(app.database, on_lost=cancel)
    lease.acquire(wait=wait)
    try:
        for name in list(results):  # each schema is let go once recorded
            outcomes.append(_record_guarded(app, lease, name, results.pop(name), run_id, progress))
    finally:
        lease.release()
    return outcomes


# --------------------------------------------------------------------------- the daily job


def run(
    app: App,
    *,
    sources: Sequence[str] = (),
    dry_run: bool = False,
    fail_on: Severity | None = None,
    trigger: RunTrigger = RunTrigger.CLI,
    cancel: threading.Event | None = None,
    after_phase: PhaseHook = _no_hook,
    progress: Progress = SILENT,
) -> RunResult:
    """Fetch, record, diff, classify, render once, enqueue per channel, deliver; see module doc.
    ``progress`` hears of each phase (the CLI's display or log lines)."""
    cancel = cancel or threading.Event()
    app.config.require_sources()
    names = list(dict.fromkeys(sources)) or [s.name for s in app.config.sources]
    for name in names:
        app.config.source(name)  # unknown names are a config error before anything happens
    app.classifier  # noqa: B018 - so is a bad [rules] file: fail before fetching anything
    if dry_run:
        return _dry_run(app, names, fail_on, cancel, progress)
    with RunLease(app.database, on_lost=cancel) as lease:
        with app.database.session() as session:
            runs.close_orphaned_runs(session, holder=lease.holder)
            run_id = runs.start_run(
                session, trigger=trigger, holder=lease.holder, fencing_token=lease.token
            )
        try:
            result = _phases(app, lease, run_id, names, fail_on, cancel, after_phase, progress)
        except BaseException as exc:
            _finish_after_error(app, run_id, exc)
            raise
    return result


def _phases(
    app: App,
    lease: RunLease,
    run_id: int,
    names: list[str],
    fail_on: Severity | None,
    cancel: threading.Event,
    after_phase: PhaseHook,
    progress: Progress,
) -> RunResult:
    from drift import delivery
    from drift.answers.digest import compose

    results = fetch(app, names, cancel, progress)
    _phase(app, run_id, RunPhase.FETCHED, cancel, after_phase)
    # Each fetched schema is let go once recorded: the digest reads what was recorded, and a
    # million-item schema must not stay in memory beside it.
    outcomes = [
        _record_one(app, lease, run_id, name, results.pop(name), progress) for name in names
    ]
    _phase(app, run_id, RunPhase.RECORDED, cancel, after_phase)
    failed = _failed(outcomes)
    now = utcnow()
    task = progress.start(Phase.COMPOSE, "digest")
    with app.database.reading() as session:  # no write lock while a big digest is composed
        composed = compose(app, session, names, failed, now=now, run_id=run_id)
    task.finish(sources=len(names), changes=composed.digest.counts.changes)
    _log_never_read(composed, run_id)
    _phase(app, run_id, RunPhase.RENDERED, cancel, after_phase)
    channels = [name for name, _ in delivery.channel_names(app.config)]
    covered = [n for n in names if n not in composed.left_out]
    if covered and _worth_sending(app, composed, channels, now):
        with lease.committing() as session:
            outbox.commit_digest(
                session,
                composed.rendered,
                run_id=run_id,
                rules_hash=composed.findings.rules_hash,
                findings_json=composed.findings.to_json(),
                coverage=composed.coverage,
                channels=channels,
                now=now,
            )
            runs.advance(session, run_id, RunPhase.ENQUEUED)
        after_phase(RunPhase.ENQUEUED)
    task = progress.start(Phase.DELIVER, "digest")
    sent = delivery.deliver_pending(app.database, app.config, now=utcnow(), cancel=cancel)
    task.finish(deliveries=len(sent))
    _phase(app, run_id, RunPhase.DELIVERED, cancel, after_phase)
    return _finish(app, run_id, outcomes, composed, sent, fail_on)


def _log_never_read(composed: Composed, run_id: int | None) -> None:
    """Sources left out of the digest because they were never read (see ``never_read``)."""
    for name in composed.left_out:
        log.warning(
            "source %s has never been read: its failure is not mailed until it works once "
            "(see `drift status`)",
            name,
            extra={"event": "source_never_read", "source": name, "run_id": run_id},
        )


def _log_failure(outcome: SourceOutcome, run_id: int) -> None:
    if outcome.status is SourceStatus.FAILED:
        log.error(
            "source %s failed: %s",
            outcome.name,
            outcome.error,
            extra={"event": "source_failed", "source": outcome.name, "run_id": run_id},
        )


def deliver_due(app: App, cancel: threading.Event | None = None) -> list[delivery.DeliveryOutcome]:
    """Between runs (``drift schedule``): send deliveries whose retry is due, under the run lease
    (a run in progress, here or on another host, delivers them itself)."""
    from drift import delivery

    channels = [name for name, _ in delivery.channel_names(app.config)]
    with app.database.session() as session:
        due = outbox.next_due(session, channels)
    if due is None or due > utcnow():
        return []
    try:
        with RunLease(app.database, on_lost=cancel):
            sent = delivery.deliver_pending(app.database, app.config, now=utcnow(), cancel=cancel)
    except LeaseHeld:
        return []
    for outcome in sent:
        log.info(
            "retried delivery to %s: %s",
            outcome.channel,
            outcome.status,
            extra={"event": "delivery_retried", "channel": outcome.channel},
        )
    return sent


def _log_undelivered(app: App, late: outbox.OpenDelivery, run_id: int) -> None:
    due = (late.next_attempt_at or late.created_at).astimezone(app.timezone)
    log.error(
        "digest not delivered to %s (%s attempt(s)%s); retry due %s %s "
        "(`drift schedule` retries then; from cron, the next `drift run` does)",
        late.channel,
        late.attempts,
        f": {late.last_error}" if late.last_error else "",
        f"{due:%Y-%m-%d %H:%M}",
        app.config.schedule.timezone,
        extra={"event": "delivery_pending", "channel": late.channel, "run_id": run_id},
    )


def _record_one(
    app: App,
    lease: RunLease,
    run_id: int,
    name: str,
    result: Fetched | DriftError,
    progress: Progress = SILENT,
) -> SourceOutcome:
    """Record one source and its ledger row in its own transaction; if the database refuses its
    data, that source fails alone (nothing of it kept, its failure in the ledger)."""
    outcome = _record_guarded(app, lease, name, result, run_id, progress, ledger=True)
    _log_failure(outcome, run_id)
    return outcome


def _record_guarded(
    app: App,
    lease: RunLease,
    name: str,
    result: Fetched | DriftError,
    run_id: int | None,
    progress: Progress,
    *,
    ledger: bool = False,
) -> SourceOutcome:
    """Record one source in a transaction the lease guards, with its run-ledger row when
    ``ledger``; a database refusing its data makes it fail alone (its failure still goes in the
    ledger). A lost lease stops everything."""
    try:
        with lease.committing() as session:
            (outcome,) = record_all(
                app, session, {name: result}, run_id=run_id, now=utcnow(), progress=progress
            )
            if ledger and run_id is not None:
                _ledger(session, run_id, outcome)
        return outcome
    except StoreError as exc:
        if isinstance(exc, LeaseHeld):
            raise
        outcome = unrecordable(name, app.config.source(name).type, exc)
    if ledger and run_id is not None:
        with app.database.session() as session:
            _ledger(session, run_id, outcome)
    return outcome


def unrecordable(name: str, type_: str, exc: StoreError) -> SourceOutcome:
    """A source whose schema the database refused: it fails alone, with the database's reason."""
    return SourceOutcome(name, type_, SourceStatus.FAILED, f"could not record its schema: {exc}")


def _ledger(session: Session, run_id: int, outcome: SourceOutcome) -> None:
    rec = outcome.recorded
    runs.record_source(
        session,
        run_id,
        outcome.name,
        outcome.status,
        error=outcome.error,
        snapshot_id=rec.snapshot_id if rec else None,
    )


def _failed(outcomes: Sequence[SourceOutcome]) -> dict[str, str]:
    """Source name -> why it could not be read this run."""
    return {o.name: o.error or "failed" for o in outcomes if o.status is SourceStatus.FAILED}


def _phase(
    app: App, run_id: int, phase: RunPhase, cancel: threading.Event, after_phase: PhaseHook
) -> None:
    with app.database.session() as session:
        runs.advance(session, run_id, phase)
    after_phase(phase)
    if cancel.is_set():
        raise Cancelled(
            f"run {run_id} stopped after phase '{phase}' (SIGTERM, deadline or lost lease)"
        )


def _worth_sending(app: App, composed: Composed, channels: list[str], now: dt.datetime) -> bool:
    """Heartbeats are skipped when switched off, or when an earlier digest is still on its way
    (a re-run after a crash delivers that one instead of adding an empty one)."""

    if not composed.digest.should_send:
        return False
    if composed.digest.heartbeat:
        with app.database.session() as session:
            if outbox.pending(session, now, channels):
                return False
    return True


def _finish(
    app: App,
    run_id: int,
    outcomes: list[SourceOutcome],
    composed: Composed,
    sent: list[delivery.DeliveryOutcome],
    fail_on: Severity | None,
) -> RunResult:
    from drift import delivery

    channels = [name for name, _ in delivery.channel_names(app.config)]
    with app.database.session() as session:
        waiting = tuple(d for d in outbox.undelivered(session, channels) if d.waiting)
    code = _exit_code(outcomes, composed.digest, sent, fail_on, waiting)
    status = RunStatus.COMPLETED if code in (Exit.OK, Exit.FINDINGS) else RunStatus.PARTIAL
    with app.database.session() as session:
        runs.finish_run(session, run_id, status=status, exit_code=int(code))
    for late in waiting:
        _log_undelivered(app, late, run_id)
    return RunResult(
        int(code),
        run_id,
        tuple(outcomes),
        composed.digest,
        composed.rendered,
        tuple(sent),
        undelivered=waiting,
    )


def _exit_code(
    outcomes: list[SourceOutcome],
    digest: Digest,
    sent: list[delivery.DeliveryOutcome],
    fail_on: Severity | None,
    waiting: tuple[outbox.OpenDelivery, ...] = (),
) -> Exit:
    """3 beats 6 beats 5: a source that failed, then a digest left undelivered (refused for
    good, or waiting for a retry), then the findings gate."""
    if any(o.status is SourceStatus.FAILED for o in outcomes):
        return Exit.PARTIAL
    if waiting or any(d.status is DeliveryStatus.FAILED for d in sent):
        return Exit.DELIVERY
    if fail_on is not None and gate_reached(digest, fail_on):
        return Exit.FINDINGS
    return Exit.OK


def gate_reached(digest: Digest, fail_on: Severity) -> bool:
    """Unacknowledged findings (new or still open) or policy violations at or above ``fail_on``."""
    from drift.report.model import Section

    counts = digest.counts
    if counts.policy_violations:
        return True
    new = {
        Severity.HIGH: counts.new_high,
        Severity.MEDIUM: counts.new_medium,
        Severity.LOW: counts.new_low,
    }
    if any(n for sev, n in new.items() if sev.rank >= fail_on.rank):
        return True
    return any(
        row.severity is not None and row.severity.rank >= fail_on.rank
        for source in digest.sources
        for row in source.rows(Section.OPEN)
    )


def _finish_after_error(app: App, run_id: int, exc: BaseException) -> None:

    aborted = isinstance(exc, Cancelled | KeyboardInterrupt)
    status = RunStatus.ABORTED if aborted else RunStatus.FAILED
    try:
        with app.database.session() as session:
            runs.finish_run(
                session, run_id, status=status, exit_code=int(Exit.ERROR), error=scrub(exc, 500)
            )
    except DriftError:
        log.warning("could not record the end of run %s", run_id)


def _dry_run(
    app: App,
    names: list[str],
    fail_on: Severity | None,
    cancel: threading.Event,
    progress: Progress = SILENT,
) -> RunResult:
    """Fetch and render for real, inside a transaction that is rolled back: nothing kept or sent."""
    from drift.answers.digest import compose

    results = fetch(app, names, cancel, progress)
    now = utcnow()
    with app.database.scratch() as session:
        outcomes = record_all(app, session, results, run_id=None, now=now, progress=progress)
        failed = _failed(outcomes)
        task = progress.start(Phase.COMPOSE, "digest")
        composed = compose(app, session, names, failed, now=now, run_id=None)
        task.finish(sources=len(names), changes=composed.digest.counts.changes)
    _log_never_read(composed, None)
    code = _exit_code(outcomes, composed.digest, [], fail_on)
    return RunResult(int(code), None, tuple(outcomes), composed.digest, composed.rendered)
