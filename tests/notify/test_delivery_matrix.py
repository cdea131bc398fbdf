"""The delivery matrix: real loopback SMTP and HTTP receivers that misbehave after the message may
have been accepted, driven through the outbox (the one retry layer), counting the copies received.

Each case drains the outbox three times (now, an hour later, a day later). What must hold:
nothing is lost when the receiver plainly failed (500 then 200: exactly one copy), and an
ambiguous outcome (sent, no answer) is re-sent at most once, with the same idempotency key: at
most one extra copy per ambiguous failure, then ``possibly_delivered`` for good.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as Server
from aiosmtpd.smtp import Envelope, Session
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from drift import delivery
from drift.config import parse_config
from drift.model import RenderedDigest
from drift.store import outbox
from drift.store.database import Database
from drift.store.tables import OutboxRow
from tests.digests import commit
from tests.notify.conftest import Mailbox

T0 = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
DRAINS = (T0, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(days=1))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'outbox.db'}")
    db.upgrade()
    yield db
    db.dispose()


def drain_three_times(
    db: Database, block: dict[str, Any], digest: RenderedDigest, pause: float = 0.0
) -> str:
    """Commit ``digest`` for one channel, drain the outbox at each of DRAINS (``pause`` seconds
    apart in real time, so a slow receiver has finished); the row's status at the end."""
    config = parse_config({"notify": [{"name": "ch", **block}]})
    with db.session() as session:
        commit(session, digest, now=T0, channels=["ch"])
    for now in DRAINS:
        delivery.deliver_pending(db, config, now=now)
        time.sleep(pause)
    with db.session() as session:
        return str(session.scalar(select(OutboxRow.status)))


# --------------------------------------------------------------------------- SMTP


class DropsAfterData(Mailbox):
    """Stores the message, then drops the connection before the final 250."""

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        server.transport.abort()
        return "250 stored"


class SlowFinalReply(Mailbox):
    """Stores the message and answers 250 only after the client has given up waiting."""

    async def handle_DATA(self, server: Server, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        await asyncio.sleep(0.7)
        return "250 stored, eventually"


def smtp_block(port: int) -> dict[str, Any]:
    return {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": "drift@example.com",
        "to": ["sec@example.com"],
        "timeout_seconds": 0.5,
    }


@pytest.mark.parametrize(("mailbox", "pause"), [(DropsAfterData, 0.0), (SlowFinalReply, 0.75)])
def test_smtp_ambiguous_after_data_gives_at_most_one_extra_copy(
    mailbox: type[Mailbox],
    pause: float,
    smtp_server: Callable[..., Mailbox],
    sqlite_db: Database,
    rendered: RenderedDigest,
) -> None:
    box = smtp_server("plain", handler=mailbox())
    status = drain_three_times(sqlite_db, smtp_block(box.port), rendered, pause=pause)
    assert status == "possibly_delivered"
    assert len(box.envelopes) == 2  # the original and one re-send, never more
    ids = {e.content.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0] for e in box.envelopes}
    assert len(ids) == 1  # the re-send carries the same Message-ID: receivers can deduplicate


# --------------------------------------------------------------------------- HTTP


def serve(httpserver: HTTPServer, path: str, answers: list[tuple[float, int]]) -> list[Request]:
    """Answer each request with the next (delay seconds, status); the last one repeats."""
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        delay, status = answers[min(len(seen), len(answers)) - 1]
        time.sleep(delay)
        return Response("ok" if status < 300 else "boom", status=status)

    httpserver.expect_request(path).respond_with_handler(handler)
    return seen


def http_block(kind: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> dict:
    url = httpserver.url_for(f"/{kind}/T01CANARY/B01CANARY/token")
    if kind == "slack":
        monkeypatch.setenv("SLACK_URL", url)
        return {"type": "slack", "webhook_url_env": "SLACK_URL", "timeout_seconds": 0.5}
    return {"type": "webhook", "url": url, "timeout_seconds": 0.5}


@pytest.mark.parametrize(
    ("kind", "answers", "copies", "final"),
    [
        ("slack", [(0.7, 200)], 2, "possibly_delivered"),  # slow 200 every time
        ("webhook", [(0.7, 200), (0, 200)], 2, "sent"),  # slow once, then a prompt 200
        ("slack", [(0, 500), (0, 200)], 1, "sent"),  # 500 then 200: the outbox retries
        ("webhook", [(0, 500), (0, 200)], 1, "sent"),
    ],
    ids=["slack-slow-200", "webhook-slow-then-fast", "slack-500-then-200", "webhook-500-then-200"],
)
def test_http_matrix_counts_copies(
    kind: str,
    answers: list[tuple[float, int]],
    copies: int,
    final: str,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_db: Database,
    rendered: RenderedDigest,
) -> None:
    seen = serve(httpserver, f"/{kind}/T01CANARY/B01CANARY/token", answers)
    block = http_block(kind, httpserver, monkeypatch)
    status = drain_three_times(sqlite_db, block, rendered, pause=max(a[0] for a in answers))
    delivered = [r for r, (_, code) in zip(seen, answers * 3, strict=False) if code < 300]
    assert status == final and len(delivered) == copies
    if kind == "webhook":  # every copy carries the same idempotency key
        assert {r.headers["webhook-id"] for r in seen} == {rendered.digest_id}
        assert {r.headers["idempotency-key"] for r in seen} == {rendered.digest_id}


# --------------------------------------------------------------------------- config at send time


def test_unset_env_at_send_time_waits_and_goes_out_once_fixed(
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_db: Database,
    rendered: RenderedDigest,
) -> None:
    seen = serve(httpserver, "/slack/T01CANARY/B01CANARY/token", [(0, 200)])
    block = http_block("slack", httpserver, monkeypatch)
    monkeypatch.delenv("SLACK_URL")
    assert drain_three_times(sqlite_db, block, rendered) == "pending"
    with sqlite_db.session() as session:
        row = session.scalars(select(OutboxRow)).one()
        assert row.attempts == 0 and "SLACK_URL is not set" in (row.last_error or "")
        assert [d.stuck for d in outbox.undelivered(session)] == [True]

    monkeypatch.setenv("SLACK_URL", httpserver.url_for("/slack/T01CANARY/B01CANARY/token"))
    config = parse_config({"notify": [{"name": "ch", **block}]})
    delivery.deliver_pending(sqlite_db, config, now=DRAINS[-1] + dt.timedelta(days=1))
    with sqlite_db.session() as session:
        assert session.scalar(select(OutboxRow.status)) == "sent"
    assert len(seen) == 1
