"""Find source and notifier implementations: one registry, the entry points.

Built-ins are registered exactly like third-party plugins, in ``pyproject.toml``
(``[project.entry-points."drift.sources"]`` and ``"drift.notifiers"``): adding a vendor is its
module, its tests and fixtures, and one entry-point line.
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


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


_ERRORS: dict[str, str] = {}


def plugin_errors() -> dict[str, str]:
    """``"sources:type"`` -> why that plugin failed to import (shown when a config uses it)."""
    return _ERRORS


def _discover(group: str) -> dict[str, Any]:
    specs: dict[str, str] = {}
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
def source_classes() -> dict[str, type[SourceBase]]:
    """``type`` -> source class (a :class:`SourceBase` with a ``Config`` pydantic model)."""
    return _discover("drift.sources")


def source_class(type_name: str | None) -> type[SourceBase]:
    """The class of a source type, to ask its traits (role, event naming, plan files); the base
    class's defaults (a vendor naming events plainly) when the type is unknown or None."""
    found = source_classes().get(type_name) if type_name is not None else None
    if found is not None:
        return found
    from drift.sources.base import SourceBase

    return SourceBase


def source_role(type_name: str) -> SourceRole:
    """The role of a source type (a vendor when the type is unknown)."""
    return source_class(type_name).role


@cache
def notifier_classes() -> dict[str, NotifierClass]:
    """``type`` -> notifier class (built from its ``Config``; see :class:`NotifierClass`)."""
    return _discover("drift.notifiers")
