"""Write the digest as dated HTML, JSON and Markdown files into a folder (also the test fake).

Files are named ``<local date>_<digest id>.<ext>``; each is written to a temporary file in the same
folder and renamed into place, so a reader never sees half a digest. Writing the same digest again
is a no-op; a different digest never overwrites an existing file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from drift.config_blocks import ConfigPath
from drift.errors import DeliveryError
from drift.folders import creatable
from drift.model import DeliveryResult, DeliveryStatus, RenderedDigest
from drift.notify.base import NotifierConfig

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class FileConfig(NotifierConfig):
    type: Literal["file"] = Field(description="Write the digest as files into a folder.")
    directory: ConfigPath = Field(
        description="Folder for the files (relative paths are resolved from the config file)."
    )


def _stem(digest: RenderedDigest) -> str:
    date = digest.created_at[:10]
    return _SAFE.sub("_", f"{date}_{digest.digest_id or 'digest'}")


def _write_once(path: Path, data: bytes) -> bool:
    """Atomically create ``path`` with ``data``; True if written, False if already identical."""
    if path.exists():
        if path.read_bytes() == data:
            return False
        raise DeliveryError(
            f"file {path.name} already exists with different content; not overwriting it",
            transient=False,
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # fails if a concurrent writer created it first: never overwrites
    except FileExistsError:
        return _write_once(path, data)
    finally:
        os.unlink(tmp)
    return True


class FileNotifier:
    Config: ClassVar[type[FileConfig]] = FileConfig

    def __init__(self, config: FileConfig) -> None:
        self.config = config

    def check(self) -> str:
        """The folder exists (or can be made) and is writable (``drift doctor``)."""
        folder = self.config.directory
        existing, ok = creatable(folder)
        if not ok:
            raise DeliveryError(f"file notifier: {existing} is not a writable folder")
        return f"{folder} is writable" if existing == folder else f"{folder} can be created"

    def send(self, digest: RenderedDigest) -> DeliveryResult:
        folder = self.config.directory
        stem = _stem(digest)
        files = {
            folder / f"{stem}.html": digest.html,
            folder / f"{stem}.json": digest.json,
            folder / f"{stem}.md": digest.markdown,
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            written = [p.name for p, text in files.items() if _write_once(p, text.encode())]
        except OSError as exc:
            raise DeliveryError(
                f"file notifier: cannot write to {folder}: {exc.strerror or exc}", transient=True
            ) from None
        detail = f"wrote {', '.join(written)}" if written else f"{stem}.* already written"
        return DeliveryResult(DeliveryStatus.SENT, detail)
