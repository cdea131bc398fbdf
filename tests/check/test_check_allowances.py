"""Allowances in a committed file: accepted findings exit 0, expired ones stop applying, and
entries that match nothing are reported as stale."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine

from tests.check.conftest import HAS_EMAIL_LINE, run_check

ALLOW_HAS_EMAIL = """\
[[allow]]
item = "Signup Completed:has_email"
category = "contact"
reason = "address kept for the double opt-in, reviewed with the DPO"
by = "alice@example.com"
until = {until}
"""


def _allow(repo: Path, text: str) -> None:
    (repo / "drift-allow.toml").write_text(text, encoding="utf-8")


@time_machine.travel("2026-11-30 09:00:00+00:00", tick=False)
def test_an_allowance_makes_the_check_pass(repo: Path) -> None:
    _allow(repo, ALLOW_HAS_EMAIL.format(until="2027-01-31"))
    result = run_check("plan.json", "--base", "HEAD~1", "--format", "json")
    assert result.code == 0, result.out
    doc = json.loads(result.out)
    allowed = [f for f in doc["findings"] if f["allowed_by"]]
    assert [(f["name"], f["allowed_by"]["by"]) for f in allowed] == [
        ("has_email", "alice@example.com")
    ]
    assert doc["allowances"] == {"stale": [], "expired": []}


@time_machine.travel("2027-02-01 09:00:00+00:00", tick=False)
def test_an_expired_allowance_no_longer_applies(repo: Path) -> None:
    _allow(repo, ALLOW_HAS_EMAIL.format(until="2027-01-31"))
    result = run_check("plan.json", "--base", "HEAD~1")
    assert result.code == 5
    assert f"plan.json:{HAS_EMAIL_LINE}: FAIL high contact" in result.out
    assert "drift-allow.toml:1: warning expired allowance [[allow]] #1" in result.out


def test_an_allowance_without_expiry_never_expires(repo: Path) -> None:
    _allow(repo, "\n".join(ALLOW_HAS_EMAIL.splitlines()[:-1]) + "\n")
    assert run_check("plan.json", "--base", "HEAD~1").code == 0


def test_an_allowance_matching_nothing_is_stale(repo: Path) -> None:
    stale = '\n[[allow]]\nproperty = "ssn"\nreason = "legacy"\nby = "bob"\n'
    _allow(repo, ALLOW_HAS_EMAIL.format(until="2099-01-01") + stale)
    result = run_check("plan.json", "--base", "HEAD~1", "--format", "json")
    assert result.code == 0
    stale_entries = json.loads(result.out)["allowances"]["stale"]
    assert [(a["number"], a["line"], a["target"]) for a in stale_entries] == [
        (2, 8, "property ssn")
    ]


def test_an_allowance_for_another_category_does_not_cover(repo: Path) -> None:
    _allow(repo, ALLOW_HAS_EMAIL.format(until="2099-01-01").replace('"contact"', '"url"'))
    assert run_check("plan.json", "--base", "HEAD~1").code == 5


def test_a_pattern_allowance_matches_like_drift_ack(repo: Path) -> None:
    _allow(repo, '[[allow]]\npattern = "has_*"\nreason = "ok"\nby = "carol"\n')
    assert run_check("plan.json", "--base", "HEAD~1").code == 0


def test_a_bad_allowances_file_is_exit_2_naming_the_entry(repo: Path) -> None:
    _allow(repo, '[[allow]]\nproperty = "x"\nby = "bob"\n')
    result = run_check("plan.json")
    assert result.code == 2
    assert "drift-allow.toml: [[allow]] #1: missing key 'reason'" in result.err


def test_an_unknown_category_is_a_typo(repo: Path) -> None:
    _allow(repo, '[[allow]]\nproperty = "x"\ncategory = "contcat"\nreason = "r"\nby = "b"\n')
    result = run_check("plan.json")
    assert result.code == 2 and "category 'contcat' is not a category" in result.err


@time_machine.travel("2027-01-31 20:00:00+00:00", tick=False)
def test_until_as_text_or_date_means_the_end_of_that_day(repo: Path) -> None:
    _allow(repo, ALLOW_HAS_EMAIL.format(until='"2027-01-31"'))
    assert run_check("plan.json", "--base", "HEAD~1").code == 0
    _allow(repo, ALLOW_HAS_EMAIL.format(until="2027-01-31T12:00:00Z"))
    assert run_check("plan.json", "--base", "HEAD~1").code == 5
    _allow(repo, ALLOW_HAS_EMAIL.format(until='"next week"'))
    bad = run_check("plan.json", "--base", "HEAD~1")
    assert bad.code == 2 and "[[allow]] #1: until: 'next week' is not a date" in bad.err
