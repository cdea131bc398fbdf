"""The same plan files at a git ref (``git show REF:path``), for ``drift check --base``.

A file that does not exist at the ref is new in the change: its base is empty, and so is every
file's at ``HEAD`` before the first commit (a pre-commit hook in a new repository). A ref that is
not a commit, or a folder outside any repository, is bad input (one line, exit 2).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from drift.check.plans import PlanText, display_path
from drift.errors import ConfigError

TIMEOUT_SECONDS = 60


def base_texts(ref: str, paths: Sequence[Path]) -> list[PlanText]:
    """Every plan file under ``paths`` as it was at ``ref`` (files or folders, like the tree)."""
    if not paths or not check_ref(ref, _folder(paths[0])):
        return []
    texts: list[PlanText] = []
    for path in paths:
        if path.is_dir():
            texts += [_at(ref, path / name) for name in _json_files(ref, path)]
        else:
            texts.append(_at(ref, path))
    return texts


def check_ref(ref: str, cwd: Path) -> bool:
    """True when ``ref`` is a commit; False for ``HEAD`` before the first commit."""
    if not ref or ref.startswith("-"):
        raise ConfigError(f"--base {ref!r} is not a git ref; give a branch, tag or commit")
    result = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd
    )
    if result.returncode == 0:
        return True
    if _git(["rev-parse", "--git-dir"], cwd).returncode != 0:
        raise ConfigError(
            f"{display_path(cwd)}: not inside a git repository, so --base cannot work"
        )
    if ref == "HEAD" and not _git(["rev-list", "-n", "1", "--all"], cwd).stdout.strip():
        return False  # no commit yet: everything is new
    raise ConfigError(
        f"--base {ref!r}: no such commit in this repository "
        "(in CI fetch it first, e.g. `git fetch origin main` or checkout with fetch-depth: 0)"
    )


def _at(ref: str, file: Path) -> PlanText:
    spec = f"{ref}:./{file.name}"
    cwd = _folder(file)
    if _git(["cat-file", "-e", spec], cwd).returncode != 0:
        return PlanText(display_path(file), "")  # new in the change
    shown = _git(["cat-file", "blob", spec], cwd)
    if shown.returncode != 0:
        raise ConfigError(f"git cannot read {display_path(file)} at {ref!r}: {_first_line(shown)}")
    try:
        return PlanText(display_path(file), shown.stdout.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{display_path(file)} at {ref!r} is not UTF-8 text") from None


def _json_files(ref: str, folder: Path) -> list[str]:
    listed = _git(
        ["ls-tree", "-r", "-z", "--name-only", "--end-of-options", ref, "--", "."], folder
    )
    if listed.returncode != 0:
        return []  # the folder is new in the change
    names = listed.stdout.decode("utf-8", "replace").split("\0")
    return sorted(n for n in names if n.endswith(".json"))


def _folder(path: Path) -> Path:
    return path if path.is_dir() else (path.parent if str(path.parent) else Path("."))


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", "--no-pager", *args],
            cwd=cwd,
            capture_output=True,
            env=env,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("git is not installed or not on PATH; --base needs it") from None
    except NotADirectoryError:
        raise ConfigError(f"{display_path(cwd)}: not a folder") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"git took longer than {TIMEOUT_SECONDS} s; check the repository"
        ) from None


def _first_line(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else f"exit {result.returncode}"
