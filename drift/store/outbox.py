"""Digests and their outbox: committed once, delivered to every channel at least once.

A digest and its outbox rows are written in the same transaction as the coverage (which snapshot of
each source it covers), so the next run's baseline and the deliveries can never disagree. Rows are
sent oldest digest first. The outbox is drift's one retry layer (notifiers make one attempt):

- a transient failure is retried by later drains, with backoff, up to the channel's ``attempts``;
- a permanent one is recorded as failed with its reason and shown by ``drift status``;
- a *possibly delivered* outcome (sent, no answer) is re-sent once, with the same idempotency key
  (Message-ID, ``webhook-id``); if that is ambiguous again it stays ``possibly_delivered`` for good:
  at most one extra copy per ambiguous failure, never a storm;
- a configuration problem found at send time (an unset ``*_env``) leaves the row pending with the
  reason, without using up an attempt: it goes out on the first drain after the config is fixed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drift import clockface
from drift.model import Attachment, DeliveryResult, DeliveryStatus, RenderedDigest
from drift.store import digest_parts
from drift.store.tables import DigestRow, DigestSourceRow, OutboxRow, SnapshotRow, SourceRow

MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(minutes=5)
PENDING = DeliveryStatus.PENDING.value
POSSIBLY_DELIVERED = DeliveryStatus.POSSIBLY_DELIVERED.value
WAITING_FOR_CONFIG = "waiting for configuration: "


@dataclass(frozen=True)
class PendingDelivery:
    outbox_id: int
    channel: str
    digest: RenderedDigest
    attempts: int


@dataclass(frozen=True)
class OpenDelivery:
    """An outbox row not (fully) delivered: waiting for a retry, or given up on."""

    outbox_id: int
    digest_id: int
    channel: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def waiting(self) -> bool:
        """Still due to be sent (pending a first attempt or a retry, or one re-send of a
        possibly delivered digest)."""
        resend = self.status == POSSIBLY_DELIVERED and self.next_attempt_at is not None
        return self.status == PENDING or resend

    @property
    def stuck(self) -> bool:
        """Tried and not delivered (a retry is waiting, or the channel refused it for good), or
        held back by a configuration problem."""
        config = (self.last_error or "").startswith(WAITING_FOR_CONFIG)
        return (
            self.status is DeliveryStatus.FAILED or config or (self.waiting and self.attempts > 0)
        )


DONE_STATUSES = (DeliveryStatus.SENT.value, DeliveryStatus.PARTIAL.value)


def undelivered(session: Session, channels: list[str] | None = None) -> list[OpenDelivery]:
    """Rows not delivered (oldest first), optionally only for these channels."""
    query = select(OutboxRow).where(OutboxRow.status.not_in(DONE_STATUSES))
    if channels is not None:
        query = query.where(OutboxRow.channel.in_(channels))
    return [
        OpenDelivery(
            r.id,
            r.digest_id,
            r.channel,
            DeliveryStatus(r.status),
            r.attempts,
            r.last_error,
            r.next_attempt_at,
            r.created_at,
        )
        for r in session.scalars(query.order_by(OutboxRow.id))
    ]


def next_due(session: Session, channels: list[str]) -> dt.datetime | None:
    """When the earliest pending delivery of these channels is due (None: nothing pending)."""
    waiting = [d for d in undelivered(session, channels) if d.waiting]
    if not waiting:
        return None
    return min(d.next_attempt_at or d.created_at for d in waiting)


def newest_digest_counts(session: Session) -> dict[str, int]:
    """The newest committed digest's ``counts`` (empty: no digest yet), from its row: one small
    column, not its body (up to ~20 MB in chunks).

    A row without them was committed by a drift older than revision 0008 that kept running after
    a newer one upgraded the database (a ``drift schedule`` checks the schema once per process):
    its counts are read from its body, as before 0008, rather than shown as none."""
    newest = select(func.max(DigestRow.id)).scalar_subquery()
    row = session.execute(
        select(DigestRow.id, DigestRow.counts_json).where(DigestRow.id == newest)
    ).first()
    if row is None:
        return {}
    if row.counts_json is None:
        parts = digest_parts.read(session, [row.id], [digest_parts.BODY_JSON])
        return _counts_in_body(parts[row.id][digest_parts.BODY_JSON])
    return _counts(row.counts_json)


def _counts(stored: str | None) -> dict[str, int]:
    return dict(json.loads(stored)) if stored else {}


def _counts_in_body(body: str) -> dict[str, int]:
    """A JSON body's ``counts``; ``{}`` (unknown) for a body that is not a JSON object or is too
    deeply nested to parse (RecursionError, not a ValueError): status must still answer."""
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return {}
    found = parsed.get("counts") if isinstance(parsed, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def idempotency_key(digest_key: str, channel: str) -> str:
    return hashlib.sha256(f"{digest_key}\x1f{channel}".encode()).hexdigest()


@dataclass(frozen=True)
class Baseline:
    """The snapshot of a source that the newest digest covering it covered, and that digest."""

    snapshot_id: int
    digest_id: int
    digest_at: dt.datetime


def baselines(session: Session) -> dict[str, Baseline]:
    """Source name -> what the newest digest that covered it covered."""
    newest = (
        select(DigestSourceRow.source_id, func.max(DigestSourceRow.digest_id).label("digest_id"))
        .group_by(DigestSourceRow.source_id)
        .subquery()
    )
    query = (
        select(
            SourceRow.name,
            DigestSourceRow.snapshot_id,
            DigestRow.id,
            DigestRow.created_at,
        )
        .join(
            newest,
            (newest.c.source_id == DigestSourceRow.source_id)
            & (newest.c.digest_id == DigestSourceRow.digest_id),
        )
        .join(SourceRow, SourceRow.id == DigestSourceRow.source_id)
        .join(DigestRow, DigestRow.id == DigestSourceRow.digest_id)
    )
    return {name: Baseline(sid, did, at) for name, sid, did, at in session.execute(query)}


def findings_json(session: Session, digest_ids: set[int]) -> dict[int, str]:
    """The findings state saved with each of these digests ("" for an id with none)."""
    parts = digest_parts.read(session, digest_ids, [digest_parts.FINDINGS_JSON])
    return {digest_id: fields[digest_parts.FINDINGS_JSON] for digest_id, fields in parts.items()}


def commit_digest(
    session: Session,
    rendered: RenderedDigest,
    *,
    run_id: int | None,
    rules_hash: str,
    findings_json: str,
    coverage: Mapping[str, int],
    channels: list[str],
    now: dt.datetime,
) -> int:
    """Store the rendered digest (its large parts in chunks), what it covers, and one outbox row
    per channel."""
    row = DigestRow(
        digest_key=rendered.digest_id,
        run_id=run_id,
        created_at=now,
        rules_hash=rules_hash,
        subject=rendered.subject,
        counts_json=json.dumps(dict(rendered.counts), sort_keys=True),
    )
    session.add(row)
    session.flush()
    digest_parts.write(
        session,
        row.id,
        {
            digest_parts.BODY_JSON: rendered.json,
            digest_parts.HTML: rendered.html,
            digest_parts.TEXT: rendered.text,
            digest_parts.MARKDOWN: rendered.markdown,
            digest_parts.SLACK: rendered.slack,
            digest_parts.FINDINGS_JSON: findings_json,
            digest_parts.ATTACHMENTS_JSON: _attachments_to_json(rendered.attachments),
        },
    )
    for snapshot_id in coverage.values():
        source_id = session.scalar(
            select(SnapshotRow.source_id).where(SnapshotRow.id == snapshot_id)
        )
        session.add(DigestSourceRow(digest_id=row.id, source_id=source_id, snapshot_id=snapshot_id))
    for channel in channels:
        session.add(
            OutboxRow(
                digest_id=row.id,
                channel=channel,
                idempotency_key=idempotency_key(rendered.digest_id, channel),
                status="pending",
                attempts=0,
                created_at=now,
            )
        )
    return row.id


def pending(
    session: Session, now: dt.datetime, channels: list[str], tz: dt.tzinfo = dt.UTC
) -> list[PendingDelivery]:
    """Deliveries due now, oldest digest first; channels no longer configured are left alone."""
    query = (
        select(OutboxRow, DigestRow)
        .join(DigestRow, DigestRow.id == OutboxRow.digest_id)
        .where(OutboxRow.channel.in_(channels))
        .where(
            (OutboxRow.status == PENDING)
            | ((OutboxRow.status == POSSIBLY_DELIVERED) & OutboxRow.next_attempt_at.is_not(None))
        )
        .where((OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= now))
        .order_by(OutboxRow.digest_id, OutboxRow.id)
    )
    due = session.execute(query).all()
    fields = [f for f in digest_parts.FIELDS if f != digest_parts.FINDINGS_JSON]
    digests = {digest.id: digest for _, digest in due}
    parts = digest_parts.read(session, digests, fields)
    rendered = {i: rendered_from(digest, parts[i], tz) for i, digest in digests.items()}
    return [
        PendingDelivery(outbox.id, outbox.channel, rendered[digest.id], outbox.attempts)
        for outbox, digest in due
    ]


def rendered_from(
    row: DigestRow, parts: Mapping[str, str], tz: dt.tzinfo = dt.UTC
) -> RenderedDigest:
    """The stored digest (``parts`` from ``digest_parts.read``), ``created_at`` on ``tz``'s clock
    (file names use its date)."""
    return RenderedDigest(
        digest_id=row.digest_key,
        subject=row.subject,
        html=parts[digest_parts.HTML],
        text=parts[digest_parts.TEXT],
        markdown=parts[digest_parts.MARKDOWN],
        json=parts[digest_parts.BODY_JSON],
        slack=parts[digest_parts.SLACK],
        created_at=clockface.iso(row.created_at, tz) or "",
        attachments=_attachments_from_json(parts[digest_parts.ATTACHMENTS_JSON]),
        counts=_counts(row.counts_json),
    )


def _attachments_to_json(attachments: tuple[Attachment, ...]) -> str:
    if not attachments:
        return ""
    return json.dumps(
        [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content": base64.b64encode(a.content).decode(),
            }
            for a in attachments
        ]
    )


def _attachments_from_json(text: str) -> tuple[Attachment, ...]:
    if not text:
        return ()
    return tuple(
        Attachment(a["filename"], a["content_type"], base64.b64decode(a["content"]))
        for a in json.loads(text)
    )


def _row(session: Session, outbox_id: int) -> OutboxRow:
    row = session.get(OutboxRow, outbox_id)
    assert row is not None
    return row


def mark_sent(
    session: Session, outbox_id: int, result: DeliveryResult, now: dt.datetime
) -> DeliveryStatus:
    """The channel accepted it (``partial``: some mail recipients were refused)."""
    row = _row(session, outbox_id)
    row.attempts += 1
    row.status = result.status.value
    row.sent_at, row.next_attempt_at = now, None
    row.detail = result.detail[:2000] if result.detail else None
    row.last_error = "refused: " + ", ".join(result.refused) if result.refused else None
    return DeliveryStatus(row.status)


def mark_failed(
    session: Session,
    outbox_id: int,
    error: str,
    *,
    transient: bool,
    now: dt.datetime,
    max_attempts: int = MAX_ATTEMPTS,
    retry_after: float | None = None,
) -> DeliveryStatus:
    """Not delivered: retried later if transient and attempts remain, else failed for good."""
    row = _row(session, outbox_id)
    row.attempts += 1
    row.last_error = error[:2000]
    if transient and row.attempts < max_attempts:
        wait = max(BACKOFF * row.attempts, dt.timedelta(seconds=retry_after or 0))
        row.status, row.next_attempt_at = PENDING, now + wait
    else:
        row.status, row.next_attempt_at = DeliveryStatus.FAILED.value, None
    return DeliveryStatus(row.status)


def mark_possibly_delivered(
    session: Session, outbox_id: int, error: str, *, now: dt.datetime, max_attempts: int
) -> DeliveryStatus:
    """Sent with no answer: one re-send later, unless this already was the re-send."""
    row = _row(session, outbox_id)
    resend = row.status != POSSIBLY_DELIVERED and row.attempts + 1 < max_attempts
    row.attempts += 1
    row.status, row.last_error = POSSIBLY_DELIVERED, error[:2000]
    row.next_attempt_at = now + BACKOFF * row.attempts if resend else None
    return DeliveryStatus(row.status)


def mark_waiting_for_config(session: Session, outbox_id: int, reason: str) -> DeliveryStatus:
    """A config problem at send time: stays pending with the reason; no attempt is used up."""
    row = _row(session, outbox_id)
    row.last_error = (WAITING_FOR_CONFIG + reason)[:2000]
    return DeliveryStatus(row.status)
