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

People see such names through ``drift.report.escape.visible``: ``email\\ud800``. The stored form
itself lives in :mod:`drift.store.stored_form` (free of SQLAlchemy, for ``drift diff``'s
driver-only reader); this module gives it its column types.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from drift.store.stored_form import stored_text, unstored_text

#: Text without a 64 KiB limit on MariaDB (TEXT elsewhere has none).
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


class VendorText(TypeDecorator[str]):
    """A vendor name column: any string in, the same string out, on every backend."""

    impl = LongText
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else stored_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unstored_text(value)
