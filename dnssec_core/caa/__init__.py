"""The CAA front end: RFC 8659 lookups validated end to end, the CA/B Forum decision, and an
auditable decision record (issue 6).

- :mod:`~dnssec_core.caa.domain` — the request name (DNS name, wildcard, mailbox domain; IDNs);
- :mod:`~dnssec_core.caa.records` — CAA RDATA and property values (RFC 8659 §4, RFC 8657,
  RFC 9495);
- :mod:`~dnssec_core.caa.search` — the relevant RRset search (RFC 8659 §3), sans-I/O, every
  query validated by the chain engine;
- :mod:`~dnssec_core.caa.decision` — TLS BR 3.2.2.8 / S/MIME BR 4.2.2.1, incl. the
  lookup-failure exception and the NSEC3-iterations (EDE 27) rule;
- :mod:`~dnssec_core.caa.check` — the API: :func:`check_caa`, :func:`check_batch`;
- :mod:`~dnssec_core.caa.record` — the decision record for a CA's audit log;
- :mod:`~dnssec_core.caa.command` — ``dnssec-core caa``.

Like :mod:`dnssec_core.chain`, nothing here opens a socket: a transport is passed in.
"""

from dnssec_core.caa.check import (
    BatchError,
    CaaCheck,
    CaaRequest,
    check_batch,
    check_caa,
    check_steps,
)
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import CaaDomain, DomainError, DomainKind, parse_domain
from dnssec_core.caa.records import CaaRecord, parse_caa_rdata

__all__ = [
    "BatchError",
    "CaaCheck",
    "CaaDomain",
    "CaaRecord",
    "CaaRequest",
    "Decision",
    "DecisionReason",
    "DomainError",
    "DomainKind",
    "check_batch",
    "check_caa",
    "check_steps",
    "parse_caa_rdata",
    "parse_domain",
]
