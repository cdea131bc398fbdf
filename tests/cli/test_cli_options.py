"""Global options anywhere on the line, -q, NO_COLOR on every line including the error line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from drift.cli import cli, hoist_global_options
from tests.test_run import day, make_workdir


def test_global_options_after_the_command_are_hoisted() -> None:
    assert hoist_global_options(["run", "-v", "--source", "a", "--config", "x.toml"]) == [
        "-v",
        "--config",
        "x.toml",
        "run",
        "--source",
        "a",
    ]
    assert hoist_global_options(["--config", "x", "config", "check", "-q"]) == [
        "--config",
        "x",
        "-q",
        "config",
        "check",
    ]
    assert hoist_global_options(["show", "--", "-v"]) == ["show", "--", "-v"]


def test_config_after_the_command_is_used(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n')
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path), "-q"])
    assert result.exit_code == 0, result.output
    assert '"plan"' in result.stdout


def test_no_color_reaches_the_error_line(tmp_path: Path) -> None:
    args = ["--config", str(tmp_path / "missing.toml"), "status"]
    colored = CliRunner().invoke(cli, args, color=True)
    assert "\x1b[" in colored.stderr  # the error line is red on a terminal...
    plain = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 2
    assert plain.stderr.startswith("error: no config file") and "\x1b[" not in plain.stderr


def test_quiet_logs_errors_only(tmp_path: Path, db_url: str) -> None:
    workdir = make_workdir(tmp_path, db_url)
    day(workdir, 1)
    (workdir / "current" / "events.ndjson").unlink()  # one source fails
    config = ["--config", str(workdir / "drift.toml")]
    loud = CliRunner().invoke(cli, ["run", "-v", *config])
    assert " INFO " in loud.stderr and "source web-events failed" in loud.stderr
    quiet = CliRunner().invoke(cli, ["run", "-q", *config])
    assert quiet.exit_code == 3
    assert " INFO " not in quiet.stderr and "source web-events failed" in quiet.stderr


def test_an_empty_config_is_refused_by_the_job_and_by_config_check(tmp_path: Path) -> None:
    path = tmp_path / "drift.toml"
    path.write_text("")
    for command in (["config", "check"], ["run"]):
        result = CliRunner().invoke(cli, ["--config", str(path), *command])
        assert result.exit_code == 2, result.output
        assert "no [[sources]] configured" in result.stderr
