"""One module per command (or group); ``drift.cli`` imports a module only when its command runs.

``COMMANDS`` says where each top-level command lives and its one-line help, so that ``drift --help``
and ``drift --version`` import nothing but click. tests/cli/test_lazy_cli.py checks every entry
against the command it names and that no command defined here is left out.
"""

from __future__ import annotations

from typing import NamedTuple


class CommandRef(NamedTuple):
    module: str  # drift.commands.<module>
    attribute: str
    help: str  # the command's short help, shown by `drift --help`


#: Commands that only read: they open the database read-only (read-only SQLite files too), and a
#: SQLite file that does not exist yet is reported, not created.
READ_ONLY = frozenset({"diff", "doctor", "exposure", "history", "show", "status", "timeline"})

COMMANDS: dict[str, CommandRef] = {
    "check": CommandRef(
        "check_cmd",
        "check",
        "Check tracking-plan files: what a change adds or retypes, graded like the daily job.",
    ),
    "ack": CommandRef(
        "ack",
        "ack",
        "Acknowledge risky properties (an auditable, append-only ledger); expired ones resurface.",
    ),
    "classify": CommandRef(
        "classify_cmd",
        "classify",
        "Explain how property names are classified (rules, tokens, signals).",
    ),
    "config": CommandRef("setup", "config_group", "Inspect the configuration."),
    "db": CommandRef("setup", "db_group", "Manage the database schema."),
    "diff": CommandRef(
        "diff_cmd",
        "diff",
        "Show the changes of a source between two states (any two dates across its history).",
    ),
    "doctor": CommandRef(
        "doctor", "doctor", "Check the setup as the daily job will use it, sending nothing."
    ),
    "exposure": CommandRef(
        "history_cmds",
        "exposure_cmd",
        "Every sensitive property each source held at any time in a window (incident evidence).",
    ),
    "history": CommandRef(
        "snapshots", "history", "List recorded snapshots: time, content hash and counts."
    ),
    "init": CommandRef("setup", "init", "Write a commented example drift.toml."),
    "inventory": CommandRef(
        "govern",
        "inventory",
        "Every current property with its findings; flags what could identify a person.",
    ),
    "policy": CommandRef(
        "govern", "policy", "Data minimisation as code: the [[policy]] blocks of drift.toml."
    ),
    "prune": CommandRef(
        "prune",
        "prune_cmd",
        "Remove snapshots, runs and delivered digests older than N days, keeping what the kept"
        " history needs (first-seen dates, each source's newest snapshot and baseline digest).",
    ),
    "reconcile": CommandRef(
        "govern",
        "reconcile",
        "Documented vs observed: undocumented, never observed, and mismatched types.",
    ),
    "report": CommandRef(
        "run_cmd",
        "report",
        "Render what the next digest would say from what is recorded; send nothing.",
    ),
    "run": CommandRef(
        "run_cmd", "run", "The daily job: fetch, record, diff, classify, render once, deliver."
    ),
    "schedule": CommandRef(
        "schedule", "schedule", "Run drift in the foreground on the [schedule] cron and timezone."
    ),
    "show": CommandRef(
        "snapshots", "show", "Show a source's schema as it was at a snapshot or date."
    ),
    "snapshot": CommandRef(
        "snapshots",
        "snapshot",
        "Fetch the sources and record a snapshot of each (no diff, no digest).",
    ),
    "status": CommandRef(
        "status",
        "status",
        "Last run, next scheduled run, each source's freshness, and deliveries not yet sent.",
    ),
    "timeline": CommandRef(
        "history_cmds",
        "timeline_cmd",
        "Where a property (or event) NAME appeared, when, every change, and its classification.",
    ),
}
