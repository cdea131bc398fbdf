"""What the digest says: sections, one row per property, counts, failures, heartbeat, order."""

from __future__ import annotations

import dataclasses
import datetime as dt

from drift.model import ChangeKind, Severity, SourceStatus
from drift.report.build import build_digest
from drift.report.model import Section
from tests.report import fixtures
from tests.report.fixtures import RUN_AT, first_run_input, fixture_input, heartbeat_input


def _source(name: str):  # type: ignore[no-untyped-def]
    digest = build_digest(fixture_input())
    return next(s for s in digest.sources if s.name == name)


def test_counts_at_the_top() -> None:
    c = build_digest(fixture_input()).counts
    assert (c.new_high, c.new_medium, c.new_low) == (3, 1, 1)
    assert (c.sources, c.sources_read, c.sources_failed, c.sources_with_new) == (4, 3, 1, 2)
    assert c.changes == 13 and c.open == 1 and c.acknowledged == 1 and c.rule_changes == 1


def test_one_row_per_property_with_its_events() -> None:
    rows = _source("mixpanel-prod").rows(Section.NEW)
    email = [r for r in rows if r.name == "email"]
    assert len(email) == 1
    assert email[0].events == ("Login", "Signup Completed")
    assert set(email[0].kinds) == {ChangeKind.PROPERTY_NEW, ChangeKind.PROPERTY_ADDED}
    assert email[0].detail == "new to this source"


def test_new_findings_grouped_by_severity_then_category() -> None:
    groups = dict(_source("mixpanel-prod").sections)[Section.NEW]
    keys = [(g.severity, g.category) for g in groups]
    assert keys == [
        (Severity.HIGH, "contact"),
        (Severity.HIGH, "person_name"),
        (Severity.MEDIUM, "device_id"),
        (Severity.LOW, "url"),
    ]


def test_sections_in_reading_order() -> None:
    sections = [s for s, _ in _source("mixpanel-prod").sections]
    assert sections == [
        Section.NEW,
        Section.OPEN,
        Section.RULES,
        Section.REMOVED,
        Section.ACKNOWLEDGED,
        Section.OTHER,
    ]


def test_failed_source_is_never_no_changes() -> None:
    failed = _source("amplitude-prod")
    assert failed.status is SourceStatus.FAILED
    assert failed.status_line.startswith("FAILED")
    assert "no changes" not in failed.status_line.lower()
    assert "\n" not in failed.reason and "HTTP 503" in failed.reason


def test_no_longer_listed_names_provenance_and_is_not_deletion() -> None:
    row = _source("posthog-cloud").rows(Section.REMOVED)[0]
    assert row.kinds == (ChangeKind.PROPERTY_UNLISTED,)
    assert "observed" in row.detail and "not a deletion" in row.detail
    assert "deleted" not in row.detail


def test_still_unacknowledged_has_age_in_days() -> None:
    row = _source("mixpanel-prod").rows(Section.OPEN)[0]
    assert row.name == "phone" and row.age_days == 59
    assert row.events == ("Profile Updated", "Settings Saved")


def test_acknowledged_is_collapsed_and_not_counted_as_new() -> None:
    rows = _source("mixpanel-prod").rows(Section.ACKNOWLEDGED)
    assert [r.name for r in rows] == ["user_comment"]
    assert rows[0].ack and rows[0].ack.by == "alice@example.com"


def test_expired_acknowledgement_resurfaces() -> None:
    data = fixture_input()
    later = dataclasses.replace(data, run_at=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    src = next(s for s in build_digest(later).sources if s.name == "mixpanel-prod")
    assert "user_comment" in [r.name for r in src.rows(Section.NEW)]


def test_rule_change_shows_old_and_new() -> None:
    row = _source("mixpanel-prod").rows(Section.RULES)[0]
    assert row.before == () and row.findings[0].category == "organization"


def test_heartbeat_and_send_when_empty() -> None:
    assert build_digest(heartbeat_input()).heartbeat
    assert build_digest(heartbeat_input()).should_send
    assert not build_digest(heartbeat_input(send_when_empty=False)).should_send
    assert not build_digest(fixture_input()).heartbeat


def test_failure_is_never_a_heartbeat() -> None:
    data = fixture_input()
    only_failed = dataclasses.replace(data, sources=(data.sources[2],), send_when_empty=False)
    digest = build_digest(only_failed)
    assert not digest.heartbeat and digest.should_send


def test_first_run_is_an_inventory() -> None:
    digest = build_digest(first_run_input())
    src = digest.sources[0]
    assert digest.first_run and src.change_count == 0
    assert [r.name for r in src.rows(Section.INVENTORY)] == ["email", "ip_address"]


def test_input_order_does_not_matter() -> None:
    data = fixture_input()
    shuffled = [dataclasses.replace(s, changes=tuple(reversed(s.changes))) for s in data.sources]
    again = dataclasses.replace(data, sources=tuple(reversed(shuffled)))
    assert build_digest(again) == build_digest(data)


def test_digest_id_is_stable_and_safe() -> None:
    digest = build_digest(fixture_input())
    assert digest.digest_id == build_digest(fixture_input()).digest_id
    assert digest.digest_id and digest.digest_id.startswith("drift-20261129T060000Z-")
    assert "." not in digest.digest_id
    given = dataclasses.replace(fixture_input(), digest_id="outbox-17")
    assert build_digest(given).digest_id == "outbox-17"


def test_run_time_must_be_aware() -> None:
    naive = dataclasses.replace(fixture_input(), run_at=RUN_AT.replace(tzinfo=None))
    try:
        build_digest(naive)
    except ValueError as exc:
        assert "aware" in str(exc)
    else:
        raise AssertionError("naive run_at accepted")


def test_policy_and_undocumented_lists() -> None:
    src = _source("posthog-cloud")
    assert src.rows(Section.POLICY)[0].detail == 'forbid = ["ai_content"]'
    assert "missing from plan 'plan'" in src.rows(Section.UNDOCUMENTED)[0].detail
    assert fixtures.HOSTILE_NAMES  # the hostile set is exercised in test_escaping
