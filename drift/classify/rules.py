"""Rules as data: the default rule file, user rule files, and how they merge.

A rules file is TOML; drift ships ``default_rules.toml`` and a user file (``[rules] path`` in
drift.toml) is laid over it::

    disable = ["url.page", "user_id.pseudonymous"]   # rule ids to turn off

    [severity]                     # override by category id or by rule id
    url = "medium"
    "contact.email" = "medium"

    [categories.loyalty]           # a new category (needs a severity)
    severity = "medium"
    what = "loyalty programme data"

    [[rules]]                      # a new rule, or one replacing the default with the same id
    id = "acme.loyalty_number"
    category = "financial"
    what = "a loyalty card number"          # shown in reasons: "... looks like <what>"
    tokens = ["loyalty number", "^loyalty$"] # words or word sequences; ^ / $ anchor to the
                                             # start / end of the name
    types = ["string", "integer"]            # optional type gate (empty: any type)
    unless = ["count", "tier"]               # optional vetoing tokens or sequences
    with_any = []                            # optional: one of these must also appear
    description_any = []                     # optional: one must appear in the description
    severity = "high"                        # optional: default is the category's

    [languages.de.terms]           # more words for a rule, in one language (reasons name it)
    "contact.phone" = ["diensthandy", "festnetz nummer"]
    [languages.de.unless]          # more vetoes for a rule (they veto every language's terms)
    "contact.phone" = ["geraet"]

    [temporary]                    # extra markers for tmp/test/debug properties
    anywhere = ["scratch"]         # a marker wherever it appears
    edges = ["sandbox"]            # a marker only as first or last word
    unless = ["sandbox mode"]      # sequences that are not markers

Patterns are tokenized like property names, so ``"first name"``, ``"first_name"`` and
``"firstName"`` mean the same sequence; glued forms (``firstname``) are separate tokens, but a
name's glued word that is not itself a rule word is split into rule words where it can be
(``kundenname`` -> ``kunden name``). Unknown keys are errors (:class:`drift.errors.ConfigError`
naming the file and key).

drift ships English (``default_rules.toml``) and one file per other language
(``languages/<code>.toml``: German, French, Spanish, Portuguese, Italian, Dutch). A language's
``[languages.<code>]`` table names it, lists its short connectors and elided articles (dropped
between words: ``nom_du_titulaire`` -> ``nom titulaire``), adds terms, vetoes and description
words to rules by rule id; a ``[[rules]]`` entry with ``language = "<code>"`` is a rule of that
language only. ``[rules] languages`` in drift.toml picks the languages used (English always).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drift.classify.tokens import tokenize
from drift.errors import ConfigError
from drift.model import Severity

LANGUAGE_CODE = r"^([a-z]{2,3})?$"
ENGLISH = "en"
SeverityText = Severity  # the one spelling of severity: "low" | "medium" | "high"
TypeName = Literal["string", "number", "integer", "boolean", "object", "array", "datetime"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategorySpec(_Strict):
    severity: SeverityText = Field(description="Default severity of the category's findings.")
    what: str = Field("", description="What the category covers, for docs and explanations.")


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_][a-z0-9_.\-]*$", description="Unique rule id.")
    category: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Category id.")
    what: str = Field(min_length=1, description="Completes '... looks like <what>'.")
    tokens: list[str] = Field(min_length=1, description="Words or word sequences that match.")
    severity: SeverityText | None = Field(None, description="Default: the category's severity.")
    types: list[TypeName] = Field(default_factory=list, description="Type gate; empty = any.")
    unless: list[str] = Field(default_factory=list, description="Tokens/sequences that veto.")
    with_any: list[str] = Field(default_factory=list, description="One must also be present.")
    description_any: list[str] = Field(
        default_factory=list, description="One must appear in the description."
    )
    language: str = Field("", pattern=LANGUAGE_CODE, description="Only with this language.")

    @field_validator("tokens", "unless", "with_any", "description_any")
    @classmethod
    def _patterns_have_words(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not tokenize(pattern.strip("^$ ")):
                raise ValueError(f"pattern {pattern!r} has no letters or digits")
        return value


class TemporarySpec(_Strict):
    anywhere: list[str] = Field(default_factory=list, description="Markers anywhere in a name.")
    edges: list[str] = Field(default_factory=list, description="Markers as first/last word.")
    unless: list[str] = Field(default_factory=list, description="Sequences that are not markers.")


Patterns = dict[str, list[str]]  # rule id -> patterns


class LanguageSpec(_Strict):
    name: str = Field("", description="The language's name, shown in reasons.")
    connectors: list[str] = Field(default_factory=list, description="Dropped between words.")
    elisions: list[str] = Field(default_factory=list, description="Dropped before a word.")
    terms: Patterns = Field(default_factory=dict, description="More tokens, by rule id.")
    unless: Patterns = Field(default_factory=dict, description="More vetoes, by rule id.")
    with_any: Patterns = Field(default_factory=dict, description="More with_any, by rule id.")
    description_any: Patterns = Field(
        default_factory=dict, description="More description words, by rule id."
    )

    def over(self, user: LanguageSpec) -> LanguageSpec:
        """This language with a user's additions: lists are extended, the name replaced."""
        return LanguageSpec(
            name=user.name or self.name,
            connectors=self.connectors + user.connectors,
            elisions=self.elisions + user.elisions,
            terms=_extend(self.terms, user.terms),
            unless=_extend(self.unless, user.unless),
            with_any=_extend(self.with_any, user.with_any),
            description_any=_extend(self.description_any, user.description_any),
        )

    def rule_ids(self) -> set[str]:
        return {*self.terms, *self.unless, *self.with_any, *self.description_any}


