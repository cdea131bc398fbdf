"""Vendor traits live on the source classes, found through the entry points: governance and
``drift check`` ask the class, so adding a vendor never touches them."""

from __future__ import annotations

import pytest

from drift.model import ANY_EVENT, SourceRole
from drift.plugins import source_class, source_classes
from drift.sources.base import SourceBase


@pytest.mark.parametrize("type_name", sorted(source_classes()))
def test_every_registered_source_answers_its_traits(type_name: str) -> None:
    cls = source_class(type_name)
    assert cls.type_name() == type_name  # the entry point and the config literal agree
    assert isinstance(cls.role, SourceRole)
    assert cls.plain_event_name("Signup Completed") == "Signup Completed"
    assert cls.is_project_wide(ANY_EVENT)
    assert not cls.is_project_wide("Signup Completed")


def test_an_unknown_type_has_the_base_class_defaults() -> None:
    cls = source_class("no-such-vendor")
    assert cls is SourceBase and source_class(None) is SourceBase
    assert cls.role is SourceRole.VENDOR and not cls.reads_plan_files
    assert cls.plain_event_name("Order [TRACK v2]") == "Order [TRACK v2]"


def test_segment_named_events_are_plain_for_both_sources_reading_segment_rules() -> None:
    for type_name in ("segment", "jsonschema"):
        cls = source_class(type_name)
        assert cls.plain_event_name("Order Completed [TRACK v2]") == "Order Completed"
        assert cls.plain_event_name("identify [IDENTIFY v1]") == "identify"
    # only the connector prefixes a multi-plan source's names with the plan
    assert source_class("segment").event_aliases("web/Order [TRACK v1]") == ("web/Order", "Order")
    assert source_class("jsonschema").event_aliases("web/Order [TRACK v1]") == ("web/Order",)


def test_vendors_name_events_plainly() -> None:
    for type_name in ("mixpanel", "amplitude", "posthog", "events"):
        assert source_class(type_name).plain_event_name("Order [TRACK v2]") == "Order [TRACK v2]"


def test_roles_and_plan_files() -> None:
    roles = {t: source_class(t).role for t in source_classes()}
    assert roles["segment"] is SourceRole.CDP and roles["jsonschema"] is SourceRole.PLAN
    assert roles["events"] is SourceRole.SAMPLE and roles["mixpanel"].is_vendor
    assert [t for t in source_classes() if source_class(t).reads_plan_files] == ["jsonschema"]
