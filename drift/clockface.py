"""The one clock face: every time drift shows is in ``[schedule] timezone``, with the zone named.

Tables, digests, subjects, file names and "open since" lines all go through here, so a date read
off any output means the same day when it is typed back into ``--since``/``--until``/``--at``
(which are read in the same zone). Machine formats (JSON) carry ISO 8601 with that zone's offset.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
