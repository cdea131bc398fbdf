"""What an acknowledgement covers, and how it matches a finding: plain values, no database.

The ledger that stores acknowledgements is :mod:`drift.store.acks`; ``drift check`` allowances
match through the same :class:`AckTarget` without opening a database (or importing SQLAlchemy).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from drift.model import ItemKey, Scope


class AckScope(StrEnum):
    ITEM = "item"
    PROPERTY = "property"
    PATTERN = "pattern"


@dataclass(frozen=True)
class AckTarget:
    """What an acknowledgement covers: see :meth:`item`, :meth:`property_name`, :meth:`glob`."""

    scope: AckScope
    source: str | None = None
    key: ItemKey | None = None  # item scope
    name: str | None = None  # property scope
    pattern: str | None = None  # pattern scope
    category: str | None = None  # None: every category

    @classmethod
    def item(cls, source: str, key: ItemKey, category: str | None = None) -> AckTarget:
        return cls(AckScope.ITEM, source, key=key, category=category)

    @classmethod
    def property_name(cls, source: str, name: str, category: str | None = None) -> AckTarget:
        return cls(AckScope.PROPERTY, source, name=name, category=category)

    @classmethod
    def glob(
        cls, pattern: str, source: str | None = None, category: str | None = None
    ) -> AckTarget:
        return cls(AckScope.PATTERN, source, pattern=pattern, category=category)

    def matches(self, source: str, key: ItemKey, category: str | None) -> bool:
        if self.category is not None and self.category != category:
            return False
        if self.source is not None and self.source != source:
            return False
        if self.scope is AckScope.ITEM:
            return self.key == key
        if key.scope is Scope.EVENT:
            return False
        if self.scope is AckScope.PROPERTY:
            return self.name == key.name
        return fnmatchcase(key.name, self.pattern or "")

    @property
    def label(self) -> str:
        what = {
            AckScope.ITEM: self.key.label if self.key else "",
            AckScope.PROPERTY: self.name or "",
            AckScope.PATTERN: self.pattern or "",
        }[self.scope]
        where = self.source or "any source"
        only = f" [{self.category}]" if self.category else ""
        return f"{self.scope} {what} on {where}{only}"


def candidate_keys(text: str) -> list[ItemKey]:
    """Every key ``EVENT:NAME`` can mean (see :func:`resolve_item`)."""
    keys = [ItemKey(Scope.EVENT, text, "")] if text else []
    for at in [i for i, ch in enumerate(text) if ch == ":"]:
        event, name = text[:at], text[at + 1 :]
        if not name:
            keys.append(ItemKey(Scope.EVENT, event, ""))
        elif not event:
            keys.append(ItemKey(Scope.USER_PROPERTY, "", name))
        else:
            keys += [ItemKey(s, event, name) for s in (Scope.EVENT_PROPERTY, Scope.GROUP_PROPERTY)]
    return keys
