"""Values passed between drift's stages: plain, frozen, and free of property values.

An *item* is one thing a vendor knows about, keyed by ``(scope, event, name)``; its *definition*
is the stable part of what the vendor says about it (types, description, flags...), hashed from
canonical JSON. Volatile vendor fields (volumes, last seen, updated at) never enter a definition.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from operator import attrgetter
from typing import Any, NamedTuple, Protocol

from drift import canonical
from drift.canonical import canonical_json as canonical_json  # re-exported: home is canonical.py
from drift.canonical import digest
from drift.canonical import sha256_hex as sha256_hex
from drift.canonical import utf8 as utf8


class Scope(StrEnum):
    EVENT = "event"
    EVENT_PROPERTY = "event_property"
    USER_PROPERTY = "user_property"
    GROUP_PROPERTY = "group_property"


class SourceRole(StrEnum):
    """What a source is in the data flow (a trait of each source class: ``SourceBase.role``)."""

    VENDOR = "vendor"  # an analytics vendor: where data ends up
    PLAN = "plan"  # a documented tracking plan (JSON Schema files)
    SAMPLE = "sample"  # event samples: what was sent, not a vendor
    CDP = "cdp"  # a customer data platform that routes events to vendors (Segment)

    @property
    def is_vendor(self) -> bool:
        return self is SourceRole.VENDOR


class Provenance(StrEnum):
    DOCUMENTED = "documented"  # what someone wrote down: tracking plans, data dictionaries
    OBSERVED = "observed"  # what actually arrived: PostHog definitions, event samples


ANY_EVENT = "*"  # event of a property the vendor keeps project-wide

#: Canonical JSON types used in definitions' ``type`` lists.
CANONICAL_TYPES = frozenset(
    {"string", "number", "integer", "boolean", "object", "array", "null", "any", "datetime"}
)
_TYPE_ALIASES = {
    "str": "string",
    "text": "string",
    "enum": "string",
    "numeric": "number",
    "float": "number",
    "double": "number",
    "int": "integer",
    "long": "integer",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
    "map": "object",
    "date": "datetime",
    "date-time": "datetime",
    "timestamp": "datetime",
}

#: Definition keys that carry example or default *values*: never kept.
VALUE_BEARING_KEYS = frozenset({"examples", "example", "default", "const", "value", "values"})


Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The wall clock, aware and in UTC."""
    return dt.datetime.now(dt.UTC)


_clock: list[Clock] = [system_clock]


