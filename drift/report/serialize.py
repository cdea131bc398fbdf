"""The machine-readable digest: versioned JSON (complete, never truncated) and a CSV of every row.

JSON schema version history:
  1: first version.
  2: times carry the offset of ``[schedule] timezone`` (``+01:00``) instead of ``Z``; later
     (additive) rows and changes carry ``lookalike`` (the name could be mistaken for another).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from drift import clockface
from drift.confusables import is_suspicious
from drift.model import Change
from drift.report.escape import csv_cell
from drift.report.model import Acknowledgement, Digest, Row, SourceDigest

JSON_VERSION = 2


def _when(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """ISO 8601 with the offset of the digest's zone (the same clock face as the email)."""
    return clockface.iso(value, tz, "auto")


def _ack(a: Acknowledgement | None, tz: dt.tzinfo) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"by": a.by, "reason": a.reason, "at": _when(a.at, tz), "until": _when(a.until, tz)}


def _row(row: Row, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "scope": row.scope.value,
        "name": row.name,
        "lookalike": row.lookalike,
        "events": list(row.events),
        "kinds": [k.value for k in row.kinds],
        "severity": row.severity.value if row.severity else None,
        "category": row.category or None,
        "detail": row.detail,
        "findings": [f.as_dict() for f in row.findings],
        "findings_before": [f.as_dict() for f in row.before],
        "first_seen": _when(row.first_seen, tz),
        "age_days": row.age_days,
        "acknowledged": _ack(row.ack, tz),
        "fingerprints": list(row.fingerprints),
    }


def _change(c: Change) -> dict[str, Any]:
    return {
        "fingerprint": c.fingerprint,
        "kind": c.kind.value,
        "scope": c.key.scope.value,
        "event": c.key.event,
        "name": c.key.name,
        "lookalike": is_suspicious(c.key.name or c.key.event),
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in c.fields],
    }


def _source(
    s: SourceDigest, tz: dt.tzinfo, streamed: bool = False, with_changes: bool = True
) -> dict[str, Any]:
    changes = (_change(c) for c in (s.changes if with_changes else ()))
    return (_Object if streamed else dict)(
        name=s.name,
        type=s.type,
        provenance=s.provenance.value,
        status=s.status.value,
        status_line=s.status_line,
        reason=s.reason or None,
        snapshot_id=s.snapshot_id,
        content_hash=s.content_hash,
        item_count=s.item_count,
        change_count=s.change_count,
        sections={
            section.value: [_row(r, tz) for g in groups for r in g.rows]
            for section, groups in s.sections
        },
        changes=_Array(changes) if streamed else list(changes),
    )


def digest_dict(
    digest: Digest, subject: str | None = None, *, streamed: bool = False, changes: bool = True
) -> dict[str, Any]:
    """The JSON digest as data; ``streamed``: made to be written piece by piece by
    :func:`json_chunks`, each per-change list produced while it is written, never whole;
    without ``changes``, the per-change lists are empty."""
    counts, tz = digest.counts, clockface.zone(digest.timezone)
    sources = (_source(s, tz, streamed, changes) for s in digest.sources)
    return (_Object if streamed else dict)(
        version=JSON_VERSION,
        digest_id=digest.digest_id,
        subject=subject,
        run_at=_when(digest.run_at, tz),
        since=_when(digest.since, tz),
        run_id=digest.run_id,
        timezone=digest.timezone,
        local_date=digest.local_date,
        heartbeat=digest.heartbeat,
        first_run=digest.first_run,
        counts=counts.as_dict(),
        sources=_Array(sources) if streamed else list(sources),
    )


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """ASCII JSON with <, > and & escaped too, so it is inert wherever it gets embedded."""
    return _inert(json.dumps(data, indent=indent, ensure_ascii=True, default=str))


