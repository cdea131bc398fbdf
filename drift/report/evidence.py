"""The exposure evidence pack as HTML (``drift exposure --format html``), styled like the digest.

Rendered from the same document as ``--format json`` (so both say the same), plus where the
answer came from. Names are shown whole (evidence is never cut), escaped by the template's
autoescape with control and bidi characters made visible (:mod:`drift.report.escape`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from drift.model import MOST_SEVERE_FIRST
from drift.report.escape import mark_lookalike, visible


def _finalize(value: Any) -> Any:
    """Names are shown whole (evidence is never cut) with control and bidi characters visible."""
    return value if isinstance(value, Markup) else visible("" if value is None else str(value))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from drift.resources import templates_dir

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = short
    env.filters["lookalike"] = mark_lookalike
    return env


def short(iso: str | None) -> str:
    """``2026-11-30T00:39:00+01:00`` as people read it, ``2026-11-30 00:39`` (the zone is named in
    the page's header); anything else unchanged."""
    if not iso:
        return ""
    try:
        return f"{dt.datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"
    except ValueError:
        return iso


def render(document: Mapping[str, Any], provenance: Mapping[str, str]) -> str:
    """The evidence pack page for an exposure document and its provenance."""
    properties = list(document["properties"])
    context = {
        **document,
        "about": provenance,
        "severities": {
            s.value: sum(1 for p in properties if p["severity"] == s) for s in MOST_SEVERE_FIRST
        },
        "partial": [c for c in document["coverage"] if c["extent"] != "full"],
        "snapshot_rows": [
            {"source": source, **snap}
            for source, snaps in document["evidence"]["snapshots"].items()
            for snap in snaps
        ],
    }
    return str(_environment().get_template("exposure.html.j2").render(context))
