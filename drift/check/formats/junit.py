"""``--format junit``: JUnit XML for CI test reports. One test case per finding (failed when at or
above ``--fail-on``, skipped when allowed) and per policy violation; a passing case per file when
the change introduces nothing. Text is made display-safe first: XML 1.0 cannot carry control
characters, and ElementTree escapes the markup characters."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from drift.check.formats import words
from drift.check.result import CheckResult
from drift.report.escape import show


def render(result: CheckResult) -> str:
    root = ET.Element("testsuites", name="drift check")
    suites: dict[str, ET.Element] = {}
    for f in result.findings:
        case = _case(suites, root, f.file, f"{words.label(f)} [{f.finding.rule_id}]", f.line)
        message = words.finding_message(f)
        if f.allowed_by is not None:
            ET.SubElement(case, "skipped", message=f"allowed: {show(f.allowed_by.reason, 300)}")
        elif result.gates(f):
            ET.SubElement(case, "failure", message=message, type=f.finding.category).text = message
        else:
            ET.SubElement(case, "system-out").text = f"below --fail-on: {message}"
    for v in result.violations:
        case = _case(suites, root, v.file, f"policy: {show(v.violation.name)}", v.line)
        if v.allowed:
            ET.SubElement(case, "skipped", message="allowed by an allowance with an expiry")
        else:
            message = words.violation_message(v)
            ET.SubElement(case, "failure", message=message, type="policy").text = message
    for file in result.files:
        if file not in suites:
            _case(suites, root, file, "no new findings", 1)
    _count(root, suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _case(
    suites: dict[str, ET.Element], root: ET.Element, file: str, name: str, line: int
) -> ET.Element:
    if file not in suites:
        suites[file] = ET.SubElement(root, "testsuite", name=show(file))
    return ET.SubElement(
        suites[file], "testcase", classname=show(file), name=name, file=show(file), line=str(line)
    )


def _count(root: ET.Element, suites: dict[str, ET.Element]) -> None:
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in suites.values():
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
