"""A name that impersonates another (``еmail`` with a Cyrillic е) carries a visible marker in every
human digest format; an ordinary name does not."""

from __future__ import annotations

import json

from drift.report.build import build_digest
from drift.report.escape import LOOKALIKE_MARK
from drift.report.render import render_digest
from tests.report import fixtures

LOOKALIKE = "\u0435mail"  # Cyrillic е
PLAIN = "email"


def test_every_human_format_marks_the_lookalike() -> None:
    rendered = render_digest(build_digest(fixtures.hostile_input((LOOKALIKE, PLAIN))))
    mark = LOOKALIKE_MARK.strip()
    for fmt, text in [
        ("text", rendered.text),
        ("markdown", rendered.markdown),
        ("html", rendered.html),
        ("slack", json.dumps(json.loads(rendered.slack), ensure_ascii=False)),
    ]:
        assert f"{LOOKALIKE}{LOOKALIKE_MARK}" in text.replace("`", ""), fmt
        assert f"{PLAIN}{LOOKALIKE_MARK}" not in text.replace("`", ""), fmt
        assert mark in text, fmt
