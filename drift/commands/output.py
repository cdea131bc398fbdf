"""Tables for people, ``--format json|csv|markdown|html`` for machines."""

from __future__ import annotations

import csv
import html
import io
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

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
        click.echo(
            json.dumps(
                document if document is not None else list(rows),
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
    elif fmt == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    elif fmt == "markdown":
        click.echo(to_markdown(rows, columns))
    elif fmt == "html":
        click.echo(to_html(rows, columns, title))
    else:
        print_table(rows, columns, title)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def safe_text(value: str) -> str:
    """Neutralise control characters (terminal escapes, CR/LF) in vendor-controlled names."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in value)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str = "") -> None:
    table = Table(title=title or None, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(rich_escape(safe_text(cell(row.get(c)))) for c in columns))
    Console(file=sys.stdout, soft_wrap=False).print(table)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_safe(cell(row.get(c))) for c in columns])
    return buffer.getvalue()


def _csv_safe(text: str) -> str:
    """Spreadsheet formula injection: a name starting with = + - @ is prefixed with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def md_escape(text: str) -> str:
    text = html.escape(safe_text(text), quote=False)
    for ch in "\\`*_{}[]()#+-.!|<>~":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_escape(cell(r.get(c))) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def to_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str = "") -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return (
        f'<!doctype html><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
