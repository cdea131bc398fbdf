"""Tables for people, ``--format json|csv|markdown|html`` for machines.

Only layout lives here; every cell is escaped by :mod:`drift.report.escape`, the one escaping
module of drift (the digest uses the same functions)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from drift.report.escape import (
    csv_cell,
    html_text,
    mark_lookalike,
    markdown,
    terminal_json,
    visible,
)

FORMATS = ("table", "json", "csv", "markdown", "html")


def format_option(*choices: str, default: str = "table") -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices or FORMATS)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str],
    *,
    title: str = "",
    document: Any = None,
) -> None:
    """Print rows; ``document`` (when given) is what the JSON format prints instead of the rows."""
    if fmt == "json":
        click.echo(terminal_json(document if document is not None else list(rows)))
    elif fmt == "csv":
        sys.stdout.write(to_csv(rows, columns))  # not click.echo: it would strip, not show, escapes
    elif fmt == "markdown":
        click.echo(to_markdown(rows, columns))
    elif fmt == "html":
        click.echo(to_html(rows, columns, title))
    else:
        print_table(rows, columns, title)


#: Columns that hold vendor names: a look-alike name there gets a visible marker.
NAME_COLUMNS = frozenset({"name", "property", "event", "events", "item", "target", "key"})


def field(row: Mapping[str, Any], column: str) -> str:
    """One cell's text; names that mix scripts or impersonate ASCII are marked (see
    :func:`drift.report.escape.name`)."""
    value = row.get(column)
    if column not in NAME_COLUMNS:
        return cell(value)
    if isinstance(value, list | tuple):
        return ", ".join(mark_lookalike(cell(v)) for v in value)
    return mark_lookalike(cell(value))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str = "") -> None:
    """Every cell and the title are plain :class:`~rich.text.Text`: rich reads neither markup
    (``[bold]``) nor emoji codes (``variant:a:b`` would show as ``variant🅰b``) in a name."""
    table = Table(title=Text(visible(title)) if title else None, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(Text(visible(field(row, c))) for c in columns))
    # A terminal gets its own width; a pipe or file gets room enough not to cut names short.
    width = None if sys.stdout.isatty() else 240
    console = Console(file=sys.stdout, soft_wrap=False, width=width, markup=False, emoji=False)
    console.print(table)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(field(row, c)) for c in columns])
    return buffer.getvalue()


def to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(markdown(field(r, c), None) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def to_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str = "") -> str:
    head = "".join(f"<th>{html_text(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text(field(r, c))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return (
        f'<!doctype html><meta charset="utf-8"><title>{html_text(title)}</title>'
        f"<h1>{html_text(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
