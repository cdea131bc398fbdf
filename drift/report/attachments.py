"""The full list as a CSV attachment, under a size cap: as is, else gzip-compressed, else split
into compressed parts, each under the cap, with the header repeated. No row is ever dropped."""

from __future__ import annotations

import gzip
import math

from drift.model import Attachment

ATTACHMENT_CAP = 10_000_000  # bytes per attachment ([digest] max_attachment_bytes)
MAX_PARTS = 100


def bounded_csv(
    csv_bytes: bytes, filename: str, cap: int = ATTACHMENT_CAP
) -> tuple[Attachment, ...]:
    if len(csv_bytes) <= cap:
        return (Attachment(filename, "text/csv", csv_bytes),)
    packed = _gzip(csv_bytes)
    if len(packed) <= cap:
        return (Attachment(f"{filename}.gz", "application/gzip", packed),)
    return _split(csv_bytes, filename, cap, math.ceil(len(packed) / cap) + 1)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _split(csv_bytes: bytes, filename: str, cap: int, parts: int) -> tuple[Attachment, ...]:
    header, *rows = csv_bytes.splitlines(keepends=True)
    while parts <= MAX_PARTS:
        size = math.ceil(len(rows) / parts)
        chunks = [_gzip(header + b"".join(rows[i : i + size])) for i in range(0, len(rows), size)]
        if all(len(c) <= cap for c in chunks):
            stem = filename.removesuffix(".csv")
            return tuple(
                Attachment(f"{stem}-part{n}of{len(chunks)}.csv.gz", "application/gzip", c)
                for n, c in enumerate(chunks, 1)
            )
        parts *= 2
    raise ValueError(f"the CSV does not fit {MAX_PARTS} attachments of {cap} bytes")
