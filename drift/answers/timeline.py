"""Where a property (or event) name appeared, when, every change, and its classification."""

from __future__ import annotations

from dataclasses import dataclass

from drift.answers.coverage import Coverage, Window
from drift.answers.findings import label_findings
from drift.app import App
from drift.model import utcnow
from drift.naming import naming_styles
from drift.store import queries
from drift.store import timeline as timeline_store
from drift.store.coverage import coverage
from drift.store.history import source_snapshots
from drift.store.timeline import KeyHistory, Moment

__all__ = ["KeyHistory", "Moment", "Timeline", "timeline"]


@dataclass(frozen=True)
class Timeline:
    asked: str  # the name asked about
    name: str  # the name answered: ``asked``, or the same words in another naming style
    histories: tuple[KeyHistory, ...]  # one per (source, key), in order
    coverage: tuple[Coverage, ...]  # per source asked about: the span drift has records for
    rules_hash: str

    @property
    def restyled(self) -> bool:
        """Nothing is named ``asked``; the answer is about ``name`` instead."""
        return self.name != self.asked

    @property
    def held_by(self) -> tuple[Coverage, ...]:
        """The coverage of the sources that hold the name."""
        held = {h.source for h in self.histories}
        return tuple(c for c in self.coverage if c.source in held)

    @property
    def any_records(self) -> bool:
        return any(c.snapshots for c in self.coverage)


def timeline(
    app: App, name: str, *, source: str | None = None, event: str | None = None
) -> Timeline:
    """The histories of ``name`` (or, when nothing has that name, of the first other naming style
    of the same words that something has) and the span drift has records for per source."""
    labels = label_findings(app)
    with app.database.session() as session:

        def histories(wanted: str) -> list[KeyHistory]:
            return timeline_store.timeline(
                session, wanted, app.classifier, source=source, event=event, labels=labels
            )

        answered, found = name, histories(name)
        for other in [] if found else naming_styles(name):
            if restyled := histories(other):
                answered, found = other, restyled
                break
        names = [source] if source else queries.source_names(session)
        now = utcnow()
        spans = [coverage(source_snapshots(session, n), Window(now, now)) for n in names]
    return Timeline(name, answered, tuple(found), tuple(spans), app.classifier.rules_hash)
