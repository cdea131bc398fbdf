"""Reasons for non-English names, as a security reader sees them in a digest (golden files).

Regenerate with ``DRIFT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/classify/test_language_digest.py``
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from drift.classify import load_classifier
from drift.model import Change, ChangeKind, ItemKey, Provenance, Scope
from drift.report.build import build_digest
from drift.report.model import DigestInput, ItemState, SourceInput, SourceStatus
from drift.report.render import render_digest

GOLDEN = Path(__file__).resolve().parents[1] / "cases" / "digest"
UPDATE = os.environ.get("DRIFT_UPDATE_GOLDEN") == "1"
RUN_AT = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
#: (event, property, type): German and French names, and a look-alike of ``email``.
PROPERTIES = (
    ("Bestellung abgeschlossen", "Telefonnummer", "string"),
    ("Inscription terminée", "date_de_naissance", "string"),
    ("Signup Completed", "\u0435mail", "string"),  # Cyrillic е
)


def languages_input() -> DigestInput:
    clf = load_classifier()
    items, changes = [], []
    for event, name, type_ in PROPERTIES:
        key = ItemKey(Scope.EVENT_PROPERTY, event, name)
        items.append(ItemState(key, clf.classify(name, (type_,))))
        changes.append(Change("posthog-eu", ChangeKind.PROPERTY_NEW, key))
    source = SourceInput(
        name="posthog-eu",
        type="posthog",
        provenance=Provenance.OBSERVED,
        status=SourceStatus.FIRST_RUN,  # an inventory: each row shows its reason
        snapshot_id=1,
        item_count=len(items),
        changes=tuple(changes),
        items=tuple(items),
    )
    return DigestInput(run_at=RUN_AT, timezone="UTC", sources=(source,))


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md")])
def test_reasons_in_a_digest(fmt: str, suffix: str) -> None:
    actual = getattr(render_digest(build_digest(languages_input())), fmt)
    path = GOLDEN / f"languages.{suffix}"
    if UPDATE:
        path.write_text(actual, encoding="utf-8", newline="")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs (DRIFT_UPDATE_GOLDEN=1)"
    )
    assert "(German term, type string)" in actual
    assert "(French term, type string)" in actual
