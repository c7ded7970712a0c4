"""A small authoritative server for signed zones: the offline demo world and the test lab.

It answers like an authoritative server with DNSSEC (RFC 1034 §4.3.2, RFC 4035 §3.1,
RFC 5155 §7.2): answers with their RRSIGs, referrals with DS or a proof of no DS, CNAME and
DNAME, wildcard synthesis, NODATA and NXDOMAIN with NSEC or NSEC3.  It never validates.
"""
