"""The same words in other naming styles: ``emailDomain`` -> ``email_domain``, ``EmailDomain``,
``email-domain``, ``email domain``... so a lookup by name finds what a vendor spelled differently.
"""

from __future__ import annotations

from drift.classify.tokens import tokenize


def naming_styles(name: str) -> list[str]:
    """Other spellings of ``name``'s words (never ``name`` itself), most common styles first."""
    words = list(tokenize(name))
    if not words:
        return []
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    styles = [
        "_".join(words),
        camel,
        camel[:1].upper() + camel[1:],
        "-".join(words),
        " ".join(words),
        " ".join(w.capitalize() for w in words),
        ".".join(words),
        "".join(words),
    ]
    return [s for s in dict.fromkeys(styles) if s != name]
