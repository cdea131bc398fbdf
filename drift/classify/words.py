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

#: Shortest lexicon word a compound may be split into, and shortest word worth splitting.
MIN_PART = 4
MIN_COMPOUND = 6
#: Longer tokens are not split: no real compound is this long, and the split recurses per letter.
MAX_COMPOUND = 64
MAX_PARTS = 4
SPLIT_CACHE = 200_000
#: The linking ``s`` between compound parts (``Geburt-s-datum``, ``gebruiker-s-naam``) is skipped.

Split = tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Words:
    """Turns tokens into match words for one lexicon and one set of connectors."""

    lexicon: frozenset[str]
    english: frozenset[str] = frozenset()  # words of English patterns
    connectors: frozenset[str] = frozenset()
    elisions: frozenset[str] = frozenset()
    _split: dict[str, Split] = field(default_factory=dict, repr=False)
    _all: Lexicon = field(init=False, repr=False)
    _english: Lexicon = field(init=False, repr=False)
    _native_heads: frozenset[str] = field(init=False, repr=False)  # first letters of those

    def __post_init__(self) -> None:
        object.__setattr__(self, "_all", Lexicon.of(self.lexicon))
        object.__setattr__(self, "_english", Lexicon.of(self.english))
        native = self.lexicon - self.english
        heads = frozenset(w[:MIN_PART] for w in native if len(w) >= MIN_PART)
        object.__setattr__(self, "_native_heads", heads)

    @classmethod
    def of(
        cls,
        words: Iterable[str],
        english: Iterable[str],
        connectors: Iterable[str] = (),
        elisions: Iterable[str] = (),
    ) -> Words:
        lexicon, english = frozenset(words) | frozenset(english), frozenset(english)
        return cls(lexicon, english, frozenset(connectors), frozenset(elisions))

    def __call__(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        if self.connectors or self.elisions:
            tokens = self._drop_connectors(tokens)
        if self.lexicon <= self.english:
            return tokens
        splits = [self.split(t) for t in tokens]
        if all(len(s) == 1 for s in splits):
            return tokens
        return tuple(w for s in splits for w in s)

    def _drop_connectors(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        last = len(tokens) - 1
        if last < 1 or not any(t in self.elisions or t in self.connectors for t in tokens[:last]):
            return tokens
        return tuple(
            t
            for i, t in enumerate(tokens)
            if not (i < last and (t in self.elisions or (i > 0 and t in self.connectors)))
        )

    def _may_hold_native(self, token: str) -> bool:
        """A split needs a word only another language uses: does one start anywhere?"""
        heads = self._native_heads
        return any(h in heads for h in _heads(token))

    def split(self, token: str) -> Split:
        """The token as lexicon words (itself when it is one or cannot be split)."""
        cached = self._split.get(token)
        if cached is None:
            if len(self._split) >= SPLIT_CACHE:
                self._split.clear()
            cached = self._split[token] = self._compute(token)
        return cached

    def _compute(self, token: str) -> Split:
        too_short_or_long = not MIN_COMPOUND <= len(token) <= MAX_COMPOUND
        if token in self.lexicon or too_short_or_long or not token.isalpha():
            return (token,)
        if not self._may_hold_native(token):
            return (token,)
        found = _best_split(token, self._all)
        if found is None or all(w in self.english for w in found):
            return (token,)
        if _best_split(token, self._english) is not None:
            return (token,)
        return found


@dataclass(frozen=True)
class Lexicon:
    """Words, and every prefix of one (so a split stops extending a word early)."""

    words: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def of(cls, words: frozenset[str]) -> Lexicon:
        return cls(words, frozenset(w[:i] for w in words for i in range(1, len(w) + 1)))


def _heads(token: str) -> Iterable[str]:
    return (token[i : i + MIN_PART] for i in range(len(token) - MIN_PART + 1))


def _best_split(token: str, lexicon: Lexicon) -> Split | None:
    """Fewest lexicon words (then the longest first word) that spell the token."""
    n = len(token)
    ends: dict[int, list[str]] = {}  # reachable start -> lexicon words starting there
    todo = [0]
    while todo:
        start = todo.pop()
        if start in ends or start >= n:
            continue
        ends[start] = _words_at(token, start, lexicon)
        for word in ends[start]:
            stop = start + len(word)
            todo += [stop, stop + 1] if token.startswith("s", stop) else [stop]
    best: dict[int, Split | None] = {n: ()}  # start -> the best split of token[start:]
    for start in sorted(ends, reverse=True):
        best[start] = _best_from(token, start, ends[start], best)
    found = best.get(0)
    return found if found and len(found) > 1 else None


def _best_from(
    token: str, start: int, words: list[str], best: dict[int, Split | None]
) -> Split | None:
    kept: Split | None = None
    for word in reversed(words):  # longest first: it wins ties
        stop = start + len(word)
        for after in (stop, stop + 1) if token.startswith("s", stop) else (stop,):
            rest = best.get(after)
            shorter = rest is not None and (kept is None or len(rest) + 1 < len(kept))
            if rest is not None and len(rest) < MAX_PARTS and shorter:
                kept = (word, *rest)
    return kept


def _words_at(token: str, start: int, lexicon: Lexicon) -> list[str]:
    """Lexicon words starting at ``start``, shortest first."""
    found = []
    for stop in range(start + 1, len(token) + 1):
        piece = token[start:stop]
        if piece not in lexicon.prefixes:
            break
        if stop - start >= MIN_PART and piece in lexicon.words:
            found.append(piece)
    return found
