"""The classifier: name tokens + type + description -> findings, most severe first."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from drift.classify.patterns import (
    Analyze,
    Gram,
    Pattern,
    PatternSet,
    Vocabulary,
    name_forms,
    ngrams,
)
from drift.classify.rules import RuleSet, RuleSpec
from drift.classify.shape import Temporary, TypeView, type_view
from drift.classify.tokens import spellings, tokenize
from drift.classify.words import Words
from drift.confusables import is_suspicious, skeleton
from drift.model import TEMPORARY, Finding, Severity

#: Bump when matching semantics change, so ``rules_hash`` changes and inventories re-classify.
#: 2: names folded (accents, confusables), compounds split, per-language terms.
ENGINE_VERSION = 2


@dataclass(frozen=True, eq=False)
class CompiledRule:
    order: int
    spec: RuleSpec
    patterns: tuple[Pattern, ...]
    unless: PatternSet
    with_any: PatternSet
    description_any: PatternSet
    types: frozenset[str]
    severity: Severity


@dataclass(frozen=True)
class Hit:
    """One rule matching one name, before it becomes a Finding."""

    rule: CompiledRule
    words: tuple[str, ...]
    language: str  # "" English, else the language code(s) whose term matched
    signals: tuple[str, ...]
    type_text: str
    described: str | None

    @property
    def rank(self) -> tuple[int, int, int]:
        specific = (100 if self.described else 0) + 10 * len(self.words)
        return (-self.rule.severity.rank, -specific, self.rule.order)


class Classifier:
    """Grades property names by privacy risk; build it with :func:`load_classifier`."""

    def __init__(self, rules: RuleSet, cache_size: int = 262144) -> None:
        self.rules = rules
        self._words = _words(rules)
        self._compiled = tuple(
            _compile(i, r, rules, self._words) for i, r in enumerate(rules.rules)
        )
        self._index = _index(self._compiled)
        self._temporary = Temporary.of(rules.temporary, self._words)
        self._vocab = _vocabulary(self._compiled, self._temporary)
        self._described_vocab = Vocabulary.of(r.description_any for r in self._compiled)
        self._temp_severity = Severity(rules.categories[TEMPORARY].severity)
        self._cached = lru_cache(maxsize=cache_size)(self._classify)
        self._hash = _hash_rules(rules)

    @property
    def rules_hash(self) -> str:
        """SHA-256 over the effective rules (and engine version): changes when rules change."""
        return self._hash

    @property
    def category_ids(self) -> frozenset[str]:
        """Every category of the loaded rule set (defaults plus the user's rules file)."""
        return frozenset(self.rules.categories)

    def category_severity(self, category: str) -> Severity | None:
        """The loaded rule set's severity for ``category`` (None: no such category)."""
        spec = self.rules.categories.get(category)
        return None if spec is None else spec.severity

    def classify(
        self, name: str, types: Sequence[str] = (), description: str = ""
    ) -> tuple[Finding, ...]:
        """Findings for one property, most severe first (empty: benign)."""
        return self._cached(name, tuple(types), description or "")

    def tokens(self, name: str) -> tuple[str, ...]:
        """The words rules see: folded, connectors dropped, compounds split."""
        return self._words(tokenize(name))

    def _classify(self, name: str, types: tuple[str, ...], description: str) -> tuple[Finding, ...]:
        tokens = self.tokens(name)
        if not tokens:
            return ()
        nf = name_forms(tokens)
        grams = ngrams(nf, self._vocab)
        marks = self._temporary.find(nf, grams)
        lo, hi = self._temporary.core(nf, marks)
        view = type_view(types, tokens)
        dgrams = self._description_grams(description) if description else []
        hits = self._hits(grams, lo, hi, view, dgrams)
        marked = [tokens[i] for i in sorted(marks)]
        found = _findings(hits, marked, self._temp_severity, self.rules.language_name)
        if found and not name.isascii() and _read_through_lookalikes(name):
            return tuple(_lookalike(f) for f in found)
        return found

    def _hits(
        self, grams: list[Gram], lo: int, hi: int, view: TypeView, dgrams: list[Gram]
    ) -> list[Hit]:
        best: dict[str, Hit] = {}
        for rule, pattern in self._matches(grams, lo, hi).items():
            hit = _assess(rule, pattern, grams, lo, hi, view, dgrams)
            if hit is None:
                continue
            kept = best.get(rule.spec.category)
            if kept is None or hit.rank < kept.rank:
                best[rule.spec.category] = hit
        return sorted(best.values(), key=lambda h: h.rank)

    def _description_grams(self, description: str) -> list[Gram]:
        words = self._words(tokenize(description[:2000]))
        return ngrams(name_forms(words), self._described_vocab)

    def _matches(self, grams: list[Gram], lo: int, hi: int) -> dict[CompiledRule, Pattern]:
        """Each rule that matches, with its longest matching pattern."""
        found: dict[CompiledRule, Pattern] = {}
        for i, j, text in grams:
            for rule, pat in self._index.get(text, ()):
                kept = found.get(rule)
                if pat.anchored_ok(i, j, lo, hi) and (kept is None or j - i > len(kept.words)):
                    found[rule] = pat
        return found


def _assess(
    rule: CompiledRule,
    pattern: Pattern,
    grams: list[Gram],
    lo: int,
    hi: int,
    view: TypeView,
    dgrams: list[Gram],
) -> Hit | None:
    if rule.types and view.types and not (rule.types & view.types):
        return None
    if rule.unless and rule.unless.first(grams, lo, hi) is not None:
        return None
    extra = rule.with_any.first(grams, lo, hi) if rule.with_any else None
    if rule.with_any and extra is None:
        return None
    described = rule.description_any.first(dgrams) if rule.description_any else None
    if rule.description_any and described is None:
        return None
    words = pattern.words
    words = (*words, extra) if extra and extra not in words else words
    signals = [view.signal]
    if pattern.language:
        signals.append(f"language={pattern.language.replace(' ', ',')}")
    if described:
        signals.append(f"description mentions '{described}'")
    return Hit(rule, words, pattern.language, tuple(signals), view.text, described)


LanguageName = Callable[[str], str]


def _findings(
    hits: list[Hit], marks: list[str], temp_severity: Severity, language_name: LanguageName
) -> tuple[Finding, ...]:
    if not hits:
        if not marks:
            return ()
        return (_temporary_finding(marks, temp_severity),)
    return tuple(_finding(hit, marks, language_name) for hit in hits)


def _finding(hit: Hit, marks: list[str], language_name: LanguageName) -> Finding:
    rule = hit.rule
    quoted = " ".join(hit.words)
    plural = len(hit.words) > 1
    term = ""
    if hit.language:
        term = " or ".join(language_name(code) for code in hit.language.split()) + " term, "
    reason = (
        f"name token{'s' if plural else ''} '{quoted}' ({term}{hit.type_text}) "
        f"look{'' if plural else 's'} like {rule.spec.what}"
    )
    if hit.described:
        reason += f"; description mentions '{hit.described}'"
    severity, signals = rule.severity, hit.signals
    if marks:
        severity = severity.raised()
        signals = (*signals, f"temporary marker '{marks[0]}'")
        reason += f"; temporary marker '{marks[0]}'" + (
            f" raises severity to {severity}" if severity != rule.severity else ""
        )
    return Finding(
        rule.spec.id, rule.spec.category, severity, hit.words, signals, reason, bool(marks)
    )


def _read_through_lookalikes(name: str) -> bool:
    return skeleton(name) != unicodedata.normalize("NFC", name) and is_suspicious(name)


def _lookalike(finding: Finding) -> Finding:
    """Graded on its confusable skeleton (``еmail`` as ``email``): say so."""
    return replace(
        finding,
        signals=(*finding.signals, "look-alike characters"),
        reason=finding.reason + "; read through look-alike characters",
    )


def _temporary_finding(marks: list[str], severity: Severity) -> Finding:
    quoted = ", ".join(f"'{m}'" for m in marks)
    reason = f"name token {quoted} marks a temporary, test or debug property"
    return Finding(TEMPORARY, TEMPORARY, severity, tuple(marks), (), reason, True)


def _compile(order: int, spec: RuleSpec, rules: RuleSet, words: Analyze) -> CompiledRule:
    def more(kind: str) -> list[str]:
        extra = [
            p for lang in rules.languages.values() for p in getattr(lang, kind).get(spec.id, ())
        ]
        return _spelled([*getattr(spec, kind), *extra])

    return CompiledRule(
        order=order,
        spec=spec,
        patterns=_patterns(spec, rules, words),
        unless=PatternSet.of(more("unless"), words),
        with_any=PatternSet.of(more("with_any"), words),
        description_any=PatternSet.of(more("description_any"), words),
        types=frozenset(spec.types),
        severity=Severity(spec.severity or "low"),
    )


def _patterns(spec: RuleSpec, rules: RuleSet, words: Analyze) -> tuple[Pattern, ...]:
    """The rule's own patterns and every enabled language's terms for it, each once."""
    tagged = [(t, spec.language) for t in spec.tokens]
    for code, lang in rules.languages.items():
        tagged += [(t, code) for t in lang.terms.get(spec.id, ())]
    langs: dict[Pattern, list[str]] = {}
    for text, code in tagged:
        for spelled in spellings(text):
            pat = Pattern.parse(spelled, words)
            if pat.words:
                seen = langs.setdefault(pat, [])
                seen += [code] if code not in seen else []
    return tuple(_tag(pat, codes) for pat, codes in langs.items())


def _tag(pat: Pattern, codes: list[str]) -> Pattern:
    """English wins: a term that is also English is not reported as another language's."""
    language = "" if "" in codes else " ".join(codes)
    return Pattern(pat.words, pat.start, pat.end, language)


def _spelled(texts: list[str]) -> list[str]:
    return [s for t in texts for s in spellings(t)]


def _words(rules: RuleSet) -> Words:
    """Connectors of the enabled languages; every word of every pattern as the lexicon."""
    english = [*rules.temporary.anywhere, *rules.temporary.edges, *rules.temporary.unless]
    native: list[str] = []
    for spec in rules.rules:
        texts = [*spec.tokens, *spec.unless, *spec.with_any, *spec.description_any]
        (native if spec.language else english).extend(texts)
    for lang in rules.languages.values():
        for table in (lang.terms, lang.unless, lang.with_any, lang.description_any):
            native += [t for values in table.values() for t in values]
    connectors = [c for lang in rules.languages.values() for c in lang.connectors]
    elisions = [e for lang in rules.languages.values() for e in lang.elisions]
    return Words.of(_lexicon(native), _lexicon(english), connectors, elisions)


def _lexicon(texts: list[str]) -> set[str]:
    return {w for text in _spelled(texts) for w in tokenize(text.strip("^$ "))}


def _index(rules: Sequence[CompiledRule]) -> dict[str, list[tuple[CompiledRule, Pattern]]]:
    """Pattern text -> the (rule, pattern) pairs it belongs to."""
    index: dict[str, list[tuple[CompiledRule, Pattern]]] = {}
    for rule in rules:
        for pat in rule.patterns:
            index.setdefault(pat.text, []).append((rule, pat))
    return index


def _vocabulary(rules: Sequence[CompiledRule], temporary: Temporary) -> Vocabulary:
    """Every name-side pattern: n-grams outside it cannot match anything."""
    sets = [temporary.unless]
    for rule in rules:
        sets += [_as_set(rule.patterns), rule.unless, rule.with_any]
    return Vocabulary.of(sets)


def _as_set(patterns: Sequence[Pattern]) -> PatternSet:
    index: dict[str, tuple[Pattern, ...]] = {}
    for pat in patterns:
        index[pat.text] = (*index.get(pat.text, ()), pat)
    return PatternSet(index, max((len(p.words) for p in patterns), default=0))


def _hash_rules(rules: RuleSet) -> str:
    data = {"engine": ENGINE_VERSION, **rules.as_data()}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
