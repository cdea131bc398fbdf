"""Segment Protocols rules (``RuleV1``) as items: the one parser behind the ``segment`` connector
and the ``jsonschema`` source's Segment exports, so the same rules give the same items from either.

- Only the newest ``version`` of each ``(type, key)`` rule is read.
- A rule is deprecated when ``deprecatedAt`` is a real date: active rules carry Go's zero time
  ``0001-01-01T00:00:00.000Z``, so any date before 1970 (or none) means active.
- TRACK / PAGE / SCREEN / IDENTIFY / GROUP rules are events named ``<key> [<TYPE> v<version>]``
  with the event's description (``jsonSchema.description``) and labels (as ``key:value`` tags).
- ``properties`` become event properties, ``context`` fields event properties named
  ``context.<field>``, nested objects and arrays of objects dotted paths (``address.city``,
  ``travelers.passport_number``, the ``jsonschema`` walker's convention).
- ``traits`` are user properties (group properties of group ``group`` on GROUP rules).
- A COMMON rule describes fields sent with every call: its properties and context sit under the
  project-wide event ``*``, its traits with the user properties.

When one source covers several plans every name carries the plan: events and COMMON fields are
prefixed ``<plan>/``, user traits sit under event ``<plan>`` and group traits under
``<plan>/group``, so two plans' ``email`` traits never collide.

:func:`plain_event` and :func:`event_aliases` undo that naming, so a plan kept in Segment matches
what other vendors observe under the plain event name (the Segment sources' event-name traits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from drift.model import ANY_EVENT, Item, Scope, vendor_time
from drift.sources.jsonschema_walk import dig, event_fields, property_items

COMMON = "COMMON"
_RULE_TYPES = "TRACK|IDENTIFY|GROUP|PAGE|SCREEN"
_RULE_SUFFIX = re.compile(rf" \[(?:{_RULE_TYPES}) v\d+\]$")
#: ``<plan>/`` before a rule's name, the COMMON ``*`` or ``group`` (a multi-plan source).
_PLAN_PREFIX = re.compile(rf"^[^/\s]+/(?=.* \[(?:{_RULE_TYPES}) v\d+\]$|\*$|group$)")


def rules_items(rules: Iterable[Any], plan: str = "") -> Iterator[Item]:
    """Items of one plan's rules; ``plan`` (a slug or id) prefixes names when non-empty."""
    for rule in newest_rules(rules):
        yield from rule_items(rule, plan)


def newest_rules(rules: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The highest ``version`` of every ``(type, key)``, in first-seen order."""
    newest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        ident = (rule_type(rule), rule_key(rule))
        if ident not in newest or version(rule) > version(newest[ident]):
            newest[ident] = rule
    return list(newest.values())


def rule_items(rule: Mapping[str, Any], plan: str = "") -> Iterator[Item]:
    kind, prefix = rule_type(rule), f"{plan}/" if plan else ""
    schema = dig(rule, "jsonSchema")
    if kind == COMMON:
        event = f"{prefix}{ANY_EVENT}"
    else:
        event = f"{prefix}{rule_label(rule)}"
        yield Item.of(Scope.EVENT, event, since=rule.get("createdAt"), **rule_event_fields(rule))
    yield from property_items(Scope.EVENT_PROPERTY, event, dig(schema, "properties", "properties"))
    context = dig(schema, "properties", "context")
    yield from property_items(Scope.EVENT_PROPERTY, event, context, "context.")
    scope, owner = trait_home(kind, plan)
    yield from property_items(scope, owner, dig(schema, "properties", "traits"))


def trait_home(kind: str, plan: str) -> tuple[Scope, str]:
    """Where a rule's traits live: the plan's user properties, or its ``group`` properties."""
    if kind == "GROUP":
        return Scope.GROUP_PROPERTY, f"{plan}/group" if plan else "group"
    return Scope.USER_PROPERTY, plan


def rule_event_fields(rule: Mapping[str, Any]) -> dict[str, Any]:
    schema = dig(rule, "jsonSchema")
    fields = event_fields(schema)
    fields["tags"] = labels(schema.get("labels"))
    fields["deprecated"] = is_deprecated(rule.get("deprecatedAt")) or None
    return fields


def labels(raw: Any) -> list[str] | None:
    """Segment labels are a ``{key: value}`` map; kept as ``key:value`` tags."""
    if isinstance(raw, Mapping):
        return [f"{k}:{v}" if v not in (None, "") else str(k) for k, v in raw.items()]
    if isinstance(raw, list):
        return [str(v) for v in raw if isinstance(v, str | int)]
    return None


def is_deprecated(raw: Any) -> bool:
    """A real date deprecates; none, Go's zero time or anything before 1970 does not."""
    return vendor_time(raw) is not None


def rule_type(rule: Mapping[str, Any]) -> str:
    return str(rule.get("type") or "TRACK").upper()


def rule_key(rule: Mapping[str, Any]) -> str:
    return str(rule.get("key") or "").strip()


def rule_label(rule: Mapping[str, Any]) -> str:
    """``Order Completed [TRACK v2]``; keyless rules (IDENTIFY, GROUP) use their type."""
    kind = rule_type(rule)
    return f"{rule_key(rule) or kind.lower()} [{kind} v{version(rule)}]"


def version(rule: Mapping[str, Any]) -> int:
    raw = rule.get("version")
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else 0


def plain_event(event: str) -> str:
    """The event name without a rule's ``[TRACK v2]`` suffix (any type, any version)."""
    return _RULE_SUFFIX.sub("", event)


def event_aliases(event: str) -> tuple[str, ...]:
    """Every name an event matches under at other vendors: without the rule suffix and without
    the ``<plan>/`` prefix of a multi-plan source, so ``web/Chat Opened [TRACK v1]`` matches
    ``Chat Opened`` and ``web/*`` is project-wide."""
    plain = plain_event(event)
    unprefixed = plain_event(_PLAN_PREFIX.sub("", event, count=1))
    return (plain,) if unprefixed == plain else (plain, unprefixed)
