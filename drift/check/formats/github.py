"""``--format github``: workflow commands that GitHub Actions shows as annotations on the diff.

``::error file=plan.json,line=14,title=...::message``, escaped by the runner's own rules
(``drift.report.escape.workflow_data`` / ``workflow_property``). Names are made display-safe
first, so no control character reaches the log.
"""

from __future__ import annotations

from drift.check.formats import words
from drift.check.result import CheckFinding, CheckResult
from drift.report.escape import show, workflow_data, workflow_property


def command(level: str, file: str, line: int, title: str, message: str) -> str:
    props = f"file={workflow_property(show(file))},line={line},title={workflow_property(title)}"
    return f"::{level} {props}::{workflow_data(message)}"


def _level(result: CheckResult, finding: CheckFinding) -> str:
    if result.gates(finding):
        return "error"
    return "warning" if finding.finding.severity.rank >= 2 else "notice"


def render(result: CheckResult) -> str:
    lines = []
    for f in result.open_findings:
        title = f"drift: {f.finding.category} ({f.finding.severity}) [{f.finding.rule_id}]"
        lines.append(command(_level(result, f), f.file, f.line, title, words.finding_message(f)))
    for v in result.open_violations:
        title = f"drift: policy violation ({v.violation.category})"
        lines.append(command("error", v.file, v.line, title, words.violation_message(v)))
    for a in result.stale:
        lines.append(
            command("warning", a.file, a.line, "drift: stale allowance", words.stale_message(a))
        )
    for a in result.expired:
        lines.append(
            command("warning", a.file, a.line, "drift: expired allowance", words.expired_message(a))
        )
    lines.append(words.summary(result))
    return "\n".join(lines) + "\n"
