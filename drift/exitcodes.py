"""Exit codes of the ``drift`` command, documented in the README and ``drift run --help``."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # an unexpected or store/delivery error
    CONFIG = 2  # bad config, rules, policy or command-line input
    PARTIAL = 3  # some sources failed to fetch (the others were recorded)
    LEASE_HELD = 4  # another run holds the run lease
    FINDINGS = 5  # unacknowledged findings at or above --fail-on (or policy violations)
    DELIVERY = 6  # the digest was recorded but is not delivered: refused, or waiting for a retry
    NO_RECORDS = 7  # exposure/timeline: drift has no records for the asked window or name
