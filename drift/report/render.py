"""Render a digest once, in every format: HTML email, plain text, Markdown, JSON, Slack blocks.

Templates live in the top-level ``templates/`` folder (``drift.resources.templates_dir()``); a
folder from config (``override_dir``) is searched first. Every template renders in Jinja's
``ImmutableSandboxedEnvironment``: an override can read the digest it is given and nothing else
(no ``__globals__``, no ``os``, no environment variables, no mutation). Every environment
autoescapes; each format's ``finalize`` escapes every ``{{ value }}`` for that format (HTML:
Jinja's own escaping after display hygiene; text, Markdown: their escapers), so a template cannot
forget to escape.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import css_inline
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from drift import clockface
from drift.errors import ConfigError
from drift.model import Attachment, RenderedDigest
from drift.report import escape
from drift.report.attachments import ATTACHMENT_CAP, bounded_csv
from drift.report.model import Digest
from drift.report.serialize import bounded_json, digest_csv, digest_json
from drift.report.slack import slack_payload
from drift.report.subject import make_subject
from drift.report.view import (
    EVENTS_SHOWN,
    View,
    carried_by,
    describe,
    kinds_label,
    trim,
    why,
)

Format = Literal["html", "text", "markdown", "json", "slack"]
FORMATS: tuple[Format, ...] = ("html", "text", "markdown", "json", "slack")
HTML_BUDGET = 90_000  # bytes of inlined HTML; Gmail clips near 102 KB
EMAIL_LIMITS = (100, 50, 25, 12, 6, 3, 1, 0)  # rows per section, tried in turn
MARKDOWN_LIMIT = 500
JSON_CAP = 20_000_000  # bytes of stored JSON digest ([digest] max_json_bytes)
VALUE_LIMIT = 300
TEMPLATES = {"html": "digest.html.j2", "text": "digest.txt.j2", "markdown": "digest.md.j2"}
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def _html_finalize(value: Any) -> Any:
    return value if isinstance(value, Markup) else escape.show(value, VALUE_LIMIT)


def _escaping_finalize(escaper: Callable[[object, int], str]) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return value
        # The escaper made the value safe for this format; Markup only stops a second,
        # HTML-style escaping by autoescape (which is on as a safety net).
        return Markup(escaper(value, VALUE_LIMIT))  # noqa: S704

    return finalize


FINALIZERS: dict[str, Callable[[Any], Any]] = {
    "html": _html_finalize,
    "text": _escaping_finalize(escape.show),
    "markdown": _escaping_finalize(escape.markdown),
}


@lru_cache(maxsize=16)
def environment(fmt: str, override_dir: Path | None = None) -> Environment:
    from drift.resources import templates_dir

    folders = [str(override_dir)] if override_dir else []
    loader = ChoiceLoader([FileSystemLoader([*folders, str(templates_dir())])])
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=True,
        finalize=FINALIZERS[fmt],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        name=lambda v: escape.name(v, escape.NAME_LIMIT),
        day=lambda v, tz: clockface.day(v, clockface.zone(tz)) if v else "",
        minute=lambda v, tz: clockface.minute(v, clockface.zone(tz)) if v else "",
        kinds=kinds_label,
        describe=describe,
        why=why,
        carried_by=carried_by,
        count=lambda n: f"{n:,}",
    )
    return env


def _context(view: View) -> dict[str, Any]:
    digest = view.digest
    return {
        "view": view,
        "digest": digest,
        "counts": digest.counts,
        "subject": view.subject,
        "events_shown": EVENTS_SHOWN,
    }


def render_view(fmt: str, view: View, override_dir: Path | None = None) -> str:
    with template_errors(override_dir, TEMPLATES[fmt]):
        template = environment(fmt, override_dir).get_template(TEMPLATES[fmt])
        return str(template.render(_context(view)))


@contextlib.contextmanager
def template_errors(override_dir: Path | None, name: str) -> Iterator[None]:
    """A broken or forbidden override template is one config error line (exit 2), not a
    traceback: its file, line and Jinja's message."""
    try:
        yield
    except TemplateError as exc:
        where = Path(getattr(exc, "filename", None) or getattr(exc, "name", None) or name).name
        line = getattr(exc, "lineno", None)
        at = f"{where}:{line}" if line else where
        folder = f" in {override_dir}" if override_dir else ""
        raise ConfigError(
            f"[digest] templates{folder}: {at}: {type(exc).__name__}: {exc.message or exc}"
        ) from None


def check_templates(override_dir: Path | None) -> list[str]:
    """Compile every digest template (overrides first): for ``drift config check``."""
    for fmt, name in TEMPLATES.items():
        with template_errors(override_dir, name):
            environment(fmt, override_dir).get_template(name)
    return list(TEMPLATES.values())


def _attachment_name(digest: Digest) -> str:
    return f"{digest.digest_id or 'drift-digest'}-full.csv"


def render_email(
    digest: Digest, subject: str, override_dir: Path | None = None, budget: int = HTML_BUDGET
) -> tuple[str, str, View]:
    """HTML (inlined CSS) and text showing the same rows, cut until the HTML fits the budget."""
    name = _attachment_name(digest)
    html, view = "", trim(digest, subject, 0, name)
    for limit in EMAIL_LIMITS:
        view = trim(digest, subject, limit, name)
        html = _INLINER.inline(render_view("html", view, override_dir))
        if len(html.encode()) <= budget:
            break
    return html, render_view("text", view, override_dir), view


def render_digest(
    digest: Digest,
    override_dir: Path | None = None,
    *,
    html_budget: int = HTML_BUDGET,
    attachment_cap: int = ATTACHMENT_CAP,
    json_cap: int = JSON_CAP,
) -> RenderedDigest:
    """Every format at once; notifiers only transport the result. The stored JSON and each
    attachment stay under their caps (the full list always travels in the CSV attachment)."""
    subject = make_subject(digest)
    html, text, view = render_email(digest, subject, override_dir, html_budget)
    md_view = trim(digest, subject, MARKDOWN_LIMIT, _attachment_name(digest))
    attachments: tuple[Attachment, ...] = ()
    if view.hidden or md_view.hidden:
        csv_bytes = digest_csv(digest).encode("utf-8-sig")
        attachments = bounded_csv(csv_bytes, _attachment_name(digest), attachment_cap)
    return RenderedDigest(
        digest_id=digest.digest_id or "",
        subject=subject,
        html=html,
        text=text,
        markdown=render_view("markdown", md_view, override_dir),
        json=bounded_json(digest, subject, json_cap),
        slack=slack_payload(digest, subject),
        created_at=clockface.iso(digest.run_at, clockface.zone(digest.timezone)) or "",
        attachments=attachments,
        counts=digest.counts.as_dict(),
    )


def render_for(digest: Digest, fmt: str, override_dir: Path | None = None) -> str:
    """One format, for ``drift report --format html|text|markdown|json|slack``."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown digest format {fmt!r} (expected {' | '.join(FORMATS)})")
    subject = make_subject(digest)
    if fmt == "json":
        return digest_json(digest, subject)
    if fmt == "slack":
        return slack_payload(digest, subject)
    if fmt == "markdown":
        view = trim(digest, subject, MARKDOWN_LIMIT, _attachment_name(digest))
        return render_view("markdown", view, override_dir)
    html, text, _ = render_email(digest, subject, override_dir)
    return html if fmt == "html" else text
