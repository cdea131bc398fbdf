"""A 20,000-change digest stays inside the email budget and Slack's limits, counting the rest."""

from __future__ import annotations

import csv
import io
import json

import pytest

from drift.errors import ConfigError
from drift.model import RenderedDigest
from drift.report.build import build_digest
from drift.report.render import HTML_BUDGET, render_digest, render_for
from tests.report.fixtures import fixture_input, huge_input


@pytest.fixture(scope="module")
def huge() -> RenderedDigest:
    return render_digest(build_digest(huge_input(20_000)))


def test_html_fits_the_budget_and_counts_the_overflow(huge: RenderedDigest) -> None:
    assert len(huge.html.encode()) <= HTML_BUDGET
    data = json.loads(huge.json)
    assert data["counts"]["changes"] == 20_000
    assert data["counts"]["new_high"] + data["counts"]["new_medium"] == 6_667
    shown = huge.html.count('class="name"')  # css-inline keeps classes
    assert 0 < shown < 500
    assert f"{20_000 - shown:,} more rows are in the attached" in huge.html.replace("\n", " ")
    assert "20,000" in huge.text and "more rows are in the attached" in huge.text


def test_full_list_is_attached_as_csv(huge: RenderedDigest) -> None:
    (attachment,) = huge.attachments
    assert attachment.content_type == "text/csv" and attachment.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8-sig"))))
    assert len(rows) == 20_000
    assert {r["section"] for r in rows} == {"new", "removed", "other"}


def test_json_is_complete(huge: RenderedDigest) -> None:
    data = json.loads(huge.json)
    assert len(data["sources"][0]["changes"]) == 20_000


def test_slack_limits_hold(huge: RenderedDigest) -> None:
    payload = json.loads(huge.slack)
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in sections)
    assert sum(len(t) for t in sections) <= 10_000
    assert "more lines" in sections[-1]


def test_small_digest_has_no_attachment() -> None:
    assert render_digest(build_digest(fixture_input())).attachments == ()


def test_render_for_prints_one_format() -> None:
    digest = build_digest(fixture_input())
    full = render_digest(digest)
    for fmt in ("html", "text", "markdown", "json", "slack"):
        assert render_for(digest, fmt) == getattr(full, fmt)
    with pytest.raises(ConfigError, match="unknown digest format"):
        render_for(digest, "pdf")


def test_override_dir_is_searched_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "digest.txt.j2").write_text("custom {{ subject }} {{ counts.changes }}\n")
    digest = build_digest(fixture_input())
    text = render_for(digest, "text", override_dir=tmp_path)
    assert text.startswith("custom drift 2026-11-29") and text.endswith(" 13\n")
    assert render_for(digest, "html", override_dir=tmp_path) == render_for(digest, "html")
