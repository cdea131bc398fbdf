"""Compiled token patterns (``"first name"``, ``"^name$"``) and n-gram lookup over a name.

A name's tokens are turned into all contiguous n-grams up to the longest pattern length, each
as ``(start, stop, "w1 w2")``; patterns are then found by dictionary lookup, which keeps
classifying 100k names well under a second or two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from drift.classify.tokens import forms, tokenize

#: Tokens -> match words (see :class:`drift.classify.words.Words`); identity by default.
Analyze = Callable[[tuple[str, ...]], tuple[str, ...]]


def _same(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tokens


#: For each token of a name, the spellings a rule may match (see :func:`tokens.forms`).
Forms = Sequence[tuple[str, ...]]
#: ``(start, stop, words joined by one space)``
Gram = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A token sequence; ``start``/``end`` anchor it to the core of the name."""

    words: tuple[str, ...]
    start: bool = False
    end: bool = False
    language: str = ""  # "" for English, else the language code(s) of the term: "de", "de nl"

    @classmethod
    def parse(cls, text: str, analyze: Analyze = _same, language: str = "") -> Pattern:
        text = text.strip()
        words = analyze(tokenize(text.strip("^$ ")))
        return cls(words, text.startswith("^"), text.endswith("$"), language)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def anchored_ok(self, i: int, j: int, lo: int, hi: int) -> bool:
        return (not self.start or i == lo) and (not self.end or j == hi)


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Several patterns, looked up by their joined text."""

    index: dict[str, tuple[Pattern, ...]]
    longest: int

    @classmethod
    def of(cls, texts: Iterable[str], analyze: Analyze = _same) -> PatternSet:
        index: dict[str, tuple[Pattern, ...]] = {}
        for pat in (Pattern.parse(t, analyze) for t in texts):
            index[pat.text] = (*index.get(pat.text, ()), pat)
        return cls(index, max((len(t.split()) for t in index), default=0))

    def first(self, grams: Iterable[Gram], lo: int = 0, hi: int = 1 << 30) -> str | None:
        """The first pattern found among the name's n-grams, as text, or None."""
        for i, j, text in grams:
            pats = self.index.get(text)
            if pats and any(p.anchored_ok(i, j, lo, hi) for p in pats):
                return text
        return None

    def spans(self, grams: Iterable[Gram]) -> Iterable[tuple[int, int]]:
        """Where (unanchored) patterns of this set occur."""
        return ((i, j) for i, j, text in grams if text in self.index)

    def __bool__(self) -> bool:
        return bool(self.index)


def name_forms(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    return [forms(t) for t in tokens]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every pattern text a classifier knows, and every word-prefix of one."""

    full: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def of(cls, sets: Iterable[PatternSet]) -> Vocabulary:
        full = {text for s in sets for text in s.index}
        prefixes = {" ".join(t.split()[:k]) for t in full for k in range(1, len(t.split()))}
        return cls(frozenset(full), frozenset(prefixes))


def ngrams(nf: Forms, vocab: Vocabulary) -> list[Gram]:
    """The contiguous n-grams of a name that are patterns of ``vocab``, over every spelling."""
    out: list[Gram] = []
    full, prefixes = vocab.full, vocab.prefixes
    n = len(nf)
    for i in range(n):
        texts: Sequence[str] = nf[i]
        j = i + 1
        while True:
            grow = []
            for t in texts:
                if t in full:
                    out.append((i, j, t))
                if t in prefixes:
                    grow.append(t)
            if not grow or j >= n:
                break
            texts = [f"{t} {f}" for t in grow for f in nf[j]]
            j += 1
    return out