def utcnow() -> dt.datetime:
    """Now, aware and in UTC: the only clock drift reads. Tests inject another with
    :func:`use_clock` (or freeze time with time-machine)."""
    return _clock[0]()


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Within the block, :func:`utcnow` (and so every "now" in drift) reads ``clock``."""
    _clock.insert(0, clock)
    try:
        yield
    finally:
        _clock.remove(clock)


def vendor_time(raw: Any) -> dt.datetime | None:
    """A vendor's ISO 8601 timestamp as aware UTC; None when absent, unreadable or before 1970
    (Segment's Go zero time ``0001-01-01T00:00:00.000Z`` means "none")."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC) if when.year >= 1970 else None


def nfc(text: str) -> str:
    """Names are compared in Unicode NFC so that visually equal names are equal (ASCII text is
    always NFC: most names are, and are returned as they are)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


#: Every known spelling (canonical names included) to its canonical name: one shared string per
#: type name, not one per item.
_SPELLINGS = {**{name: name for name in CANONICAL_TYPES}, **_TYPE_ALIASES}


def normalize_types(raw: Any) -> list[str]:
    """Map vendor type spellings to a sorted list of canonical type names."""
    if type(raw) is str:  # the common case: one spelling
        name = raw.strip().lower()
        return [_SPELLINGS.get(name, name)] if name else []
    if raw is None or raw == "":
        return []
    values = raw if isinstance(raw, list | tuple | set) else [raw]
    out = set()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        name = value.strip().lower()
        out.add(_SPELLINGS.get(name, name))
    return sorted(out)


_TEXT_FIELDS = frozenset({"description", "display_name", "category", "pattern", "format"})
_SET_FIELDS = frozenset({"tags", "owners", "classifications"})


def definition_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical definition from known fields (a mapping, not keyword arguments: sources build
    one per item), dropping empties and value-bearing keys.

    Known fields: ``type`` (normalised to a sorted list), ``description``, ``display_name``,
    ``required``, ``enum``, ``pattern``, ``format``, ``hidden``, ``dropped``, ``deprecated``,
    ``tags`` (sorted), ``owners`` (sorted), ``classifications`` (the vendor's own privacy labels,
    sorted), ``deleted`` (deleted at the vendor), ``category``, ``is_array`` and ``vendor`` (a dict
    of other stable vendor metadata). ``False`` flags are dropped so that "absent" and "false"
    hash alike. The early ``continue``s skip the generic empty test on the common fields.
    """
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or key in VALUE_BEARING_KEYS:
            continue
        if key == "type":
            value = normalize_types(value)
            if not value:
                continue
        elif key in _TEXT_FIELDS:
            value = (value if type(value) is str else str(value)).strip()
            if not value or (key == "description" and value.lower() in ("null", "none")):
                continue
        elif key in _SET_FIELDS:
            value = sorted({str(v) for v in value if v not in (None, "")})
        elif key == "vendor" and isinstance(value, Mapping):
            value = {
                k: v for k, v in value.items() if k not in VALUE_BEARING_KEYS and v is not None
            }
        if value in ("", [], {}, False):
            continue
        out[key] = value
    return out


def key_text(scope: str, event: str, name: str) -> str:
    """The one text form of an item key that gets hashed (here, in the store, in acks)."""
    return f"{scope}\x1f{event}\x1f{name}"


class ItemKey(NamedTuple):
    """Identity of an item on a source. A tuple, so hashing, equality and ordering run in C: the
    diff and the store compare 100k of them at a time."""

    scope: Scope
    event: str
    name: str

    @property
    def hash(self) -> str:
        """Identity of the key on every backend, whatever its collation or length limits."""
        return sha256_hex(key_text(self.scope, self.event, self.name))

    @property
    def place(self) -> str:
        """Where a property lives, for people (the one display form in every output): its event,
        ``*`` (any event), ``(user)`` or ``(group:TYPE)``. Display only: never stored or parsed."""
        if self.scope is Scope.USER_PROPERTY:
            return "(user)"
        if self.scope is Scope.GROUP_PROPERTY:
            return f"(group:{self.event})"
        return self.event or ANY_EVENT

    @property
    def label(self) -> str:
        if self.scope is Scope.EVENT:
            return self.event
        where = self.event or self.scope.value.removesuffix("_property")
        return f"{where}.{self.name}"


@dataclass(frozen=True, slots=True)
class Item:
    """One event or property as a source describes it (no values, ever). Slotted: a source of a
    million items holds a million of them."""

    scope: Scope
    event: str
    name: str
    definition: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: When the vendor says it first saw or created the item (not part of the definition).
    vendor_since: dt.datetime | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls, scope: Scope, event: str, name: str = "", *, since: Any = None, **fields: Any
    ) -> Item:
        """Convenience constructor: NFC names and a canonical definition from ``fields``;
        ``since`` is the vendor's first-seen or creation time (ISO 8601 text or a datetime)."""
        return cls.from_fields(scope, event, name, fields, since)

    @classmethod
    def from_fields(
        cls, scope: Scope, event: str, name: str, fields: Mapping[str, Any], since: Any = None
    ) -> Item:
        """:meth:`of` with the definition's fields as one mapping."""
        when = since if since is None or isinstance(since, dt.datetime) else vendor_time(since)
        scope = scope if type(scope) is Scope else Scope(scope)
        return cls(scope, nfc(event), nfc(name), definition_of(fields), when)

    @property
    def key(self) -> ItemKey:
        return ItemKey(self.scope, self.event, self.name)

    @property
    def definition_json(self) -> str:
        """The canonical JSON of the definition (computed on each call: recording computes it
        once per item, and a million cached copies would outweigh the items)."""
        return canonical_json(self.definition)

    @property
    def definition_digest(self) -> bytes:
        """SHA-256 of the canonical definition: its hex is ``definition_hash``, its first 16
        bytes the stored identity."""
        return digest(self.definition_json)

    @property
    def definition_hash(self) -> str:
        return self.definition_digest.hex()

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.definition.get("type", ()))

    @property
    def description(self) -> str:
        return str(self.definition.get("description", ""))


