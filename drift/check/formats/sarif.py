"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Each result names its rule (the classifier's rule id, or ``policy``), a level (``error`` when it
fails the check, else ``warning`` or ``note`` by severity) and a physical location: the plan file
relative to the repository root (``%SRCROOT%``) and the line of the property's key. Rules carry
GitHub's ``security-severity`` (8.0 high, 5.0 medium, 2.0 low) and the ``security`` tag it needs.
Allowed findings carry an accepted ``suppression`` with the allowance's reason; stale and expired
allowances are tool notifications. Text is display-safe; JSON escaping does the rest.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from drift import __version__
from drift.check.formats import words
from drift.check.result import CheckFinding, CheckResult, CheckViolation
from drift.model import Severity
from drift.report.escape import show
from drift.report.serialize import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
POLICY_RULE = "policy"
_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
_SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.0", Severity.LOW: "2.0"}


def render(result: CheckResult) -> str:
    return dumps(document(result)) + "\n"


def document(result: CheckResult) -> dict[str, Any]:
    rules = _rules(result)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(f, result, index) for f in result.findings]
    results += [_violation(v, index) for v in result.violations]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "results": results,
                "invocations": [_invocation(result)],
            }
        ],
    }


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "drift",
        "semanticVersion": __version__,
        "rules": rules,
    }


def _rules(result: CheckResult) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        rid = f.finding.rule_id
        if rid not in seen or f.finding.severity.rank > _rank(seen[rid]):
            seen[rid] = _rule(f)
    if result.violations:
        seen[POLICY_RULE] = _policy_rule()
    return [seen[k] for k in sorted(seen)]


def _rank(rule: dict[str, Any]) -> int:
    return Severity(rule["properties"]["severity"]).rank


def _rule(f: CheckFinding) -> dict[str, Any]:
    finding = f.finding
    return {
        "id": finding.rule_id,
        "name": finding.rule_id,
        "shortDescription": {"text": f"Privacy risk: {finding.category}"},
        "fullDescription": {
            "text": f"A tracking-plan property classified as {finding.category} "
            f"({finding.severity}) by drift rule {finding.rule_id}."
        },
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {
            "category": finding.category,
            "severity": str(finding.severity),
            "security-severity": _SECURITY_SEVERITY[finding.severity],
            "tags": ["security", "privacy", finding.category],
        },
    }


def _policy_rule() -> dict[str, Any]:
    return {
        "id": POLICY_RULE,
        "name": "PolicyViolation",
        "shortDescription": {"text": "Breaks a [[policy]] block of drift.toml"},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "severity": "high",
            "security-severity": _SECURITY_SEVERITY[Severity.HIGH],
            "tags": ["security", "privacy", "policy"],
        },
    }


def _location(file: str, line: int) -> list[dict[str, Any]]:
    return [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(line, 1)},
            }
        }
    ]


def _uri(file: str) -> str:
    path = PurePosixPath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix().removeprefix("./"))


def _level(f: CheckFinding, result: CheckResult) -> str:
    if f.allowed_by is None and result.gates(f):
        return "error"
    return "warning" if f.finding.severity.rank >= 2 else "note"


def _result(f: CheckFinding, result: CheckResult, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.finding.rule_id,
        "ruleIndex": index[f.finding.rule_id],
        "level": _level(f, result),
        "message": {"text": words.finding_message(f)},
        "locations": _location(f.file, f.line),
        "partialFingerprints": {"driftFinding/v1": f.fingerprint},
        "properties": {
            "source": f.source,
            "scope": str(f.key.scope),
            "event": f.key.event,
            "name": f.key.name,
            "introduced": str(f.introduced),
            "finding": f.finding.as_dict(),
        },
    }
    if f.allowed_by is not None:
        a = f.allowed_by
        justification = f"{show(a.reason, 300)} (by {show(a.by)}, {show(a.file)} #{a.number})"
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": justification}
        ]
    return out


def _violation(v: CheckViolation, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": POLICY_RULE,
        "ruleIndex": index[POLICY_RULE],
        "level": "note" if v.allowed else "error",
        "message": {"text": words.violation_message(v)},
        "locations": _location(v.file, v.line),
        "partialFingerprints": {"driftPolicy/v1": v.violation.fingerprint},
    }
    if v.allowed:
        out["suppressions"] = [{"kind": "external", "status": "accepted"}]
    return out


def _invocation(result: CheckResult) -> dict[str, Any]:
    notes = [_note(words.stale_message(a), a.file, a.line) for a in result.stale]
    notes += [_note(words.expired_message(a), a.file, a.line) for a in result.expired]
    return {
        "executionSuccessful": True,
        "exitCode": int(result.exit_code),
        "toolExecutionNotifications": notes,
    }


def _note(text: str, file: str, line: int) -> dict[str, Any]:
    return {"level": "warning", "message": {"text": text}, "locations": _location(file, line)}
