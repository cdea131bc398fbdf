"""What a name's shape says besides its rule tokens: temporary markers and implied types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from drift.classify.patterns import Analyze, Forms, Gram, PatternSet
from drift.classify.rules import TemporarySpec

#: Type names that say nothing about content.
_UNINFORMATIVE = frozenset({"any", "null", ""})
#: Name shapes that imply a type when the vendor gives none.
_BOOL_FIRST = frozenset(
    {"is", "has", "have", "had", "can", "should", "did", "does", "was", "were", "will", "allow",
     "allows", "needs"}
)  # fmt: skip
_BOOL_LAST = frozenset(
    {"verified", "confirmed", "enabled", "disabled", "opted", "subscribed", "present", "exists",
     "allowed", "required", "visible", "shown", "accepted", "valid", "changed"}
)  # fmt: skip
_INT_LAST = frozenset({"count", "counts", "length", "len", "size", "chars", "characters"})
_TIME_LAST = frozenset({"at", "date", "time", "timestamp", "ts"})


@dataclass(frozen=True)
class TypeView:
    """The types a rule's gate sees, and how to say where they came from."""

    types: frozenset[str]  # empty: unknown, every gate passes
    text: str  # "type string", "type unknown", "type boolean, inferred from name"
    signal: str  # "type=string", "type unknown", "type=boolean (inferred from name)"


def type_view(types: tuple[str, ...], tokens: Sequence[str]) -> TypeView:
    given = _given(types)
    if given is not None:
        return given
    implied = _implied_type(tokens)
    if implied:
        return TypeView(
            frozenset({implied}),
            f"type {implied}, inferred from name",
            f"type={implied} (inferred from name)",
        )
    return TypeView(frozenset(), "type unknown", "type unknown")


@lru_cache(maxsize=1024)
def _given(types: tuple[str, ...]) -> TypeView | None:
    given = frozenset(str(t).lower() for t in types) - _UNINFORMATIVE
    if not given:
        return None
    shown = ",".join(sorted(given))
    return TypeView(given, f"type {shown}", f"type={shown}")


def _implied_type(tokens: Sequence[str]) -> str | None:
    if len(tokens) < 2:
        return None
    if tokens[0] in _BOOL_FIRST or tokens[-1] in _BOOL_LAST:
        return "boolean"
    if tokens[-1] in _INT_LAST:
        return "integer"
    if tokens[-1] in _TIME_LAST:
        return "datetime"
    return None


@dataclass(frozen=True)
class Temporary:
    """tmp/test/debug markers: some anywhere, some only as the first or last word."""

    anywhere: frozenset[str]
    edges: frozenset[str]
    unless: PatternSet

    @classmethod
    def of(cls, spec: TemporarySpec, analyze: Analyze | None = None) -> Temporary:
        unless = PatternSet.of(spec.unless, analyze) if analyze else PatternSet.of(spec.unless)
        return cls(frozenset(spec.anywhere), frozenset(spec.edges), unless)

    def find(self, nf: Forms, grams: Sequence[Gram]) -> set[int]:
        """Positions of marker tokens in the name."""
        last = len(nf) - 1
        marks = set()
        for i, spellings in enumerate(nf):
            for f in spellings:
                if f in self.anywhere or (f in self.edges and (i == 0 or i == last)):
                    marks.add(i)
        if marks and self.unless:
            for i, j in self.unless.spans(grams):
                marks.difference_update(range(i, j))
        return marks

    def core(self, nf: Forms, marks: set[int]) -> tuple[int, int]:
        """The span of the name without leading/trailing markers and bare numbers."""
        lo, hi = 0, len(nf)
        while lo < hi and (lo in marks or nf[lo][0].isdigit()):
            lo += 1
        while hi > lo and (hi - 1 in marks or nf[hi - 1][0].isdigit()):
            hi -= 1
        return (lo, hi) if lo < hi else (0, len(nf))
