"""The exposure evidence pack: ``drift exposure --format html``, worth attaching to an incident.

Built from the same document as ``--format json`` (so both say the same), plus where the answer
came from: drift's version, the database (password masked), the command, the config file.
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from drift import __version__
from drift.config import mask_url
from drift.report.escape import mark_lookalike, visible


def _finalize(value: Any) -> Any:
    """Names are shown whole (evidence is never cut) with control and bidi characters visible."""
    return value if isinstance(value, Markup) else visible("" if value is None else str(value))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from drift.resources import templates_dir

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = short
    env.filters["lookalike"] = mark_lookalike
    return env


def short(iso: str | None) -> str:
    """``2026-11-30T00:39:00+01:00`` as people read it, ``2026-11-30 00:39`` (the zone is named in
    the page's header); anything else unchanged."""
    if not iso:
        return ""
    try:
        return f"{dt.datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso


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


def render(document: Mapping[str, Any], provenance: Mapping[str, str]) -> str:
    properties = list(document["properties"])
    context = {
        **document,
        "about": provenance,
        "severities": {
            s: sum(1 for p in properties if p["severity"] == s) for s in ("high", "medium", "low")
        },
        "partial": [c for c in document["coverage"] if c["extent"] != "full"],
        "snapshot_rows": [
            {"source": source, **snap}
            for source, snaps in document["evidence"]["snapshots"].items()
            for snap in snaps
        ],
    }
    return str(_environment().get_template("exposure.html.j2").render(context))
