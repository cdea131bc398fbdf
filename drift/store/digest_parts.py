"""A digest's large parts, stored in chunks so that no statement or row outgrows a database packet.

MariaDB and MySQL refuse any statement, and any result row, larger than ``@@max_allowed_packet``
(16 MiB by default on MariaDB, 4 MiB on MySQL 5.7; raising it needs SUPER, which a drift user
rarely has). A first digest of a large plan holds a JSON body of up to 20 MB plus its renderings,
findings and attachments, so writing it as one row failed with "(2006) MySQL server has gone
away". Each part is cut into chunks of at most ``CHUNK_BYTES`` of UTF-8, written one INSERT per
chunk and read back in order. The same code runs on every backend: SQLite and PostgreSQL have no
such limit, but one storage form keeps every reader and ``drift prune`` on one path.

``CHUNK_BYTES`` is 1 MiB: the driver escapes quotes and backslashes, so a chunk may take up to
twice that on the wire, which still fits the smallest default packet in use (MySQL 5.7's 4 MiB).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from drift.store.tables import DigestPartRow

CHUNK_BYTES = 1 << 20

#: The parts a digest stores (``DigestPartRow.field``), named after the columns they replaced.
BODY_JSON = "body_json"
HTML = "html"
TEXT = "text"
MARKDOWN = "markdown"
SLACK = "slack"
FINDINGS_JSON = "findings_json"
ATTACHMENTS_JSON = "attachments_json"
FIELDS = (BODY_JSON, HTML, TEXT, MARKDOWN, SLACK, FINDINGS_JSON, ATTACHMENTS_JSON)


def utf8_chunks(text: str, limit: int = CHUNK_BYTES) -> Iterator[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, never splitting a character."""
    data = text.encode()
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: step back
            end -= 1
        yield data[start:end].decode()
        start = end


def write(session: Session, digest_id: int, parts: Mapping[str, str]) -> None:
    """Store each part of a new digest, one chunk per INSERT (an empty part stores nothing)."""
    for field, text in parts.items():
        for seq, chunk in enumerate(utf8_chunks(text)):
            row = {"digest_id": digest_id, "field": field, "seq": seq, "chunk": chunk}
            session.execute(insert(DigestPartRow).values(row))


def read(
    session: Session, digest_ids: Collection[int], fields: Collection[str]
) -> dict[int, dict[str, str]]:
    """Digest id -> field -> the part, joined from its chunks ("" for a part with none)."""
    pieces: dict[int, dict[str, list[str]]] = {
        digest_id: {field: [] for field in fields} for digest_id in digest_ids
    }
    if not pieces:
        return {}
    query = (
        select(DigestPartRow.digest_id, DigestPartRow.field, DigestPartRow.chunk)
        .where(DigestPartRow.digest_id.in_(sorted(pieces)), DigestPartRow.field.in_(fields))
        .order_by(DigestPartRow.digest_id, DigestPartRow.field, DigestPartRow.seq)
    )
    for digest_id, field, chunk in session.execute(query):
        pieces[digest_id][field].append(chunk)
    return {
        digest_id: {field: "".join(chunks) for field, chunks in parts.items()}
        for digest_id, parts in pieces.items()
    }
