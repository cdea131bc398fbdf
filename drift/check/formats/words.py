"""Sentences shared by the formats, built from display-safe pieces (``show``: no control or bidi
character survives). Each format escapes its own metacharacters on top."""

from __future__ import annotations

from drift.check.allowances import Allowance
from drift.check.result import CheckFinding, CheckResult, CheckViolation
from drift.report.escape import name, show


def label(finding: CheckFinding) -> str:
    """The property as people read it, with the look-alike marker when it impersonates another."""
    return name(finding.key.label)


def finding_message(finding: CheckFinding) -> str:
    """``Signup.email_domain (added: new to this source): <reason>``"""
    how = str(finding.introduced)
    if finding.detail:
        how += f": {show(finding.detail)}"
    return f"{label(finding)} ({how}): {show(finding.finding.reason, 500)}"


def violation_message(item: CheckViolation) -> str:
    v = item.violation
    events = ", ".join(name(e) for e in v.events)
    return f"{name(v.name)} on {events} breaks {show(v.rule, 300)}: {show(v.reason, 500)}"


def allowance_target(allowance: Allowance) -> str:
    return f"[[allow]] #{allowance.number} ({show(allowance.label)})"


def stale_message(allowance: Allowance) -> str:
    return (
        f"stale allowance {allowance_target(allowance)} matches no finding in the checked files; "
        "remove it"
    )


def expired_message(allowance: Allowance) -> str:
    until = allowance.until.isoformat() if allowance.until else ""
    return (
        f"expired allowance {allowance_target(allowance)} ended {until}; its findings are "
        "reported again (renew it with a new until, or fix the plan)"
    )


def summary(result: CheckResult) -> str:
    what = f"compared with {show(result.compared_with)}" if result.compared_with else "all items"
    failing, allowed = len(result.failing), len(result.findings) - len(result.open_findings)
    parts = [
        f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}",
        f"{failing} at or above {result.fail_on}",
        f"{len(result.open_violations)} policy violation"
        + ("s" if len(result.open_violations) != 1 else ""),
    ]
    if allowed:
        parts.append(f"{allowed} allowed")
    files = ", ".join(show(f) for f in result.files) or "no files"
    return f"drift check: {'; '.join(parts)} in {files} ({what})"
