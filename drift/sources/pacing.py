"""Pacing for vendor APIs: each vendor's documented rate, shared by all sources of one host.

A process-wide :class:`Pacer` per (vendor, host:port) keeps drift at or below each vendor's
documented rate (Mixpanel allows 5 requests a minute for a whole organisation) and caps how many
requests run at once. Waiting for a turn stops at the source's deadline or when the run is
cancelled. :class:`Clock` is the time source the pacer and :mod:`drift.sources.http` share; tests
pass a fake one so pacing and backoff never really sleep.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from drift.errors import DeadlineExceeded, SourceError
from drift.sources.base import Runtime


class Clock:
    """Real time; tests pass a fake one so pacing and backoff never really sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float, cancel: threading.Event) -> None:
        """Sleep, waking early when the run is cancelled (SIGTERM)."""
        cancel.wait(max(0.0, seconds))


REAL_CLOCK = Clock()


@dataclass(frozen=True)
class Pace:
    """A vendor's documented budget: ``requests`` per ``per_seconds``, ``concurrency`` at once."""

    vendor: str
    requests: int
    per_seconds: float
    concurrency: int = 8
    rate_limit_floor: float = 0.0  # minimum wait after a 429 without a hint (Mixpanel: 60 s)


class Pacer:
    """Sliding-window limiter plus a concurrency cap, shared by all sources of one vendor host."""

    def __init__(self, pace: Pace, clock: Clock = REAL_CLOCK) -> None:
        self.pace = pace
        self.clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(pace.concurrency)
        self._not_before = 0.0

    def defer(self, seconds: float) -> None:
        """The vendor said its budget is spent: nobody sends before ``seconds`` from now."""
        with self._lock:
            self._not_before = max(self._not_before, self.clock.monotonic() + seconds)

    def _delay(self) -> float:
        """Seconds until a request may go; 0 means it was booked just now."""
        with self._lock:
            now = self.clock.monotonic()
            while self._sent and self._sent[0] <= now - self.pace.per_seconds:
                self._sent.popleft()
            delay = self._not_before - now
            if len(self._sent) >= self.pace.requests:
                delay = max(delay, self._sent[0] + self.pace.per_seconds - now)
            if delay <= 0:
                self._sent.append(now)
                return 0.0
            return delay

    @contextmanager
    def turn(self, source: str, runtime: Runtime) -> Iterator[None]:
        """Wait for a concurrency slot and a rate-limit turn, within the deadline."""
        while not self._slots.acquire(timeout=0.05):
            check_alive(source, runtime)
        try:
            while (delay := self._delay()) > 0:
                if delay > runtime.remaining():
                    raise DeadlineExceeded(
                        f"source '{source}': {self.pace.vendor} allows {self.pace.requests} "
                        f"requests per {self.pace.per_seconds:.0f} s; the next turn comes after "
                        "the source's deadline; raise timeout_seconds or fetch fewer sources"
                    )
                self.clock.sleep(delay, runtime.cancel)
                check_alive(source, runtime)
            yield
        finally:
            self._slots.release()


_PACERS: dict[tuple[str, str], Pacer] = {}
_PACERS_LOCK = threading.Lock()


def shared_pacer(pace: Pace, base_url: str, clock: Clock = REAL_CLOCK) -> Pacer:
    """One pacer per (vendor, host:port) in this process; a fake clock gets a private one."""
    if clock is not REAL_CLOCK:
        return Pacer(pace, clock)
    key = (pace.vendor, urlsplit(base_url).netloc.lower())
    with _PACERS_LOCK:
        return _PACERS.setdefault(key, Pacer(pace, clock))


def check_alive(source: str, runtime: Runtime) -> None:
    """Raise if the run was cancelled or the source's deadline has passed."""
    if runtime.cancel.is_set():
        raise SourceError(f"source '{source}': fetch cancelled (the run is stopping)")
    if runtime.remaining() <= 0:
        raise DeadlineExceeded(
            f"source '{source}': deadline passed before the fetch finished; "
            "the vendor is slow or unreachable; raise timeout_seconds or try later"
        )
