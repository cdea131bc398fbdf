"""Fixture digests on a fixed clock: several categories, a failed source, acknowledgements,
hostile names, a heartbeat, a first run and a huge one. Used by tests and scripts alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from drift.model import (
    Change,
    ChangeKind,
    FieldChange,
    Finding,
    ItemKey,
    Provenance,
    Scope,
    SourceStatus,
)
from drift.model import Severity as Sev
from drift.report.model import (
    Acknowledgement,
    DigestInput,
    ItemState,
    OpenFinding,
    PolicyViolation,
    RuleChange,
    SourceInput,
    UndocumentedProperty,
)

RUN_AT = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
EP, EV, UP = Scope.EVENT_PROPERTY, Scope.EVENT, Scope.USER_PROPERTY

HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>",
    "*bold* <!channel>",
    "x\r\nBcc: a@b",
    "n" * 500,
    "user\u202eliam_name",
    "🔥 email 👨\u200d👩\u200d👧",
)


def day(d: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, d, 6, 0, tzinfo=dt.UTC)


def finding(category: str, severity: Sev, token: str, rule: str = "") -> Finding:
    return Finding(
        rule_id=rule or f"{category}.{token}",
        category=category,
        severity=severity,
        tokens=(token,),
        signals=("type=string",),
        reason=f"name token '{token}' looks like {category.replace('_', ' ')}",
    )


CONTACT = finding("contact", Sev.HIGH, "email")
PHONE = finding("contact", Sev.HIGH, "phone")
NAME = finding("person_name", Sev.HIGH, "first_name")
DEVICE = finding("device_id", Sev.MEDIUM, "ip")
URL = finding("url", Sev.LOW, "url")
FREE = finding("free_text", Sev.HIGH, "comment")
ORG = finding("organization", Sev.MEDIUM, "company")
AI = finding("ai_content", Sev.HIGH, "prompt")
CRED = Finding("credential.token", "credential", Sev.HIGH, ("tmp", "token"), (), "token", True)


def ch(source: str, kind: ChangeKind, scope: Scope, event: str, name: str = "", **kw) -> Change:  # type: ignore[no-untyped-def]
    return Change(source, kind, ItemKey(scope, event, name), **kw)


def _mixpanel() -> SourceInput:
    s = "mixpanel-prod"
    changes = (
        ch(s, ChangeKind.PROPERTY_NEW, EP, "Signup Completed", "email"),
        ch(s, ChangeKind.PROPERTY_ADDED, EP, "Login", "email"),
        ch(s, ChangeKind.PROPERTY_NEW, EP, "Signup Completed", "first_name"),
        ch(s, ChangeKind.PROPERTY_ADDED, EP, "Page Viewed", "ip_address"),
        ch(s, ChangeKind.PROPERTY_NEW, EP, "Page Viewed", "page_url"),
        ch(s, ChangeKind.EVENT_ADDED, EV, "Checkout Started"),
        ch(s, ChangeKind.PROPERTY_REMOVED, EP, "Login", "legacy_flag"),
        ch(
            s,
            ChangeKind.TYPE_CHANGED,
            EP,
            "Checkout Started",
            "plan_price",
            before={"type": ["string"]},
            after={"type": ["number"]},
            fields=(FieldChange("type", ["string"], ["number"]),),
        ),
        ch(
            s,
            ChangeKind.DESCRIPTION_CHANGED,
            UP,
            "",
            "country",
            fields=(FieldChange("description", "a", "b"),),
        ),
        ch(
            s,
            ChangeKind.VISIBILITY_CHANGED,
            EV,
            "Old Funnel Step",
            fields=(FieldChange("hidden", False, True),),
        ),
        ch(s, ChangeKind.PROPERTY_NEW, EP, "Feedback Sent", "user_comment"),
    )
    items = (
        ItemState(ItemKey(EP, "Signup Completed", "email"), (CONTACT,), None, day(29)),
        ItemState(ItemKey(EP, "Login", "email"), (CONTACT,), None, day(29)),
        ItemState(ItemKey(EP, "Signup Completed", "first_name"), (NAME,), None, day(29)),
        ItemState(ItemKey(EP, "Page Viewed", "ip_address"), (DEVICE,), None, day(2)),
        ItemState(ItemKey(EP, "Page Viewed", "page_url"), (URL,), None, day(29)),
        ItemState(
            ItemKey(EP, "Feedback Sent", "user_comment"),
            (FREE,),
            Acknowledgement(
                "alice@example.com",
                "reviewed: free text is scrubbed",
                day(28),
                day(31, 1).replace(year=2027),
            ),
            day(29),
        ),
    )
    return SourceInput(
        name=s,
        type="mixpanel",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.READ,
        snapshot_id=42,
        content_hash="9f" * 32,
        item_count=1234,
        changes=changes,
        items=items,
        open_findings=(
            OpenFinding(ItemKey(EP, "Profile Updated", "phone"), (PHONE,), day(1, 10)),
            OpenFinding(ItemKey(EP, "Settings Saved", "phone"), (PHONE,), day(15, 10)),
        ),
        rule_changes=(RuleChange(ItemKey(UP, "", "company_name"), (), (ORG,)),),
    )


def _posthog() -> SourceInput:
    s = "posthog-cloud"
    prompt = ItemKey(EP, "AI Chat", "prompt_text")
    return SourceInput(
        name=s,
        type="posthog",
        provenance=Provenance.OBSERVED,
        status=SourceStatus.READ,
        snapshot_id=43,
        content_hash="ab" * 32,
        item_count=310,
        changes=(
            ch(s, ChangeKind.PROPERTY_UNLISTED, EP, "*", "tmp_debug_token"),
            ch(s, ChangeKind.PROPERTY_NEW, EP, "AI Chat", "prompt_text"),
        ),
        items=(
            ItemState(ItemKey(EP, "*", "tmp_debug_token"), (CRED,), None, day(3)),
            ItemState(prompt, (AI,), None, day(28)),
        ),
        policy_violations=(
            PolicyViolation(
                prompt,
                'forbid = ["ai_content"]',
                "ai_content",
                Sev.HIGH,
                "name token 'prompt' looks like ai content",
            ),
        ),
        undocumented=(UndocumentedProperty(prompt, s, "plan", day(28)),),
    )


def _failed() -> SourceInput:
    return SourceInput(
        name="amplitude-prod",
        type="amplitude",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.FAILED,
        reason="HTTP 503 from analytics.amplitude.com after 4 attempts;\nretry next run",
    )


def _unchanged() -> SourceInput:
    return SourceInput(
        name="segment-web",
        type="segment",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.UNCHANGED,
        snapshot_id=44,
        item_count=120,
    )


def fixture_input() -> DigestInput:
    return DigestInput(
        run_at=RUN_AT,
        timezone="Europe/Berlin",
        sources=(_mixpanel(), _posthog(), _failed(), _unchanged()),
        run_id=7,
        since=day(28),
    )


def heartbeat_input(send_when_empty: bool = True) -> DigestInput:
    return DigestInput(
        run_at=RUN_AT,
        timezone="UTC",
        sources=(_unchanged(),),
        send_when_empty=send_when_empty,
        since=day(28),
    )


def first_run_input() -> DigestInput:
    items = (
        ItemState(ItemKey(EP, "Signup Completed", "email"), (CONTACT,)),
        ItemState(ItemKey(EP, "Login", "email"), (CONTACT,)),
        ItemState(ItemKey(EP, "Page Viewed", "ip_address"), (DEVICE,)),
    )
    src = SourceInput(
        name="mixpanel-prod",
        type="mixpanel",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.FIRST_RUN,
        snapshot_id=1,
        item_count=3,
        changes=tuple(
            ch("mixpanel-prod", ChangeKind.PROPERTY_NEW, i.key.scope, i.key.event, i.key.name)
            for i in items
        ),
        items=items,
    )
    return DigestInput(run_at=RUN_AT, timezone="UTC", sources=(src,))


def hostile_input(names: Sequence[str] = HOSTILE_NAMES) -> DigestInput:
    """Every name new as a property (under the next name as its event) and as an event."""
    s = "mixpanel-prod"
    changes = []
    items = []
    for n, name in enumerate(names):
        event = names[(n + 1) % len(names)]
        changes.append(ch(s, ChangeKind.PROPERTY_NEW, EP, event, name))
        items.append(ItemState(ItemKey(EP, event, name), (CONTACT,), None, day(29)))
        changes.append(ch(s, ChangeKind.EVENT_ADDED, EV, name))
    src = SourceInput(
        name=s,
        type="mixpanel",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.READ,
        item_count=len(changes),
        changes=tuple(changes),
        items=tuple(items),
    )
    failed = SourceInput(
        name="amplitude-prod",
        type="amplitude",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.FAILED,
        reason="bad name <!channel>\r\nBcc: a@b",
    )
    return DigestInput(run_at=RUN_AT, sources=(src, failed))


def huge_input(n: int = 20_000) -> DigestInput:
    """n changes: new risky properties in three severities, removals and other changes."""
    s = "mixpanel-prod"
    sevs = (CONTACT, DEVICE, URL)
    changes, items = [], []
    for i in range(n):
        key = ItemKey(EP, f"Event {i % 97}", f"prop_{i:05d}")
        kind = (ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_REMOVED, ChangeKind.METADATA_CHANGED)[
            i % 3
        ]
        changes.append(Change(s, kind, key))
        if kind is ChangeKind.PROPERTY_NEW:
            items.append(ItemState(key, (sevs[i % 2],), None, day(29)))
    src = SourceInput(
        name=s,
        type="mixpanel",
        provenance=Provenance.DOCUMENTED,
        status=SourceStatus.READ,
        item_count=n,
        changes=tuple(changes),
        items=tuple(items),
    )
    return DigestInput(run_at=RUN_AT, sources=(src,))
