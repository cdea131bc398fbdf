"""Split property names into lowercase tokens.

``userIPAddress`` -> ``user ip address``; ``$email`` -> ``email``; ``gp:first_name`` ->
``first name``; ``e-mail`` -> ``e mail``; ``Email Address`` -> ``email address``. Digits stay
glued to the word before them (``ipv6``, ``last4``, ``address2``); rule matching also tries the
word without its digits (see :func:`forms`).

Non-ASCII names are read on their confusable skeleton first (``еmail`` with a Cyrillic ``е`` ->
``email``, see :mod:`drift.confusables`), then accents and ligatures of Latin letters are folded
(``teléfono_móvil`` -> ``telefono movil``, ``Straße`` -> ``strasse``, ``Empfänger`` ->
``empfanger``; rules spell German umlauts either way, see :func:`spellings`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from drift.confusables import skeleton

#: Vendor prefixes that say where a property lives, not what it holds (Amplitude user props).
_VENDOR_PREFIX = re.compile(r"^\s*gp:", re.IGNORECASE)
#: Runs of letters and digits; everything else (``_ - . $ : space`` and symbols) separates.
_WORDS = re.compile(r"[^\W_]+")
#: camelCase inside an ASCII run: acronyms (``IPAddress`` -> ``IP`` ``Address``), words with
#: trailing digits, leading digits with their unit (``2fa``).
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+[a-z]*")
_DIGITS = "0123456789"


@lru_cache(maxsize=16384)
def tokenize(name: str) -> tuple[str, ...]:
    """Lowercase tokens of a property name (empty for names with no letters or digits)."""
    text = name if name.isascii() else fold(unicodedata.normalize("NFKC", skeleton(name)))
    if text[:3].lower() == "gp:" or text[:1].isspace():
        text = _VENDOR_PREFIX.sub("", text, count=1)
    out: list[str] = []
    for run in _WORDS.findall(text):
        out.extend(_split_run(run))
    return tuple(out)


#: Latin letters that do not decompose into a base letter and marks.
_LIGATURES = dict(
    zip("ßẞæÆœŒøØđĐłŁþÞı", "ss SS ae AE oe OE o O d D l L th TH i".split(), strict=True)
)
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}


def fold(text: str) -> str:
    """Latin letters without accents or ligatures (``número`` -> ``numero``); others kept."""
    return text if text.isascii() else "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _LIGATURES:
        return _LIGATURES[ch]
    base = unicodedata.normalize("NFD", ch)
    if (
        base[:1].isascii()
        and base[:1].isalpha()
        and all(unicodedata.combining(c) for c in base[1:])
    ):
        return base[:1]
    return ch


def spellings(pattern: str) -> tuple[str, ...]:
    """A rule pattern as written, and with German umlauts as ``ae oe ue`` (``Empfaenger``)."""
    if not any(ch in _UMLAUTS for ch in pattern):
        return (pattern,)
    return (pattern, "".join(_UMLAUTS.get(ch, ch) for ch in pattern))


def _split_run(run: str) -> list[str]:
    if run.isascii():
        if run.islower() or run.isdigit():
            return [run]
        return [part.lower() for part in _CAMEL.findall(run)]
    return _split_unicode(run)


def _split_unicode(run: str) -> list[str]:
    """camelCase split for non-ASCII runs: a new word starts at lower->upper."""
    parts: list[str] = []
    start = 0
    for i in range(1, len(run)):
        if run[i].isupper() and run[i - 1].islower():
            parts.append(run[start:i])
            start = i
    parts.append(run[start:])
    return [part.lower() for part in parts if part]


@lru_cache(maxsize=65536)
def forms(token: str) -> tuple[str, ...]:
    """The spellings a rule may match: the token, and the token without trailing digits."""
    if token[-1:] in _DIGITS:
        bare = token.rstrip(_DIGITS)
        if bare and not bare.isdigit():
            return (token, bare)
    return (token,)