def _extend(base: Patterns, more: Patterns) -> Patterns:
    out = {k: list(v) for k, v in base.items()}
    for key, values in more.items():
        out[key] = out.get(key, []) + values
    return out


class RulesFile(_Strict):
    """One rules file (the default one or a user's); see the module docstring."""

    disable: list[str] = Field(default_factory=list, description="Rule ids to turn off.")
    severity: dict[str, SeverityText] = Field(
        default_factory=dict, description="Severity by category id or rule id."
    )
    categories: dict[str, CategorySpec] = Field(default_factory=dict, description="Categories.")
    rules: list[RuleSpec] = Field(default_factory=list, description="Rules to add or replace.")
    temporary: TemporarySpec = Field(default_factory=TemporarySpec, description="Markers.")
    languages: dict[str, LanguageSpec] = Field(
        default_factory=dict, description="Per-language terms, vetoes, connectors."
    )

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: dict[str, LanguageSpec]) -> dict[str, LanguageSpec]:
        for code in value:
            if not re.fullmatch(LANGUAGE_CODE, code) or not code:
                raise ValueError(f"language code {code!r} is not 2-3 lowercase letters")
        return value


@dataclass(frozen=True)
class RuleSet:
    """The effective rules after merging: what the classifier is built from."""

    categories: dict[str, CategorySpec]
    rules: tuple[RuleSpec, ...]  # severity always filled in
    temporary: TemporarySpec
    languages: dict[str, LanguageSpec] = field(default_factory=dict)  # enabled, besides English

    def as_data(self) -> dict[str, Any]:
        """Plain data, for hashing and explanations."""
        return {
            "categories": {k: v.model_dump() for k, v in sorted(self.categories.items())},
            "rules": [r.model_dump() for r in sorted(self.rules, key=lambda r: r.id)],
            "temporary": self.temporary.model_dump(),
            "languages": {k: v.model_dump() for k, v in sorted(self.languages.items())},
        }

    def language_name(self, code: str) -> str:
        spec = self.languages.get(code)
        return (spec.name if spec else "") or code


DEFAULT_RULES = "default_rules.toml"
LANGUAGE_FOLDER = "languages"


def require_category(category: str, known: Collection[str], what: str) -> str:
    """The one check that a category id exists in the loaded rule set: ``[[policy]]``,
    ``drift ack --category`` and ``drift inventory --category`` all refuse alike."""
    if category not in known:
        raise ConfigError(
            f"{what}: unknown category {category!r} (known: {', '.join(sorted(known))}; "
            f"a [rules] file can add [categories.{category}])"
        )
    return category


def load_rules(
    user_rules_path: Path | None = None, languages: Sequence[str] | None = None
) -> RuleSet:
    """Default rules in every shipped language, with the user's file (if any) laid over them.

    ``languages`` picks the languages whose terms are used (English always is); None: all.
    """
    base = shipped_rules()
    if user_rules_path is None:
        return merge(base, RulesFile(), DEFAULT_RULES, languages)
    user = read_rules_file(Path(user_rules_path))
    return merge(base, user, str(user_rules_path), languages)


def shipped_rules() -> RulesFile:
    """``default_rules.toml`` and every ``languages/*.toml`` as one rules file."""
    root = resources.files("drift.classify")
    base = parse_rules(root.joinpath(DEFAULT_RULES).read_text("utf-8"), DEFAULT_RULES)
    folder = root.joinpath(LANGUAGE_FOLDER)
    rules, langs = list(base.rules), dict(base.languages)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            origin = f"{LANGUAGE_FOLDER}/{entry.name}"
            part = parse_rules(entry.read_text("utf-8"), origin)
            rules += part.rules
            langs.update(part.languages)
    return base.model_copy(update={"rules": rules, "languages": langs})


