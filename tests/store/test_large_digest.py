"""A digest far bigger than one database packet is stored, delivered and pruned on every backend.

MariaDB refuses any statement or result row over ``@@max_allowed_packet`` (16 MiB by default, and
raising it needs SUPER): the first ``drift run`` of a 100k-property plan died with "(2006) MySQL
server has gone away" when its digest was written in one INSERT. Here a digest whose stored parts
total about 37 MiB (a 21 MB JSON body, HTML, text, findings and attachments) goes through the real
store API: committed, read back for delivery byte for byte, delivered through the outbox to a file
channel, and pruned once a newer digest has gone out.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from drift import delivery
from drift.config import parse_config
from drift.model import Attachment, DeliveryStatus, RenderedDigest
from drift.store import digest_parts, outbox
from drift.store.database import Database
from drift.store.prune import prune
from drift.store.tables import DigestPartRow, DigestRow, OutboxRow
from tests.digests import commit

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
MB = 1_000_000
#: One-, two-, three- and four-byte UTF-8 characters, and the characters SQL drivers escape, so
#: chunk boundaries fall inside multi-byte characters and escaping inflates what goes on the wire.
ALPHABET = "abcxyz_.\"'\\\n\téß中文𝄞😀"


def text_of(size: int, seed: int) -> str:
    """``size`` characters drawn from ALPHABET, reproducibly (built in 64 KB blocks: fast)."""
    rng = random.Random(seed)
    block = "".join(rng.choice(ALPHABET) for _ in range(65_536))
    return (block * (size // len(block) + 1))[:size]


def huge_digest(key: str) -> RenderedDigest:
    """About 20 MB of JSON body plus HTML, text, Markdown, Slack JSON and two attachments."""
    names = text_of(200_000, seed=1)
    changes = [{"n": i, "name": names[i : i + 190]} for i in range(60_000)]
    body = json.dumps({"version": 1, "changes": changes}, ensure_ascii=False)
    assert 20 * MB < len(body.encode()) < 24 * MB
    return RenderedDigest(
        digest_id=key,
        subject="Schema drift: 60,000 changes",
        html="<html><body>" + text_of(2_000_000, seed=2) + "</body></html>",
        text=text_of(1_500_000, seed=3),
        markdown=text_of(1_000_000, seed=4),
        json=body,
        slack=json.dumps({"blocks": [{"type": "section", "text": text_of(20_000, seed=5)}]}),
        created_at="",
        attachments=(
            Attachment("changes.csv.gz", "application/gzip", random.Random(6).randbytes(2 * MB)),
            Attachment("notes.txt", "text/plain", text_of(300_000, seed=7).encode()),
        ),
    )


def small_digest(key: str) -> RenderedDigest:
    counts = {"new_high": 1}
    body = json.dumps({"version": 1, "counts": counts})
    return RenderedDigest(
        key, "Schema drift: 1 change", "<p>1</p>", "1", "1", body, "{}", "", counts=counts
    )


def commit_to_files(db: Database, digest: RenderedDigest, findings: str, now: dt.datetime) -> None:
    with db.session() as session:
        commit(session, digest, now=now, findings_json=findings, channels=["files"])


def stored_size(digest: RenderedDigest, findings: str) -> int:
    parts = (digest.json, digest.html, digest.text, digest.markdown, digest.slack, findings)
    attachments = sum(len(a.content) * 4 // 3 for a in digest.attachments)
    return sum(len(p.encode()) for p in parts) + attachments


@pytest.fixture(scope="module")
def big() -> RenderedDigest:
    """Built once for the three backends (about 40 MB of text and bytes)."""
    return huge_digest("big")


@pytest.fixture(scope="module")
def findings() -> str:
    return json.dumps({f"item-{i}": ["pii.email"] for i in range(200_000)})


def test_digest_larger_than_a_packet_is_stored_delivered_and_pruned(
    database: Database, tmp_path: Path, big: RenderedDigest, findings: str
) -> None:
    assert stored_size(big, findings) > 2 * 16 * 1024 * 1024 - 4 * MB  # about twice the packet
    commit_to_files(database, big, findings, T0)

    with database.session() as session:
        (due,) = outbox.pending(session, T0, ["files"])
        saved = outbox.findings_json(session, {session.scalar(select(func.max(DigestRow.id)))})
    read = due.digest
    assert (read.digest_id, read.subject) == (big.digest_id, big.subject)
    assert read.json == big.json
    assert (read.html, read.text, read.markdown, read.slack) == (
        big.html,
        big.text,
        big.markdown,
        big.slack,
    )
    assert read.attachments == big.attachments
    assert list(saved.values()) == [findings]

    folder = tmp_path / "out"
    config = parse_config({"notify": [{"name": "files", "type": "file", "directory": str(folder)}]})
    (outcome,) = delivery.deliver_pending(database, config, now=T0)
    assert outcome.status is DeliveryStatus.SENT, outcome.detail
    written = {p.suffix: p.read_bytes() for p in folder.iterdir()}
    assert written == {
        ".json": big.json.encode(),
        ".html": big.html.encode(),
        ".md": big.markdown.encode(),
    }

    later = T0 + dt.timedelta(days=30)
    commit_to_files(database, small_digest("small"), "{}", later)
    delivery.deliver_pending(database, config, now=later)
    with database.session() as session:
        counts = prune(session, cutoff=later)
    assert (counts.digests, counts.outbox) == (1, 1)
    with database.session() as session:
        assert list(session.scalars(select(DigestRow.digest_key))) == ["small"]
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 1
        assert outbox.newest_digest_counts(session) == {"new_high": 1}  # status reads the kept one
        kept = session.scalars(select(DigestPartRow.digest_id).distinct())
        assert list(kept) == list(session.scalars(select(DigestRow.id)))


def test_parts_are_cut_under_the_byte_limit_between_characters() -> None:
    text = text_of(300_000, seed=8)
    chunks = list(digest_parts.utf8_chunks(text, limit=1000))
    assert "".join(chunks) == text
    assert all(0 < len(c.encode()) <= 1000 for c in chunks)
    assert max(len(c.encode()) for c in chunks) > 996  # full, short of one character at most
    assert list(digest_parts.utf8_chunks("")) == []
