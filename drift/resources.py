"""Where the migrations and templates live: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    shipped = _PACKAGE / f"_{name}"  # wheel layout (force-include in pyproject.toml)
    return shipped if shipped.is_dir() else _PACKAGE.parent / name


def migrations_dir() -> Path:
    return _locate("migrations")


def templates_dir() -> Path:
    return _locate("templates")
