"""``drift``: a few lines per command over the App facade, and one error handler.

Every command module in ``drift/commands/`` defines ``register(cli)``; errors are DriftErrors that
become one red line on stderr and an exit code (``--debug`` shows the traceback).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

import click

from drift import __version__, commands
from drift.app import App
from drift.errors import ConfigError, DriftError, LeaseHeld
from drift.exitcodes import Exit
from drift.logs import setup_logging


class DriftGroup(click.Group):
    """Turns every DriftError into one red line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DriftError as exc:
            if ctx.meta.get("drift.debug"):
                logging.getLogger("drift").exception("error")
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(_exit_code(exc))


@click.group(
    cls=DriftGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--config",
    "config_path",
    envvar="DRIFT_CONFIG",
    type=click.Path(dir_okay=False),
    help="Config file (default ./drift.toml; env DRIFT_CONFIG).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Log progress (info level); `schedule` always does."
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines for people (text) or for log collectors (json).",
)
@click.version_option(__version__, prog_name="drift")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, debug: bool, verbose: bool, log_format: str
) -> None:
    """drift: what telemetry did we ship to our analytics vendors, and since when?

    Reads each vendor's event schema, keeps versioned history in a SQL database, diffs against the
    last digest, grades each change by privacy risk and delivers a digest.
    """
    verbose = verbose or ctx.invoked_subcommand == "schedule"
    setup_logging(debug=debug, verbose=verbose, fmt=log_format)
    ctx.meta["drift.debug"] = debug
    ctx.obj = App(config_path)
    ctx.call_on_close(ctx.obj.close)


def _register_commands() -> None:
    for module in pkgutil.iter_modules(commands.__path__):
        mod = importlib.import_module(f"drift.commands.{module.name}")
        if hasattr(mod, "register"):
            mod.register(cli)


_register_commands()


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="drift")


def _exit_code(exc: DriftError) -> int:
    if isinstance(exc, ConfigError):
        return Exit.CONFIG
    if isinstance(exc, LeaseHeld):
        return Exit.LEASE_HELD
    return Exit.ERROR
