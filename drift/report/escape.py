"""One escaping function per output format, for the digest and the commands alike. Every vendor
name is attacker-controlled.

``show`` is display hygiene shared by every human format: invisible and bidi control characters
become visible escapes (``\\u202e``), and long names are cut (``limit=None``: not cut, as in
command output). Each format then escapes its own metacharacters: HTML by Jinja's autoescape in
the digest and :func:`html_text` in commands, Markdown, Slack mrkdwn, CSV, terminal JSON and
GitHub workflow commands here. Headers (mail subject) take ``header_text``: no control
character survives, one line, capped.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from typing import Any

from drift.confusables import is_suspicious

NAME_LIMIT = 200
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ALLOWED_FORMAT = frozenset({"\u200d"})  # zero-width joiner: emoji sequences
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _visible_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    if ch in _ALLOWED_FORMAT or unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Control, format (bidi overrides, zero-width) and unassigned characters as escapes."""
    if text.isprintable() and "\u200d" not in text:
        return text
    return "".join(_visible_char(ch) for ch in text)


LOOKALIKE_MARK = " ⚠ look-alike"


def mark_lookalike(text: str) -> str:
    """``text`` with a visible marker when it mixes scripts, hides invisible characters or
    impersonates an ASCII name (``еmail`` with a Cyrillic е): it looks like something else."""
    return text + LOOKALIKE_MARK if is_suspicious(text) else text


def name(value: object, limit: int | None = NAME_LIMIT) -> str:
    """Display form of a vendor name in a human format: :func:`show`, plus the look-alike marker."""
    text = "" if value is None else str(value)
    return show(text, limit) + (LOOKALIKE_MARK if is_suspicious(text) else "")


def cap(text: str, limit: int | None = NAME_LIMIT) -> str:
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def show(value: object, limit: int | None = NAME_LIMIT) -> str:
    """Display form of any value in a human format (before that format's own escaping)."""
    text = "" if value is None else str(value)
    return cap(visible(text), limit)


# --------------------------------------------------------------------------- Markdown

_MD_ALWAYS = re.compile(r"([\\`*_\[\]|~])")
_MD_LINKY = re.compile(r"www\.|://|@", re.IGNORECASE)


def markdown(value: object, limit: int | None = NAME_LIMIT) -> str:
    """Markdown-safe text: HTML as entities, emphasis/link/table metacharacters backslashed,
    and URL-looking names broken so that GitHub does not autolink them."""
    text = show(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_ALWAYS.sub(r"\\\1", text)
    if _MD_LINKY.search(text):
        text = re.sub(r"([.:@])", r"\\\1", text)
    return text


# --------------------------------------------------------------------------- Slack


def slack(value: object, limit: int = NAME_LIMIT) -> str:
    """Slack's three control characters only (so ``<!channel>`` cannot ping)."""
    text = show(value, limit)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_code(value: object, limit: int = NAME_LIMIT) -> str:
    """A name as an inline code span: mrkdwn has no escape for ``*_~```, code spans ignore them."""
    text = slack(value, limit).replace("`", "ˋ")
    return f"`{text}`" if text else "`(empty)`"


def slack_name(value: object, limit: int = NAME_LIMIT) -> str:
    """A vendor name as a Slack code span, with the look-alike marker outside it."""
    text = "" if value is None else str(value)
    return slack_code(text, limit) + (LOOKALIKE_MARK if is_suspicious(text) else "")


# --------------------------------------------------------------------------- headers, CSV

_HEADER_BAD = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def header_text(text: str, limit: int = 200) -> str:
    """One line for a mail header: control/format characters become spaces, whitespace collapses,
    and the length is capped. Nothing that could end a header line survives."""
    cleaned = "".join(" " if unicodedata.category(ch) in _HEADER_BAD else ch for ch in text)
    flat = " ".join(cleaned.split()).replace("=?", "= ?")  # no RFC 2047 encoded words
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def csv_cell(value: object) -> str:
    """Spreadsheet-safe: a cell starting with = + - @ (a formula) gets a leading apostrophe."""
    text = visible("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def html_text(value: object) -> str:
    """Text for an HTML element (command output; the digest's templates autoescape)."""
    return html.escape(show(value, None))


# --------------------------------------------------------------------------- terminal JSON

_UNSAFE_IN_JSON = re.compile(
    r"[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)


def terminal_json(document: Any) -> str:
    """JSON that keeps names exact but cannot drive a terminal: JSON already escapes C0 controls;
    DEL, C1 controls, bidi or zero-width characters and lone surrogates become \\u escapes too
    (still valid JSON, and valid UTF-8)."""
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --------------------------------------------------------------------------- GitHub Actions


def workflow_data(text: str) -> str:
    """The message of a workflow command (``::error ...::message``), by the runner's rules
    (actions/toolkit ``command.ts``): ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value of a workflow command (``file=``, ``title=``): also ``:`` and ``,``."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
