"""``drift doctor``: is this setup ready for the daily job? One check per line, nothing sent.

Each check uses what the job uses: the config as the job loads it (the cron through the
scheduler's own parser), the database and its migration, each source's cheapest read with its real
credentials, and each channel without delivering (an SMTP handshake and login, a webhook host's
resolution and TLS, a writable report folder).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from drift.app import App
from drift.errors import ConfigError, DriftError, NoDatabase
from drift.folders import creatable, writable_dir
from drift.model import utcnow


class Outcome(StrEnum):
    OK = "ok"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    what: str
    outcome: Outcome
    detail: str


def run_checks(app: App) -> Iterator[Check]:
    """Every check in order; stops after the config check if the config cannot be used."""
    config = _check("config", lambda: _config(app))
    yield config
    if config.outcome is Outcome.FAIL:
        return
    yield _check("schedule", lambda: _schedule(app))
    yield _check("rules", lambda: _rules(app))
    yield _check("templates", lambda: _templates(app))
    yield _check("heartbeat", lambda: _heartbeat(app))
    yield _check("database", lambda: _database(app))
    for source in app.sources():
        yield _check(f"source {source.name}", source.probe)
    for name, notifier in _notifiers(app):
        yield _check(f"channel {name}", notifier.check)


def _check(what: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(what, Outcome.OK, probe())
    except DriftError as exc:
        return Check(what, Outcome.FAIL, str(exc))
    except Exception as exc:  # a check must report, never crash the others
        return Check(what, Outcome.FAIL, f"{type(exc).__name__}: {exc}")


def _config(app: App) -> str:
    config = app.config
    config.require_sources()
    return (
        f"{config.path or 'drift.toml'} is valid "
        f"({len(config.sources)} sources, {len(config.notify)} channels)"
    )


def _schedule(app: App) -> str:
    from drift.cron import make_trigger

    schedule = app.config.schedule
    trigger = make_trigger(schedule)
    upcoming = trigger.get_next_fire_time(None, utcnow().astimezone(trigger.timezone))
    assert upcoming is not None  # make_trigger refuses a cron that never fires
    return f"cron {schedule.cron!r}: next run {upcoming:%Y-%m-%d %H:%M} {schedule.timezone}"


def _rules(app: App) -> str:
    app.classifier  # noqa: B018 - loading validates the rules file
    path = app.config.rules.path
    return f"{path} loads" if path else "built-in rules"


def _templates(app: App) -> str:
    from drift.report.render import environment

    folder = app.config.digest.templates
    if folder is None:
        return "built-in templates"
    if not folder.is_dir():
        raise ConfigError(f"[digest] templates: {folder} is not a folder")
    names = sorted(p.name for p in folder.glob("*.j2"))
    env = environment("html", folder)
    for name in names:
        try:
            env.get_template(name)
        except Exception as exc:
            raise ConfigError(f"[digest] templates: {name} does not compile: {exc}") from None
    return f"{folder}: {len(names)} templates compile"


def _heartbeat(app: App) -> str:
    path = app.config.schedule.heartbeat_file
    if path is None:
        return "no heartbeat_file set"
    return _writable(path.parent, "[schedule] heartbeat_file")  # resolved by the config


def _writable(folder: Path, what: str) -> str:
    existing, ok = creatable(folder)
    if not ok:
        raise ConfigError(f"{what}: {existing} is not a writable folder")
    return f"{folder} is writable" if existing == folder else f"{folder} can be created"


def _database(app: App) -> str:
    from drift.config import mask_url

    where = mask_url(app.config.database.url)
    database = app.database  # read-only: doctor changes nothing, not even SQLite's journal mode
    try:
        current, head = database.current(), database.head()
    except NoDatabase as missing:
        folder = Path(missing.path).parent
        if not writable_dir(folder):
            raise ConfigError(
                f"[database] url: {folder} is not an existing writable folder; create it "
                "(drift creates the database file, not its folder)"
            ) from None
        return f"{where}: no database yet; the first run creates it ({folder} is writable)"
    if current == head:
        return f"{where}: connected, schema at {head} (current)"
    if database.backend == "sqlite":
        return f"{where}: connected, schema {current or 'empty'} is upgraded to {head} on first use"
    raise ConfigError(
        f"{where}: connected, but the schema is at {current or 'empty'} and this drift needs "
        f"{head}; run `drift db upgrade`"
    )


def _notifiers(app: App) -> Iterator[tuple[str, Any]]:
    from drift.delivery import channel_names
    from drift.plugins import notifier_class

    for name, block in channel_names(app.config):
        yield name, notifier_class(block.type)(block)
