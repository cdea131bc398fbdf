"""Hostile vendor names are inert in every format; subjects are always one safe line."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drift.model import RenderedDigest
from drift.report import escape
from drift.report.build import build_digest
from drift.report.render import render_digest
from drift.report.subject import SUBJECT_LIMIT, make_subject
from tests.report.fixtures import hostile_input


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.names.update(name for name, _ in attrs)


def _attributes(html: str) -> set[str]:
    parser = _Attrs()
    parser.feed(html)
    assert "img" not in parser.tags and "script" not in parser.tags
    return parser.names


@pytest.fixture(scope="module")
def rendered() -> RenderedDigest:
    return render_digest(build_digest(hostile_input()))


def test_html_escapes_markup_and_has_no_active_content(rendered: RenderedDigest) -> None:
    html = rendered.html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<!channel>" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert _attributes(html) & {"href", "src", "onerror", "onclick", "onload"} == set()
    assert "\u202e" not in html and "\\u202e" in html
    assert "Bcc: a@b" in html and "x\r\nBcc" not in html and "x\\r\\nBcc" in html
    assert "🔥" in html  # emoji survive


def test_long_names_are_cut_for_display(rendered: RenderedDigest) -> None:
    for text in (rendered.html, rendered.text, rendered.markdown):
        assert "n" * 500 not in text and "n" * 200 + "…" in text


def test_text_is_not_html_escaped_but_controls_are_visible(rendered: RenderedDigest) -> None:
    text = rendered.text
    assert "<img src=x onerror=alert(1)>" in text  # plain text: shown as-is, inert
    assert "&lt;" not in text
    assert "\u202e" not in text and "user\\u202eliam_name" in text
    assert "x\\r\\nBcc: a@b" in text
    assert not any(line.startswith("Bcc:") for line in text.splitlines())


def test_markdown_escapes_metacharacters_and_html(rendered: RenderedDigest) -> None:
    md = rendered.markdown
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "\\*bold\\* &lt;!channel&gt;" in md
    assert "*bold*" not in md.replace("\\*bold\\*", "")
    assert "\u202e" not in md


def test_json_keeps_full_names_and_is_inert(rendered: RenderedDigest) -> None:
    data = json.loads(rendered.json)
    assert data["version"] == 2
    names = {c["name"] for s in data["sources"] for c in s["changes"]}
    assert "n" * 500 in names and "x\r\nBcc: a@b" in names
    assert "<" not in rendered.json and "\u202e" not in rendered.json


def test_slack_cannot_ping_or_spoof_links(rendered: RenderedDigest) -> None:
    payload = json.loads(rendered.slack)
    texts = json.dumps(payload, ensure_ascii=False)
    assert "<!channel>" not in texts and "&lt;!channel&gt;" in texts
    assert "<img" not in texts
    assert "&#39;" not in texts  # only & < > are escaped for Slack


def test_failed_reason_is_one_line_everywhere(rendered: RenderedDigest) -> None:
    assert "&lt;!channel&gt; Bcc: a@b" in rendered.html
    assert "bad name <!channel> Bcc: a@b" in rendered.text


def test_subject_is_one_safe_line(rendered: RenderedDigest) -> None:
    assert "\r" not in rendered.subject and "\n" not in rendered.subject


def test_escape_functions() -> None:
    assert (
        escape.slack("<!here> & <https://evil|x>") == "&lt;!here&gt; &amp; &lt;https://evil|x&gt;"
    )
    assert escape.slack_code("a`b") == "`aˋb`"
    assert escape.markdown("www.evil.com") == "www\\.evil\\.com"
    assert escape.csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert escape.visible("a\u202eb\u200bc") == "a\\u202eb\\u200bc"


@given(st.text())
def test_header_text_never_carries_a_line_break(text: str) -> None:
    out = escape.header_text(text)
    assert len(out) <= 200
    assert not any(ch in out for ch in "\r\n\x00\x0b\x0c\x85\u2028\u2029")
    assert all(ch.isprintable() for ch in out)


@given(st.text(min_size=1, max_size=300))
def test_subject_from_any_source_name_is_safe(name: str) -> None:
    import dataclasses

    data = hostile_input()
    failed = dataclasses.replace(data.sources[1], name=name, reason=name)
    subject = make_subject(build_digest(dataclasses.replace(data, sources=(failed,))))
    assert len(subject) <= SUBJECT_LIMIT and subject.isprintable()
