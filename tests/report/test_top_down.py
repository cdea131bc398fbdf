"""The digest reads top-down: every source's policy violations first (before any source's
other rows, whatever the names), a card counting them, the reason line in every format, user and
group properties labelled, and counts that agree between subject and table."""

from __future__ import annotations

import json

import pytest

from drift.model import ChangeKind, ItemKey, Provenance, Scope
from drift.model import Severity as Sev
from drift.report.build import build_digest
from drift.report.model import (
    DigestInput,
    ItemState,
    PolicyViolation,
    RuleChange,
    SourceInput,
    SourceStatus,
)
from drift.report.render import render_digest
from tests.report.fixtures import DEVICE, RUN_AT, ch

VIOLATED = "first_name_on_profile"  # a user property at a source named last
MEDIUM = "ip_address"  # a medium new item at a source named first
REASON = "name token 'first' looks like a person's name"


def _input() -> DigestInput:
    early = "aaa-plan"
    change = ch(early, ChangeKind.PROPERTY_NEW, Scope.EVENT_PROPERTY, "Page Viewed", MEDIUM)
    first = SourceInput(
        early,
        "mixpanel",
        Provenance.DOCUMENTED,
        SourceStatus.READ,
        item_count=3,
        changes=(change,),
        items=(ItemState(change.key, (DEVICE,)),),
    )
    user = ItemKey(Scope.USER_PROPERTY, "", VIOLATED)
    group = ItemKey(Scope.GROUP_PROPERTY, "company", "owner_email")
    last = SourceInput(
        "zzz-web",
        "posthog",
        Provenance.OBSERVED,
        SourceStatus.UNCHANGED,
        item_count=9,
        policy_violations=(
            PolicyViolation(user, "forbid person_name", "person_name", Sev.HIGH, REASON),
            PolicyViolation(group, "forbid contact", "contact", Sev.HIGH, "token 'email'"),
        ),
        rule_changes=(RuleChange(ItemKey(Scope.EVENT_PROPERTY, "Signup", "zip"), (), (DEVICE,)),),
    )
    return DigestInput(run_at=RUN_AT, sources=(first, last), timezone="Europe/Berlin")


@pytest.fixture(scope="module")
def rendered():  # type: ignore[no-untyped-def]
    return render_digest(build_digest(_input()))


@pytest.mark.parametrize("fmt", ["html", "text", "markdown", "slack"])
def test_policy_violations_come_first_across_sources(rendered, fmt: str) -> None:  # type: ignore[no-untyped-def]
    body = getattr(rendered, fmt).replace("\\_", "_")  # Markdown escapes underscores
    assert body.index(VIOLATED) < body.index(MEDIUM)  # although aaa-plan sorts first
    assert body.count(VIOLATED) == 1  # not repeated in zzz-web's own block


def test_a_card_counts_the_violations(rendered) -> None:  # type: ignore[no-untyped-def]
    assert "policy violations</div>" in rendered.html
    assert '<div class="count-n" style="font-size: 22px;font-weight: 600;">2</div>' in rendered.html
    assert "Policy violations: 2" in rendered.text
    assert "| Policy violations |" in rendered.markdown and "| 2 | 0 | 1 | 0 |" in rendered.markdown


@pytest.mark.parametrize("fmt", ["html", "text", "markdown", "slack"])
def test_the_reason_line_is_in_every_format(rendered, fmt: str) -> None:  # type: ignore[no-untyped-def]
    body = getattr(rendered, fmt)
    shown = body.replace("\\'", "'").replace("&#39;", "'").replace("\\_", "_")
    assert REASON in shown
    assert DEVICE.reason in shown or fmt == "slack"


def test_user_and_group_properties_are_labelled(rendered) -> None:  # type: ignore[no-untyped-def]
    assert f"{VIOLATED} (user property) at zzz-web" in rendered.text
    assert "on: \n" not in rendered.text and "on <code></code>" not in rendered.html
    assert "(user property)" in rendered.html
    assert "on: (group:company)" in rendered.text  # ItemKey.place, as in every command
    assert ">(group:company)</code>" in rendered.html
    assert "(group property) on `(group:company)`" in rendered.slack


def test_subject_and_counts_table_agree(rendered) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(rendered.json)
    counts = data["counts"]
    assert (counts["changes"], counts["rule_changes"]) == (1, 1)
    assert "Changes: 1; rule changes: 1;" in rendered.text
    assert "new across 1 source" in rendered.subject
    only_rules = build_digest(
        DigestInput(
            run_at=RUN_AT,
            sources=(
                SourceInput(
                    "plan",
                    "jsonschema",
                    Provenance.DOCUMENTED,
                    SourceStatus.UNCHANGED,
                    rule_changes=_input().sources[1].rule_changes,
                ),
            ),
        )
    )
    again = render_digest(only_rules)
    assert "1 rule change, no new findings" in again.subject
    assert "Changes: 0; rule changes: 1;" in again.text
