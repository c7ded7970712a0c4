"""The ``cross`` backend: two implementations must agree on every signature (SEC-XB-01).

``CrossBackend(fast, pure)`` asks both backends and returns their common answer.  Two correct
implementations of the same verification rules cannot disagree (the ``pure`` EdDSA rules are
chosen to match libsodium and OpenSSL exactly, see :mod:`dnssec_core.crypto.pure.eddsa`), so a
disagreement means one of them is broken or being attacked through a bug.  It is logged at
ERROR level and raised as :class:`~dnssec_core.crypto.base.BackendDisagreement`;
:func:`dnssec_core.dnssec.rrsig.verify_rrset` turns that into a bogus verdict with reason
``backend-disagreement`` — fail closed, never secure.

Both backends always run (no short cut on the first "False"): a disagreement on a rejection is as
much a bug as one on an acceptance.
"""

from __future__ import annotations

import logging

from dnssec_core.crypto.base import Backend, BackendDisagreement, PublicKey

log = logging.getLogger(__name__)


class CrossBackend:
    """Runs ``first`` and ``second``; :class:`BackendDisagreement` if their answers differ."""

    name = "cross"

    def __init__(self, first: Backend, second: Backend) -> None:
        self.first = first
        self.second = second

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        first = bool(self.first.verify(key, signature, data))
        second = bool(self.second.verify(key, signature, data))
        if first != second:
            message = (
                f"{key.scheme.value}: {self.first.name} says {_verdict(first)}, "
                f"{self.second.name} says {_verdict(second)}"
            )
            log.error("crypto backends disagree: %s", message)
            raise BackendDisagreement(message)
        return first


def _verdict(answer: bool) -> str:
    return "valid" if answer else "invalid"
