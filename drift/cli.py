"""``drift``: a few lines per command over the App facade, and one error handler.

Commands live in ``drift/commands/`` and are imported only when they run (``COMMANDS`` there lists
them), so ``drift --version`` and ``drift --help`` start fast. Errors are DriftErrors that become
one red line on stderr and an exit code (``--debug`` shows the traceback).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from drift import __version__
from drift.commands import COMMANDS
from drift.errors import ConfigError, DriftError, LeaseHeld
from drift.exitcodes import Exit
from drift.logs import setup_logging


class DriftGroup(click.Group):
    """Loads each command on first use; turns each DriftError into one red line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        ref = COMMANDS.get(cmd_name)
        if ref is None or cmd_name in self.commands:
            return self.commands.get(cmd_name)
        module = importlib.import_module(f"drift.commands.{ref.module}")
        command: click.Command = getattr(module, ref.attribute)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS``, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        if name in self.commands:
            return self.commands[name].get_short_help_str(limit)
        return click.Command(name, help=COMMANDS[name].help).get_short_help_str(limit)

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
    from drift.app import App

    setup_logging(debug=debug, verbose=verbose, fmt=log_format)
    ctx.meta["drift.debug"] = debug
    ctx.obj = App(config_path)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="drift")


def _exit_code(exc: DriftError) -> int:
    if isinstance(exc, ConfigError):
        return Exit.CONFIG
    if isinstance(exc, LeaseHeld):
        return Exit.LEASE_HELD
    return Exit.ERROR
