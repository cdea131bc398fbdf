"""Where an exposure answer came from: drift's version, the database (password masked), the
command, the config file. The evidence pack page itself is rendered by
:mod:`drift.report.evidence` (Jinja2 lives in ``drift/report/``)."""

from __future__ import annotations

import shlex
import sys

import click

from drift import __version__
from drift.config import mask_url


def about(database_url: str, config_path: object) -> dict[str, str]:
    """Where the answer came from; the command as typed, rebuilt from click's parsed options."""
    return {
        "drift_version": __version__,
        "database": mask_url(database_url),
        "config": str(config_path or "(none)"),
        "command": command_line(),
    }


def command_line() -> str:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return " ".join(["drift", *sys.argv[1:]])
    parts = ["drift", ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value in (None, (), False) or not isinstance(param, click.Option):
            continue
        flag = max(param.opts, key=len)
        for one in value if isinstance(value, tuple) else (value,):
            parts += [flag, shlex.quote(str(one))]
    return " ".join(parts)