#: What the content hash covers of each item, in order (a tuple is written as a JSON array).
_CONTENT_FIELDS = attrgetter("scope", "event", "name", "definition")
#: An item's key as a plain tuple (ordered as ``ItemKey``), to sort by.
_KEY_FIELDS = attrgetter("scope", "event", "name")


@dataclass(frozen=True)
class Schema:
    """Everything one source said at one moment: items sorted by key, each key once."""

    source: str
    provenance: Provenance
    items: tuple[Item, ...]

    @classmethod
    def build(cls, source: str, provenance: Provenance, items: Iterable[Item]) -> Schema:
        """Sort by key and keep one item per key (identical duplicates collapse; for conflicting
        ones the definition that sorts first wins, so the result never depends on fetch order)."""
        ordered = sorted(items, key=_KEY_FIELDS)  # stable: duplicates keep fetch order
        kept: list[Item] = []
        last: Item | None = None
        for item in ordered:
            if (
                last is None
                or item.name != last.name
                or item.event != last.event
                or item.scope != last.scope
            ):
                kept.append(item)
                last = item
            elif item.definition_json < last.definition_json:
                kept[-1] = last = item
        del ordered
        return cls(source, Provenance(provenance), tuple(kept))

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of every item (scope, event, name, definition) in key
        order, written in one pass: equal hashes mean equal schemas, so recording an unchanged
        schema compares this one hash with the last snapshot's instead of one per item."""
        with canonical.paused_gc():
            return canonical.content_hash(map(_CONTENT_FIELDS, self.items))

    @property
    def item_count(self) -> int:
        return len(self.items)

    def by_key(self) -> dict[ItemKey, Item]:
        return {item.key: item for item in self.items}


@dataclass(frozen=True)
class KnownRead:
    """A source's input recognised as one already read (the same bytes, options, reader and
    code: see :mod:`drift.sources.known_reads`), so its schema's content hash and item count are
    known without parsing it. Recording an unchanged source needs nothing more; ``parse()`` reads
    the kept input into the schema when the store needs its items after all."""

    source: str
    provenance: Provenance
    content_hash: str
    item_count: int
    parse: Callable[[], Schema] = field(compare=False, repr=False)


#: What fetching a source gives: its schema, or an input recognised as already read.
Fetched = Schema | KnownRead


