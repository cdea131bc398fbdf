"""``--format json``: the whole result, versioned; findings serialised like the digest's.

Version history:
  1: first version.
"""

from __future__ import annotations

from typing import Any

from drift.check.allowances import Allowance
from drift.check.result import CheckFinding, CheckResult, CheckViolation
from drift.report.serialize import dumps

JSON_VERSION = 1


def render(result: CheckResult) -> str:
    return dumps(document(result)) + "\n"


def document(result: CheckResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "compared_with": result.compared_with or None,
        "fail_on": str(result.fail_on),
        "exit_code": int(result.exit_code),
        "files": list(result.files),
        "findings": [_finding(f, result) for f in result.findings],
        "policy_violations": [_violation(v) for v in result.violations],
        "allowances": {
            "stale": [_allowance(a) for a in result.stale],
            "expired": [_allowance(a) for a in result.expired],
        },
    }


def _finding(f: CheckFinding, result: CheckResult) -> dict[str, Any]:
    return {
        "file": f.file,
        "line": f.line,
        "source": f.source,
        "scope": str(f.key.scope),
        "event": f.key.event,
        "name": f.key.name,
        "introduced": str(f.introduced),
        "detail": f.detail,
        "fingerprint": f.fingerprint,
        "fails": f.allowed_by is None and result.gates(f),
        "finding": f.finding.as_dict(),
        "allowed_by": _allowance(f.allowed_by) if f.allowed_by else None,
    }


def _violation(item: CheckViolation) -> dict[str, Any]:
    v = item.violation
    return {
        "file": item.file,
        "line": item.line,
        "source": v.source,
        "property": v.name,
        "events": list(v.events),
        "category": v.category,
        "severity": str(v.severity),
        "policy": v.policy,
        "rule": v.rule,
        "finding_rule": v.finding_rule_id,
        "reason": v.reason,
        "fingerprint": v.fingerprint,
        "allowed_until": v.acknowledged_until.isoformat() if v.acknowledged_until else None,
    }


def _allowance(a: Allowance) -> dict[str, Any]:
    return {
        "file": a.file,
        "line": a.line,
        "number": a.number,
        "target": a.label,
        "reason": a.reason,
        "by": a.by,
        "until": a.until.isoformat() if a.until else None,
    }
