"""The readable report: one ``file:line:`` line per finding, like a compiler's."""

from __future__ import annotations

from drift.check.formats import words
from drift.check.result import CheckResult
from drift.report.escape import show


def render(result: CheckResult) -> str:
    lines = [words.summary(result)]
    for f in result.open_findings:
        mark = "FAIL" if result.gates(f) else "note"
        lines.append(
            f"{show(f.file)}:{f.line}: {mark} {f.finding.severity} {f.finding.category} "
            f"[{f.finding.rule_id}] {words.finding_message(f)}"
        )
    for v in result.open_violations:
        lines.append(f"{show(v.file)}:{v.line}: FAIL policy {words.violation_message(v)}")
    for f in result.findings:
        if f.allowed_by is not None:
            a = f.allowed_by
            lines.append(
                f"{show(f.file)}:{f.line}: allowed {f.finding.category} {words.label(f)} by "
                f"{show(a.by)} ({show(a.file)} {words.allowance_target(a)}): {show(a.reason, 300)}"
            )
    for a in result.stale:
        lines.append(f"{show(a.file)}:{a.line}: warning {words.stale_message(a)}")
    for a in result.expired:
        lines.append(f"{show(a.file)}:{a.line}: warning {words.expired_message(a)}")
    return "\n".join(lines) + "\n"