class Severity(StrEnum):
    """How bad a finding is; the one spelling of severity (rules files, config, outputs)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def raised(self) -> Severity:
        return _BY_RANK[min(self.rank + 1, 3)]

    def reaches(self, floor: Severity | None) -> bool:
        """At or above ``floor`` (everything reaches no floor)."""
        return floor is None or self.rank >= floor.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls(text.strip().lower())


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}
_BY_RANK = {rank: sev for sev, rank in _SEVERITY_RANK.items()}
#: Every severity, most severe first (counts, summaries and metrics list them in this order).
MOST_SEVERE_FIRST = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def most_severe_level(levels: Iterable[Severity | None]) -> Severity | None:
    """The highest of some severities (None when there are none)."""
    ranked = [s for s in levels if s is not None]
    return max(ranked, key=lambda s: s.rank) if ranked else None


#: The category of a tmp/test/debug marker: a flag on top of another category.
TEMPORARY = "temporary"


@dataclass(frozen=True)
class Finding:
    """Why a property name is risky, in terms a reviewer can check."""

    rule_id: str
    category: str
    severity: Severity
    tokens: tuple[str, ...]  # the name tokens that matched
    signals: tuple[str, ...] = ()  # e.g. ("type=string", "description mentions 'email'")
    reason: str = ""  # one line: "name token 'email' (string) looks like an email address"
    temporary: bool = False  # a tmp/test/debug marker was also present

    def as_dict(self) -> dict[str, Any]:
        """The one serialised form of a finding, in every JSON and CSV output."""
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity.value,
            "tokens": list(self.tokens),
            "signals": list(self.signals),
            "reason": self.reason,
            "temporary": self.temporary,
        }


def most_severe(findings: Iterable[Finding]) -> Finding | None:
    """The most severe finding (ties: the first one, as the classifier orders them)."""
    best: Finding | None = None
    for finding in findings:
        if best is None or finding.severity.rank > best.severity.rank:
            best = finding
    return best


def ranked_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per (rule, category), the most severe kept, most severe first."""
    best: dict[tuple[str, str], Finding] = {}
    for f in findings:
        kept = best.get((f.rule_id, f.category))
        if kept is None or f.severity.rank > kept.severity.rank:
            best[(f.rule_id, f.category)] = f
    return tuple(sorted(best.values(), key=lambda f: (-f.severity.rank, f.category, f.rule_id)))


class Classifier(Protocol):
    """What the stages need of the classifier (``drift.classify`` provides it)."""

    @property
    def rules_hash(self) -> str: ...

    @property
    def category_ids(self) -> frozenset[str]: ...

    def category_severity(self, category: str) -> Severity | None: ...

    def classify(
        self, name: str, types: Sequence[str] = (), description: str = ""
    ) -> tuple[Finding, ...]: ...


class ChangeGroup(StrEnum):
    """What a change means for a reviewer."""

    ADDITION = "addition"  # something new reached the vendor
    REMOVAL = "removal"  # removed or no longer listed
    RETYPE = "retype"
    EDIT = "edit"  # description, visibility or other metadata


class ChangeKind(StrEnum):
    """Kinds of change, declared in display order (:attr:`order`)."""

    EVENT_ADDED = "event_added"
    EVENT_REMOVED = "event_removed"
    EVENT_UNLISTED = "event_no_longer_listed"
    PROPERTY_NEW = "property_new"  # a name never seen on this source before
    PROPERTY_ADDED = "property_added"  # a known name, added to another event
    PROPERTY_REMOVED = "property_removed"
    PROPERTY_UNLISTED = "property_no_longer_listed"
    TYPE_CHANGED = "type_changed"
    DESCRIPTION_CHANGED = "description_changed"  # description or display name
    VISIBILITY_CHANGED = "visibility_changed"  # hidden / dropped / deprecated
    METADATA_CHANGED = "metadata_changed"

    @property
    def order(self) -> int:
        return _KIND_ORDER[self]

    @property
    def group(self) -> ChangeGroup:
        return _KIND_GROUP.get(self, ChangeGroup.EDIT)

    @property
    def is_addition(self) -> bool:
        return self.group is ChangeGroup.ADDITION

    @property
    def is_unlisting(self) -> bool:
        """Absent from an observed or hiding source: not a deletion."""
        return self in (ChangeKind.EVENT_UNLISTED, ChangeKind.PROPERTY_UNLISTED)

    @property
    def is_gone_or_retyped(self) -> bool:
        """Shown in the digest's "removed, no longer listed, type changed" section."""
        return self.group in (ChangeGroup.REMOVAL, ChangeGroup.RETYPE)


