"""Look-alike names: ``еmail`` (Cyrillic е) must be graded like ``email`` and shown as suspicious.

The data is Unicode's confusables table (UTS #39, ``confusables.txt``) as shipped by the
maintained ``confusable-homoglyphs`` package, with its script table for mixed-script checks.

``skeleton`` folds a name to the ASCII look-alike of every character that has one (Cyrillic and
Greek letters, fullwidth and mathematical forms) and drops invisible format characters, while
leaving ASCII untouched: unlike the UTS #39 skeleton it does not turn ``m`` into ``rn``, so the
classifier's patterns still match. ``is_suspicious`` is true for names a reader could mistake for
another: several scripts mixed (Latin with CJK excepted), invisible characters, or a name that
looks entirely like an ASCII name without being one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Scripts that legitimately mix with Latin (UTS #39 "highly restrictive" profile).
_CJK_WITH_LATIN = frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
_NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED", "Unknown"})
_INVISIBLE = frozenset({"Cf"})


# The confusables tables (0.03 s to load) are imported on the first non-ASCII name: most runs and
# commands only ever see ASCII names, which need neither.


@lru_cache(maxsize=4096)
def _ascii_lookalike(ch: str) -> str | None:
    from confusable_homoglyphs import confusables

    for entry in confusables.confusables_data.get(ch, ()):
        target = entry["c"]
        if target.isascii():
            return "I" if target == "l" and ch.isupper() else target
    return None


def _fold(ch: str) -> str:
    if ch.isascii():
        return ch
    if unicodedata.category(ch) in _INVISIBLE:
        return ""
    lookalike = _ascii_lookalike(ch)
    if lookalike is not None:
        return lookalike
    compat = unicodedata.normalize("NFKC", ch)
    return compat if compat.isascii() and compat.isprintable() else ch


def skeleton(name: str) -> str:
    """Every non-ASCII look-alike replaced by its ASCII twin (``еmail`` -> ``email``)."""
    if name.isascii():
        return name
    return "".join(_fold(ch) for ch in unicodedata.normalize("NFC", name))


def _scripts(name: str) -> set[str]:
    from confusable_homoglyphs import categories

    found: set[str] = set()
    for ch in name:
        found.add(categories.alias(ch))
    return found - _NEUTRAL_SCRIPTS


def is_mixed_script(name: str) -> bool:
    scripts = _scripts(name)
    return len(scripts) > 1 and not scripts <= _CJK_WITH_LATIN


def is_suspicious(name: str) -> bool:
    """True when the name mixes scripts, hides invisible characters, or impersonates ASCII."""
    if name.isascii():
        return False
    if any(unicodedata.category(ch) in _INVISIBLE and ch != "\u200d" for ch in name):
        return True
    if is_mixed_script(name):
        return True
    folded = skeleton(name)
    return folded.isascii() and folded != name
