"""``drift exposure --format html`` is an evidence pack: styled like the digest, printable, and it
names everything needed to check the answer later (version, database, command, query time, zone,
rules hash, coverage, snapshot hashes)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from drift import __version__
from drift.classify import load_classifier
from drift.commands.evidence import about
from tests.cli.test_history_cli import config, drift  # noqa: F401  (the fixture)
from tests.report.browser import widths

WINDOW = ("--since", "2026-11-01", "--until", "2026-11-05")


def test_the_pack_names_where_the_answer_came_from(config: Path) -> None:  # noqa: F811
    code, html, err = drift(config, "exposure", *WINDOW, "--source", "plan", "--format", "html")
    assert code == 0, err
    rules_hash = load_classifier(config.parent / "rules.toml").rules_hash  # the [rules] file
    assert f"drift {__version__}" in html and rules_hash in html
    assert "drift exposure --since 2026-11-01 --until 2026-11-05 --source plan" in html
    assert "Query time</th><td>2026-11-29T11:00:00+01:00" in html
    assert "Timezone</th><td>Europe/Berlin" in html
    url = tomllib.loads(config.read_text())["database"]["url"]
    assert url.split("@")[-1] in html and str(config) in html  # on every backend
    _, out, _ = drift(config, "history", "--format", "json")
    for snap in json.loads(out):
        assert snap["content_hash"] in html and snap["taken_at"] in html
    assert "records from 2026-11-02 23:30 Europe/Berlin" in html  # coverage, zone named


def test_the_pack_is_styled_like_the_digest_and_printable(config: Path) -> None:  # noqa: F811
    _, html, _ = drift(config, "exposure", *WINDOW, "--format", "html")
    digest_css = (Path(__file__).parents[2] / "templates" / "digest.css").read_text()
    assert ".card {" in html and "@media print" in html and "@page" in html
    assert digest_css.splitlines()[2] in html  # the digest's own rules, not a copy
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_the_pack_never_shows_a_password() -> None:
    shown = about("postgresql+psycopg://drift:s3cr3t@db.example:5432/drift?sslmode=require", None)
    assert "s3cr3t" not in shown["database"] and "***" in shown["database"]
    assert shown["database"].startswith("postgresql+psycopg://drift:***@db.example:5432/drift")


def test_the_pack_wraps_on_a_phone_and_a_desktop(config: Path) -> None:  # noqa: F811
    _, html, _ = drift(config, "exposure", *WINDOW, "--format", "html")
    for width, (scroll, visible) in widths(html, 400, 1000).items():
        assert scroll <= visible, f"the evidence pack is {scroll} px wide in a {width} px window"
