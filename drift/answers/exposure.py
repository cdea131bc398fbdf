"""Every sensitive property each source held at any time in a window (incident evidence)."""

from __future__ import annotations

from drift.answers.coverage import Window
from drift.answers.findings import label_findings
from drift.app import App
from drift.model import Severity
from drift.store import exposure as exposure_store
from drift.store import queries
from drift.store.exposure import Exposure, ExposureReport

__all__ = ["Exposure", "ExposureReport", "exposure"]


def exposure(
    app: App,
    window: Window,
    sources: tuple[str, ...] = (),
    min_severity: Severity = Severity.LOW,
) -> ExposureReport:
    """What the asked sources (all recorded ones when none asked) held graded ``min_severity``
    or worse during ``window``, by name or by the vendor's labels, with coverage and evidence."""
    with app.database.session() as session:
        for name in sources:
            queries.source_id(session, name)  # an unknown source is named, not answered empty
        return exposure_store.exposure(
            session,
            window,
            app.classifier,
            sources=sources or None,
            min_severity=min_severity,
            labels=label_findings(app),
        )
