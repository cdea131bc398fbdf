"""What ``drift check`` found: frozen values the output formats render (and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drift.check.allowances import Allowance
from drift.exitcodes import Exit
from drift.govern.policy import Violation
from drift.model import Finding, ItemKey, Severity, sha256_hex


class Introduced(StrEnum):
    """How the change brought a finding in."""

    ADDED = "added"  # a property the base did not have on that event
    RETYPED = "retyped"  # its type changed
    RECLASSIFIED = "reclassified"  # another change (description...) gave it a new category
    PRESENT = "present"  # no base given: everything in the files is checked


@dataclass(frozen=True)
class CheckFinding:
    """One finding on one property, at the line of the file that defines it."""

    source: str
    file: str
    line: int
    key: ItemKey
    introduced: Introduced
    detail: str  # e.g. "type boolean → string"
    finding: Finding
    allowed_by: Allowance | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across commits (no line): what an allowance or a code-scanning alert tracks."""
        text = f"{self.source}\x1f{self.key.hash}\x1f{self.finding.rule_id}"
        return sha256_hex(text)[:16]


@dataclass(frozen=True)
class CheckViolation:
    """A ``[[policy]]`` violation the change introduces, at its first property's line."""

    violation: Violation
    file: str
    line: int

    @property
    def allowed(self) -> bool:
        return self.violation.acknowledged_until is not None


@dataclass(frozen=True)
class CheckResult:
    files: tuple[str, ...]
    compared_with: str  # "git ref HEAD~1", "old.json" or "" (everything checked)
    fail_on: Severity
    findings: tuple[CheckFinding, ...]
    violations: tuple[CheckViolation, ...]
    stale: tuple[Allowance, ...]
    expired: tuple[Allowance, ...]

    @property
    def open_findings(self) -> tuple[CheckFinding, ...]:
        return tuple(f for f in self.findings if f.allowed_by is None)

    @property
    def failing(self) -> tuple[CheckFinding, ...]:
        """Findings not allowed and at or above ``--fail-on``."""
        return tuple(f for f in self.open_findings if self.gates(f))

    @property
    def open_violations(self) -> tuple[CheckViolation, ...]:
        return tuple(v for v in self.violations if not v.allowed)

    def gates(self, finding: CheckFinding) -> bool:
        return finding.finding.severity.rank >= self.fail_on.rank

    @property
    def exit_code(self) -> Exit:
        """5 when a finding at or above ``--fail-on`` or any policy violation is open."""
        return Exit.FINDINGS if self.failing or self.open_violations else Exit.OK
