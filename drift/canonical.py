"""Canonical JSON, the byte-stable text that gets hashed, and the hashes made from it.

The canonical form is the standard library's ``json.dumps(value, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` with every lone surrogate written as its ``\\uXXXX``
escape (valid in JSON, not in UTF-8), so the text is always valid UTF-8 and loads back to the
exact value. It is defined for JSON values: dicts with string keys, lists, tuples, strings,
integers, floats, booleans and None.

orjson writes the same bytes about ten times faster for almost every value, so it is tried first.
Where its output can differ it is not used, and the standard library writes the value instead:
orjson refuses lone surrogates, integers beyond 64 bits, non-string keys and subclasses (passed
through, with no default), and writes floats below 1e-4 without Python's zero-padded exponent
(``0.00001``, ``1e-7``: the output is checked for these shapes) and NaN or infinity as ``null``
(checked too). ``tests/test_canonical.py`` proves the equality with a property test.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import orjson

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: Shapes in orjson's output where the standard library may have written something else: a float
#: below 1e-4 (an exponent, ``1e-7`` where Python writes ``1e-07``, or positional ``0.0000...``) and
#: a ``null`` token (orjson's spelling of NaN and infinity). Text holding one only costs a slower
#: path. Each pattern starts with a literal, so a search over megabytes stays fast.
_MAYBE_DIFFERENT = (
    re.compile(rb"e-(?<=[0-9]e-)"),
    re.compile(rb"0\.0000"),
    re.compile(rb"null(?<![^:,\[]null)(?![^,\]}])"),
)
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON of ``value`` as UTF-8 bytes (what gets hashed)."""
    fast = _orjson(value)
    return fast if fast is not None else stdlib_canonical(value).encode()


def canonical_json(value: Any) -> str:
    """The canonical JSON of ``value`` as text (what gets stored)."""
    fast = _orjson(value)
    return fast.decode() if fast is not None else stdlib_canonical(value)


def stdlib_canonical(value: Any) -> str:
    """The reference encoder: sorted keys, no whitespace, UTF-8 kept, lone surrogates escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _orjson(value: Any) -> bytes | None:
    """orjson's encoding when it is certainly the canonical one, else None."""
    try:
        out = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    return None if any(p.search(out) for p in _MAYBE_DIFFERENT) else out


def utf8(text: str) -> bytes:
    """UTF-8 bytes of any string; a lone surrogate (from a vendor's JSON) is kept, not a crash."""
    return text.encode("utf-8", "surrogatepass")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(utf8(text)).hexdigest()


def h16(text: str) -> bytes:
    """The 16-byte stored identity of ``text`` (item keys, property names)."""
    return digest(text)[:16]


def digest(text: str) -> bytes:
    """SHA-256 of ``text`` (32 bytes): its hex is the definition hash, its first 16 bytes the
    stored identity."""
    return hashlib.sha256(utf8(text)).digest()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small containers over a big
    schema: each automatic full collection walks every object alive (all the schema's items), and
    building 100k tuples set off enough of them to take ten times the building itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Rows of a schema encoded at a time by :func:`content_hash`.
HASH_CHUNK = 10_000


def content_hash(rows: Iterable[Any], chunk: int = HASH_CHUNK) -> str:
    """SHA-256 hex of the canonical JSON of the list of ``rows`` (a whole schema, see ``Schema``),
    written ``chunk`` rows at a time: a list's canonical JSON is its elements' joined by commas
    inside brackets, so the bytes hashed are the whole list's, and a million-item schema is never
    held as one text."""
    h = hashlib.sha256(b"[")
    rows = iter(rows)
    separator = b""
    while batch := list(islice(rows, chunk)):
        h.update(separator)
        h.update(memoryview(canonical_bytes(batch))[1:-1])
        separator = b","
    h.update(b"]")
    return h.hexdigest()
