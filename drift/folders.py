"""Where drift will write: a folder it may create, or one that must already be there."""

from __future__ import annotations

import os
from pathlib import Path


def writable_dir(path: Path) -> bool:
    """``path`` is an existing folder this process can create files in."""
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def creatable(folder: Path) -> tuple[Path, bool]:
    """The nearest existing folder at or above ``folder``, and whether ``folder`` can be made
    (or is) writable there: drift creates report and heartbeat folders as it writes."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    return existing, writable_dir(existing)
