"""Find source and notifier implementations: one registry, the entry points.

Built-ins are registered exactly like third-party plugins, in ``pyproject.toml``
(``[project.entry-points."drift.sources"]`` and ``"drift.notifiers"``): adding a vendor is its
module, its tests and fixtures, and one entry-point line.

A plugin's module is imported only when its type is asked for (a config that reads one Segment
workspace does not import every connector, and ``drift diff`` none of the notifiers); the names of
every type come from the entry points alone.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the plugin modules load only when a registry is first asked
    from drift.model import SourceRole
    from drift.notify.base import NotifierClass
    from drift.sources.base import SourceBase

SOURCES = "drift.sources"
NOTIFIERS = "drift.notifiers"
#: The drift.toml section of each group's blocks.
SECTIONS = {SOURCES: "sources", NOTIFIERS: "notify"}

_ERRORS: dict[str, str] = {}


def plugin_errors() -> dict[str, str]:
    """``"sources:type"`` -> why that plugin failed to import (shown when a config uses it)."""
    return _ERRORS


@cache
def type_names(group: str) -> tuple[str, ...]:
    """Every registered type of ``group`` (``SOURCES`` or ``NOTIFIERS``), sorted; imports none."""
    return tuple(sorted(_specs(group)))


@cache
def _specs(group: str) -> dict[str, str]:
    specs: dict[str, str] = {}
    for ep in entry_points(group=group):
        specs.setdefault(ep.name, ep.value)
    return specs


@cache
def plugin(group: str, name: str) -> Any:
    """The class registered as ``name`` in ``group``, imported now; None when there is none or it
    failed to import (the reason is then in :func:`plugin_errors`)."""
    spec = _specs(group).get(name)
    if spec is None:
        return None
    module, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        _ERRORS[f"{SECTIONS[group]}:{name}"] = f"{spec}: {exc}"
        return None


def source_classes() -> dict[str, type[SourceBase]]:
    """``type`` -> source class (a :class:`SourceBase` with a ``Config`` pydantic model), every
    registered one imported; :func:`source_class` imports only the one asked for."""
    found = {name: plugin(SOURCES, name) for name in type_names(SOURCES)}
    return {name: cls for name, cls in found.items() if cls is not None}


def source_class(type_name: str | None) -> type[SourceBase]:
    """The class of a source type, to ask its traits (role, event naming, plan files); the base
    class's defaults (a vendor naming events plainly) when the type is unknown or None."""
    found = plugin(SOURCES, type_name) if type_name is not None else None
    if found is not None:
        return found  # type: ignore[no-any-return]
    from drift.sources.base import SourceBase

    return SourceBase


def source_role(type_name: str) -> SourceRole:
    """The role of a source type (a vendor when the type is unknown)."""
    return source_class(type_name).role


def notifier_class(type_name: str) -> NotifierClass:
    """The notifier class of one type, imported now (a config naming an unknown or broken type
    was refused when it was read)."""
    found: NotifierClass | None = plugin(NOTIFIERS, type_name)
    if found is None:
        from drift.errors import ConfigError

        reason = _ERRORS.get(f"notify:{type_name}", "not registered")
        raise ConfigError(f"notifier type {type_name!r} is not available: {reason}")
    return found
