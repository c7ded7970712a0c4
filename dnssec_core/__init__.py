"""dnssec-core: an auditable DNSSEC validator with a CAA front end, for Certificate Authorities.

Layers (each module cites the RFC section and requirement ID it implements):

* :mod:`dnssec_core.wire` — names, canonical form and signature input (RFC 4034 §6).
* :mod:`dnssec_core.crypto` — signature backends behind one interface
  (``fast``, ``pure``, ``cross``).
* :mod:`dnssec_core.dnssec` — key tags, DNSKEY parsing, DS digests, RRSIG checks, algorithm policy.
* :mod:`dnssec_core.zone` — reading zone files and checking whole signed zones.

The core never reads the clock or the network: callers pass ``now`` and parsed RRsets.
"""

__version__ = "0.1.0"
