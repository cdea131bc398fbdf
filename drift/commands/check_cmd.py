"""``drift check``: gate tracking-plan changes in a pull request (no database, no network)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from drift.check import CheckRequest, run_check
from drift.check.formats import FORMATS, render
from drift.classify import load_classifier
from drift.config import DEFAULT_PATH, DriftConfig, load_config, parse_config
from drift.errors import ConfigError
from drift.model import Severity, utcnow

EPILOG = """
Examples: `drift check plan.json --base origin/main`, `drift check plans/ --against old.json
--format sarif --output drift.sarif`. Exit codes: 0 nothing at or above --fail-on; 5 findings at
or above --fail-on, or policy violations, that no allowance covers; 2 bad input (unreadable or
unknown plan, bad git ref, bad allowances file).
"""


@click.command("check", epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--base", "base_ref", metavar="GIT_REF", help="Report only what changed since REF.")
@click.option(
    "--against",
    type=click.Path(path_type=Path),
    metavar="OLD_PATH",
    help="Report only what changed since this older plan file (or folder).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text, json, sarif (code scanning), github (annotations) or junit.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high"]),
    default="high",
    show_default=True,
    help="Exit 5 when a finding reaches this severity (policy violations always do).",
)
@click.option(
    "--allowances",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted findings (default ./drift-allow.toml when present).",
)
@click.option("--source", help="Source whose [[policy]] blocks and allowances apply.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    base_ref: str | None,
    against: Path | None,
    fmt: str,
    fail_on: str,
    allowances: Path | None,
    source: str | None,
    output: Path | None,
) -> None:
    """Check tracking-plan files: what a change adds or retypes, graded like the daily job.

    Reads plain JSON Schema plans, Segment rules exports, Mixpanel Lexicon exports and legacy
    Segment plans; uses drift.toml's [rules] and [[policy]] when present. Never opens the database.
    """
    config = _config(ctx)
    request = CheckRequest(
        paths,
        fail_on=Severity.parse(fail_on),
        base_ref=base_ref,
        against=against,
        allowances=allowances,
        source=source,
    )
    result = run_check(request, config, load_classifier(config.rules.path), utcnow())
    report = render(result, fmt)
    if output is None:
        click.echo(report, nl=False)
    else:
        _write(output, report)
        click.echo(f"wrote {output}", err=True)
    ctx.exit(int(result.exit_code))


def _write(path: Path, text: str) -> None:
    """All or nothing: a CI step never uploads half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"--output {path}: cannot write: {exc.strerror or exc}") from None


def _config(ctx: click.Context) -> DriftConfig:
    """drift.toml when given or present; the defaults otherwise (no config is needed)."""
    explicit = ctx.find_root().params.get("config_path")
    if explicit or DEFAULT_PATH.is_file():
        return load_config(explicit)
    return parse_config({})
