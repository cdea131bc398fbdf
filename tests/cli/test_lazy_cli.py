"""Commands load on first use: `drift --help` stays fast and still lists every command truly."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from drift import commands
from drift.cli import cli
from drift.commands import COMMANDS


def _loaded_after(*args: str, code: int | None = None) -> set[str]:
    """The modules a fresh process holds after running ``drift ARGS`` (exiting ``code``, when
    given)."""
    script = (
        "import sys, json\n"
        "from drift.cli import main\n"
        "code = 0\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    exit_code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    if code is not None:
        assert exit_code == code, done.stdout + done.stderr
    return set(modules)


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_no_command_database_or_config(args: tuple[str, ...]) -> None:
    loaded = _loaded_after(*args)
    heavy = {"sqlalchemy", "alembic", "pydantic", "httpx", "jinja2", "rich", "drift.app"}
    assert not heavy & loaded
    assert not [m for m in loaded if m.startswith("drift.commands.")]


def test_classify_does_not_load_the_database_layer() -> None:
    loaded = _loaded_after("classify", "email")  # fails on the missing config, after imports
    assert "sqlalchemy" not in loaded and "alembic" not in loaded


#: What reading history or grading a name never needs: the connectors' HTTP client, the digest's
#: templates, the migration tool, the scheduler. Each costs 0.05-0.3 s of every cold start.
NOT_FOR_READING = {"httpx", "jinja2", "alembic", "apscheduler", "drift.pipeline", "drift.delivery"}


def _recorded_world(tmp_path: Path, *, notify: bool = True) -> Path:
    """A jsonschema source ``plan`` with two recorded snapshots (a property added, one retyped),
    and a file notifier unless ``notify`` is False."""
    plan = tmp_path / "plan.json"
    config = tmp_path / "drift.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "drift.db"}"\n'
        f'[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "{plan}"\n'
        + ('[[notify]]\ntype = "file"\ndirectory = "reports"\n' if notify else "")
    )
    for properties in (
        {"plan": {"type": "string"}},
        {"plan": {"type": "integer"}, "email": {"type": "string"}},
    ):
        event = {"type": "object", "properties": properties}
        plan.write_text(json.dumps({"events": {"Signup": event}}))
        assert CliRunner().invoke(cli, ["--config", str(config), "snapshot"]).exit_code == 0
    return config


def test_diff_imports_no_client_template_or_migration_code(tmp_path: Path) -> None:
    config = _recorded_world(tmp_path)
    loaded = _loaded_after("--config", str(config), "diff", "--source", "plan", code=0)
    assert "drift.answers.changes" in loaded  # it ran
    assert not NOT_FOR_READING & loaded
    assert "deepdiff" not in loaded  # a retyped property is diffed without it
    assert "sqlalchemy" not in loaded  # read through the driver alone (drift.store.lean)
    assert "confusable_homoglyphs" not in loaded  # ASCII names need no look-alike tables
    unconfigured = {f"drift.notify.{t}" for t in ("email", "slack", "webhook")} | {
        f"drift.sources.{t}" for t in ("mixpanel", "amplitude", "segment", "posthog", "events")
    }
    assert not unconfigured & loaded  # only the configured types' options are validated


def test_classify_imports_no_client_template_or_migration_code(tmp_path: Path) -> None:
    config = _recorded_world(tmp_path)
    loaded = _loaded_after("--config", str(config), "classify", "email_address", code=0)
    assert not NOT_FOR_READING & loaded
    assert "sqlalchemy" not in loaded


def test_every_listed_command_exists_with_the_help_shown() -> None:
    for name, ref in COMMANDS.items():
        command = getattr(importlib.import_module(f"drift.commands.{ref.module}"), ref.attribute)
        assert isinstance(command, click.Command)
        assert command.name == name
        assert command.get_short_help_str(1000) == ref.help


def test_no_command_module_defines_an_unlisted_command() -> None:
    listed = {(ref.module, ref.attribute) for ref in COMMANDS.values()}
    for module in pkgutil.iter_modules(commands.__path__):
        mod = importlib.import_module(f"drift.commands.{module.name}")
        subcommands = {
            id(sub)
            for obj in vars(mod).values()
            if isinstance(obj, click.Group)
            for sub in obj.commands.values()
        }
        for attr, obj in vars(mod).items():
            if isinstance(obj, click.Command) and id(obj) not in subcommands:
                assert (module.name, attr) in listed, f"drift.commands.{module.name}.{attr}"


def test_help_lists_every_command_and_a_lazy_one_runs() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"\n  {name} " in out
    result = CliRunner().invoke(cli, ["init", "--help"])
    assert result.exit_code == 0 and "drift.toml" in result.output


def test_check_runs_without_the_database_layer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"properties": {"email": {"type": "string"}}}), encoding="utf-8")
    loaded = _loaded_after("check", str(plan))  # exits 5 on the finding, after a full check
    assert "sqlalchemy" not in loaded and "alembic" not in loaded


#: The daily job's later stages: the pipeline imports compose, rendering and delivery only in the
#: functions that run them (#15: an unchanged snapshot under 1 s).
LATER_STAGES = {"drift.delivery", "drift.answers.digest", "drift.report.model", "drift.notify"}


def test_an_unchanged_snapshot_loads_no_later_stage(tmp_path: Path) -> None:
    """`drift snapshot` run to the end in a fresh process (recording the unchanged plan again):
    none of the later stages is loaded."""
    config = _recorded_world(tmp_path, notify=False)
    loaded = _loaded_after("--config", str(config), "snapshot", code=0)
    assert "drift.store.record" in loaded  # it ran
    assert not LATER_STAGES & loaded


def test_a_snapshot_with_a_notifier_configured_loads_only_its_options(tmp_path: Path) -> None:
    """Loading the config validates each configured notifier's options (drift.notify.file here);
    composing, rendering and delivering still stay unloaded."""
    config = _recorded_world(tmp_path)
    loaded = _loaded_after("--config", str(config), "snapshot", code=0)
    assert "drift.store.record" in loaded
    assert not (LATER_STAGES - {"drift.notify"}) & loaded
    assert not {f"drift.notify.{t}" for t in ("email", "slack", "webhook")} & loaded
