"""Every command output escapes control and bidi characters (`drift exposure --format html` and
the `timeline` title included) and marks look-alike names, on each backend."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from drift.cli import cli
from drift.model import Item, Provenance, Schema, Scope
from drift.report.escape import LOOKALIKE_MARK
from drift.store.database import Database
from drift.store.record import record_snapshot

# ESC (a terminal title sequence), BEL, a C1 CSI and a right-to-left override, in one name.
CONTROLS = "\x1b]0;owned\x07mail\x9b31m\u202eevil"
LOOKALIKE = "\u0435mail"  # Cyrillic е
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TAKEN = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


#: A user rules file (``[rules] path``): "mail" is an address, so every name is a finding.
RULES = """
[[rules]]
id = "acme.mail"
category = "contact"
what = "an email address"
tokens = ["mail"]
"""


def recorded(tmp_path: Path, db_url: str, names: list[str]) -> Path:
    """A snapshot of Signup with these property names, and a config whose rules grade "mail"."""
    db = Database(db_url)
    items = [Item.of(Scope.EVENT_PROPERTY, "Signup", name, type="string") for name in names]
    with db.session() as session:
        record_snapshot(
            session,
            Schema.build("plan", Provenance.DOCUMENTED, items),
            source_type="jsonschema",
            taken_at=TAKEN,
        )
    db.dispose()
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n[rules]\npath = "rules.toml"\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'
    )
    return path


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Iterator[Path]:
    path = recorded(tmp_path, db_url, [CONTROLS, LOOKALIKE, "email"])
    with time_machine.travel(dt.datetime(2026, 11, 29, tzinfo=dt.UTC), tick=False):
        yield path


def drift(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


WINDOW = ("--since", "2026-11-01", "--until", "2026-11-05")


@pytest.mark.parametrize("fmt", ["table", "html", "markdown", "csv"])
def test_exposure_shows_controls_as_escapes_and_marks_lookalikes(config: Path, fmt: str) -> None:
    out = drift(config, "exposure", *WINDOW, "--format", fmt)
    assert not RAW.search(out)
    shown = re.sub(r"\\([-\\`*_{}\[\]()#+.!|<>~])", r"\1", out)  # Markdown's backslashes
    assert "\\u001b" in shown and "\\u0007mail" in shown and "\\u202eevil" in shown
    assert f"{LOOKALIKE}{LOOKALIKE_MARK}" in shown and f"email{LOOKALIKE_MARK}" not in shown


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_timeline_title_and_rows_are_escaped(config: Path, fmt: str) -> None:
    out = drift(config, "timeline", CONTROLS, "--format", fmt)
    assert not RAW.search(out)
    if fmt == "table":
        assert "Timeline of \\u001b]0;owned" in out


#: Names rich reads as emoji codes (":a:" is 🅰, ":id:" 🆔) or as markup in a table; "mail" makes
#: each one a finding of the rules file.
RICH_SYNTAX = ["mail:a:b", "mail:id:", "[bold]mail[/bold]", "[link=http://x]mail[/link]"]


def test_tables_show_names_as_the_vendor_wrote_them(tmp_path: Path, db_url: str) -> None:
    """A table is evidence: ``mail:a:b`` must not reach the terminal as ``mail🅰b``, nor
    ``[bold]mail[/bold]`` as a bold "mail" (the title included)."""
    path = recorded(tmp_path, db_url, RICH_SYNTAX)
    with time_machine.travel(dt.datetime(2026, 11, 29, tzinfo=dt.UTC), tick=False):
        exposure = drift(path, "exposure", *WINDOW)
        title = drift(path, "timeline", "mail:a:b")
    for name in RICH_SYNTAX:
        assert f"│ {name} " in exposure, name
    assert "\U0001f170" not in exposure and "\U0001f194" not in exposure
    assert "Timeline of mail:a:b" in title