def read_rules_file(path: Path) -> RulesFile:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rules file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: rules file is not UTF-8 ({exc.reason})") from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, origin: str) -> RulesFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc
    try:
        return RulesFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, origin)) from exc


def _first_error(exc: ValidationError, origin: str) -> str:
    # a misspelt key also makes the right one "missing": report the misspelling
    err = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    key = _key_path(err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{origin}: unknown key '{key}' ({_expected(err['loc'])})"
    return f"{origin}: key '{key}': {err['msg']}"


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _expected(loc: tuple[int | str, ...]) -> str:
    models: dict[str, type[BaseModel]] = {
        "rules": RuleSpec,
        "categories": CategorySpec,
        "temporary": TemporarySpec,
        "languages": LanguageSpec,
    }
    model = models.get(str(loc[0]), RulesFile) if len(loc) > 1 else RulesFile
    return "expected one of: " + ", ".join(model.model_fields)


def merge(
    base: RulesFile, user: RulesFile, origin: str, languages: Sequence[str] | None = None
) -> RuleSet:
    """Lay ``user`` over ``base``: categories and rules by id, then severities, then disables.

    Only the ``languages`` picked (None: all known) keep their terms and language-only rules.
    """
    categories = {**base.categories, **user.categories}
    by_id = {rule.id: rule for rule in base.rules}
    by_id.update({rule.id: rule for rule in user.rules})
    _check_references(user, by_id, categories, origin)
    langs = _merged_languages(base, user, by_id, origin)
    enabled = _enabled(langs, languages)
    by_id = {k: r for k, r in by_id.items() if not r.language or r.language in enabled}
    for cat, sev in user.severity.items():
        if cat in categories:
            categories[cat] = categories[cat].model_copy(update={"severity": sev})
    rules = [by_id[rid] for rid in by_id if rid not in set(base.disable) | set(user.disable)]
    filled = tuple(_with_severity(r, categories, user.severity) for r in rules)
    temporary = TemporarySpec(
        anywhere=base.temporary.anywhere + user.temporary.anywhere,
        edges=base.temporary.edges + user.temporary.edges,
        unless=base.temporary.unless + user.temporary.unless,
    )
    return RuleSet(categories, filled, temporary, {k: langs[k] for k in sorted(enabled)})


def _merged_languages(
    base: RulesFile, user: RulesFile, by_id: dict[str, RuleSpec], origin: str
) -> dict[str, LanguageSpec]:
    langs = dict(base.languages)
    for code, spec in user.languages.items():
        for rid in sorted(spec.rule_ids() - set(by_id)):
            raise ConfigError(f"{origin}: key 'languages.{code}': no rule with id '{rid}'")
        langs[code] = langs[code].over(spec) if code in langs else spec
    for rule in by_id.values():
        if rule.language and rule.language not in langs:
            langs[rule.language] = LanguageSpec()
    return langs


def _enabled(langs: dict[str, LanguageSpec], picked: Sequence[str] | None) -> set[str]:
    if picked is None:
        return set(langs)
    unknown = sorted(set(picked) - set(langs) - {ENGLISH})
    if unknown:
        known = ", ".join(sorted({ENGLISH, *langs}))
        raise ConfigError(f"[rules] languages: unknown language '{unknown[0]}' (known: {known})")
    return set(picked) - {ENGLISH}


def _check_references(
    user: RulesFile, by_id: dict[str, RuleSpec], categories: dict[str, CategorySpec], origin: str
) -> None:
    for i, rid in enumerate(user.disable):
        if rid not in by_id:
            raise ConfigError(f"{origin}: key 'disable[{i}]': no rule with id '{rid}'")
    for key in user.severity:
        if key not in by_id and key not in categories:
            raise ConfigError(f"{origin}: key 'severity.{key}': no rule or category '{key}'")
    for i, rule in enumerate(user.rules):
        if rule.category not in categories:
            known = ", ".join(sorted(categories))
            raise ConfigError(
                f"{origin}: key 'rules[{i}].category': unknown category '{rule.category}' "
                f"(known: {known}; or add [categories.{rule.category}] with a severity)"
            )


def _with_severity(
    rule: RuleSpec, categories: dict[str, CategorySpec], overrides: dict[str, SeverityText]
) -> RuleSpec:
    severity = overrides.get(rule.id) or rule.severity
    if rule.id not in overrides and rule.category in overrides:
        severity = overrides[rule.category]
    severity = severity or categories[rule.category].severity
    return rule.model_copy(update={"severity": severity})
