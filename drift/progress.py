"""Progress on long work: a live display on a terminal, one line per phase in logs, nothing
under ``-q``.

The CLI picks one :class:`Progress` (:func:`for_stderr`) and passes it down as an argument
(``pipeline.run(..., progress=...)``); the stages never see it, only plain callbacks
(``Runtime.on_page`` for vendor pages, ``record_snapshot(on_items=...)`` for recorded items).

- :class:`LiveProgress`: rich's progress display on stderr, one row per phase and per source
  (rich is imported on the first phase, so ``drift --help`` never loads it);
- :class:`LogProgress`: one ``drift.progress`` log line per finished phase with its counts and
  timing (``recorded mixpanel: 100,070 items in 6.2 s``), a JSON record in JSON log mode (a
  failed phase adds no line: its error is logged once, where it is handled);
- :data:`SILENT`: nothing.

Source names are shown through :func:`drift.report.escape.visible` (no control or bidi
character reaches a terminal or a log).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from drift.plural import counted

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

log = logging.getLogger("drift.progress")
#: Where the CLI keeps the chosen :class:`Progress` for its commands (``click.Context.meta``).
PROGRESS_KEY = "drift.progress"


class Phase(StrEnum):
    """The long steps of ``drift run`` and ``drift snapshot``, in order."""

    FETCH = "fetch"
    RECORD = "record"
    COMPOSE = "compose"
    DELIVER = "deliver"

    @property
    def done(self) -> str:
        """The verb that starts the phase's log line: ``recorded mixpanel: ...``."""
        return f"{self}d" if self.endswith("e") else f"{self}ed"


class Task(Protocol):
    """One phase of one source (or of the whole run) in progress."""

    def advance(self, count: int = 1) -> None:
        """``count`` more units done (pages fetched, items recorded); any thread may call it."""

    def finish(self, *, failed: bool = False, **counts: int) -> None:
        """The phase is over; ``counts`` adds totals known only now (``items=100070``)."""


class Progress(Protocol):
    """Where long work reports: :class:`LiveProgress`, :class:`LogProgress` or :data:`SILENT`."""

    def start(
        self, phase: Phase, subject: str, *, unit: str = "items", total: int | None = None
    ) -> Task:
        """Begin ``phase`` for ``subject`` (a source name, or ``digest``) counting ``unit``."""

    def close(self) -> None:
        """Stop any display (before the command prints its results)."""


def for_stderr(stream: TextIO, *, quiet: bool, json_logs: bool, color: bool) -> Progress:
    """Silent under ``-q``; log lines when stderr is not a terminal or logs are JSON; else live."""
    if quiet:
        return SILENT
    if json_logs or not stream.isatty():
        return LogProgress()
    return LiveProgress(stream, color=color)


def shown(subject: str) -> str:
    """A source name as people see it: control and bidi characters as visible escapes."""
    from drift.report.escape import visible  # not at import: it loads the confusables table

    return visible(subject)


def summary(counts: dict[str, int]) -> str:
    """``3 pages, 100,070 items``: every count, in the order they were reported."""
    return ", ".join(counted(n, unit) for unit, n in counts.items())


# --------------------------------------------------------------------------- silent


class _NoTask:
    def advance(self, count: int = 1) -> None:
        pass

    def finish(self, *, failed: bool = False, **counts: int) -> None:
        pass


class Silent:
    """Reports nothing (``-q``, the scheduler, library callers)."""

    def start(
        self, phase: Phase, subject: str, *, unit: str = "items", total: int | None = None
    ) -> Task:
        return _NoTask()

    def close(self) -> None:
        pass


SILENT: Progress = Silent()


# --------------------------------------------------------------------------- log lines


