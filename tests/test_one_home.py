"""One home per concept (CONTRIBUTING.md): every exception is in drift/errors.py's drawn tree and
every "now" is the model's clock, scanned in the source so a new copy cannot slip in."""

from __future__ import annotations

import ast
from pathlib import Path

import drift
from drift import errors

PACKAGE = Path(drift.__file__).parent
#: The model's clock, and the pacing clock that sleeps between vendor requests (injected in tests).
CLOCKS = {"model.py", "sources/pacing.py"}
NOW_CALLS = {"now", "utcnow", "today", "time"}


def modules() -> list[tuple[str, ast.AST]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}


def is_exception(node: ast.ClassDef, known: set[str]) -> bool:
    bases = base_names(node)
    return bool(bases & known) or any(b.endswith(("Error", "Exception")) for b in bases)


def test_every_exception_is_in_the_error_tree() -> None:
    known = {"Exception", "BaseException", *(n for n in dir(errors) if n[0].isupper())}
    outside = {
        f"{name}: {node.name}"
        for name, tree in modules()
        if name != "errors.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and is_exception(node, known)
    }
    assert not outside
    for name in ("MessageTooLarge", "PossiblyDelivered"):
        assert name in (errors.__doc__ or "")  # drawn in the tree


def test_every_now_is_the_models_clock() -> None:
    found = {
        f"{name}:{node.lineno}"
        for name, tree in modules()
        if name not in CLOCKS
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in NOW_CALLS
        and isinstance(node.func.value, ast.Name | ast.Attribute)
        and (
            getattr(node.func.value, "id", "") in ("time", "datetime", "date")
            or getattr(node.func.value, "attr", "") in ("datetime", "date")
        )
    }
    assert not found


def test_the_scans_see_what_they_look_for(tmp_path: Path) -> None:
    tree = ast.parse("class Oops(ValueError): pass\nx = time.time()\ny = dt.datetime.now(dt.UTC)\n")
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    assert is_exception(classes[0], set())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert {c.func.attr for c in calls if isinstance(c.func, ast.Attribute)} >= {"time", "now"}
