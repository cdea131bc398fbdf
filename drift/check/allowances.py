"""Allowances: accepted findings kept in a committed file (``drift-allow.toml``), no database.

```toml
[[allow]]
property = "email_domain"          # or item = "Signup Completed:email_domain", or pattern = "utm_*"
category = "organization"          # optional: only findings of this category
source = "plan"                    # optional: only this source (default: any)
reason = "B2B accounts: the domain names the customer, reviewed with the DPO"
by = "alice@example.com"
until = 2027-03-31                 # optional: a date (end of day) or a datetime; then it expires
```

An allowance matches exactly as a ``drift ack`` acknowledgement does (item, property name on any
event, or a case-sensitive glob; optionally one category and one source). An expired allowance
stops applying (its finding is reported again); one that matches no finding in the checked files
is *stale* and reported so it can be removed. As with acknowledgements, only an allowance with a
reason *and* an expiry excuses a ``[[policy]]`` violation.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drift.ack_target import AckScope, AckTarget, candidate_keys
from drift.clockface import parse_moment
from drift.errors import ConfigError
from drift.model import ItemKey

DEFAULT_FILE = Path("drift-allow.toml")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*allow[ \t]*\]\]", re.MULTILINE)


class AllowEntry(BaseModel):
    """One ``[[allow]]`` block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str | None = Field(None, description="EVENT:NAME (*:NAME project-wide, :NAME user).")
    property: str | None = Field(None, description="A property name, on any event.")
    pattern: str | None = Field(None, description="A case-sensitive glob over property names.")
    source: str | None = Field(None, description="Only this source (default: any).")
    category: str | None = Field(None, description="Only findings of this category.")
    reason: str = Field(description="Why the finding is acceptable.")
    by: str = Field(description="Who accepted it.")
    until: dt.datetime | dt.date | str | None = Field(
        None, description="When it expires: a TOML date or datetime, or the same as text."
    )

    @field_validator("reason", "by")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return " ".join(value.split())


class AllowFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allow: list[AllowEntry] = Field(default_factory=list, description="Accepted findings.")


@dataclass(frozen=True)
class Allowance:
    """One accepted finding, resolved: what it covers, why, by whom, until when."""

    file: str
    line: int  # of its [[allow]] header
    number: int  # 1-based, as people count [[allow]] blocks
    targets: tuple[AckTarget, ...]
    label: str
    reason: str
    by: str
    until: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.until is not None and self.until <= now

    def matches(self, source: str, key: ItemKey, category: str | None) -> bool:
        return any(t.matches(source, key, category) for t in self.targets)


@dataclass(frozen=True)
class Allowances:
    """The allowances of one file, split by whether they still apply at ``now``."""

    active: tuple[Allowance, ...]
    expired: tuple[Allowance, ...]

    def match(self, source: str, key: ItemKey, category: str | None) -> Allowance | None:
        """The last active allowance in the file that covers the finding (newest wins)."""
        found = [a for a in self.active if a.matches(source, key, category)]
        return found[-1] if found else None


NO_ALLOWANCES = Allowances((), ())


def load_allowances(
    path: Path | None, now: dt.datetime, tz: dt.tzinfo, categories: Iterable[str]
) -> Allowances:
    """Read ``path`` (None: ``drift-allow.toml`` when it exists, else none)."""
    if path is None:
        if not DEFAULT_FILE.is_file():
            return NO_ALLOWANCES
        path = DEFAULT_FILE
    text = _read(path)
    entries = _parse(text, path)
    lines = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    known = frozenset(categories)
    resolved = [
        _resolve(entry, path, i, lines[i - 1] if i <= len(lines) else 1, tz, known)
        for i, entry in enumerate(entries, start=1)
    ]
    return Allowances(
        tuple(a for a in resolved if not a.expired(now)),
        tuple(a for a in resolved if a.expired(now)),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such allowances file; check --allowances") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read allowances: {exc}") from None


def _parse(text: str, path: Path) -> list[AllowEntry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return AllowFile.model_validate(data).allow
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = list(err["loc"])
    where = f"[[allow]] #{loc[1] + 1}" if len(loc) > 1 and isinstance(loc[1], int) else ""
    key = ".".join(str(p) for p in loc[2:] if not isinstance(p, int)) or ".".join(map(str, loc))
    if err["type"] == "extra_forbidden":
        return (
            f"{where}: unknown key {key!r} (expected one of: {', '.join(AllowEntry.model_fields)})"
        )
    if err["type"] == "missing":
        return f"{where}: missing key {key!r} (every allowance says why, and who accepted it)"
    return f"{where} {key}: {str(err['msg']).removeprefix('Value error, ')}".strip()


def _resolve(
    entry: AllowEntry, path: Path, number: int, line: int, tz: dt.tzinfo, known: frozenset[str]
) -> Allowance:
    where = f"{path}: [[allow]] #{number}"
    chosen = [k for k in ("item", "property", "pattern") if getattr(entry, k)]
    if len(chosen) != 1:
        raise ConfigError(f"{where}: give exactly one of item, property or pattern")
    if entry.category is not None and entry.category not in known:
        raise ConfigError(
            f"{where}: category {entry.category!r} is not a category "
            f"(known: {', '.join(sorted(known))})"
        )
    return Allowance(
        file=path.as_posix(),
        line=line,
        number=number,
        targets=_targets(entry),
        label=f"{chosen[0]} {getattr(entry, chosen[0])}",
        reason=entry.reason,
        by=entry.by,
        until=_until(entry.until, tz, where),
    )


def _targets(entry: AllowEntry) -> tuple[AckTarget, ...]:
    source, category = entry.source, entry.category
    if entry.item:
        return tuple(
            AckTarget(AckScope.ITEM, source, key=k, category=category)
            for k in candidate_keys(entry.item)
        )
    if entry.property:
        return (AckTarget(AckScope.PROPERTY, source, name=entry.property, category=category),)
    return (AckTarget.glob(entry.pattern or "", source, category),)


def _until(value: Any, tz: dt.tzinfo, where: str) -> dt.datetime | None:
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else value.isoformat()
    try:
        return parse_moment(text, tz, end_of_day=True)
    except ConfigError as exc:
        raise ConfigError(f"{where}: until: {exc}") from None
