"""``drift exposure``, ``drift timeline`` and ``drift ack`` as a user runs them, on each backend."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from drift.cli import cli
from drift.model import Item, Provenance, Schema, Scope
from drift.store.database import Database
from drift.store.record import record_snapshot

HOSTILE = "<img src=x onerror=alert(1)>\x1b[31memail"
# Around midnight in Berlin: 22:30 UTC is 23:30 on 2 November there, 23:30 UTC is 00:30 on the 3rd.
S1 = dt.datetime(2026, 11, 2, 22, 30, tzinfo=dt.UTC)
S2 = dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


#: A user rules file (``[rules] path``): the markup-wrapped name is an address too.
RULES = """
[[rules]]
id = "acme.hostile_email"
category = "contact"
what = "an email address behind markup"
tokens = ["31memail"]
"""


def prop(event: str, name: str, type_: str = "string") -> Item:
    return Item.of(Scope.EVENT_PROPERTY, event, name, type=type_)


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Iterator[Path]:
    db = Database(db_url)
    days = [
        (S1, [prop("Signup", "email"), prop("Signup", "plan"), prop("Signup", HOSTILE)]),
        (S2, [prop("Signup", "plan", "integer"), prop("Signup", "phone")]),
    ]
    for taken_at, items in days:
        with db.session() as session:
            record_snapshot(
                session,
                Schema.build("plan", Provenance.DOCUMENTED, items),
                source_type="jsonschema",
                taken_at=taken_at,
            )
    db.dispose()
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    path = tmp_path / "drift.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n[schedule]\ntimezone = "Europe/Berlin"\n'
        '[rules]\npath = "rules.toml"\n'
        '[[sources]]\nname = "plan"\ntype = "jsonschema"\npath = "plan.json"\n'
    )
    with time_machine.travel(NOW, tick=False):
        yield path


def drift(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def exposure_json(config: Path, *args: str) -> dict[str, object]:
    code, out, err = drift(config, "exposure", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def names(document: dict[str, object]) -> set[str]:
    return {p["property"] for p in document["properties"]}  # type: ignore[attr-defined]


def test_dates_are_read_in_the_configured_timezone(config: Path) -> None:
    doc = exposure_json(config, "--since", "2026-11-03", "--until", "2026-11-03")
    # Berlin's 3 November starts at 23:00 UTC on the 2nd, when snapshot S1 was still in force.
    assert names(doc) == {"email", HOSTILE, "phone"}
    assert doc["window"] == {
        "since": {
            "input": "2026-11-03",
            "at": "2026-11-03T00:00:00+01:00",
            "read_as": "date, start of day in Europe/Berlin",
        },
        "until": {
            "input": "2026-11-03",
            "at": "2026-11-03T23:59:59+01:00",
            "read_as": "date, end of day in Europe/Berlin",
        },
    }
    assert doc["generated_at"] == "2026-11-29T11:00:00+01:00"
    # An explicit offset wins: from 00:45 Berlin only S2 is in force.
    later = exposure_json(config, "--since", "2026-11-02T23:45:00Z", "--until", "2026-11-04")
    assert names(later) == {"phone"}
    assert later["window"]["since"]["read_as"] == "offset given"  # type: ignore[index]
    naive = exposure_json(config, "--since", "2026-11-03T00:45", "--until", "2026-11-04")
    assert names(naive) == {"phone"}
    assert naive["window"]["since"]["read_as"] == "read in Europe/Berlin"  # type: ignore[index]
    # Berlin's 2 November ends at 22:59:59 UTC: S2 (23:30 UTC) is not yet there.
    early = exposure_json(config, "--since", "2026-11-01", "--until", "2026-11-02")
    assert names(early) == {"email", HOSTILE}


def test_json_evidence_names_snapshots_hashes_and_the_query_time(config: Path) -> None:
    doc = exposure_json(config, "--since", "2026-11-01", "--until", "2026-11-05")
    snaps = doc["evidence"]["snapshots"]["plan"]  # type: ignore[index]
    _, out, _ = drift(config, "history", "--format", "json")
    recorded = {(s["id"], s["content_hash"]) for s in json.loads(out)}
    assert {(s["id"], s["content_hash"]) for s in snaps} == recorded
    email = next(p for p in doc["properties"] if p["property"] == "email")  # type: ignore[attr-defined]
    assert email["first_seen"] == email["last_seen"] == "2026-11-02T23:30:00+01:00"
    assert email["events"] == ["Signup"] and email["intervals"][0]["to_snapshot"] is not None
    assert doc["summary"] == [
        {"source": "plan", "category": "contact", "severity": "high", "count": 3}
    ]


def test_html_and_terminal_output_neutralise_vendor_names(config: Path) -> None:
    code, out, _ = drift(
        config, "exposure", "--since", "2026-11-01", "--until", "2026-11-05", "--format", "html"
    )
    assert code == 0
    assert "<img" not in out and "&lt;img src=x" in out
    assert "\x1b" not in out and "\\u001b[31memail" in out
    code, out, _ = drift(config, "exposure", "--since", "2026-11-01", "--until", "2026-11-05")
    # the escape is shown, not obeyed (CliRunner would silently strip a raw one)
    assert code == 0 and "\x1b" not in out and "\\u001b[31memail" in out and "Europe/Berlin" in out
    code, out, _ = drift(
        config, "exposure", "--since", "2026-11-01", "--until", "2026-11-05", "--format", "csv"
    )
    assert out.splitlines()[0].startswith("source,property,category,severity")
    assert "\x1b" not in out and "\\u001b[31memail" in out
    code, out, _ = drift(
        config, "exposure", "--since", "2026-11-01", "--until", "2026-11-05", "--format", "markdown"
    )
    assert code == 0 and "<img" not in out and "&lt;img" in out


def test_timeline_shows_changes_in_the_configured_timezone(config: Path) -> None:
    code, out, err = drift(config, "timeline", "plan", "--format", "json")
    assert code == 0, err
    (key,) = json.loads(out)["keys"]
    moments = [(m["what"], m["at"], m["detail"]) for m in key["moments"]]
    assert moments == [
        ("present at baseline", "2026-11-02T23:30:00+01:00", ""),
        ("changed", "2026-11-03T00:30:00+01:00", "type string -> integer"),
    ]
    assert key["origin"] == (
        "first recorded by drift on 2026-11-02T23:30:00+01:00 (present at baseline)"
    )
    assert key["still_present"] and key["first_seen"] == "2026-11-02T23:30:00+01:00"
    code, out, _ = drift(config, "timeline", "email", "--format", "json")
    assert [m["what"] for m in json.loads(out)["keys"][0]["moments"]] == [
        "present at baseline",
        "disappeared",
    ]
    code, out, _ = drift(config, "timeline", "email")
    assert code == 0 and "Timeline of email (times in Europe/Berlin)" in out
    code, _, err = drift(config, "timeline", "never_seen")
    assert code == 2 and "never_seen" in err


def test_ack_add_list_revoke_and_exposure_status(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFT_USER", "ana")
    code, out, err = drift(
        config,
        "ack",
        "--source",
        "plan",
        "--item",
        "Signup:phone",
        "--reason",
        "hashed",
        "--until",
        "2026-12-01",
    )
    assert code == 0, err
    assert "acknowledged #" in out
    code, out, _ = drift(config, "ack", "--list", "--format", "json")
    (made,) = json.loads(out)
    assert (made["by"], made["state"], made["target"]) == ("ana", "active", "Signup.phone")
    assert made["until"] == "2026-12-01T23:59:59+01:00"
    doc = exposure_json(config, "--since", "2026-11-01", "--until", "2026-11-05")
    phone = next(p for p in doc["properties"] if p["property"] == "phone")  # type: ignore[attr-defined]
    assert phone["ack"].startswith(f"#{made['id']} active (not in force during the window)")
    code, out, err = drift(config, "ack", "--revoke", str(made["id"]), "--reason", "raw now")
    assert code == 0, err
    code, out, _ = drift(config, "ack", "--list", "--format", "json")
    assert json.loads(out)[0]["state"] == "revoked"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exposure", "--since", "last week", "--until", "2026-11-05"], "--since 'last week'"),
        (["exposure", "--since", "2026-11-05", "--until", "2026-11-01"], "after --until"),
        (
            ["exposure", "--since", "2026-11-01", "--until", "2026-11-05", "--source", "x"],
            "no such source 'x'",
        ),
        (["timeline", "email", "--source", "nope"], "no such source 'nope'"),
        (["ack", "--source", "plan", "--property", "emial", "--reason", "r"], "matches nothing"),
        (["ack", "--source", "plan", "--property", "email"], "--reason is required"),
        (["ack", "--source", "plan", "--item", "Nope:email", "--reason", "r"], "never held"),
        (["ack", "--property", "email", "--reason", "r"], "needs --source"),
        (["ack", "--source", "plan", "--reason", "r"], "exactly one of"),
        (["ack", "--pattern", "e*", "--reason", "r", "--until", "2020-01-01"], "not in the future"),
        (["ack", "--revoke", "42", "--reason", "r"], "no acknowledgement with id 42"),
    ],
)
def test_bad_input_is_one_red_line(config: Path, args: list[str], message: str) -> None:
    code, _, err = drift(config, *args)
    assert code == 2 and message in err and err.count("\n") == 1


def test_exposure_with_the_shipped_rules(config: Path) -> None:
    from drift.classify import load_classifier

    real = load_classifier(None)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('[rules]\npath = "rules.toml"\n', ""), encoding="utf-8")
    doc = exposure_json(config, "--since", "2026-11-01", "--until", "2026-11-05")
    rows = {p["property"]: p for p in doc["properties"]}  # type: ignore[attr-defined]
    assert {"email", "phone"} <= rows.keys() and "plan" not in rows
    assert rows["email"]["category"] == "contact" and rows["email"]["severity"] == "high"
    assert doc["rules_hash"] == real.rules_hash
    code, out, err = drift(config, "timeline", "email", "--format", "json")
    assert code == 0, err
    (key,) = json.loads(out)["keys"]
    assert key["moments"][0]["findings"][0]["category"] == "contact"