class _Counted:
    """A task's counts and start time, safe to advance from the fetch threads."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.counts: dict[str, int] = {unit: 0}
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def add(self, count: int) -> int:
        with self._lock:
            self.counts[self.unit] += count
            return self.counts[self.unit]

    def close(self, counts: dict[str, int]) -> float:
        with self._lock:
            self.counts.update(counts)
            if not self.counts[self.unit] and self.unit not in counts and len(self.counts) > 1:
                del self.counts[self.unit]  # "0 pages" says nothing for a file source
        return time.monotonic() - self.started


class _LogTask:
    def __init__(self, phase: Phase, subject: str, unit: str) -> None:
        self.phase, self.subject, self.counted = phase, subject, _Counted(unit)

    def advance(self, count: int = 1) -> None:
        self.counted.add(count)

    def finish(self, *, failed: bool = False, **counts: int) -> None:
        """One line for a phase that finished; a failure is reported once, as the error it is."""
        seconds = self.counted.close(counts)
        if failed:
            return
        extra: dict[str, Any] = {"event": "progress", "phase": str(self.phase)}
        if self.subject != "digest":
            extra["source"] = self.subject
        extra.update(self.counted.counts, seconds=round(seconds, 3))
        detail = summary(self.counted.counts)
        name = shown(self.subject)
        log.info("%s %s: %s in %.1f s", self.phase.done, name, detail, seconds, extra=extra)


class LogProgress:
    """One ``drift.progress`` INFO line per finished phase (shown unless ``-q``)."""

    def start(
        self, phase: Phase, subject: str, *, unit: str = "items", total: int | None = None
    ) -> Task:
        return _LogTask(phase, subject, unit)

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- live display


class _LiveTask:
    def __init__(self, live: LiveProgress, row: TaskID, phase: Phase, unit: str) -> None:
        self.live, self.row, self.phase, self.counted = live, row, phase, _Counted(unit)

    def advance(self, count: int = 1) -> None:
        done = self.counted.add(count)
        self.live.show(self.row, done, counted(done, self.counted.unit))

    def finish(self, *, failed: bool = False, **counts: int) -> None:
        seconds = self.counted.close(counts)
        detail = "failed" if failed else summary(self.counted.counts)
        finished = max(1, self.counted.counts.get(self.counted.unit, 0))
        self.live.done(self.row, finished, f"{detail} in {seconds:.1f} s", self.phase)


class LiveProgress:
    """rich's progress display on stderr: a row per phase (sources done) and per source."""

    def __init__(self, stream: TextIO, *, color: bool = True) -> None:
        self.stream, self.color = stream, color
        self._display: RichProgress | None = None
        self._phases: dict[Phase, tuple[TaskID, list[int]]] = {}  # row, [sources, finished]
        self._lock = threading.Lock()
        self._rebound: list[logging.StreamHandler[Any]] = []

    def start(
        self, phase: Phase, subject: str, *, unit: str = "items", total: int | None = None
    ) -> Task:
        with self._lock:
            display = self._ensure()
            if subject == "digest":
                row = display.add_task(str(phase), total=total, detail="")
            else:
                self._count_source(display, phase)
                row = display.add_task(f"  {shown(subject)}", total=total, detail="")
        return _LiveTask(self, row, phase, unit)

    def show(self, row: TaskID, completed: int, detail: str) -> None:
        if self._display is not None:
            self._display.update(row, completed=completed, detail=detail)

    def done(self, row: TaskID, finished: int, detail: str, phase: Phase) -> None:
        with self._lock:
            if self._display is None:
                return
            self._display.update(row, total=finished, completed=finished, detail=detail)
            if phase in self._phases and row != self._phases[phase][0]:
                phase_row, counts = self._phases[phase]
                counts[1] += 1
                self._phase_detail(phase_row, counts)

    def close(self) -> None:
        with self._lock:
            if self._display is not None:
                self._display.stop()
                self._display = None
                _rebind_logs(self._rebound, self.stream)
                self._rebound = []

    def _count_source(self, display: RichProgress, phase: Phase) -> None:
        if phase not in self._phases:
            self._phases[phase] = (display.add_task(str(phase), total=None, detail=""), [0, 0])
        row, counts = self._phases[phase]
        counts[0] += 1
        self._phase_detail(row, counts)

    def _phase_detail(self, row: TaskID, counts: list[int]) -> None:
        assert self._display is not None
        total, finished = counts
        detail = f"{finished}/{total} source{'s' if total != 1 else ''}"
        self._display.update(row, total=total, completed=finished, detail=detail)

    def _ensure(self) -> RichProgress:
        if self._display is None:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            console = Console(file=self.stream, no_color=not self.color, highlight=False)
            self._display = RichProgress(
                TextColumn("{task.description}", markup=False),
                BarColumn(bar_width=24),
                TextColumn("{task.fields[detail]}", markup=False),
                TimeElapsedColumn(),
                console=console,
                redirect_stdout=False,  # stdout may be a file: it keeps the command's results
                redirect_stderr=True,
            )
            self._display.start()
            # drift's log handler holds the real stderr: send its lines above the display too.
            self._rebound = _rebind_logs(_stderr_handlers(self.stream), sys.stderr)
        return self._display


def _stderr_handlers(stream: TextIO) -> list[logging.StreamHandler[Any]]:
    handlers = logging.getLogger("drift").handlers
    return [h for h in handlers if isinstance(h, logging.StreamHandler) and h.stream is stream]


def _rebind_logs(
    handlers: list[logging.StreamHandler[Any]], stream: TextIO
) -> list[logging.StreamHandler[Any]]:
    for handler in handlers:
        handler.setStream(stream)
    return handlers
