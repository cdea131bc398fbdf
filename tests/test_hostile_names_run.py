"""A vendor name no backend can store as given never stops the job (#13.1, #13.2), on every
backend: lone surrogates, NUL and 70 kB names and descriptions are recorded, diffed and shown as
visible escapes in every digest format."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli
from drift.exitcodes import Exit
from tests.test_run import digests, make_workdir, run

LONG = "long_" + "x" * 70_000


def _plan(work: Path, *names: str, description: str = "fine") -> None:
    props = {name: {"type": "string", "description": description} for name in names}
    plan = {"events": {"Signup\x00Done": {"properties": props}}}
    # json.dumps writes lone surrogates as \ud800 escapes: valid JSON, as a vendor would send it
    (work / "current" / "plan.json").write_text(json.dumps(plan), encoding="ascii")


def _events(work: Path) -> None:
    (work / "current" / "events.ndjson").write_text('{"event": "Page Viewed", "properties": {}}\n')


def test_hostile_names_are_recorded_diffed_and_shown_escaped(tmp_path: Path, db_url: str) -> None:
    work = make_workdir(tmp_path, db_url)
    _events(work)
    _plan(work, "email\ud800", "nul\x00name", LONG, description="d\ud800\x00" + "y" * 70_000)
    first = run(work)
    assert first.exit_code == Exit.OK, first.outcomes
    assert [o.status for o in first.outcomes] == ["read", "read"]

    _plan(work, "nul\x00name", LONG, description="changed\udfff")
    second = run(work)
    assert second.exit_code == Exit.OK, second.outcomes
    changes = {(c["kind"], c["name"]) for s in digests(work)[-1]["sources"] for c in s["changes"]}
    assert ("property_removed", "email\ud800") in changes  # the machine form is exact
    assert ("type_changed", LONG) not in changes
    for file in (work / "reports").iterdir():
        body = file.read_bytes().decode("utf-8")  # valid UTF-8 in every format
        assert "\x00" not in body
        if file.suffix in (".md", ".html"):  # people see a visible escape
            assert "email\\\\ud800" in body or "email\\ud800" in body

    shown = CliRunner().invoke(
        cli, ["--config", str(work / "drift.toml"), "show", "--source", "plan", "--format", "json"]
    )
    assert shown.exit_code == 0, shown.output
    names = {row["name"] for row in json.loads(shown.output)["items"]}
    assert {"nul\x00name", LONG} <= names  # exact, as JSON escapes
    for fmt in ("table", "csv", "markdown"):
        table = CliRunner().invoke(
            cli, ["--config", str(work / "drift.toml"), "show", "--source", "plan", "--format", fmt]
        )
        assert table.exit_code == 0, table.output
        assert "nul\\u0000name" in table.output.replace("\\\\", "\\")
