"""``drift classify NAME``: how names are graded, without touching the database (cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from drift.commands.output import emit, format_option

if TYPE_CHECKING:
    from drift.app import App


@click.command("classify")
@click.argument("names", nargs=-1, required=True)
@click.option("--type", "types", multiple=True, help="Property type (repeatable).")
@click.option("--description", default="", help="Property description.")
@format_option("table", "json")
@click.pass_obj
def classify(
    app: App, names: tuple[str, ...], types: tuple[str, ...], description: str, fmt: str
) -> None:
    """Explain how property names are classified (rules, tokens, signals)."""
    from drift.classify import explain

    clf = app.classifier
    if fmt == "json":
        emit([], fmt, [], document=[explain(clf, n, list(types), description) for n in names])
        return
    rows = []
    for name in names:
        findings = clf.classify(name, types, description) or ()
        rows += [_finding_row(name, f) for f in findings] or [{"property": name, "category": "-"}]
    columns = ["property", "category", "severity", "rule", "tokens", "reason"]
    emit(rows, fmt, columns, title="Classification")


def _finding_row(name: str, finding: Any) -> dict[str, Any]:
    return {
        "property": name,
        "category": finding.category,
        "severity": str(finding.severity),
        "rule": finding.rule_id,
        "tokens": list(finding.tokens),
        "reason": finding.reason,
    }
