"""Recognise a plan file drift has read before, without parsing it again.

Reading a 100k-property plan (JSON into items, normalised and hashed) takes over a second; hashing
its bytes takes milliseconds. A read is a pure function of what it reads: the bytes of each file and
their paths, the source's type, options and reader version, and the code that reads them (drift's
own modules, the Python and orjson versions). Its result, the schema's content hash and item count,
is kept in a small file under a fingerprint of all of these. When the fingerprint is known, the
store's usual test decides (the last snapshot has the same content hash and as many open items): an
unchanged source is recorded without parsing; otherwise the bytes already in memory are parsed as
before. Any change in a byte, an option, the reader version or drift's code makes a new
fingerprint, so a read is never skipped that could have come out differently.

Reads whose items carry vendor dates are not kept (recording keeps those dates from the items).
The files live in ``DRIFT_CACHE_DIR`` (default ``$XDG_CACHE_HOME/drift`` or ``~/.cache/drift``),
under ``reads/``; an empty ``DRIFT_CACHE_DIR`` turns this off. A directory that cannot be written
only costs the saving.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

import drift
from drift.model import Schema

log = logging.getLogger("drift.sources")

#: Kept reads: the newest this many stay (one a day per changed plan is plenty).
KEEP = 64
_FORMAT = 1


@dataclass(frozen=True)
class Known:
    """What a read gave: enough to recognise an unchanged source."""

    content_hash: str
    item_count: int


@cache
def code_identity() -> str:
    """drift's version and every module's size and modification time, the Python and orjson
    versions: an upgrade or an edit to any reader, the canonical form or Unicode tables makes new
    fingerprints."""
    package = Path(drift.__file__).parent
    h = hashlib.sha256()
    for part in (drift.__version__, sys.version, orjson.__version__):
        h.update(part.encode() + b"\0")
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        h.update(f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()


def fingerprint(
    source_type: str, reader_version: int, options: str, files: Iterable[tuple[str, bytes]]
) -> str:
    """SHA-256 over everything a read depends on: ``options`` is the source's config as JSON,
    ``files`` each file's name (as found) and bytes, in reading order."""
    h = hashlib.sha256()
    head = [_FORMAT, code_identity(), source_type, reader_version, options]
    h.update(json.dumps(head).encode() + b"\0")
    for name, data in files:
        h.update(f"{name}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        h.update(data)
    return h.hexdigest()


def cache_directory() -> Path | None:
    """Where kept reads live, or None when switched off (``DRIFT_CACHE_DIR=""``)."""
    configured = os.environ.get("DRIFT_CACHE_DIR")
    if configured is not None:
        return Path(configured) / "reads" if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "drift" / "reads"


class KnownReads:
    """Kept reads in one directory: one small JSON file per fingerprint."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def from_environment(cls) -> KnownReads | None:
        directory = cache_directory()
        return cls(directory) if directory is not None else None

    def get(self, fingerprint: str) -> Known | None:
        try:
            kept = orjson.loads((self.directory / f"{fingerprint}.json").read_bytes())
            known = Known(str(kept["content_hash"]), int(kept["item_count"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return known if kept.get("format") == _FORMAT else None

    def put(self, fingerprint: str, schema: Schema) -> None:
        """Keep what reading gave (not for items with vendor dates; see the module doc)."""
        if any(item.vendor_since is not None for item in schema.items):
            return
        body = {
            "format": _FORMAT,
            "content_hash": schema.content_hash,
            "item_count": schema.item_count,
        }
        target = self.directory / f"{fingerprint}.json"
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(orjson.dumps(body))
            partial.replace(target)
            self._prune()
        except OSError as exc:
            log.debug("cannot keep a read in %s: %s", self.directory, exc)

    def _prune(self) -> None:
        kept = sorted(self.directory.glob("*.json"), key=_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
