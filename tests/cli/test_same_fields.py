"""One finding, one serialised form: the JSON of ``drift inventory``, ``drift exposure``,
``drift report --format json`` and the delivered digest carry the same fields for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.events_world import events_world, mailed_digest, run_drift

EVENTS = (
    '{"event": "Signup", "properties": {"tmp_email": "a@b.example", "plan": "pro"}}\n'
    '{"event": "Purchase", "properties": {"tmp_email": "a@b.example", "amount": 3}}\n'
)


WHOLE_TIME = ("--since", "2000-01-01", "--until", "2999-01-01")


def findings_of(document: Any, name: str) -> list[list[dict[str, Any]]]:
    """Every ``findings`` list in a JSON document that sits next to a property ``name``."""
    found: list[list[dict[str, Any]]] = []
    if isinstance(document, dict):
        if name in (document.get("name"), document.get("property")) and "findings" in document:
            found.append(document["findings"])
        for value in document.values():
            found += findings_of(value, name)
    elif isinstance(document, list):
        for value in document:
            found += findings_of(value, name)
    return found


def test_inventory_exposure_report_and_digest_serialise_a_finding_alike(
    tmp_path: Path, db_url: str
) -> None:
    config = events_world(tmp_path, db_url, EVENTS)
    run_drift(config, "run")
    outputs = {
        "digest": mailed_digest(config),
        "report": run_drift(config, "report", "--format", "json"),
        "inventory": run_drift(config, "inventory", "--format", "json"),
        "exposure": run_drift(config, "exposure", *WHOLE_TIME, "--format", "json"),
    }
    seen = {where: findings_of(doc, "tmp_email") for where, doc in outputs.items()}
    assert all(seen.values()), {where: len(lists) for where, lists in seen.items()}
    reference = seen["inventory"][0]
    assert reference and {"rule_id", "signals", "temporary"} <= set(reference[0])
    for where, lists in seen.items():
        for findings in lists:
            assert findings == reference, where
