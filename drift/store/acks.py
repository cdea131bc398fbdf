"""The acknowledgement ledger: who accepted which risky property, why, and until when.

Append-only: an acknowledgement is a row with ``action = ack``; revoking it adds a row with
``action = revoke`` that references it. Rows are never edited or deleted, so the ledger itself is
the audit trail. An acknowledgement names one of:

- ``item``: one item of a source (scope, event, name);
- ``property``: a property name on a source, whatever event carries it;
- ``pattern``: an fnmatch-style glob over property names (case-sensitive, like the names), on one
  source or on all of them.

Any of them can be limited to one finding category (``contact``...). An acknowledgement is in
force from ``created_at`` until it expires (``expires_at``) or is revoked; after that it no longer
matches, so the finding resurfaces.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from drift.ack_target import AckScope, AckTarget, candidate_keys
from drift.canonical import h16
from drift.errors import ConfigError
from drift.model import ItemKey, Scope, utcnow
from drift.store.identity import key_h16
from drift.store.tables import AckRow, ItemKeyRow, SourceRow

ACK, REVOKE = "ack", "revoke"
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AckState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Revocation:
    id: int
    by: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Ack:
    id: int
    target: AckTarget
    reason: str
    by: str
    created_at: dt.datetime
    until: dt.datetime | None = None
    revoked: Revocation | None = None

    @property
    def ends_at(self) -> dt.datetime | None:
        """When it stops being in force: expiry or revocation, whichever comes first."""
        ends = [t for t in (self.until, self.revoked.at if self.revoked else None) if t]
        return min(ends) if ends else None

    def state(self, now: dt.datetime) -> AckState:
        if self.revoked is not None and self.revoked.at <= now:
            return AckState.REVOKED
        if self.until is not None and self.until <= now:
            return AckState.EXPIRED
        return AckState.ACTIVE

    def in_force(self, start: dt.datetime, end: dt.datetime) -> bool:
        """In force at some moment of ``[start, end]``."""
        ends = self.ends_at
        return self.created_at <= end and (ends is None or ends > start)


class AckIndex:
    """Acknowledgements in force, indexed for ``match`` over many findings."""

    def __init__(self, acks: Iterable[Ack]) -> None:
        self._by_item: dict[tuple[str, ItemKey], list[Ack]] = {}
        self._by_name: dict[str, list[Ack]] = {}
        self._patterns: list[Ack] = []
        for ack in sorted(acks, key=lambda a: a.id, reverse=True):  # newest wins
            target = ack.target
            if target.scope is AckScope.ITEM and target.key and target.source:
                self._by_item.setdefault((target.source, target.key), []).append(ack)
            elif target.scope is AckScope.PROPERTY and target.name is not None:
                self._by_name.setdefault(target.name, []).append(ack)
            else:
                self._patterns.append(ack)

    def match(self, source: str, key: ItemKey, category: str | None = None) -> Ack | None:
        """The newest acknowledgement covering this finding (``category`` None: the item as a
        whole, which category-limited acknowledgements do not cover)."""
        candidates = [
            *self._by_item.get((source, key), ()),
            *self._by_name.get(key.name, ()),
            *self._patterns,
        ]
        found = [a for a in candidates if a.target.matches(source, key, category)]
        return max(found, key=lambda a: a.id) if found else None

    def __len__(self) -> int:
        return (
            sum(map(len, self._by_item.values()))
            + sum(map(len, self._by_name.values()))
            + len(self._patterns)
        )


def current_user(environ: Mapping[str, str] | None = None) -> str:
    """``$DRIFT_USER``, then the operating-system user."""
    env = os.environ if environ is None else environ
    if env.get("DRIFT_USER", "").strip():
        return env["DRIFT_USER"].strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def add_ack(
    session: Session,
    target: AckTarget,
    *,
    reason: str,
    by: str | None = None,
    now: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Ack:
    """Record an acknowledgement; ``now`` and ``until`` are aware datetimes."""
    now = _aware(now or utcnow(), "now")
    _check_target(target)
    if until is not None and _aware(until, "--until") <= now:
        raise ConfigError(f"--until {until.isoformat()} is not in the future")
    row = AckRow(
        action=ACK,
        scope=str(target.scope),
        source_name=target.source,
        item_scope=str(target.key.scope) if target.key else None,
        event=target.key.event if target.key else None,
        name=target.key.name if target.key else target.name,
        pattern=target.pattern,
        category=target.category,
        reason=_reason(reason),
        created_by=_who(by),
        created_at=now,
        expires_at=until,
    )
    session.add(row)
    session.flush()
    return _ack(row)


def revoke_ack(
    session: Session,
    ack_id: int,
    *,
    reason: str,
    by: str | None = None,
    now: dt.datetime | None = None,
) -> Ack:
    """Revoke an acknowledgement by adding a revocation row; returns the revoked ack."""
    now = _aware(now or utcnow(), "now")
    ack = next((a for a in list_acks(session) if a.id == ack_id), None)
    if ack is None:
        raise ConfigError(f"no acknowledgement with id {ack_id}; see `drift ack --list`")
    if ack.revoked is not None:
        raise ConfigError(f"acknowledgement {ack_id} was already revoked by {ack.revoked.by}")
    row = AckRow(
        action=REVOKE,
        revokes=ack_id,
        scope=str(ack.target.scope),
        reason=_reason(reason),
        created_by=_who(by),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return replace(ack, revoked=Revocation(row.id, row.created_by, now, row.reason))


def list_acks(session: Session) -> list[Ack]:
    """Every acknowledgement, oldest first, with its revocation folded in."""
    rows = session.scalars(select(AckRow).order_by(AckRow.id)).all()
    revocations = {
        r.revokes: Revocation(r.id, r.created_by, r.created_at, r.reason)
        for r in rows
        if r.action == REVOKE and r.revokes is not None
    }
    return [_ack(r, revocations.get(r.id)) for r in rows if r.action == ACK]


def acks_in_force(session: Session, start: dt.datetime, end: dt.datetime | None = None) -> AckIndex:
    """Acknowledgements in force at some moment of ``[start, end]`` (``end`` None: at start)."""
    end = end or start
    return AckIndex(a for a in list_acks(session) if a.in_force(start, end))


def active_acks(session: Session, now: dt.datetime) -> AckIndex:
    """Acknowledgements in force at ``now``: expired and revoked ones no longer match."""
    return acks_in_force(session, now)


def matches_seen(session: Session, target: AckTarget) -> bool:
    """Whether ``target`` covers any item drift has recorded (ever): an acknowledgement for a
    name never seen is usually a typo (``emial_domain``)."""
    if target.scope is AckScope.ITEM:
        return True  # resolve_item found it
    query = select(SourceRow.name, ItemKeyRow).join(SourceRow, SourceRow.id == ItemKeyRow.source_id)
    if target.source:
        query = query.where(SourceRow.name == target.source)
    if target.scope is AckScope.PROPERTY:
        query = query.where(ItemKeyRow.name_hash == h16(target.name or ""))
    return any(
        target.matches(source, ItemKey(Scope(row.scope), row.event, row.name), target.category)
        for source, row in session.execute(query)
    )


def names_seen(session: Session, source: str | None = None) -> set[str]:
    """Every name drift has recorded (on ``source`` when given), to suggest the one meant."""
    query = select(ItemKeyRow.name).join(SourceRow, SourceRow.id == ItemKeyRow.source_id)
    if source:
        query = query.where(SourceRow.name == source)
    return set(session.scalars(query))


def resolve_item(session: Session, source: str, text: str) -> ItemKey:
    """``EVENT:NAME`` (``*:NAME`` project-wide, ``:NAME`` a user property, ``EVENT:`` or
    ``EVENT`` the event itself) to the one key the source has held. Names may contain colons:
    every split is tried against the store."""
    source_id = session.scalar(select(SourceRow.id).where(SourceRow.name == source))
    if source_id is None:
        raise ConfigError(f"no snapshots recorded for source {source!r}; check --source")
    candidates = {_key_bytes(k): k for k in candidate_keys(text)}
    found = session.scalars(
        select(ItemKeyRow.key_hash).where(
            ItemKeyRow.source_id == source_id, ItemKeyRow.key_hash.in_(list(candidates))
        )
    ).all()
    keys = sorted(candidates[bytes(h)] for h in found)
    if len(keys) == 1:
        return keys[0]
    if not keys:
        raise ConfigError(
            f"source {source!r} has never held item {text!r} (use EVENT:NAME, *:NAME, :NAME); "
            "to acknowledge ahead of time use --property or --pattern"
        )
    labels = ", ".join(f"{k.scope} {k.label}" for k in keys)
    raise ConfigError(f"--item {text!r} is ambiguous on {source!r}: {labels}; use --property")


def _key_bytes(key: ItemKey) -> bytes:
    return key_h16(key)


def _ack(row: AckRow, revoked: Revocation | None = None) -> Ack:
    scope = AckScope(row.scope)
    key = None
    if scope is AckScope.ITEM and row.item_scope is not None:
        key = ItemKey(Scope(row.item_scope), row.event or "", row.name or "")
    target = AckTarget(
        scope,
        row.source_name,
        key=key,
        name=row.name if scope is AckScope.PROPERTY else None,
        pattern=row.pattern,
        category=row.category,
    )
    return Ack(row.id, target, row.reason, row.created_by, row.created_at, row.expires_at, revoked)


def _check_target(target: AckTarget) -> None:
    if target.scope is not AckScope.PATTERN and not target.source:
        raise ConfigError(f"an {target.scope} acknowledgement needs --source")
    if target.scope is AckScope.ITEM and target.key is None:
        raise ConfigError("an item acknowledgement needs --item EVENT:NAME")
    if target.scope is AckScope.PROPERTY and not target.name:
        raise ConfigError("--property needs a property name")
    if target.scope is AckScope.PATTERN and not (target.pattern or "").strip():
        raise ConfigError("--pattern needs a glob such as 'utm_*'")
    if target.category is not None and not _CATEGORY.match(target.category):
        raise ConfigError(
            f"--category {target.category!r} is not a category id (like contact or device_id)"
        )


def _reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ConfigError("--reason is required: say why this is acceptable")
    return text


def _who(by: str | None) -> str:
    who = " ".join((by or current_user()).split())[:200]
    if not who:
        raise ConfigError("--by is empty; give who acknowledges (or set DRIFT_USER)")
    return who


def _aware(moment: dt.datetime, what: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ConfigError(f"{what} must carry a timezone")
    return moment.astimezone(dt.UTC)
