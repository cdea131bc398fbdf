"""Changes between two states of one source, with field-level detail for changed definitions.

Only this module knows deepdiff exists, and it only runs it on the few definitions that changed:
finding *what* changed is a pass over hashes. Most changed definitions (dicts of scalars, lists
that differ only in the whole-reported fields) are even diffed without it, by
:mod:`drift.diff.quick`, which reports exactly what DeepDiff would (a property test holds it to
that); deepdiff (0.1 s to import) loads only for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from drift.diff.quick import WHOLE_FIELDS, quick_levels
from drift.model import Change, ChangeKind, FieldChange, Item, ItemKey, Schema, Scope

VISIBILITY_FIELDS = frozenset({"hidden", "dropped", "deprecated", "deleted"})
DESCRIPTION_FIELDS = frozenset({"description", "display_name"})
TYPE_FIELDS = frozenset({"type", "is_array"})

#: Order kinds appear in for the same key: structure first, then definition changes.


def diff_schemas(
    before: Schema | None, after: Schema, *, absence_is_unlisting: bool = False
) -> list[Change]:
    """All changes from ``before`` (None: nothing known yet) to ``after`` of the same source."""
    old = before.by_key() if before else {}
    new = after.by_key()
    # Canonical definitions are equal exactly when their hashes are: dict equality runs in C and
    # spares hashing 2 x n definitions only to find the few that changed.
    touched_old = {
        k: v for k, v in old.items() if k not in new or new[k].definition != v.definition
    }
    touched_new = {
        k: v for k, v in new.items() if k not in old or old[k].definition != v.definition
    }
    known = {k.name for k in old if k.scope is not Scope.EVENT}
    return compare(
        after.source,
        touched_old,
        touched_new,
        name_known=known.__contains__,
        absence_is_unlisting=absence_is_unlisting,
    )


def compare(
    source: str,
    before: Mapping[ItemKey, Item],
    after: Mapping[ItemKey, Item],
    *,
    name_known: Callable[[str], bool],
    absence_is_unlisting: bool = False,
) -> list[Change]:
    """Changes for the keys in ``before`` / ``after`` (the items that may differ).

    ``name_known(name)`` says whether a property name was on this source before, which separates
    "property new to the source" from "property added to another event".
    """
    changes: list[Change] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            changes.append(_added(source, new, name_known))
        elif new is None and old is not None:
            changes.append(_removed(source, old, absence_is_unlisting))
        elif old is not None and new is not None and old.definition != new.definition:
            changes.extend(_changed(source, old, new))
    return changes


def first_changes(schema: Schema) -> list[Change]:
    """A source's first state as additions, in key order: what :func:`compare` says with nothing
    before it (every property new to the source), without building two maps of every key."""
    return [_added(schema.source, item, _never_known) for item in schema.items]


def _never_known(name: str) -> bool:
    return False


# Changes share the items' definitions (never modified) instead of copying them: a first run
# turns every item of a million-item source into a change.


def _added(source: str, item: Item, name_known: Callable[[str], bool]) -> Change:
    if item.scope is Scope.EVENT:
        kind = ChangeKind.EVENT_ADDED
    elif name_known(item.name):
        kind = ChangeKind.PROPERTY_ADDED
    else:
        kind = ChangeKind.PROPERTY_NEW
    return Change(source, kind, item.key, None, item.definition)


def _removed(source: str, item: Item, unlisting: bool) -> Change:
    if item.scope is Scope.EVENT:
        kind = ChangeKind.EVENT_UNLISTED if unlisting else ChangeKind.EVENT_REMOVED
    else:
        kind = ChangeKind.PROPERTY_UNLISTED if unlisting else ChangeKind.PROPERTY_REMOVED
    return Change(source, kind, item.key, item.definition, None)


def _changed(source: str, old: Item, new: Item) -> list[Change]:
    fields = field_changes(old.definition, new.definition)
    groups: dict[ChangeKind, list[FieldChange]] = {}
    for change in fields:
        groups.setdefault(_kind_of(change.path), []).append(change)
    return [
        Change(source, kind, new.key, old.definition, new.definition, tuple(group))
        for kind, group in sorted(groups.items(), key=lambda kv: kv[0].order)
    ]


def _kind_of(path: str) -> ChangeKind:
    top = path.split(".", 1)[0].split("[", 1)[0]
    if top in TYPE_FIELDS:
        return ChangeKind.TYPE_CHANGED
    if top in VISIBILITY_FIELDS:
        return ChangeKind.VISIBILITY_CHANGED
    if top in DESCRIPTION_FIELDS:
        return ChangeKind.DESCRIPTION_CHANGED
    return ChangeKind.METADATA_CHANGED


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level detail as deepdiff reports it; whole top-level fields for ``type``, ``tags``,
    ``owners`` and ``enum``."""
    levels = quick_levels(old, new)
    if levels is None:
        levels = deepdiff_levels(old, new)
    out: dict[str, FieldChange] = {}
    for parts, before, after in levels:
        path = _path(parts)
        top = path.split(".", 1)[0]
        if top in WHOLE_FIELDS:
            out[top] = FieldChange(top, old.get(top), new.get(top))
        else:
            out[path] = FieldChange(path, before, after)
    return tuple(out[k] for k in sorted(out))


def deepdiff_levels(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[tuple[list[Any], Any, Any]]:
    """Every difference DeepDiff reports, as (path, before, after), a missing side as None."""
    from deepdiff import DeepDiff

    result = DeepDiff(
        dict(old), dict(new), ignore_order=True, view="tree", threshold_to_diff_deeper=0
    )
    return [
        (level.path(output_format="list"), _opt(level.t1), _opt(level.t2))
        for report in result.values()
        for level in report
    ]


def _path(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts)


def _opt(value: Any) -> Any:
    """deepdiff marks a missing side with a sentinel; report it as None."""
    return None if type(value).__name__ == "NotPresent" else value


def apply_changes(schema: Schema, changes: Iterable[Change]) -> Schema:
    """Replay changes onto a schema: ``apply_changes(a, diff_schemas(a, b)) == b``."""
    items = schema.by_key()
    for change in changes:
        if change.after is None:
            items.pop(change.key, None)
        else:
            k = change.key
            items[k] = Item(k.scope, k.event, k.name, dict(change.after))
    return Schema.build(schema.source, schema.provenance, items.values())
