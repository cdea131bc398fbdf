"""From a name's tokens to the words rules match: connectors dropped, compounds split.

``nom_du_titulaire`` -> ``nom titulaire`` (a language's short connectors between two words and
its elided articles before a word are dropped); ``kundenname`` -> ``kunden name`` and
``klantvoornaam`` -> ``klant voornaam`` (a glued word that is not itself in the lexicon is split
into lexicon words, German/Dutch linking ``s`` allowed between them). The lexicon is every word
of every enabled rule pattern, so rule patterns and names are read the same way.

Splitting is for other languages' compounds, not for English: a split must contain a word
that only another language's rules use, and a word that also splits into English rule words
alone is left whole (``callemail`` is not ``calle mail``), as English names were before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

#: Shortest lexicon word a compound may be split into, and shortest word worth splitting.
MIN_PART = 4
MIN_COMPOUND = 6
MAX_PARTS = 4
SPLIT_CACHE = 200_000
#: Linking elements between compound parts (``Geburt-s-datum``, ``gebruiker-s-naam``).
LINKS = ("", "s")

Split = tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Words:
    """Turns tokens into match words for one lexicon and one set of connectors."""

    lexicon: frozenset[str]
    english: frozenset[str] = frozenset()  # words of English patterns
    connectors: frozenset[str] = frozenset()
    elisions: frozenset[str] = frozenset()
    _split: dict[str, Split] = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        words: Iterable[str],
        english: Iterable[str],
        connectors: Iterable[str] = (),
        elisions: Iterable[str] = (),
    ) -> Words:
        lexicon, english = frozenset(words), frozenset(english)
        return cls(lexicon | english, english, frozenset(connectors), frozenset(elisions))

    def __call__(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        if self.connectors or self.elisions:
            tokens = self._drop_connectors(tokens)
        if self.lexicon <= self.english:
            return tokens
        out: list[str] = []
        for token in tokens:
            out.extend(self.split(token))
        return tuple(out)

    def _drop_connectors(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        last = len(tokens) - 1
        return tuple(
            t
            for i, t in enumerate(tokens)
            if not (i < last and (t in self.elisions or (i > 0 and t in self.connectors)))
        )

    def split(self, token: str) -> Split:
        """The token as lexicon words (itself when it is one or cannot be split)."""
        cached = self._split.get(token)
        if cached is None:
            if len(self._split) >= SPLIT_CACHE:
                self._split.clear()
            cached = self._split[token] = self._compute(token)
        return cached

    def _compute(self, token: str) -> Split:
        if token in self.lexicon or len(token) < MIN_COMPOUND or not token.isalpha():
            return (token,)
        found = _best_split(token, self.lexicon)
        if found is None or all(w in self.english for w in found):
            return (token,)
        if _best_split(token, self.english) is not None:
            return (token,)
        return found


def _best_split(token: str, lexicon: frozenset[str]) -> Split | None:
    """Fewest lexicon words (then the longest first word) that spell the token."""

    @cache
    def from_(start: int) -> Split | None:
        if start == len(token):
            return ()
        best: Split | None = None
        for stop in range(len(token), start + MIN_PART - 1, -1):
            word = token[start:stop]
            if word not in lexicon:
                continue
            for link in LINKS:
                if link and not token.startswith(link, stop):
                    continue
                rest = from_(stop + len(link))
                if (
                    rest is not None
                    and len(rest) < MAX_PARTS
                    and (best is None or len(rest) + 1 < len(best))
                ):
                    best = (word, *rest)
        return best

    found = from_(0)
    return found if found and len(found) > 1 else None
