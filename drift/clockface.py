"""The one clock face: every time drift shows is in ``[schedule] timezone``, with the zone named.

Tables, digests, subjects, file names and "open since" lines all go through here, so a date read
off any output means the same day when it is typed back into ``--since``/``--until``/``--at``
(which are read in the same zone). Machine formats (JSON) carry ISO 8601 with that zone's offset.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drift.errors import ConfigError
from drift.model import utcnow


def zone(name: str) -> dt.tzinfo:
    """The configured zone; an unknown name (config validation rejects it) falls back to UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """``moment`` on the configured clock; naive values from the store are UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(tz)


def iso(moment: dt.datetime | None, tz: dt.tzinfo, timespec: str = "seconds") -> str | None:
    """ISO 8601 with the zone's offset, to the second: ``2026-11-30T00:34:00+01:00``."""
    return local(moment, tz).isoformat(timespec=timespec) if moment else None


def day(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """The calendar day in the zone, as ``--since``/``--until`` take it: ``2026-11-30``."""
    return local(moment, tz).strftime("%Y-%m-%d")


def minute(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """For people, zone named: ``2026-11-30 00:34 Europe/Berlin``."""
    return f"{local(moment, tz):%Y-%m-%d %H:%M} {tz}"


def zone_name(tz: dt.tzinfo) -> str:
    return str(tz)


# Reading what a person typed: dates are days on the same clock the outputs show.

_RELATIVE_DAYS = re.compile(r"(\+?)(\d{1,5})\s*d(ays?)?")


def relative_day(text: str, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """``today``, ``yesterday``, ``7d`` (7 days ago) and ``+7d`` (in 7 days) as the ISO date they
    mean in ``tz``; anything else unchanged."""
    word = text.strip().lower()
    today = (now or utcnow()).astimezone(tz).date()
    back = {"today": 0, "yesterday": 1}.get(word)
    match = _RELATIVE_DAYS.fullmatch(word)
    if match:
        back = -int(match.group(2)) if match.group(1) else int(match.group(2))
    return text if back is None else (today - dt.timedelta(days=back)).isoformat()


def parse_moment(text: str, tz: dt.tzinfo, *, end_of_day: bool) -> dt.datetime:
    """``2026-11-27``, ``today``, ``yesterday``, ``7d`` or an ISO datetime; naive values are read
    in ``tz``; returns aware UTC."""
    text = relative_day(text, tz)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            clock = dt.time.max if end_of_day else dt.time.min
            return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date (2026-11-27, today, yesterday, 7d) or an ISO datetime "
            "(2026-11-27T09:00:00+01:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)
