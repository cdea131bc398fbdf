"""The stored identities of items: 16-byte hashes of an item's key and of the name it is looked up
by. Free of SQLAlchemy, so ``drift diff``'s driver-only reader (:mod:`drift.store.lean`) looks
names up by the very hash the recorder stored."""

from __future__ import annotations

from drift.canonical import h16
from drift.model import Item, ItemKey, Scope, key_text


def key_h16(item: Item | ItemKey) -> bytes:
    """The stored identity of an item key (the model's one key text, hashed to 16 bytes)."""
    return h16(key_text(item.scope, item.event, item.name))


def name_h16(scope: Scope | str, event: str, name: str) -> bytes:
    """Timeline lookups go by the property name, or the event name for events."""
    return h16(event if Scope(scope) is Scope.EVENT else name)
