"""Cron for ``drift schedule`` and ``drift status``: APScheduler triggers, computed the cron way.

- Weekdays are read as crontab reads them (0 and 7 are Sunday); APScheduler 3.x reads 0 as Monday,
  so numeric weekday fields are rewritten to names first.
- A wall-clock time repeated by a DST fold fires once (:class:`DriftCronTrigger`).
- The trigger runs in the configured IANA zone, never the host's TZ.
- ``config check``, ``doctor``, ``status`` and ``schedule`` all parse the cron here, with
  APScheduler's own parser, so none accepts what another rejects; a cron that never fires (``0 7 30
  2 *``) and the ``@daily`` macros are refused with the five-field form to write instead.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from drift.errors import ConfigError
from drift.model import utcnow

if TYPE_CHECKING:
    from drift.config import ScheduleConfig

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class DriftCronTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """A cron trigger that fires a wall-clock time repeated by a DST fold only once.

    APScheduler fires ``30 2 * * *`` twice on the night clocks go back (02:30 CEST and 02:30 CET);
    classic cron runs it once, and so do we: a daily digest must come once per local day.
    """

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        fire: dt.datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and _second_occurrence(fire):
            fire = super().get_next_fire_time(fire, just_after(fire))
        return fire


def just_after(moment: dt.datetime) -> dt.datetime:
    """One microsecond later, computed in UTC: local-time arithmetic drops the DST fold."""
    return moment.astimezone(dt.UTC) + dt.timedelta(microseconds=1)


def _second_occurrence(moment: dt.datetime) -> bool:
    """True for the later of two instants sharing one wall-clock time (a DST fold)."""
    wall, zone = moment.replace(tzinfo=None, fold=0), moment.tzinfo
    first, second = wall.replace(tzinfo=zone), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return False
    exists = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall
    return exists and moment.astimezone(dt.UTC) == second.astimezone(dt.UTC)


def crontab_weekdays(field: str) -> str:
    """Cron's numeric weekdays (0/7 = Sunday) as names: APScheduler 3.x reads 0 as Monday."""
    if not any(ch.isdigit() for ch in field):
        return field
    days: list[int] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            low, high = 0, 6
        else:
            low_text, _, high_text = span.partition("-")
            low = _cron_day(low_text)
            high = _cron_day(high_text) if high_text else (6 if step else low)
        if high < low:
            raise ValueError(f"weekday range {part!r} runs backwards")
        days.extend(range(low, high + 1, int(step) if step else 1))
    return ",".join(_CRON_DAYS[d % 7] for d in dict.fromkeys(days))


def _cron_day(text: str) -> int:
    text = text.strip().lower()
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text[:3] in _CRON_DAYS:
        return _CRON_DAYS.index(text[:3])
    raise ValueError(f"{text!r} is not a weekday (0-7 or sun..sat)")


def parse_cron(expression: str, timezone: ZoneInfo) -> DriftCronTrigger:
    """The trigger for a five-field crontab line; ValueError says what is wrong and what to do."""
    if expression.strip() in MACROS:
        raise ValueError(
            f"macros like {expression.strip()} are not supported; "
            f"write {MACROS[expression.strip()]!r}"
        )
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected 5 fields (minute hour day month weekday), got {len(fields)}; "
            "e.g. '0 7 * * *' for 07:00 daily"
        )
    fields[4] = crontab_weekdays(fields[4])
    trigger = DriftCronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    assert isinstance(trigger, DriftCronTrigger)
    if trigger.get_next_fire_time(None, utcnow().astimezone(timezone)) is None:
        raise ValueError("never fires (no such date, e.g. 30 February); check day and month")
    return trigger


def make_trigger(schedule: ScheduleConfig) -> DriftCronTrigger:
    """The cron trigger in the configured zone (an explicit ZoneInfo, never the host's TZ)."""
    try:
        return parse_cron(schedule.cron, zone(schedule))
    except ValueError as exc:
        raise ConfigError(f"[schedule] cron = {schedule.cron!r} is not valid: {exc}") from None


def zone(schedule: ScheduleConfig) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def next_fire_time(schedule: ScheduleConfig, now: dt.datetime | None = None) -> dt.datetime | None:
    """When ``drift schedule`` runs next (for ``drift status`` and the heartbeat file)."""
    now = now or utcnow()
    return make_trigger(schedule).get_next_fire_time(None, now.astimezone(zone(schedule)))


def last_fire_time(
    trigger: CronTrigger, now: dt.datetime, grace: dt.timedelta
) -> dt.datetime | None:
    """The newest fire time in ``[now - grace, now]``, or None if none fell in that window."""
    fire = trigger.get_next_fire_time(None, (now - grace).astimezone(trigger.timezone))
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, just_after(fire))
    return last
