"""Drain the outbox: every committed digest to every configured channel, oldest first.

Each attempt is its own transaction, recorded right after the channel answers, which narrows the
at-least-once window to the moment between a channel's "accepted" and our commit (RFC 1047).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from drift.config import DriftConfig
from drift.errors import DeliveryError, DriftError
from drift.plugins import notifier_classes
from drift.store import outbox
from drift.store.database import Database

log = logging.getLogger("drift.delivery")


@dataclass(frozen=True)
class DeliveryOutcome:
    channel: str
    digest_id: str
    status: str  # sent | partial | pending (will retry) | failed
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
        due = outbox.pending(session, now, list(blocks))
    outcomes = []
    for delivery in due:
        if cancel is not None and cancel.is_set():
            break
        outcomes.append(_attempt(database, delivery, blocks[delivery.channel], now))
    return outcomes


def _attempt(
    database: Database, delivery: outbox.PendingDelivery, block: Any, now: dt.datetime
) -> DeliveryOutcome:
    digest = delivery.digest
    try:
        notifier = notifier_classes()[block.type](block)
        result = notifier.send(digest)
    except Exception as exc:  # one channel's failure must not stop the others
        transient = (
            exc.transient if isinstance(exc, DeliveryError) else not isinstance(exc, DriftError)
        )
        if not isinstance(exc, DriftError):
            # httpx messages can quote the URL, and a webhook URL is a secret: name the type only
            quoted = "" if type(exc).__module__.startswith("httpx") else f": {exc}"
            exc = DeliveryError(f"{block.type} channel failed: {type(exc).__name__}{quoted}")
        with database.session() as session:
            status = outbox.mark(
                session,
                delivery.outbox_id,
                result=None,
                error=str(exc),
                transient=transient,
                now=now,
            )
        log.warning(
            "delivery to %s failed: %s", delivery.channel, exc, extra={"channel": delivery.channel}
        )
        return DeliveryOutcome(delivery.channel, digest.digest_id, status, str(exc))
    with database.session() as session:
        status = outbox.mark(session, delivery.outbox_id, result=result, now=now)
    log.info(
        "digest delivered to %s (%s)", delivery.channel, status, extra={"channel": delivery.channel}
    )
    return DeliveryOutcome(delivery.channel, digest.digest_id, status, result.detail)
