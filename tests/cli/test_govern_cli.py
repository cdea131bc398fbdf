"""`drift policy check`, `reconcile`, `inventory` and `classify` as a user runs them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from drift.ack_target import AckTarget
from drift.cli import cli
from drift.exitcodes import Exit
from drift.store.acks import add_ack
from drift.store.database import Database
from tests.conftest import SettableClock
from tests.govern.scenario import CONFIG, DAYS, record_days

FORBID = 'policy "no contact data" (drift.toml [[policy]] #1): forbid contact'


def setup(tmp_path: Path, db_url: str, *, record: bool = True, extra: str = "") -> Path:
    path = tmp_path / "drift.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n{CONFIG}{extra}')
    if record:
        db = Database(db_url)
        record_days(db)
        db.dispose()
    return path


def invoke(path: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner(env={"COLUMNS": "240"})
    result = runner.invoke(cli, ["--config", str(path), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def at(clock: SettableClock, moment: dt.datetime) -> None:
    clock.set(moment)


def test_policy_check_fails_ci_with_each_violation_once(tmp_path: Path, db_url: str) -> None:
    path = setup(tmp_path, db_url)
    code, out, _ = invoke(path, "policy", "check", "--format", "json")
    assert code == Exit.FINDINGS == 5
    doc = json.loads(out)
    keys = [(v["source"], v["property"], v["rule"]) for v in doc["violations"]]
    assert len(keys) == len(set(keys)) == 6
    phone = [
        v for v in doc["violations"] if v["rule"] == FORBID and v["property"] == "phone_number"
    ]
    assert phone[0]["events"] == ["Purchase", "Signup"]
    assert doc["checked"] == ["app-events", "web-events"] and doc["unavailable"] == []
    code, out, _ = invoke(path, "policy", "check")
    assert code == 5 and "phone_number" in out and "forbid contact" in out


def test_acks_with_expiry_pass_policy_check_until_they_expire(
    tmp_path: Path, db_url: str, clock: SettableClock
) -> None:
    path = setup(tmp_path, db_url)
    acked_at, until = DAYS[2] + dt.timedelta(hours=1), DAYS[2] + dt.timedelta(days=7)
    db = Database(db_url)
    with db.session() as session:
        for name in ("email", "phone_number", "first_name"):
            target = AckTarget.property_name("web-events", name)
            add_ack(session, target, reason="DPA signed, SEC-12", now=acked_at, until=until)
        target = AckTarget.property_name("app-events", "email")
        add_ack(session, target, reason="accepted", now=acked_at)  # no expiry
    db.dispose()

    at(clock, acked_at + dt.timedelta(hours=1))
    code, out, _ = invoke(path, "policy", "check", "--format", "json")
    doc = json.loads(out)
    assert code == 5  # the open-ended ack does not excuse a policy violation
    assert [(v["source"], v["property"]) for v in doc["violations"]] == [("app-events", "email")]
    assert len(doc["acknowledged"]) == 5

    db = Database(db_url)
    with db.session() as session:
        target = AckTarget.property_name("app-events", "email")
        add_ack(session, target, reason="SDK fix ships next sprint", now=acked_at, until=until)
    db.dispose()
    code, out, _ = invoke(path, "policy", "check")
    assert code == 0 and "no policy violations (2 sources checked)" in out

    at(clock, until + dt.timedelta(minutes=1))
    code, out, _ = invoke(path, "policy", "check", "--format", "json")
    assert code == 5 and len(json.loads(out)["violations"]) == 6


def test_a_source_never_snapshotted_is_named_not_passed(tmp_path: Path, db_url: str) -> None:
    extra = '\n[[sources]]\nname = "late"\ntype = "events"\npath = "late.ndjson"\n'
    path = setup(tmp_path, db_url, extra=extra)
    code, out, err = invoke(path, "policy", "check", "--format", "json")
    assert code == 5 and "'late' has no snapshot yet" in err
    assert json.loads(out)["unavailable"] == ["late"]


def test_nothing_snapshotted_is_an_error_not_a_pass(tmp_path: Path, db_url: str) -> None:
    empty = setup(tmp_path, db_url, record=False)
    code, _, err = invoke(empty, "policy", "check")
    assert code == Exit.CONFIG and "no source a policy covers has a snapshot yet" in err
    code, _, err = invoke(empty, "reconcile")
    assert code == 0 and "'plan' has no snapshot yet" in err


def test_reconcile_reports_each_result_with_its_origin(tmp_path: Path, db_url: str) -> None:
    path = setup(tmp_path, db_url)
    code, out, _ = invoke(path, "reconcile", "--format", "json")
    assert code == 0
    rows = json.loads(out)["results"]
    got = sorted((r["kind"], r["observed"], r["property"]) for r in rows)
    assert got == [
        ("never_observed", "web-events, app-events", "coupon_code"),
        ("type_mismatch", "app-events", "amount"),
        ("type_mismatch", "web-events", "amount"),
        ("undocumented", "app-events", "ip_address"),
        ("undocumented", "web-events", "phone_number"),
    ]
    assert {r["origin"] for r in rows} == {"[[reconcile]] #1 plan=plan"}
    phone = next(r for r in rows if r["property"] == "phone_number")
    assert phone["detail"] == "undocumented, at web-events since 2026-11-11"
    code, out, _ = invoke(path, "reconcile", "--format", "markdown")
    assert code == 0 and "phone\\_number" in out and "\\[\\[reconcile\\]\\] #1" in out


def test_inventory_lists_properties_and_the_cross_vendor_view(tmp_path: Path, db_url: str) -> None:
    path = setup(tmp_path, db_url)
    code, out, _ = invoke(path, "inventory", "--format", "json", "--min-severity", "medium")
    rows = json.loads(out)["properties"]
    assert code == 0
    assert sorted((r["source"], r["property"], r["identifies"]) for r in rows) == [
        ("app-events", "email", "direct"),
        ("app-events", "ip_address", "indirect"),
        ("plan", "email", "direct"),
        ("plan", "first_name", "direct"),
        ("web-events", "email", "direct"),
        ("web-events", "first_name", "direct"),
        ("web-events", "phone_number", "direct"),
    ]
    code, out, _ = invoke(path, "inventory", "--by-property", "--format", "json")
    cross = {r["property"]: r for r in json.loads(out)["properties"]}
    assert cross["amount"]["flags"] == ["types differ"]
    assert cross["email"]["sources"] == ["app-events", "plan", "web-events"]
    code, out, _ = invoke(path, "inventory", "--source", "web-events", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("source,property,events,types")
    assert len(out.splitlines()) == 7


def test_inventory_of_a_source_never_snapshotted_is_an_error(tmp_path: Path, db_url: str) -> None:
    path = setup(tmp_path, db_url, record=False)
    code, _, err = invoke(path, "inventory", "--source", "web-events")
    assert code == Exit.CONFIG and "'web-events' has no snapshot yet" in err


def test_classify_explains_names(tmp_path: Path) -> None:
    path = setup(tmp_path, f"sqlite:///{tmp_path}/drift.db", record=False)
    code, out, _ = invoke(path, "classify", "phone_number", "page_name", "--type", "string")
    assert code == 0 and "contact" in out and "page_name" in out
    code, out, _ = invoke(path, "classify", "email", "--format", "json")
    [verdict] = json.loads(out)
    assert verdict["name"] == "email" and verdict["verdict"] == "flagged"
    assert [f["category"] for f in verdict["findings"]] == ["contact"]
