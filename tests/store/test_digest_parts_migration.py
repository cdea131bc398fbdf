"""Revision 0007 moves digests stored as one row into ``digest_part`` chunks, on every backend:
what was committed before the upgrade is delivered, read and pruned exactly as it was, and a
downgrade puts it back into the columns (on MariaDB refusing, before any change, a digest too
large for one row on that server)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import column, func, insert, select, table, text

from drift.errors import StoreError
from drift.model import Attachment, RenderedDigest
from drift.store import digest_parts, outbox
from drift.store.database import Database
from drift.store.tables import DigestPartRow, UTCDateTime
from tests.conftest import BACKENDS
from tests.digests import commit
from tests.store.migrating import at, migrate

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
FIELDS = ("body_json", "html", "text", "markdown", "slack", "findings_json", "attachments_json")
ATTACHMENT = Attachment("changes.csv", "text/csv", "name,risk\né😀,high\n".encode())


def old_digests() -> list[dict[str, object]]:
    """Two digests as revision 0006 stored them: one spanning several 1 MiB chunks, with
    multi-byte characters and an attachment; one small, without attachments."""
    big = json.dumps({"version": 1, "names": ["é中😀\"\\'" * 40] * 6000}, ensure_ascii=False)
    assert len(big.encode()) > 3 * (1 << 20)
    attachments = json.dumps(
        [
            {
                "filename": ATTACHMENT.filename,
                "content_type": ATTACHMENT.content_type,
                "content": base64.b64encode(ATTACHMENT.content).decode(),
            }
        ]
    )
    common = {"run_id": None, "rules_hash": "r", "slack": '{"blocks": []}'}
    return [
        {
            **common, "id": 1, "digest_key": "k1", "subject": "first", "body_json": big,
            "html": "<p>é😀</p>" * 100_000, "text": "t1", "markdown": "# m1",
            "findings_json": '{"a": ["pii"]}', "attachments_json": attachments,
        },
        {
            **common, "id": 2, "digest_key": "k2", "subject": "second", "body_json": "{}",
            "html": "", "text": "", "markdown": "", "findings_json": "{}",
            "attachments_json": None,
        },
    ]  # fmt: skip


def stored_columns(db: Database) -> list[dict[str, object]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, {', '.join(FIELDS)} FROM digest ORDER BY id"))
        return [dict(r._mapping) for r in rows]


@pytest.mark.parametrize("backend", BACKENDS)
def test_digests_from_before_0007_are_moved_into_parts_and_back(
    backend: str, server_db_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = at("0006", backend, server_db_factory, tmp_path)
    digests = old_digests()
    old_digest = table("digest", column("created_at", UTCDateTime()), *map(column, digests[0]))
    old_outbox = table(
        "outbox",
        column("created_at", UTCDateTime()),
        *map(column, ("digest_id", "channel", "idempotency_key", "status", "attempts")),
    )
    with db.engine.begin() as conn:
        for row in digests:
            conn.execute(insert(old_digest).values(**row, created_at=T0))
            conn.execute(
                insert(old_outbox).values(
                    digest_id=row["id"], channel="files", idempotency_key=f"idem-{row['id']}",
                    status="pending", attempts=0, created_at=T0,
                )
            )  # fmt: skip

    db.upgrade()
    with db.session() as session:
        due = outbox.pending(session, T0, ["files"])
        findings = outbox.findings_json(session, {1, 2})
        chunks = session.scalar(
            select(func.count()).where(
                DigestPartRow.digest_id == 1, DigestPartRow.field == "body_json"
            )
        )
    first, second = digests
    assert [d.digest for d in due] == [
        RenderedDigest(
            str(row["digest_key"]), str(row["subject"]), str(row["html"]), str(row["text"]),
            str(row["markdown"]), str(row["body_json"]), str(row["slack"]),
            "2026-11-01T07:00:00+00:00", (ATTACHMENT,) if row["attachments_json"] else (),
        )
        for row in digests
    ]  # fmt: skip
    assert findings == {1: first["findings_json"], 2: second["findings_json"]}
    assert chunks == 4  # a 3.x MiB body in 1 MiB chunks

    migrate(db, "0006", down=True)
    assert stored_columns(db) == [{k: r[k] for k in ("id", *FIELDS)} for r in digests]
    db.upgrade()  # and up again
    with db.session() as session:
        assert [d.digest.json for d in outbox.pending(session, T0, ["files"])] == [
            first["body_json"],
            second["body_json"],
        ]
    db.dispose()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "mariadb"])
def test_downgrade_refuses_a_digest_too_large_for_one_row_before_changing_anything(
    backend: str, server_db_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = Database(server_db_factory(backend))
    db.upgrade()
    with db.engine.connect() as conn:
        packet = int(conn.scalar(text("SELECT @@max_allowed_packet")) or 0)
    body = json.dumps({"names": ["x" * 100] * (packet // 100)})  # over the packet on its own
    with db.session() as session:
        commit(session, RenderedDigest("k", "s", "", "", "", body, "{}", ""), now=T0)
    migrate(db, "0007", down=True)  # MariaDB's DDL is not transactional: one revision a time
    with pytest.raises(Exception, match=r"digest\(s\) 1 are too large for one row"):
        migrate(db, "0006", down=True)
    assert db.current() == "0007"
    db.upgrade()
    with db.session() as session:
        assert digest_parts.read(session, [1], [digest_parts.BODY_JSON])[1]["body_json"] == body
    # nothing was half done: the old columns were not added back
    with pytest.raises(StoreError), db.session() as session:
        session.execute(text("SELECT body_json FROM digest"))
    db.dispose()
