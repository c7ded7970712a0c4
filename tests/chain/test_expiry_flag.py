"""VAL-RRSIG-09: a verified signature close to its expiration is flagged in the trace.

The demo world's signatures (except two test zones) run to 2086-01-01T00:00:00Z; checked an
hour before, every RRset on the path carries a flag, checked earlier than the window, none.
No clock-skew allowance exists: the verdict itself does not change near the end.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from typing import Any, cast

from dnssec_core import cli
from dnssec_core.chain.engine import EXPIRY_WARNING_SECONDS, _Run
from dnssec_core.timeutil import parse_time

#: When the demo world's signatures expire (vectors/demo/world.json).
EXPIRES = parse_time("20860101000000")
FLAG = re.compile(r"^  ! (\S+) (\S+): the signature by key (\d+) expires in (\d+) s, at "
                  r"2086-01-01T00:00:00Z \(VAL-RRSIG-09\)$")


def trace_of(now: int) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["query", "--demo", "www.secure.test", "A", "--trace", "--now", str(now)],
                    out=out, err=err)
    assert code == 0 and err.getvalue() == ""
    lines = out.getvalue().splitlines()
    assert lines[0] == "www.secure.test. A: secure, NOERROR"  # a flag changes no verdict
    return lines


def test_every_rrset_on_the_path_is_flagged_near_expiry_VAL_RRSIG_09() -> None:
    flags = [m.groups() for line in trace_of(EXPIRES - 3600) if (m := FLAG.match(line))]
    assert {(owner, rdtype) for owner, rdtype, _, _ in flags} == {
        (".", "DNSKEY"), ("test.", "DS"), ("test.", "DNSKEY"), ("secure.test.", "DS"),
        ("secure.test.", "DNSKEY"), ("www.secure.test.", "A"),
    }
    assert {left for _, _, _, left in flags} == {"3600"}


def test_window_boundary_VAL_RRSIG_09() -> None:
    inside = trace_of(EXPIRES - EXPIRY_WARNING_SECONDS + 1)
    assert sum(bool(FLAG.match(line)) for line in inside) == 6
    assert f"expires in {EXPIRY_WARNING_SECONDS - 1} s" in "\n".join(inside)
    outside = trace_of(EXPIRES - EXPIRY_WARNING_SECONDS)
    assert not any(line.startswith("  !") for line in outside)


def _flags(now: int, sigs: list[tuple[int, int]], key_tag: int) -> list[str]:
    """flag_expiry on an RRset whose RRSIGs have these (key tag, expiration) pairs."""
    run = SimpleNamespace(now=now, trace=[])
    signed = SimpleNamespace(owner="example.", rdtype=1, rrsigs=[
        SimpleNamespace(key_tag=tag, expiration=expiration) for tag, expiration in sigs])
    _Run.flag_expiry(cast(Any, run), cast(Any, signed), key_tag)
    return cast(list[str], run.trace)


def test_longest_lived_unexpired_signature_by_the_key_counts_VAL_RRSIG_09() -> None:
    now = 1_800_000_000
    soon, later = now + 60, now + 10 * EXPIRY_WARNING_SECONDS
    # another signature by the same key lasts beyond the window: no flag
    assert _flags(now, [(7, soon), (7, later)], 7) == []
    # an expired one (serial arithmetic: far "ahead") is not taken as the longest-lived
    flagged = _flags(now, [(7, now - 10), (7, soon)], 7)
    assert len(flagged) == 1 and "expires in 60 s" in flagged[0]
    # signatures by other keys do not count
    assert len(_flags(now, [(8, later), (7, soon)], 7)) == 1
    # the serial number space wraps (RFC 1982): an expiration just past 2**32 is near
    wrap_now = (1 << 32) - 30
    assert "expires in 50 s" in _flags(wrap_now, [(7, 20)], 7)[0]
