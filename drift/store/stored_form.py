"""The stored form of a vendor name: the name itself, unless no backend could store it.

A name holding NUL or a lone surrogate is stored as ``U+FFFF`` followed by the name with those
characters as ``\\u0000`` / ``\\ud800`` and backslashes doubled; a name that itself starts with
``U+FFFF`` is stored the same way, so the form is never ambiguous (why: see
:mod:`drift.store.vendor_text`, which also has the column types). Free of SQLAlchemy: the recorder
and both read paths of ``drift diff`` (the store's and :mod:`drift.store.lean`) use these two
functions.
"""

from __future__ import annotations

import re

MARKER = "\uffff"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TO_ESCAPE = re.compile("[\\\\\x00\ud800-\udfff]")
_ESCAPED = re.compile(r"\\(\\|u[0-9a-f]{4})")


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
