"""The HTML digest and the exposure evidence pack wrap at 400 px and at 1000 px: no horizontal
scrollbar, checked in headless Chromium (see ``tests/report/browser.py``)."""

from __future__ import annotations

import pytest

from drift.report.build import build_digest
from drift.report.render import render_digest
from tests.report import fixtures
from tests.report.browser import widths


@pytest.mark.parametrize("case", ["fixture", "hostile"])
def test_digest_cards_wrap_without_a_horizontal_scrollbar(case: str) -> None:
    html = render_digest(build_digest(getattr(fixtures, f"{case}_input")())).html
    for width, (scroll, visible) in widths(html, 400, 1000).items():
        assert scroll <= visible, f"{case} digest is {scroll} px wide in a {width} px window"
