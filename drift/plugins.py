"""Find source and notifier implementations: built-ins and third-party entry points alike."""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from typing import Any

BUILTIN_SOURCES = {
    "jsonschema": "drift.sources.jsonschema:JsonSchemaSource",
    "events": "drift.sources.events:EventsSource",
    "mixpanel": "drift.sources.mixpanel:MixpanelSource",
    "amplitude": "drift.sources.amplitude:AmplitudeSource",
    "segment": "drift.sources.segment:SegmentSource",
    "posthog": "drift.sources.posthog:PostHogSource",
}
BUILTIN_NOTIFIERS = {
    "email": "drift.notify.email:EmailNotifier",
    "slack": "drift.notify.slack:SlackNotifier",
    "webhook": "drift.notify.webhook:WebhookNotifier",
    "file": "drift.notify.file:FileNotifier",
}


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


_ERRORS: dict[str, str] = {}


def plugin_errors() -> dict[str, str]:
    """``"sources:type"`` -> why that plugin failed to import (shown when a config uses it)."""
    return _ERRORS


def _discover(group: str, builtins: dict[str, str]) -> dict[str, Any]:
    specs = dict(builtins)
    for ep in entry_points(group=group):
        specs.setdefault(ep.name, ep.value)
    loaded = {}
    section = "sources" if group == "drift.sources" else "notify"
    for name, spec in sorted(specs.items()):
        try:
            loaded[name] = _load(spec)
        except (ImportError, AttributeError) as exc:
            _ERRORS[f"{section}:{name}"] = f"{spec}: {exc}"
    return loaded


@cache
def source_classes() -> dict[str, Any]:
    """``type`` -> source class (each has a ``Config`` pydantic model)."""
    return _discover("drift.sources", BUILTIN_SOURCES)


@cache
def notifier_classes() -> dict[str, Any]:
    """``type`` -> notifier class (each has a ``Config`` pydantic model)."""
    return _discover("drift.notifiers", BUILTIN_NOTIFIERS)
