"""Where each key of a JSON document sits: a small position-tracking scan of the text.

``json.loads`` gives values without positions; plans are parsed with it as usual, and this scan
reads the same text once more to build a light tree for line lookups:

- an object is a ``dict`` of decoded key -> ``(line of the key, child)``;
- an array is a ``list`` of children;
- a string is its decoded ``str`` (event names live in ``"name"`` / ``"key"`` members);
- any other value is ``None``.

Keys are decoded with the standard library's own string scanner, so names with escapes
(``"\\u0000"``, ``"a\\"b"``) map exactly. Duplicate keys keep the last one, as ``json.loads`` does.
Subtrees nested deeper than ``MAX_DEPTH`` are skipped (``None``): plans never go that deep.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

MAX_DEPTH = 64
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

LocatedObject = dict[str, tuple[int, Any]]


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, index: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_left(self.newlines, index) + 1

    def space(self, index: int) -> int:
        match = _SPACE.match(self.text, index)
        return match.end() if match else index

    def value(self, index: int, depth: int) -> tuple[Any, int]:
        index = self.space(index)
        char = self.text[index : index + 1]
        if char == "{" and depth < MAX_DEPTH:
            return self.object(index + 1, depth + 1)
        if char == "[" and depth < MAX_DEPTH:
            return self.array(index + 1, depth + 1)
        if char == '"':
            text, end = scanstring(self.text, index + 1)
            return str(text), int(end)
        _, end = _DECODER.raw_decode(self.text, index)
        return None, end

    def object(self, index: int, depth: int) -> tuple[LocatedObject, int]:
        out: LocatedObject = {}
        index = self.space(index)
        if self.text[index : index + 1] == "}":
            return out, index + 1
        while True:
            index = self.space(index)
            line = self.line(index)
            key, index = scanstring(self.text, index + 1)
            index = self.space(index) + 1  # the colon
            child, index = self.value(index, depth)
            out[key] = (line, child)
            index = self.space(index)
            if self.text[index] == "}":
                return out, index + 1
            index += 1  # the comma

    def array(self, index: int, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        index = self.space(index)
        if self.text[index : index + 1] == "]":
            return out, index + 1
        while True:
            child, index = self.value(index, depth)
            out.append(child)
            index = self.space(index)
            if self.text[index] == "]":
                return out, index + 1
            index += 1


def scan(text: str) -> Any:
    """The located tree of a JSON text that ``json.loads`` already accepted."""
    tree, _ = _Scanner(text).value(0, 0)
    return tree
