"""Drain the outbox: every committed digest to every configured channel, oldest first.

Each attempt is its own transaction, recorded right after the channel answers, which narrows the
at-least-once window to the moment between a channel's "accepted" and our commit (RFC 1047).
Notifiers make exactly one attempt; retrying is the outbox's job alone (``drift.store.outbox``
says what each outcome leads to: retry, failed, possibly delivered, waiting for configuration).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from drift import clockface
from drift.config import DriftConfig
from drift.errors import ConfigError, DeliveryError, DriftError, PossiblyDelivered
from drift.model import DeliveryStatus
from drift.plugins import notifier_class
from drift.store import outbox
from drift.store.database import Database

log = logging.getLogger("drift.delivery")


@dataclass(frozen=True)
class DeliveryOutcome:
    channel: str
    digest_id: str
    status: DeliveryStatus  # pending: will be retried; possibly_delivered: re-sent at most once
    detail: str = ""


def channel_names(config: DriftConfig) -> list[tuple[str, Any]]:
    """Stable channel names: each block's ``name``, else its type (numbered when repeated)."""
    counts = Counter(block.type for block in config.notify)
    seen: Counter[str] = Counter()
    named = []
    for block in config.notify:
        seen[block.type] += 1
        name = block.name or (
            block.type if counts[block.type] == 1 else f"{block.type}-{seen[block.type]}"
        )
        named.append((name, block))
    return named


def deliver_pending(
    database: Database,
    config: DriftConfig,
    *,
    now: dt.datetime,
    cancel: threading.Event | None = None,
) -> list[DeliveryOutcome]:
    """Send what is due; returns one outcome per attempt made."""
    blocks = dict(channel_names(config))
    with database.session() as session:
        due = outbox.pending(session, now, list(blocks), clockface.zone(config.schedule.timezone))
    outcomes = []
    for delivery in due:
        if cancel is not None and cancel.is_set():
            break
        outcomes.append(_attempt(database, delivery, blocks[delivery.channel], now))
    return outcomes


def _attempt(
    database: Database, delivery: outbox.PendingDelivery, block: Any, now: dt.datetime
) -> DeliveryOutcome:
    """One send, recorded in its own transaction right after the channel answered."""
    try:
        result = notifier_class(block.type)(block).send(delivery.digest)
    except ConfigError as exc:  # e.g. webhook_url_env unset: wait for the fix, use no attempt
        return _record(database, delivery, str(exc), outbox.mark_waiting_for_config, str(exc))
    except PossiblyDelivered as exc:
        attempts = getattr(block, "attempts", outbox.MAX_ATTEMPTS)
        mark = partial(outbox.mark_possibly_delivered, now=now, max_attempts=attempts)
        return _record(database, delivery, str(exc), mark, str(exc))
    except Exception as exc:  # one channel's failure must not stop the others
        error = _as_delivery_error(exc, block.type)
        mark = partial(
            outbox.mark_failed,
            transient=error.transient,
            now=now,
            max_attempts=getattr(block, "attempts", outbox.MAX_ATTEMPTS),
            retry_after=error.retry_after,
        )
        return _record(database, delivery, str(error), mark, str(error))
    with database.session() as session:
        status = outbox.mark_sent(session, delivery.outbox_id, result, now)
    log.info(
        "digest delivered to %s (%s)", delivery.channel, status, extra={"channel": delivery.channel}
    )
    return DeliveryOutcome(delivery.channel, delivery.digest.digest_id, status, result.detail)


def _as_delivery_error(exc: Exception, channel_type: str) -> DeliveryError:
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, DriftError):
        return DeliveryError(str(exc), transient=exc.transient)
    # httpx messages can quote the URL, and a webhook URL is a secret: name the type only
    quoted = "" if type(exc).__module__.startswith("httpx") else f": {exc}"
    return DeliveryError(
        f"{channel_type} channel failed: {type(exc).__name__}{quoted}", transient=True
    )


def _record(
    database: Database,
    delivery: outbox.PendingDelivery,
    error: str,
    mark: Callable[..., DeliveryStatus],
    detail: str,
) -> DeliveryOutcome:
    with database.session() as session:
        status = mark(session, delivery.outbox_id, error)
    log.warning(
        "delivery to %s not confirmed (%s): %s",
        delivery.channel,
        status,
        error,
        extra={"channel": delivery.channel},
    )
    return DeliveryOutcome(delivery.channel, delivery.digest.digest_id, status, detail)
