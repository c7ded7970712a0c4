"""dnspython's whole-zone path, the way a Python user would write it (bench peer only).

``python -m bench.dnspython_zone ZONEFILE ORIGIN NOW``: ``dns.zone.from_file`` then
``dns.dnssec.validate`` on every RRset that has RRSIGs, with the apex DNSKEY RRset as keyring.
Exit status 0 when every RRset validated, 1 otherwise; prints the count.
"""

from __future__ import annotations

import sys
from typing import Any

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

from bench.peers import dnssec


def main(path: str, origin: str, now: int) -> int:
    zone = dns.zone.from_file(path, origin=origin, relativize=False)
    apex = zone.origin
    assert apex is not None  # given above
    keyring: dict[dns.name.Name, Any] = {apex: zone.find_rrset(apex, dns.rdatatype.DNSKEY)}
    checked = failed = 0
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            if rdataset.rdtype == dns.rdatatype.RRSIG:
                continue
            sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdataset.rdtype)
            if sigs is None:
                continue
            checked += 1
            try:
                dnssec.validate((name, rdataset), (name, sigs), keyring, now=now)
            except dns.exception.ValidationFailure:
                failed += 1
    print(f"{checked} RRsets validated, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
