"""RFC 9276 NSEC3 iteration policy and the denial work limits, in one place.

NSEC3-15 / NSEC3-16 / SEC-LIM-03.  RFC 9276 §3.2 lets a validator treat NSEC3 records with
iterations above its limit as insecure (or SERVFAIL) and asks for EDE 27 either way; the check
happens after the records' signatures are verified and before any hash is computed, so a huge
iteration count costs nothing.

Defaults (see :mod:`dnssec_core.limits` for the sources):

* above ``insecure_above`` = 150 → insecure, ``nsec3-iterations-over-cap``, EDE 27 (the value
  Unbound 1.26 and BIND 9.18 still use; BIND 9.20+ and Knot Resolver ≥ 5.7.1 use 50);
* above ``bogus_above`` = 2500 → bogus, ``nsec3-iterations-over-hard-limit``, EDE 27 (more
  than RFC 5155 §10.3 ever let a zone use);
* ``over_cap`` is the NSEC3-16 policy switch: ``Status.BOGUS`` makes every over-cap answer a
  no-issuance verdict instead of insecure.

Never does an over-cap iteration count yield ``secure`` (NSEC3-15).
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_core import limits
from dnssec_core.verdict import Reason, Status, Verdict, bogus, insecure

MAX_ITERATIONS_FIELD = 0xFFFF  # RFC 5155 §3.1.3: a 16-bit field


@dataclass(frozen=True, slots=True)
class DenialPolicy:
    """Iteration thresholds and work limits for NSEC/NSEC3 proofs (validated on creation)."""

    insecure_above: int = limits.NSEC3_ITERATIONS_INSECURE
    bogus_above: int = limits.NSEC3_ITERATIONS_BOGUS
    over_cap: Status = Status.INSECURE
    max_hashes: int = limits.NSEC3_HASHES_PER_RESPONSE
    max_records: int = limits.MAX_DENIAL_RECORDS_PER_RESPONSE

    def __post_init__(self) -> None:
        if not 0 <= self.insecure_above <= self.bogus_above <= MAX_ITERATIONS_FIELD:
            raise ValueError("need 0 <= insecure_above <= bogus_above <= 65535")
        if self.over_cap not in (Status.INSECURE, Status.BOGUS):
            raise ValueError("over_cap must be Status.INSECURE or Status.BOGUS")
        if self.max_hashes < 1 or self.max_records < 1:
            raise ValueError("work limits must be positive")

    def check_iterations(self, iterations: int) -> Verdict | None:
        """None when ``iterations`` may be hashed; else the verdict for the whole proof."""
        if iterations > self.bogus_above:
            return bogus(Reason.NSEC3_ITERATIONS_BOGUS,
                         f"NSEC3 iterations {iterations} > hard limit {self.bogus_above}")
        if iterations > self.insecure_above:
            detail = f"NSEC3 iterations {iterations} > cap {self.insecure_above} (RFC 9276)"
            if self.over_cap is Status.BOGUS:
                return bogus(Reason.NSEC3_ITERATIONS_INSECURE, detail)
            return insecure(Reason.NSEC3_ITERATIONS_INSECURE, detail)
        return None


DEFAULT_POLICY = DenialPolicy()
