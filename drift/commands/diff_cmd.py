"""``drift diff``: what changed in a source between any two snapshots or dates."""

from __future__ import annotations

import json

import click

from drift.answers.changes import changes_between
from drift.app import App
from drift.commands.output import emit, format_option


@click.command("diff")
@click.option("--source", required=True, help="Source name.")
@click.option(
    "--from",
    "from_ref",
    default="previous",
    show_default=True,
    help="Snapshot id, 'latest', 'previous', a date or an ISO datetime.",
)
@click.option("--to", "to_ref", default="latest", show_default=True, help="Same forms as --from.")
@format_option("table", "json", "markdown")
@click.pass_obj
def diff(app: App, source: str, from_ref: str, to_ref: str, fmt: str) -> None:
    """Show the changes of a source between two states (any two dates across its history)."""
    answer = changes_between(app, source, from_ref, to_ref)
    a, b = answer.before, answer.after
    rows = [
        {
            "kind": str(c.kind),
            "item": c.key.label,
            "scope": str(c.key.scope),
            "event": c.key.event,
            "name": c.key.name,
            "detail": "; ".join(
                f"{f.path}: {_short(f.before)} -> {_short(f.after)}" for f in c.fields
            ),
            "fingerprint": c.fingerprint,
        }
        for c in answer.changes
    ]
    document = {"source": source, "from": a, "to": b, "changes": rows}
    emit(
        rows,
        fmt,
        ["kind", "item", "detail", "fingerprint"],
        title=f"{source}: snapshot {a or 'none'} -> {b}",
        document=document,
    )
    if fmt == "table" and not rows:
        click.echo("no changes")


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "-"
    return text if len(text) <= 60 else text[:57] + "..."
