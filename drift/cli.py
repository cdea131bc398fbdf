"""``drift``: a few lines per command over the App facade, and one error handler.

Commands live in ``drift/commands/`` and are imported only when they run (``COMMANDS`` there lists
them), so ``drift --version`` and ``drift --help`` start fast. Errors are DriftErrors that become
one red line on stderr and an exit code (``--debug`` shows the traceback).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from drift import __version__
from drift.commands import COMMANDS, READ_ONLY
from drift.errors import ConfigError, DriftError, LeaseHeld, NoDatabase
from drift.exitcodes import Exit
from drift.logs import LOG_FORMATS, no_color, problem, setup_logging
from drift.progress import PROGRESS_KEY, for_stderr

GLOBAL_FLAGS = ("-v", "--verbose", "-q", "--quiet", "--debug")
GLOBAL_VALUED = ("--config", "--log-format")


class DriftGroup(click.Group):
    """Loads each command on first use; turns each DriftError into one red line and an exit code;
    global options (``-v``, ``-q``, ``--debug``, ``--config``, ``--log-format``) also work after
    the command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

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
            problem(f"error: {exc}", exit_code=_exit_code(exc))
            ctx.exit(_exit_code(exc))


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options written after the command (``drift run -v``) in front of it."""
    start = _command_index(args)
    head, rest, moved = list(args[:start]), [], []
    tail = iter(args[start:])
    for arg in tail:
        if arg == "--":
            rest += [arg, *tail]
        elif arg in GLOBAL_FLAGS or arg.startswith(tuple(f"{o}=" for o in GLOBAL_VALUED)):
            moved.append(arg)
        elif arg in GLOBAL_VALUED:
            moved += [arg, next(tail, "")]
        else:
            rest.append(arg)
    return head + moved + rest


def _command_index(args: list[str]) -> int:
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in GLOBAL_VALUED else 1
    return index


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
    "-v", "--verbose", is_flag=True, help="Info-level logs; `schedule` always writes them."
)
@click.option("-q", "--quiet", is_flag=True, help="Log errors only (no progress either).")
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    envvar="DRIFT_LOG_FORMAT",
    help="Log lines for people (text) or collectors (json: every stderr line, errors included; "
    "env DRIFT_LOG_FORMAT).",
)
@click.version_option(__version__, prog_name="drift")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: str | None,
    debug: bool,
    verbose: bool,
    quiet: bool,
    log_format: str,
) -> None:
    """drift: what telemetry did we ship to our analytics vendors, and since when?

    Reads each vendor's event schema, keeps versioned history in a SQL database, diffs against the
    last digest, grades each change by privacy risk and delivers a digest.
    """
    verbose = (verbose or ctx.invoked_subcommand == "schedule") and not quiet
    from drift.app import App

    setup_logging(debug=debug, verbose=verbose, quiet=quiet, fmt=log_format)
    if no_color():
        ctx.color = False
    ctx.meta["drift.debug"] = debug
    json_logs = log_format == "json"
    ctx.meta[PROGRESS_KEY] = for_stderr(
        sys.stderr, quiet=quiet, json_logs=json_logs, color=not no_color()
    )
    ctx.obj = App(config_path, read_only=ctx.invoked_subcommand in READ_ONLY)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="drift")


def _exit_code(exc: DriftError) -> int:
    if isinstance(exc, ConfigError):
        return Exit.CONFIG
    if isinstance(exc, LeaseHeld):
        return Exit.LEASE_HELD
    if isinstance(exc, NoDatabase):
        return Exit.NO_RECORDS
    return Exit.ERROR
