"""Field-level differences of two definitions, exactly as DeepDiff reports them, without it.

``drift diff`` and the digest describe each changed definition field by field. DeepDiff (with
``ignore_order``) takes 0.1 s to import and pairs list items by similarity; most changed
definitions need neither: their differences are scalars in nested dicts, or lists in the fields
reported whole (``type``, ``tags``, ``owners``, ``enum``), where only *whether* they differ
matters. This walker answers those and gives up (``None``) on the rest, which DeepDiff then
answers. tests/diff/test_quick.py holds it to DeepDiff's answer on random definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Top-level fields reported whole: a change anywhere under one is one change of the field.
WHOLE_FIELDS = frozenset({"type", "tags", "owners", "enum"})

Level = tuple[list[str], Any, Any]  # path, before, after (None for a missing side)

_MISSING: Any = object()
#: JSON's types, exactly (a subclass may compare or hash its own way: DeepDiff's to judge).
_JSON_TYPES = frozenset({str, int, float, bool, type(None), list, dict})


def quick_levels(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Level] | None:
    """What ``DeepDiff(old, new, ignore_order=True, threshold_to_diff_deeper=0)`` reports, as
    (path, before, after), for definitions made of dicts and scalars; None where it would have to
    pair the items of differing lists (outside the whole-reported fields, where any difference
    is reported as the whole field and only its presence matters)."""
    levels: list[Level] = []
    if not _levels([], dict(old), dict(new), levels):
        return None
    paths = {".".join(path) for path, _, _ in levels}
    if len(paths) < len(levels):  # {"a.b": ..} and {"a": {"b": ..}}: which one DeepDiff keeps
        return None
    return levels


def _levels(path: list[str], old: Any, new: Any, out: list[Level]) -> bool:
    """Add the differences of ``old`` and ``new`` at ``path`` to ``out``; False when only
    DeepDiff can tell them."""
    if old is _MISSING or new is _MISSING:
        out.append((path, None if old is _MISSING else old, None if new is _MISSING else new))
    elif type(old) is dict and type(new) is dict:
        for key in [*old, *(k for k in new if k not in old)]:
            if not isinstance(key, str):
                return False
            if not _levels([*path, key], old.get(key, _MISSING), new.get(key, _MISSING), out):
                return False
    elif not (_plain(old) and _plain(new)):
        return False
    elif type(old) is not type(new):
        out.append((path, old, new))
    elif isinstance(old, list):
        if not (_all_plain(old) and _all_plain(new)):
            return False
        if _unordered(old) != _unordered(new):
            if not path or str(path[0]).split(".", 1)[0] not in WHOLE_FIELDS:
                return False
            out.append((path, old, new))  # reported as the whole top-level field
    elif old != new:
        out.append((path, old, new))
    return True


def _plain(value: Any) -> bool:
    """A JSON value DeepDiff compares as Python does (not NaN, not a subclass)."""
    return type(value) in _JSON_TYPES and value == value


def _all_plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_all_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _all_plain(v) for k, v in value.items())
    return _plain(value)


def _unordered(value: Any) -> Any:
    """A value compared as DeepDiff does with ``ignore_order``: lists as sets (order and
    repetition ignored), types strict (``1`` is not ``1.0`` or ``True``)."""
    if isinstance(value, list):
        return list, frozenset(_unordered(v) for v in value)
    if isinstance(value, dict):
        return dict, frozenset((k, _unordered(v)) for k, v in value.items())
    return type(value), value
