"""dnspython's DNSSEC module, the peer a Python user would reach for (bench only).

dnspython 2.9 enables ``dns.dnssec`` only with cryptography >= 50 — a packaging floor, not an
API need; the bench forces it on with the cryptography dnssec-core runs on, and says so.
"""

from __future__ import annotations

import importlib.metadata

import dns._features

NOTICES: list[str] = []

if not dns._features.have("dnssec"):
    dns._features.force("dnssec", True)
    NOTICES.append(
        "dnspython's DNSSEC module enabled by force with cryptography "
        f"{importlib.metadata.version('cryptography')} (dnspython 2.9 asks for >= 50)"
    )

import dns.dnssec  # noqa: E402

dnssec = dns.dnssec
