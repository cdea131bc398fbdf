"""Deterministic synthetic analytics schemas for the benchmarks: a year of daily schemas.

``daily_schemas(seed=7)`` yields ``(taken_at, Schema)`` for each day: on day 0 about ``size``
event properties spread over events of ~50 properties each, drawn from a shared vocabulary of
realistic names (``checkout_total``, ``plan_tier``...), about 1% of them risky (``email``,
``ip_address``, ``search_query``...). Each following day changes ``churn`` of the schema: properties
added (sometimes with a never-seen name), removed, brought back, retyped or redescribed. The same
seed gives the same schemas, byte for byte.

Used by scripts/bench_history.py and scripts/bench_store.py.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator

from drift.model import Item, ItemKey, Provenance, Schema, Scope

RISKY = [
    "email", "user_email", "email_address", "phone", "phone_number", "ip", "ip_address",
    "first_name", "last_name", "full_name", "username", "search_query", "zip_code", "postcode",
    "street_address", "card_number", "card_last4", "iban", "device_id", "idfa", "user_agent",
    "referrer_url", "page_url", "date_of_birth", "birthdate", "gender", "ssn", "passport_number",
    "feedback_text", "comment", "message_body", "prompt", "completion", "api_token", "password",
    "session_token", "company_name", "job_title", "latitude", "longitude", "diagnosis",
    "support_ticket_id", "tmp_email", "debug_phone",
]  # fmt: skip
WORDS = [
    "plan", "price", "currency", "item", "cart", "page", "button", "screen", "step", "total",
    "duration", "variant", "experiment", "campaign", "medium", "product", "category", "quantity",
    "discount", "coupon", "status", "level", "score", "tab", "section", "position", "size",
    "color", "theme", "language", "platform", "browser", "feature", "mode", "method", "result",
    "error", "reason", "amount", "tier", "seats", "region", "channel", "widget", "report",
    "filter", "sort", "layout", "source", "payment",
]  # fmt: skip
SUFFIXES = ["", "_count", "_type", "_at", "_ms", "_pct", "_total", "_label", "_code", "_index"]
TYPES = {"_count": "integer", "_ms": "integer", "_pct": "number", "_total": "number",
         "_at": "datetime", "_index": "integer"}  # fmt: skip
AREAS = ["Checkout", "Onboarding", "Search", "Settings", "Billing", "Editor", "Dashboard"]
NOUNS = [
    "Cart", "Page", "Button", "Plan", "Invoice", "Report", "Filter", "Modal", "Tab", "Widget",
    "Project", "File", "Comment", "Team", "Invite", "Trial", "Coupon", "Export", "Import", "Tour",
    "Banner", "Form", "Step", "Video", "Template", "Folder", "Chart", "Alert", "Task", "Link",
]  # fmt: skip
VERBS = ["Viewed", "Clicked", "Started", "Completed", "Failed", "Opened", "Closed", "Submitted",
         "Updated", "Shared"]  # fmt: skip
PER_EVENT = 50
START = dt.datetime(2026, 1, 1, 6, 0, tzinfo=dt.UTC)


class _World:
    """The evolving schema: items by key, the keys kept sorted, and what was removed."""

    def __init__(self, rng: random.Random, size: int, per_event: int = PER_EVENT) -> None:
        self.rng = rng
        names = sorted({f"{a}_{b}{s}" for a in WORDS for b in WORDS if a != b for s in SUFFIXES})
        self.names = rng.sample(names, min(len(names), max(200, size // 6))) + RISKY * 4
        self.events = _event_names(max(1, size // per_event))
        self.items: dict[ItemKey, Item] = {}
        self.keys: list[ItemKey] = []
        self.removed: list[Item] = []
        self.fresh = 0
        for event in self.events:
            for name in rng.sample(self.names, per_event):
                item = self.make(event, name)
                self.items[item.key] = item
        self.keys = sorted(self.items)  # one sort, not an insort per item (1M items: minutes)

    def make(self, event: str, name: str, type_: str | None = None, note: str = "") -> Item:
        suffix = next((s for s in TYPES if name.endswith(s)), "")
        chosen = type_ or TYPES.get(suffix, "string")
        # Like Mixpanel's Lexicon or PostHog: a property name is described once, project-wide.
        description = note or f"The {name.replace('_', ' ')}."
        return Item.of(Scope.EVENT_PROPERTY, event, name, type=chosen, description=description)

    def add(self, item: Item) -> None:
        if item.key not in self.items:
            bisect.insort(self.keys, item.key)
        self.items[item.key] = item

    def remove(self, key: ItemKey) -> None:
        self.removed.append(self.items.pop(key))
        del self.keys[bisect.bisect_left(self.keys, key)]

    def step(self) -> None:
        """One change: add, remove, bring back, retype or redescribe."""
        roll = self.rng.random()
        if roll < 0.35:
            self.add(self.make(self.rng.choice(self.events), self._new_name()))
        elif roll < 0.70:
            self.remove(self.rng.choice(self.keys))
        elif roll < 0.75 and self.removed:
            self.add(self.removed.pop(self.rng.randrange(len(self.removed))))
        else:
            old = self.items[self.rng.choice(self.keys)]
            if roll < 0.90:
                retyped = "integer" if "string" in old.types else "string"
                self.add(self.make(old.event, old.name, retyped, old.description))
            else:
                self.add(self.make(old.event, old.name, old.types[0], f"{old.description} (v2)"))

    def _new_name(self) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return self.rng.choice(RISKY)
        if roll < 0.15:
            self.fresh += 1
            return f"{self.rng.choice(WORDS)}_new_{self.fresh}"
        return self.rng.choice(self.names)

    def schema(self, source: str) -> Schema:
        # Keys are kept sorted and unique, so this equals Schema.build without the re-sort.
        items = tuple(self.items[k] for k in self.keys)
        return Schema(source, Provenance.OBSERVED, items)


def _event_names(count: int) -> list[str]:
    """``count`` event names: the 2,100 area/noun/verb names, then numbered variants of them
    (``Checkout Cart Viewed 2``) for schemas larger than about 100k properties."""
    base = [f"{a} {n} {v}" for a in AREAS for n in NOUNS for v in VERBS]
    names = base[:count]
    copy = 2
    while len(names) < count:
        names += [f"{e} {copy}" for e in base[: count - len(names)]]
        copy += 1
    return names


def daily_schemas(
    days: int = 365,
    size: int = 100_000,
    churn: float = 0.001,
    seed: int = 7,
    source: str = "synthetic",
    start: dt.datetime = START,
    per_event: int = PER_EVENT,
) -> Iterator[tuple[dt.datetime, Schema]]:
    """Yield ``(taken_at, schema)`` for ``days`` days, one day apart, deterministic by seed;
    ``per_event`` properties per event (``size // per_event`` events)."""
    world = _World(random.Random(seed), size, per_event)
    changes = max(1, round(size * churn))
    for day in range(days):
        if day:
            for _ in range(changes):
                world.step()
        yield start + dt.timedelta(days=day), world.schema(source)


if __name__ == "__main__":
    for taken_at, schema in daily_schemas(days=3, size=1000):
        print(taken_at.date(), len(schema.items), schema.content_hash[:12])
