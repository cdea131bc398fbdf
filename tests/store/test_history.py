"""Timeline and exposure answered from the intervals, on every backend.

The history has appearances, disappearances, reappearances, a type change, a property that lived
only between two snapshots, and acknowledgements in force inside and outside the windows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from typing import ClassVar

import pytest

from drift.ack_target import AckTarget
from drift.model import Finding, Item, ItemKey, Provenance, Schema, Scope, Severity
from drift.store import acks, queries, record
from drift.store.acks import AckState
from drift.store.database import Database
from drift.store.exposure import Exposure, exposure
from drift.store.history import Window
from drift.store.timeline import timeline

T0 = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
NOW = T0 + 7 * DAY


class StandIn:
    """A tiny classifier with the real one's API: whole-name rules, gated by type."""

    rules_hash = "stand-in-rules"
    RULES: ClassVar[dict[str, tuple[str, Severity]]] = {
        "email": ("contact", Severity.HIGH),
        "phone": ("contact", Severity.HIGH),
        "ip": ("device_id", Severity.MEDIUM),
    }

    def category_severity(self, category: str) -> Severity | None:
        return None  # no vendor-label categories in this stand-in

    def classify(self, name: str, types: Sequence[str], description: str) -> tuple[Finding, ...]:
        rule = self.RULES.get(name)
        if rule is None or "boolean" in types:
            return ()
        category, severity = rule
        return (Finding(f"{category}.{name}", category, severity, (name,), reason=name),)


def prop(event: str, name: str, type_: str = "string") -> Item:
    return Item.of(Scope.EVENT_PROPERTY, event, name, type=type_)


SIGNUP = Item.of(Scope.EVENT, "Signup")
DAYS = [
    [SIGNUP, prop("Signup", "email"), prop("Signup", "plan"), prop("Page", "ip")],
    [SIGNUP, prop("Signup", "email"), prop("Signup", "plan", "integer"), prop("Page", "ip"),
     prop("Checkout", "email")],
    [SIGNUP, prop("Signup", "plan", "integer"), prop("Checkout", "email"),
     prop("Signup", "phone")],
    [SIGNUP, prop("Signup", "plan", "integer"), prop("Checkout", "email"),
     prop("Signup", "email")],
    [SIGNUP, prop("Signup", "plan", "integer"), prop("Checkout", "email", "boolean"),
     prop("Signup", "email")],
    [SIGNUP, prop("Signup", "plan", "integer"), prop("Checkout", "email", "boolean"),
     prop("Signup", "email")],
    [SIGNUP, prop("Signup", "plan", "integer"), prop("Checkout", "email", "boolean"),
     prop("Signup", "email"), prop("Page", "ip")],
]  # fmt: skip


def record_history(db: Database) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {"plan": [], "ph": []}
    for day, items in enumerate(DAYS):
        for source, content in (("plan", items), ("ph", [prop("*", "ip")])):
            with db.session() as session:
                rec = record.record_snapshot(
                    session,
                    Schema.build(source, Provenance.DOCUMENTED, content),
                    source_type="jsonschema",
                    taken_at=T0 + day * DAY,
                )
            ids[source].append(rec.snapshot_id)
    return ids


def at(day: int, hour: int = 7) -> dt.datetime:
    return T0 + day * DAY + (hour - 7) * HOUR


def add_acks(db: Database) -> dict[str, acks.Ack]:
    email = ItemKey(Scope.EVENT_PROPERTY, "Signup", "email")
    made = {}
    with db.session() as session:
        made["ip"] = acks.add_ack(
            session,
            AckTarget.property_name("plan", "ip"),
            reason="truncated",
            by="ana",
            now=at(0, 8),
            until=at(1, 19),
        )
        made["phone"] = acks.add_ack(
            session,
            AckTarget.glob("ph*", category="person_name"),
            reason="other category",
            by="ana",
            now=at(0, 8),
        )
        made["email"] = acks.add_ack(
            session, AckTarget.item("plan", email), reason="hashed", by="bo", now=at(6, 9)
        )
    return made


def expose(
    db: Database, since: dt.datetime, until: dt.datetime, **kwargs: object
) -> dict[tuple[str, str], Exposure]:
    with db.session() as session:
        report = exposure(
            session,
            Window(since, until),
            StandIn(),
            now=NOW,
            **kwargs,  # type: ignore[arg-type]
        )
    return {(r.source, r.name): r for r in report.rows}


def test_exposure_includes_a_property_that_lived_only_between_two_snapshots(
    database: Database,
) -> None:
    record_history(database)
    add_acks(database)
    rows = expose(database, at(1, 8), at(3, 6))  # in force: snapshots of day 1 and day 2
    assert set(rows) == {("plan", "email"), ("plan", "ip"), ("plan", "phone"), ("ph", "ip")}
    phone = rows["plan", "phone"]
    assert (phone.first_seen, phone.last_seen) == (at(2), at(2))
    assert phone.events == ("Signup",) and phone.top.category == "contact"
    email = rows["plan", "email"]
    assert email.first_seen == at(0) and email.last_seen is None  # reappeared, still present
    assert email.events == ("Checkout", "Signup")
    ip = rows["plan", "ip"]
    assert ip.top.severity is Severity.MEDIUM and ip.last_seen is None  # came back on day 6


def test_window_overlap_is_decided_by_the_snapshot_in_force(database: Database) -> None:
    record_history(database)
    # The day-3 snapshot replaced the one that had phone: a window from day 3 misses it ...
    assert ("plan", "phone") not in expose(database, at(3, 8), at(5, 8))
    # ... but a window starting just before the day-3 snapshot still sees day 2's state.
    assert ("plan", "phone") in expose(database, at(3, 6), at(5, 8))
    later = expose(database, at(3, 8), at(5, 8))
    assert ("plan", "ip") not in later  # gone on day 2, back only on day 6
    # Checkout.email was a string until day 4 (a boolean after): still exposed on day 3.
    assert later["plan", "email"].events == ("Checkout", "Signup")
    assert expose(database, at(4, 8), at(5, 8))["plan", "email"].events == ("Signup",)
    assert expose(database, at(-5), at(-1)) == {}