def _inert(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_chunks(
    digest: Digest, subject: str | None = None, indent: int | None = 2
) -> Iterator[str]:
    """``dumps(digest_dict(digest, subject), indent=indent)`` in pieces: a million-item digest is
    hashed, measured or written without its whole text (or its whole list of dicts) in memory."""
    for chunk in _chunks(digest_dict(digest, subject, streamed=True), indent):
        yield _inert(chunk)


def digest_json(digest: Digest, subject: str | None = None) -> str:
    return "".join(json_chunks(digest, subject)) + "\n"


def bounded_json(digest: Digest, subject: str | None, limit: int) -> str:
    """The digest JSON within ``limit`` bytes, as :func:`fit_json` would cut it, without ever
    holding more than ``limit`` bytes of it: indented, else compact, else lightened."""
    for indent in (2, None):
        text = _joined_within(json_chunks(digest, subject, indent), limit - 1)
        if text is not None:
            return text + "\n"
    return _lighten(digest_dict(digest, subject, changes=False), limit)


def _joined_within(chunks: Iterable[str], limit: int) -> str | None:
    """The chunks joined, or None as soon as they pass ``limit`` bytes (they are ASCII)."""
    kept: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        kept.append(chunk)
    return "".join(kept)


def digest_id_for(digest: Digest) -> str:
    """Stable per digest: the run time plus a hash of everything the digest says."""
    body = hashlib.sha256()
    for chunk in json_chunks(digest, None, indent=None):
        body.update(chunk.encode())
    stamp = digest.run_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"drift-{stamp}-{body.hexdigest()[:12]}"


# --------------------------------------------------------------------------- streaming


class _Object(dict[str, Any]):
    """An object written member by member (its values may be :class:`_Array` lists)."""


class _Array:
    """A list written item by item from an iterable, never built whole (the per-change list of
    a million-item first run)."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _chunks(value: Any, indent: int | None, level: int = 0) -> Iterator[str]:
    """The text of ``json.dumps(value, indent=indent, ensure_ascii=True, default=str)`` in
    pieces: :class:`_Object` and :class:`_Array` are written member by member."""
    if isinstance(value, _Object):
        members = ((json.dumps(k) + ": ", v) for k, v in value.items())
        yield from _container("{", "}", members, indent, level)
    elif isinstance(value, _Array):
        yield from _container("[", "]", (("", v) for v in value.items), indent, level)
    else:
        text = json.dumps(value, indent=indent, ensure_ascii=True, default=str)
        yield text.replace("\n", "\n" + " " * (indent * level)) if indent and level else text


def _container(
    start: str, end: str, members: Iterator[tuple[str, Any]], indent: int | None, level: int
) -> Iterator[str]:
    first = next(members, None)
    if first is None:
        yield start + end
        return
    inner = "" if indent is None else "\n" + " " * (indent * (level + 1))
    separator = ", " if indent is None else "," + inner
    yield start + inner
    for n, (prefix, value) in enumerate(itertools.chain((first,), members)):
        yield (separator if n else "") + prefix
        yield from _chunks(value, indent, level + 1)
    yield ("" if indent is None else "\n" + " " * (indent * level)) + end


CSV_COLUMNS = (
    "source",
    "section",
    "severity",
    "category",
    "scope",
    "name",
    "lookalike",
    "events",
    "kinds",
    "detail",
    "first_seen",
    "age_days",
    "acknowledged_by",
    "fingerprints",
)


def digest_csv(digest: Digest) -> str:
    """Every row of every section: the full list behind the truncated email."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    tz = clockface.zone(digest.timezone)
    for s in digest.sources:
        for section, groups in s.sections:
            for g in groups:
                for r in g.rows:
                    writer.writerow([csv_cell(v) for v in _csv_values(s, section.value, r, tz)])
    return out.getvalue()


def _csv_values(s: SourceDigest, section: str, r: Row, tz: dt.tzinfo) -> list[object]:
    return [
        s.name,
        section,
        r.severity.value if r.severity else "",
        r.category,
        r.scope.value,
        r.name,
        "yes" if r.lookalike else "",
        ";".join(r.events),
        ";".join(k.value for k in r.kinds),
        r.detail,
        _when(r.first_seen, tz) or "",
        "" if r.age_days is None else r.age_days,
        r.ack.by if r.ack else "",
        ";".join(r.fingerprints),
    ]


def fit_json(digest_json: str, limit: int) -> str:
    """The digest JSON, lightened until it fits ``limit`` bytes: without indentation first, then
    without the per-change lists, then without the row sections; ``truncated`` says what was left
    out (counts and statuses always stay). The CSV attachment keeps every row."""
    if len(digest_json.encode("utf-8")) <= limit:
        return digest_json
    data = json.loads(digest_json)
    text = dumps(data, indent=None) + "\n"
    if len(text.encode("utf-8")) <= limit:
        return text
    return _lighten(data, limit)


def _lighten(data: dict[str, Any], limit: int) -> str:
    dropped: list[str] = []
    text = ""
    for part in ("changes", "sections"):
        for source in data.get("sources", []):
            if isinstance(source, dict) and source.pop(part, None) is not None:
                source[f"{part}_omitted"] = True
        dropped.append(part)
        data["truncated"] = {"omitted": list(dropped), "reason": f"over {limit} bytes"}
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if len(text.encode("utf-8")) <= limit:
            break
    return text
