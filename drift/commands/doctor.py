"""``drift doctor``: one line per readiness check; non-zero exit when any fails."""

from __future__ import annotations

import click

from drift.app import App
from drift.exitcodes import Exit
from drift.logs import no_color, problem
from drift.report.escape import visible


@click.command("doctor")
@click.pass_obj
def doctor(app: App) -> None:
    """Check the setup as the daily job will use it, sending nothing.

    The config (the cron through the scheduler's own parser, rules, templates, paths), the database
    and its migration, each source's cheapest read with its credentials, and each channel (SMTP
    handshake and login, webhook host resolution and TLS, a writable report folder). One line per
    check; exit 2 when the config is unusable, 1 when any other check fails, 0 when all pass.
    """
    from drift.doctor import Outcome, run_checks

    failed = []
    for check in run_checks(app):
        colour = "green" if check.outcome is Outcome.OK else "red"
        label = click.style(f"{check.outcome.value:<4}", fg=colour)
        click.echo(f"{label}  {check.what}: {visible(check.detail)}", color=_color())
        if check.outcome is Outcome.FAIL:
            failed.append(check.what)
    if "config" in failed:
        raise SystemExit(Exit.CONFIG)
    if failed:
        problem(f"{len(failed)} check(s) failed: {', '.join(failed)}", event="doctor_failed")
        raise SystemExit(Exit.ERROR)


def _color() -> bool | None:
    return False if no_color() else None