def test_exposure_marks_acknowledgements_in_and_out_of_the_window(database: Database) -> None:
    record_history(database)
    made = add_acks(database)
    rows = expose(database, at(1, 8), at(3, 6))
    ip = rows["plan", "ip"]
    assert ip.acks == (made["ip"],) and ip.fully_acknowledged
    assert made["ip"].state(NOW) is AckState.EXPIRED
    assert made["ip"].in_force(at(1, 8), at(3, 6))
    email = rows["plan", "email"]
    assert email.acks == (made["email"],) and not email.fully_acknowledged  # Checkout not acked
    assert not made["email"].in_force(at(1, 8), at(3, 6))  # acknowledged after the window
    assert rows["plan", "phone"].acks == ()  # category-limited ack of another category
    later = expose(database, at(4, 8), at(5, 8))
    assert later["plan", "email"].fully_acknowledged  # only Signup.email is risky then


def test_exposure_filters_by_source_and_severity(database: Database) -> None:
    record_history(database)
    rows = expose(database, at(0), at(6), sources=["ph"])
    assert set(rows) == {("ph", "ip")}
    high = expose(database, at(0), at(6), min_severity=Severity.HIGH)
    assert set(high) == {("plan", "email"), ("plan", "phone")}


def test_exposure_report_carries_its_evidence(database: Database) -> None:
    ids = record_history(database)
    with database.session() as session:
        report = exposure(session, Window(at(1, 8), at(3, 6)), StandIn(), now=NOW)
        hashes = {s.id: s.content_hash for s in queries.snapshots(session)}
    assert [s.id for s in report.snapshots["plan"]] == ids["plan"][1:3]
    assert all(s.content_hash == hashes[s.id] for s in report.snapshots["plan"])
    assert report.generated_at == NOW and report.rules_hash == "stand-in-rules"
    assert ("plan", "contact", Severity.HIGH, 2) in report.summary()


def test_timeline_of_a_property_across_events_and_changes(database: Database) -> None:
    ids = record_history(database)
    with database.session() as session:
        found = timeline(session, "email", StandIn())
    assert [(h.source, h.key.label) for h in found] == [
        ("plan", "Checkout.email"),
        ("plan", "Signup.email"),
    ]
    checkout, signup = found
    assert [(m.what, m.at) for m in signup.moments()] == [
        ("present at baseline", at(0)),  # in drift's first snapshot: it did not "appear" then
        ("disappeared", at(2)),
        ("reappeared", at(3)),
    ]
    changed = checkout.moments()[1]
    assert (changed.what, changed.snapshot, changed.detail) == (
        "changed",
        ids["plan"][4],
        "type string -> boolean",
    )
    assert [bool(m.version.findings) for m in checkout.moments()] == [True, False]
    assert signup.present and signup.first_seen == at(0) and signup.last_seen is None


def test_timeline_filters_and_event_names(database: Database) -> None:
    record_history(database)
    with database.session() as session:
        ip = timeline(session, "ip", StandIn(), source="plan")
        signup = timeline(session, "Signup", StandIn())
        only = timeline(session, "email", StandIn(), event="Signup")
        none = timeline(session, "nothing", StandIn())
    assert [h.source for h in ip] == ["plan"]
    assert [m.what for m in ip[0].moments()] == [
        "present at baseline",
        "disappeared",
        "reappeared",
    ]
    assert ip[0].versions[0].interval.last_seen == at(1)
    assert [h.key.scope for h in signup] == [Scope.EVENT]
    assert [h.key.event for h in only] == ["Signup"] and none == []


def random_history(seed: int, days: int) -> list[Schema]:
    rng = random.Random(seed)
    universe = [(e, n) for e in ("A", "B", "*") for n in ("email", "ip", "x", "y")]
    schemas = []
    for _ in range(days):
        chosen = rng.sample(universe, rng.randint(0, len(universe)))
        items = [prop(e, n, rng.choice(["string", "integer"])) for e, n in chosen]
        schemas.append(Schema.build("plan", Provenance.DOCUMENTED, items))
    return schemas


def defs(items: Schema | Iterable[Item]) -> dict[ItemKey, str]:
    found = items.items if isinstance(items, Schema) else items
    return {item.key: item.definition_json for item in found}


@pytest.mark.parametrize("seed", [1, 2])
def test_any_two_dates_are_answered_from_the_intervals(database: Database, seed: int) -> None:
    schemas = random_history(seed, 10)
    ids = []
    for day, s in enumerate(schemas):
        with database.session() as session:
            ids.append(
                record.record_snapshot(
                    session, s, source_type="x", taken_at=T0 + day * DAY
                ).snapshot_id
            )
    with database.session() as session:
        for i, a in enumerate(ids):
            assert queries.state_at(session, a).content_hash == schemas[i].content_hash
            assert queries.resolve_ref(session, "plan", f"{T0 + i * DAY:%Y-%m-%d}") == a
            for j, b in enumerate(ids):
                before, after = queries.touched_between(session, "plan", a, b)
                full_a, full_b = defs(schemas[i]), defs(schemas[j])
                keys = full_a.keys() | full_b.keys()
                differing = {k for k in keys if full_a.get(k) != full_b.get(k)}
                assert differing <= before.keys() | after.keys()
                assert {k: full_a[k] for k in before} == defs(before.values())
                assert {k: full_b[k] for k in after} == defs(after.values())
