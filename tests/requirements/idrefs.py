"""Find requirement-ID references in text, expanding ranges (auditability aid).

Forms recognised (as used in docstrings and test names of this repository):
``VAL-RRSIG-04``, ``VAL_RRSIG_04`` (test names), ``VAL-RRSIG-01..08``,
``TA-01..TA-08`` and ``SEC-NET-01/03/06``, and in test names
``BR_SMIME_01_02`` (01 and 02) and ``NSEC3_05_to_09`` (05 through 09).
"""

from __future__ import annotations

import re

_PREFIX = r"[A-Z][A-Z0-9]*(?:[-_][A-Z][A-Z0-9]*)*"
_REF = re.compile(
    rf"(?<![A-Za-z0-9])({_PREFIX})[-_](\d{{2}})(?!\d)"
    rf"(?:\.\.(?:(?P<p2>{_PREFIX})-)?(?P<hi>\d{{2}})(?!\d)|(?P<alts>(?:/\d{{2}}(?!\d))+)|_to_(?P<hi2>\d{{2}})(?!\d)|(?P<ualts>(?:_\d{{2}}(?!\d))+))?"
)

ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z][A-Z0-9]*)*-\d{2}$")


def referenced_ids(text: str) -> set[str]:
    """Return every requirement ID that ``text`` names directly or via a range."""
    found: set[str] = set()
    for m in _REF.finditer(text):
        prefix = m.group(1).replace("_", "-")
        lo = int(m.group(2))
        if m.group("hi") is not None:
            p2 = m.group("p2")
            if p2 is not None and p2.replace("_", "-") != prefix:
                found.add(f"{prefix}-{lo:02d}")
                continue
            hi = int(m.group("hi"))
            nums = list(range(lo, hi + 1)) if hi >= lo else [lo]
        elif m.group("hi2") is not None:
            hi = int(m.group("hi2"))
            nums = list(range(lo, hi + 1)) if hi >= lo else [lo]
        elif m.group("ualts"):
            nums = [lo] + [int(x) for x in m.group("ualts").split("_") if x]
        elif m.group("alts"):
            nums = [lo] + [int(x) for x in m.group("alts").split("/") if x]
        else:
            nums = [lo]
        found.update(f"{prefix}-{n:02d}" for n in nums)
    return found
