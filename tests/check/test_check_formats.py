"""Every output format: valid for its consumer, and a hostile property name cannot break out."""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from drift.report.escape import workflow_data, workflow_property
from tests.check.conftest import EMAIL_DOMAIN_LINE, HAS_EMAIL_LINE, commit, run_check
from tests.conftest import CASES

SARIF_SCHEMA = json.loads((CASES / "sarif" / "sarif-schema-2.1.0.json").read_text())

# An address-like name that also tries terminal escapes, line injection into workflow commands,
# markup, bidi reordering and GitHub's own %-encoding.
HOSTILE = "email\x1b[2J\r\n::error file=x.json,line=1::pwned %0A <b>&amp;</b> \u202e\x07"
HOSTILE_FILE = "we,ird:name%.json"


@pytest.fixture
def hostile_repo(repo: Path) -> Path:
    plan = {"events": {"Signup": {"properties": {HOSTILE: {"type": "string"}}}}}
    commit(repo, {HOSTILE_FILE: json.dumps(plan, indent=2)}, "hostile")
    return repo


def _controls(text: str, allowed: str = "\n") -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in allowed]


def test_sarif_validates_against_the_sarif_2_1_0_schema(repo: Path) -> None:
    result = run_check("plan.json", "--base", "HEAD~1", "--format", "sarif")
    assert result.code == 5
    doc = json.loads(result.out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    placed = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    assert placed == [
        ("contact.email", "error", "plan.json", HAS_EMAIL_LINE),
        ("organization.employer", "warning", "plan.json", EMAIL_DOMAIN_LINE),
    ]
    assert set(rules) == {"contact.email", "organization.employer"}
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_with_allowances_and_policy_still_validates(repo: Path) -> None:
    (repo / "drift.toml").write_text(
        '[[policy]]\nsource_types = ["jsonschema"]\nforbid = ["organization"]\n'
    )
    (repo / "drift-allow.toml").write_text(
        '[[allow]]\nproperty = "has_email"\nreason = "r"\nby = "b"\n'
        '[[allow]]\nproperty = "nothing_here"\nreason = "r"\nby = "b"\nuntil = 2000-01-01\n'
        '[[allow]]\nproperty = "gone"\nreason = "r"\nby = "b"\n'
    )
    doc = json.loads(run_check("plan.json", "--base", "HEAD~1", "--format", "sarif").out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == [
        "contact.email",
        "organization.employer",
        "policy",
    ]
    assert run["results"][0]["suppressions"][0]["status"] == "accepted"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"].split(" [[allow]]")[0] for n in notes] == [
        "stale allowance",
        "expired allowance",
    ]


def test_sarif_hostile_name_is_exact_in_data_and_inert_in_messages(hostile_repo: Path) -> None:
    result = run_check(HOSTILE_FILE, "--format", "sarif")
    doc = json.loads(result.out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(doc)
    found = doc["runs"][0]["results"][0]
    assert found["properties"]["name"] == HOSTILE
    assert not _controls(found["message"]["text"], allowed="")
    uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "we%2Cird%3Aname%25.json"
    assert "<" not in result.out and not _controls(result.out)


def test_json_hostile_name_round_trips_and_is_inert(hostile_repo: Path) -> None:
    result = run_check(HOSTILE_FILE, "--format", "json")
    assert result.code == 5
    assert [f["name"] for f in json.loads(result.out)["findings"]] == [HOSTILE]
    assert "<" not in result.out and "\u202e" not in result.out and not _controls(result.out)


def test_text_hostile_name_shows_escapes_and_stays_on_its_line(hostile_repo: Path) -> None:
    result = run_check(HOSTILE_FILE)
    lines = result.out.splitlines()
    assert len(lines) == 2  # the summary and the one finding
    assert lines[1].startswith(f"{HOSTILE_FILE}:5: FAIL high contact")
    assert "Signup.email\\u001b[2J\\r\\n::error file=x.json" in lines[1]
    assert "\\u202e\\u0007" in lines[1]
    assert not _controls(result.out)


def test_github_hostile_name_cannot_inject_a_command(hostile_repo: Path) -> None:
    result = run_check(HOSTILE_FILE, "--format", "github")
    lines = result.out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("drift check:")
    props, message = lines[0].removeprefix("::error ").split("::", 1)
    assert props.startswith("file=we%2Cird%3Aname%25.json,line=5,title=drift%3A contact (high)")
    assert "\\r\\n::error file=x.json,line=1::pwned %250A <b>" in message
    assert not _controls(result.out)


def test_github_escaping_follows_the_runner_rules() -> None:
    assert workflow_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert workflow_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_junit_hostile_name_is_well_formed_xml(hostile_repo: Path) -> None:
    result = run_check(HOSTILE_FILE, "--format", "junit")
    root = ET.fromstring(result.out.split("\n", 1)[1])
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name", "").startswith("Signup.email\\u001b[2J\\r\\n::error")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "contact"
    assert (root.get("tests"), root.get("failures")) == ("1", "1")
    assert not _controls(result.out)


def test_junit_counts_failures_notes_and_files_without_findings(repo: Path) -> None:
    commit(repo, {"other.json": '{"events": {"A": {"properties": {"plan": {}}}}}'}, "benign")
    result = run_check("plan.json", "other.json", "--base", "HEAD~2", "--format", "junit")
    root = ET.fromstring(result.out.split("\n", 1)[1])
    suites = {s.get("name"): (s.get("tests"), s.get("failures")) for s in root}
    assert suites == {"plan.json": ("2", "1"), "other.json": ("1", "0")}


def test_a_look_alike_name_is_marked_in_human_formats(repo: Path) -> None:
    plan = {"events": {"Signup": {"properties": {"\u0435mail": {"type": "string"}}}}}
    commit(repo, {"plan.json": json.dumps(plan, indent=2)}, "Cyrillic e")
    for fmt in ("text", "github", "junit"):
        out = run_check("plan.json", "--format", fmt).out
        assert "Signup.\u0435mail ⚠ look-alike" in out, fmt
    assert json.loads(run_check("plan.json", "--format", "json").out)["findings"][0]["name"] == (
        "\u0435mail"
    )
