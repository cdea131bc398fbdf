"""Vendor text every backend can store, kept exactly: the stored form of names and descriptions.

A vendor may send any JSON string: a lone surrogate (``"email\\ud800"``) cannot be encoded as
UTF-8 at all, PostgreSQL refuses NUL in text, and MariaDB's TEXT holds 65,535 bytes. So:

- long text goes into LONGTEXT columns on MariaDB (``VendorText``, ``LongText``);
- a name holding NUL or a lone surrogate is stored as ``U+FFFF`` followed by the name with those
  characters as ``\\u0000`` / ``\\ud800`` and backslashes doubled, and read back exactly. A name
  that itself starts with ``U+FFFF`` (a Unicode noncharacter) is stored the same way, so the form
  is never ambiguous; every other name is stored as it is;
- definitions are canonical JSON, where NUL and (see ``drift.canonical``) lone
  surrogates are already ``\\uXXXX`` escapes.

People see such names through ``drift.report.escape.visible``: ``email\\ud800``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

MARKER = "\uffff"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TO_ESCAPE = re.compile("[\\\\\x00\ud800-\udfff]")
_ESCAPED = re.compile(r"\\(\\|u[0-9a-f]{4})")

#: Text without a 64 KiB limit on MariaDB (TEXT elsewhere has none).
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def stored_text(text: str) -> str:
    """The form of ``text`` that every backend accepts (``text`` itself unless it cannot be)."""
    if text.startswith(MARKER) or _UNSTORABLE.search(text):
        return MARKER + _TO_ESCAPE.sub(_escape, text)
    return text


def unstored_text(stored: str) -> str:
    """Inverse of ``stored_text``."""
    if stored.startswith(MARKER):
        return _ESCAPED.sub(_unescape, stored[1:])
    return stored


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return "\\\\" if char == "\\" else f"\\u{ord(char):04x}"


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return "\\" if code == "\\" else chr(int(code[1:], 16))


class VendorText(TypeDecorator[str]):
    """A vendor name column: any string in, the same string out, on every backend."""

    impl = LongText
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else stored_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unstored_text(value)
