"""Logging setup: text for people, JSON lines for collectors; never URLs with secrets.

The format comes from ``--log-format`` or ``$DRIFT_LOG_FORMAT``. In JSON mode *every* line drift
writes to stderr is a JSON record (source failures and the final error line included), so a
collector alerting on ``level == "error"`` sees them all. httpx logs every request URL at INFO;
drift keeps it at WARNING so query strings never reach logs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

import click

from drift.scrub import scrub

LOG_FORMATS = ("text", "json")
_state = {"format": "text", "quiet": ""}
log = logging.getLogger("drift")
LOG_LIMIT = 4000
#: Extra fields a JSON record carries when a line sets them (progress lines add their counts).
JSON_FIELDS = (
    "event", "source", "run_id", "phase", "channel", "exit_code",
    "seconds", "pages", "items", "sources", "changes", "deliveries",
)  # fmt: skip


class ScrubFilter(logging.Filter):
    """Every drift log line through :func:`drift.scrub.scrub`: no echoed secret, no URL path."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage(), LOG_LIMIT), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in JSON_FIELDS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(
    *, debug: bool = False, verbose: bool = False, quiet: bool = False, fmt: str = "text"
) -> None:
    _state["format"] = fmt
    _state["quiet"] = "yes" if quiet else ""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = (
        logging.DEBUG if debug else logging.ERROR if quiet else logging.INFO if verbose else None
    )
    handler.addFilter(ScrubFilter())
    log.handlers[:] = [handler]
    log.setLevel(level or logging.WARNING)
    log.propagate = False
    # Progress lines (drift.progress) show unless -q: a long run in a log is never silent.
    logging.getLogger("drift.progress").setLevel(logging.ERROR if quiet else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def json_logs() -> bool:
    return _state["format"] == "json"


def no_color() -> bool:
    """https://no-color.org: any non-empty NO_COLOR turns colour off."""
    return bool(os.environ.get("NO_COLOR"))


def notice(message: str, *, event: str = "notice", colour: str | None = None, **extra: Any) -> None:
    """A note or warning for the person at the terminal (hidden by ``-q``); a JSON warning record
    when logs are JSON, so stderr stays one format."""
    if json_logs():
        logging.getLogger("drift.cli").warning(message, extra={"event": event, **extra})
    elif not _state["quiet"]:
        click.secho(message, fg=colour, err=True, color=False if no_color() else None)


def problem(message: str, *, event: str = "error", **extra: Any) -> None:
    """One line on stderr a person or a collector acts on: red text, or a JSON error record."""
    message = scrub(message, LOG_LIMIT)
    if json_logs():
        logging.getLogger("drift.cli").error(message, extra={"event": event, **extra})
    else:
        click.secho(message, fg="red", err=True, color=False if no_color() else None)
