"""Fetch several sources at once; one source's failure never stops the others.

Each source runs in its own daemon thread, so a cancelled run (SIGTERM, deadline) returns at once
instead of waiting for a vendor that stopped answering: unfinished sources come back as errors and
nothing of theirs is recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from drift.errors import DeadlineExceeded, DriftError, SourceError
from drift.model import Fetched
from drift.sources.base import Source, SourceBase

if TYPE_CHECKING:
    from drift.sources.known_reads import KnownReads

POLL_SECONDS = 0.05


def fetch_all(
    sources: Sequence[Source],
    max_workers: int = 8,
    on_done: Callable[[str, Fetched | DriftError], None] | None = None,
    reads: KnownReads | None = None,
) -> dict[str, Fetched | DriftError]:
    """Fetch every source (at most ``max_workers`` at a time); results keep the input order.
    ``on_done(name, result)`` is called from each source's thread as soon as it has its result.
    With ``reads``, a source may recognise its input as one read before (``KnownRead``)."""
    results: dict[str, Fetched | DriftError] = {}
    lock = threading.Lock()
    slots = threading.Semaphore(max(1, max_workers))

    def work(source: Source) -> None:
        with slots:
            outcome = _fetch_one(source, reads)
        if on_done is not None:
            on_done(source.name, outcome)
        with lock:
            results[source.name] = outcome

    threads = []
    for source in sources:
        thread = threading.Thread(
            target=work, args=(source,), name=f"drift-fetch-{source.name}", daemon=True
        )
        thread.start()
        threads.append((source, thread))
    for source, thread in threads:
        _wait(source, thread)
    with lock:
        return {s.name: results.get(s.name) or _unfinished(s) for s in sources}


def _fetch_one(source: Source, reads: KnownReads | None) -> Fetched | DriftError:
    try:
        if reads is not None and isinstance(source, SourceBase):
            return source.fetch_known(reads)
        return source.fetch()
    except DriftError as exc:
        return exc
    except Exception as exc:  # a connector bug must not take the other sources down
        return SourceError(
            f"source '{source.name}' failed unexpectedly: {type(exc).__name__}: {exc}"
        )


def _wait(source: Source, thread: threading.Thread) -> None:
    runtime = getattr(source, "runtime", None) if isinstance(source, SourceBase) else None
    while thread.is_alive():
        if runtime is not None and (runtime.cancel.is_set() or runtime.remaining() < -5):
            return
        thread.join(POLL_SECONDS)
        time.sleep(0)


def _unfinished(source: Source) -> DriftError:
    runtime = getattr(source, "runtime", None)
    if runtime is not None and runtime.cancel.is_set():
        return SourceError(f"source '{source.name}': fetch cancelled (the run is stopping)")
    return DeadlineExceeded(
        f"source '{source.name}': no answer within its deadline; try again later"
    )
