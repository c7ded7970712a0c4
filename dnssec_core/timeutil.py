"""Validation time: parsing ``--now`` and formatting times (SEC-TIME-01).

The core never reads the clock; the CLI reads it once (or takes ``--now``) and passes it in.
"""

from __future__ import annotations

import calendar
import re
import time

_RRSIG_TIME = re.compile(r"^\d{14}$")


def parse_time(text: str) -> int:
    """``YYYYMMDDHHMMSS`` (UTC, as in RFC 4034 §3.2) or Unix seconds → Unix seconds.

    Exactly 14 digits is read as a date, like RRSIG presentation format; other digit strings
    are seconds since the epoch.  Raises ValueError with a one-line message otherwise.
    """
    text = text.strip()
    if _RRSIG_TIME.match(text):
        try:
            parsed = time.strptime(text, "%Y%m%d%H%M%S")
        except ValueError:
            raise ValueError(f"invalid time {text!r}: not a real YYYYMMDDHHMMSS date") from None
        return calendar.timegm(parsed)
    if text.isdigit() and len(text) <= 12:
        return int(text)
    raise ValueError(f"invalid time {text!r}: use Unix seconds or YYYYMMDDHHMMSS (UTC)")


def format_time(seconds: int) -> str:
    """Unix seconds → ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def wall_clock() -> int:
    """The system UTC clock, for the CLI only."""
    return int(time.time())
