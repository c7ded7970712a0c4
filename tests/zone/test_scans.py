"""Whole-text scans of verify-zone (issue 7): the ``str``-method versions give exactly what the
regular expressions they replace gave, on generated text full of the characters that matter
(``$``, newlines, tabs, carriage returns, control and non-ASCII characters)."""

from __future__ import annotations

import random
import re

from dnssec_core.zone.lexer import has_unusual_character
from dnssec_core.zone.parallel import directive_lines

DIRECTIVE = re.compile(r"^\$[^\n]*", re.MULTILINE)
UNUSUAL = re.compile(r"[^\t\n\x20-\x7e]")
ALPHABET = ["$", "\n", "\n", "\t", " ", "a", "Z", "0", ";", "(", "\r", "\x00", "\x7f", "\x1f",
            "\x80", "é", "\u2028", "~"]


def texts() -> list[str]:
    rng = random.Random(11)
    made = ["", "$", "\n", "$\n", "\n$", "$TTL 1", "$TTL 1\n$ORIGIN a.\nx A 1.2.3.4\n$x"]
    for _ in range(3000):
        made.append("".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 40))))
    return made


def test_directive_lines_equal_the_regular_expression() -> None:
    checked = 0
    for text in texts():
        assert directive_lines(text) == [(m.start(), m.group()) for m in DIRECTIVE.finditer(text)]
        checked += bool(directive_lines(text))
    assert checked > 300  # many generated texts hold a directive line


def test_unusual_characters_equal_the_regular_expression() -> None:
    found = 0
    for text in texts():
        for start, stop in ((0, None), (1, len(text) - 1), (2, len(text))):
            expected = UNUSUAL.search(text, start, len(text) if stop is None else stop)
            assert has_unusual_character(text, start, stop) == (expected is not None), text
            found += expected is not None
    assert found > 1000
