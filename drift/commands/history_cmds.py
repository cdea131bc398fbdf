"""``drift timeline`` and ``drift exposure``: what a source held, since when, as evidence.

Times are printed in the configured timezone with their offset; ``--since``/``--until`` are read
in that timezone unless they carry an offset, and the output says which.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from drift import clockface
from drift.answers import exposure as exposure_answer
from drift.answers import timeline as timeline_answer
from drift.answers.coverage import Coverage, Window, answerable
from drift.answers.exposure import Exposure, ExposureReport
from drift.answers.timeline import KeyHistory
from drift.app import App
from drift.commands import coverage_text, evidence
from drift.commands.output import emit, format_option, to_markdown
from drift.errors import ConfigError
from drift.exitcodes import Exit
from drift.logs import notice, problem
from drift.model import Severity, utcnow
from drift.report import evidence as evidence_page
from drift.report.escape import markdown, visible

ROW_COLUMNS = [
    "source",
    "property",
    "category",
    "severity",
    "events",
    "first_seen",
    "origin",
    "last_seen",
    "ack",
]


@click.command("timeline")
@click.argument("name")
@click.option("--source", help="Only this source.")
@click.option("--event", help="Only this event.")
@format_option("table", "json")
@click.pass_obj
def timeline_cmd(app: App, name: str, source: str | None, event: str | None, fmt: str) -> None:
    """Where a property (or event) NAME appeared, when, every change, and its classification.

    Says since when drift has records of each source and, per property, since when the vendor
    says it had it (when known). Exit 7 when no source was read yet.
    """
    answer = timeline_answer.timeline(app, name, source=source, event=event)
    tz, now = app.timezone, utcnow()
    if answer.restyled:
        notice(
            f"note: nothing is named {visible(answer.asked)!r}; showing {visible(answer.name)!r}, "
            "the same words in another naming style",
            event="name_style",
        )
    if not answer.histories:
        _nothing_found(answer)
    name, found = answer.name, answer.histories
    rows = [m for h in found for m in _moment_rows(h, tz)]
    document = {
        "name": name,
        "generated_at": _iso(now, tz),
        "timezone": str(tz),
        "rules_hash": answer.rules_hash,
        "coverage": [_lifetime_doc(c, tz) for c in answer.held_by],
        "keys": [_history_doc(h, tz) for h in found],
    }
    if fmt != "json":
        lines = [coverage_text.lifetime(c, tz) for c in answer.held_by]
        click.echo("Coverage:\n" + "\n".join(f"  {visible(line)}" for line in lines))
    title = f"Timeline of {name} (times in {tz})"
    columns = ["source", "item", "at", "what", "detail", "types", "classification"]
    emit(rows, fmt, columns, title=title, document=document)


def _nothing_found(answer: timeline_answer.Timeline) -> None:
    if not answer.any_records:
        problem(f"{coverage_text.NO_RECORDS_HINT}: no source has been read yet", event="no_records")
        raise SystemExit(Exit.NO_RECORDS)
    raise ConfigError(f"no source has ever held a property or event named {answer.asked!r}")


def _lifetime_doc(c: Coverage, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "source": c.source,
        "first_snapshot_at": _iso(c.first, tz) if c.first else None,
        "latest_snapshot_at": _iso(c.last, tz) if c.last else None,
        "snapshots": c.snapshots,
        "statement": coverage_text.lifetime(c, tz),
    }


@click.command("exposure")
@click.option("--since", required=True, help="Window start: a date or an ISO datetime.")
@click.option("--until", required=True, help="Window end: a date (whole day) or ISO datetime.")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--min-severity",
    type=click.Choice([s.value for s in Severity]),
    default="low",
    show_default=True,
    help="Leave out findings below this severity.",
)
@format_option("table", "json", "csv", "html", "markdown")
@click.pass_obj
def exposure_cmd(
    app: App, since: str, until: str, sources: tuple[str, ...], min_severity: str, fmt: str
) -> None:
    """Every sensitive property each source held at any time in a window (incident evidence).

    The answer says which part of the window drift has records for, per source. Exit 7 when it
    has none (the window ends before drift's first snapshot of every asked source): that is not
    an all-clear. --format html is a printable evidence pack.
    """
    tz = app.timezone
    bounds = parse_bound(since, tz, "--since"), parse_bound(until, tz, "--until")
    window = Window(bounds[0][0], bounds[1][0])
    report = exposure_answer.exposure(app, window, sources, Severity(min_severity))
    given = {"since": (since, *bounds[0]), "until": (until, *bounds[1])}
    provenance = evidence.about(app.config.database.url, app.config.path)
    render_exposure(report, fmt, tz, given, provenance)


def parse_bound(text: str, tz: dt.tzinfo, option: str) -> tuple[dt.datetime, str]:
    """(aware UTC moment, how it was read): ``--until`` dates mean the end of that day."""
    text = clockface.relative_day(text.strip(), tz)
    end = option == "--until"
    try:
        moment = clockface.parse_moment(text, tz, end_of_day=end)
    except ConfigError:
        raise ConfigError(
            f"{option} {text!r} is not a date (2026-11-27, today, yesterday, 7d) or an ISO "
            "datetime (2026-11-27T09:00:00+01:00)"
        ) from None
    if len(text) == 10:
        how = f"date, {'end' if end else 'start'} of day in {tz}"
    elif dt.datetime.fromisoformat(text).tzinfo is not None:
        how = "offset given"
    else:
        how = f"read in {tz}"
    return moment, how


def render_exposure(
    report: ExposureReport,
    fmt: str,
    tz: dt.tzinfo,
    given: dict[str, tuple[str, dt.datetime, str]],
    provenance: dict[str, str] | None = None,
) -> None:
    """Print the answer with its coverage in ``fmt``; exit 7 when drift has no records for the
    window (every format still says so in-band, and stderr gets one line)."""
    rows = [_exposure_row(r, report, tz) for r in report.rows]
    header = _header(report, tz, given)
    lines = [coverage_text.sentence(c, tz) for c in report.coverage]
    if fmt == "json":
        emit(rows, fmt, [], document=_exposure_doc(report, rows, tz, given, provenance))
    elif fmt == "html":
        document = _exposure_doc(report, rows, tz, given, provenance)
        click.echo(evidence_page.render(document, provenance or evidence.about("", None)))
    elif fmt == "csv":
        emit(_csv_rows(report, rows, tz), fmt, [*ROW_COLUMNS, "coverage"])
    elif fmt == "markdown":
        summary = to_markdown(_summary_rows(report), ["source", "category", "severity", "count"])
        listed = "\n".join(f"- {markdown(line, None)}" for line in lines)
        click.echo(
            f"{markdown(header, None)}\n\n**Coverage**\n\n{listed}\n\n{summary}\n\n"
            f"{to_markdown(rows, ROW_COLUMNS)}"
        )
    else:
        click.echo(visible(header))
        click.echo("Coverage:\n" + "\n".join(f"  {visible(line)}" for line in lines))
        emit(_summary_rows(report), fmt, ["source", "category", "severity", "count"], title="")
        emit(rows, fmt, ROW_COLUMNS, title="Sensitive properties held in the window")
    if not answerable(report.coverage):
        problem(
            f"{coverage_text.NO_RECORDS_HINT} (it ends before drift's first snapshot of each "
            "asked source): not an all-clear; the coverage above says since when drift has records",
            event="no_records",
        )
        raise SystemExit(Exit.NO_RECORDS)


def _csv_rows(
    report: ExposureReport, rows: list[dict[str, Any]], tz: dt.tzinfo
) -> list[dict[str, Any]]:
    """Each row says what drift has records for; a source with no rows gets a row saying so."""
    listed = {r["source"] for r in rows}
    empty = [{"source": c.source} for c in report.coverage if c.source not in listed]
    return [{**r, "coverage": _coverage_of(report, r["source"], tz)} for r in [*rows, *empty]]


def _coverage_of(report: ExposureReport, source: str, tz: dt.tzinfo) -> str:
    found = [c for c in report.coverage if c.source == source]
    return coverage_text.sentence(found[0], tz) if found else ""


def _header(
    report: ExposureReport, tz: dt.tzinfo, given: dict[str, tuple[str, dt.datetime, str]]
) -> str:
    since, until = given["since"], given["until"]
    snaps = sum(len(s) for s in report.snapshots.values())
    verdict = "" if answerable(report.coverage) else f"{coverage_text.NO_RECORDS_HINT.upper()}. "
    return verdict + (
        f"Exposure from {_iso(since[1], tz)} ({since[2]}) to {_iso(until[1], tz)} ({until[2]}); "
        f"times in {tz}; generated {_iso(report.generated_at, tz)}; "
        f"{len(report.rows)} properties from {snaps} snapshots"
    )


def _exposure_row(row: Exposure, report: ExposureReport, tz: dt.tzinfo) -> dict[str, Any]:
    top = row.top
    return {
        "source": row.source,
        "property": row.name,
        "category": top.category,
        "severity": str(top.severity),
        "events": list(row.events),
        "first_seen": _iso(row.first_seen, tz),
        "origin": origin(row.vendor_since, row.first_seen, row.at_baseline, tz),
        "last_seen": _iso(row.last_seen, tz) if row.last_seen else "still present",
        "ack": _ack_text(row, report),
    }


def _ack_text(row: Exposure, report: ExposureReport) -> str:
    if not row.acks:
        return ""
    ack = row.acks[0]
    text = f"#{ack.id} {ack.state(report.generated_at)}"
    if not ack.in_force(report.window.since, report.window.until):
        text += " (not in force during the window)"
    return text if row.fully_acknowledged else f"{text} (partial)"


def _summary_rows(report: ExposureReport) -> list[dict[str, Any]]:
    return [
        {"source": s, "category": c, "severity": str(sev), "count": n}
        for s, c, sev, n in report.summary()
    ]


def _exposure_doc(
    report: ExposureReport,
    rows: list[dict[str, Any]],
    tz: dt.tzinfo,
    given: dict[str, tuple[str, dt.datetime, str]],
    provenance: dict[str, str] | None = None,
) -> dict[str, Any]:
    details = [_exposure_detail(r, report, tz) for r in report.rows]
    return {
        "kind": "drift.exposure",
        "version": 1,
        "generated_at": _iso(report.generated_at, tz),
        "timezone": str(tz),
        "rules_hash": report.rules_hash,
        "provenance": provenance or {},
        "window": {
            k: {"input": v[0], "at": _iso(v[1], tz), "read_as": v[2]} for k, v in given.items()
        },
        "answerable": answerable(report.coverage),
        "coverage": [coverage_text.document(c, tz) for c in report.coverage],
        "summary": _summary_rows(report),
        "properties": [{**row, **extra} for row, extra in zip(rows, details, strict=True)],
        "evidence": _evidence(report, tz),
    }


def _exposure_detail(row: Exposure, report: ExposureReport, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "still_present": row.last_seen is None,
        "findings": [f.as_dict() for f in row.findings],
        "intervals": [
            {
                "scope": str(i.key.scope),
                "event": i.key.event,
                "from_snapshot": i.valid_from,
                "to_snapshot": i.valid_to,
                "first_seen": _iso(i.first_seen, tz),
                "last_seen": _iso(i.last_seen, tz) if i.last_seen else None,
            }
            for i in row.intervals
        ],
        "acknowledgements": [
            {
                "id": a.id,
                "state": str(a.state(report.generated_at)),
                "in_force_during_window": a.in_force(report.window.since, report.window.until),
                "by": a.by,
                "reason": a.reason,
                "created_at": _iso(a.created_at, tz),
                "until": _iso(a.until, tz) if a.until else None,
            }
            for a in row.acks
        ],
        "fully_acknowledged": row.fully_acknowledged,
    }


def _evidence(report: ExposureReport, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "snapshots": {
            source: [
                {"id": s.id, "taken_at": _iso(s.taken_at, tz), "content_hash": s.content_hash}
                for s in snaps
            ]
            for source, snaps in report.snapshots.items()
        }
    }


def origin(
    vendor_since: dt.datetime | None, first_seen: dt.datetime, at_baseline: bool, tz: dt.tzinfo
) -> str:
    """ "at the vendor since D (vendor's date), first recorded by drift on E" (times in ``tz``)."""
    vendor = (
        f"at the vendor since {_iso(vendor_since, tz)} (vendor's date), " if vendor_since else ""
    )
    baseline = " (present at baseline)" if at_baseline else ""
    return f"{vendor}first recorded by drift on {_iso(first_seen, tz)}{baseline}"


def _moment_rows(found: KeyHistory, tz: dt.tzinfo) -> list[dict[str, Any]]:
    moments = found.moments()
    told = origin(found.vendor_since, found.first_seen, found.at_baseline, tz)
    return [
        {
            "source": found.source,
            "item": found.key.label,
            "at": _iso(m.at, tz),
            "what": m.what,
            "detail": told if i == 0 else m.detail,
            "types": list(m.version.definition.get("type", ())),
            "classification": _classification(m.version.findings),
        }
        for i, m in enumerate(moments)
    ]


def _history_doc(found: KeyHistory, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "source": found.source,
        "scope": str(found.key.scope),
        "event": found.key.event,
        "name": found.key.name,
        "first_seen": _iso(found.first_seen, tz),
        "vendor_since": _iso(found.vendor_since, tz) if found.vendor_since else None,
        "present_at_baseline": found.at_baseline,
        "origin": origin(found.vendor_since, found.first_seen, found.at_baseline, tz),
        "last_seen": _iso(found.last_seen, tz) if found.last_seen else None,
        "still_present": found.present,
        "moments": [
            {
                "at": _iso(m.at, tz),
                "snapshot": m.snapshot,
                "what": m.what,
                "detail": m.detail,
                "definition_hash": m.version.definition_hash,
                "types": list(m.version.definition.get("type", ())),
                "findings": [f.as_dict() for f in m.version.findings],
            }
            for m in found.moments()
        ],
    }


def _classification(findings: Any) -> str:
    return ", ".join(f"{f.category} ({f.severity})" for f in findings) or "-"


def _iso(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds")
