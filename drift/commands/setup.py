"""``drift init``, ``drift config check``, ``drift db upgrade``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import click

from drift.app import App
from drift.config import find_config_path, masked
from drift.errors import ConfigError
from drift.logs import notice
from drift.report.escape import terminal_json


def example_config() -> str:
    return files("drift").joinpath("example_config.toml").read_text(encoding="utf-8")


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def init(app: App, force: bool) -> None:
    """Write a commented example drift.toml."""
    path = find_config_path(app._config_path)
    if path.exists() and not force:
        raise ConfigError(f"{path} exists; pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "plans").mkdir(exist_ok=True)  # the example's jsonschema source reads it
        path.write_text(example_config(), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"wrote {path} and {path.parent / 'plans'}/; edit it, then run `drift doctor`")


@click.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@click.pass_obj
def config_check(app: App) -> None:
    """Validate drift.toml and print it resolved, with secrets masked."""
    config = app.config
    config.require_sources()
    app.classifier  # noqa: B018 - a bad [rules] file is a config error now, not after a fetch
    from drift.report.render import check_templates

    check_templates(config.digest.templates)  # a broken override template fails here, exit 2
    click.echo(terminal_json(masked(config)))
    missing = [
        f"{env} ({block.label()})"
        for block in [*config.sources, *config.notify]
        for env in block.env_names()
        if not _is_set(env)
    ]
    if missing:
        notice("warning: not set in this environment: " + ", ".join(missing), colour="yellow")
    notice(f"ok: {config.path or Path('drift.toml')} is valid", event="config_valid")


def _is_set(name: str) -> bool:
    import os

    return bool(os.environ.get(name))


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(app: App) -> None:
    """Create or upgrade drift's tables to this version (run before first use on a server DB)."""
    before, after = app.database.upgrade()
    if before == after:
        click.echo(f"database already at {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")
