"""Which part of an asked window drift has records for, per source (the values; the store's
:mod:`drift.store.coverage` computes them). Every timeline and exposure answer carries them, so
that "nothing found" is never mistaken for "nothing was there"."""

from __future__ import annotations

from drift.store.coverage import Coverage, Extent, answerable
from drift.store.history import Window

__all__ = ["Coverage", "Extent", "Window", "answerable"]