_KIND_ORDER = {kind: index for index, kind in enumerate(ChangeKind)}
_KIND_GROUP = {
    ChangeKind.EVENT_ADDED: ChangeGroup.ADDITION,
    ChangeKind.PROPERTY_NEW: ChangeGroup.ADDITION,
    ChangeKind.PROPERTY_ADDED: ChangeGroup.ADDITION,
    ChangeKind.EVENT_REMOVED: ChangeGroup.REMOVAL,
    ChangeKind.EVENT_UNLISTED: ChangeGroup.REMOVAL,
    ChangeKind.PROPERTY_REMOVED: ChangeGroup.REMOVAL,
    ChangeKind.PROPERTY_UNLISTED: ChangeGroup.REMOVAL,
    ChangeKind.TYPE_CHANGED: ChangeGroup.RETYPE,
}


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a definition: ``path`` like ``type`` or ``vendor.verified``."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    source: str
    kind: ChangeKind
    key: ItemKey
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable across days, so decisions about a change carry over."""
        return sha256_hex(f"{self.source}\x1f{self.kind}\x1f{self.key.hash}")[:12]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class RenderedDigest:
    """A digest rendered once; notifiers only transport it and never decide what it says."""

    digest_id: str  # stable per digest: Message-ID, webhook-id and file names derive from it
    subject: str  # single line, control characters already removed
    html: str
    text: str
    markdown: str
    json: str  # versioned machine-readable form
    slack: str  # JSON of the Slack Block Kit payload
    created_at: str  # ISO 8601 with the offset of [schedule] timezone (file names use its date)
    attachments: tuple[Attachment, ...] = ()
    #: The JSON body's ``counts`` (``new_high``, ``policy_violations``...), kept beside it so that
    #: ``drift status`` and the metrics read a few numbers, not a body of up to ~20 MB.
    counts: Mapping[str, int] = field(default_factory=dict)


class DeliveryStatus(StrEnum):
    """A delivery to one channel: what a notifier returns, and an outbox row's state."""

    PENDING = "pending"  # in the outbox: not sent yet, or will be retried
    SENT = "sent"
    PARTIAL = "partial"  # e.g. some mail recipients refused
    POSSIBLY_DELIVERED = "possibly_delivered"  # sent, no answer: re-sent at most once
    FAILED = "failed"


# --------------------------------------------------------------------------- lifecycles
# Stored as their string values (the ORM edge); everywhere else they travel as these enums.


class SourceStatus(StrEnum):
    """One source in one run (the ledger) or in one digest."""

    READ = "read"  # fetched, recorded, something may have changed
    UNCHANGED = "unchanged"  # fetched, same content hash as the baseline
    FAILED = "failed"  # not read this run: never shown as "no changes"
    FIRST_RUN = "first_run"  # digest only: no baseline yet, the digest is an inventory


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"  # finished, but a source or a delivery failed
    FAILED = "failed"
    ABORTED = "aborted"  # SIGTERM, deadline or lost lease

    @property
    def final(self) -> bool:
        return self is not RunStatus.RUNNING


class RunPhase(StrEnum):
    """The last durable phase a run reached, in order."""

    STARTED = "started"
    FETCHED = "fetched"
    RECORDED = "recorded"
    DIFFED = "diffed"
    RENDERED = "rendered"
    ENQUEUED = "enqueued"
    DELIVERED = "delivered"


class RunTrigger(StrEnum):
    CLI = "cli"
    SCHEDULE = "schedule"
    CATCH_UP = "catch-up"


class MomentKind(StrEnum):
    """What happened to an item at one moment of its timeline."""

    PRESENT_AT_BASELINE = "present at baseline"  # already there when drift first read it
    APPEARED = "appeared"
    CHANGED = "changed"
    DISAPPEARED = "disappeared"
    REAPPEARED = "reappeared"


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    detail: str = ""  # provider response or reason; never a secret
    refused: tuple[str, ...] = ()  # recipients the server refused
