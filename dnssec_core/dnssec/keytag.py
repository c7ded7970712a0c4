"""The DNSKEY key tag (RFC 4034 Appendix B)."""

from __future__ import annotations


def key_tag(dnskey_rdata: bytes) -> int:
    """Key tag of a DNSKEY from its RDATA (RFC 4034 Appendix B; VAL-KEY-04).

    The sum of the RDATA read as big-endian 16-bit words (an odd final octet is the high half of
    a word), with the carry folded in once, truncated to 16 bits.  The algorithm 1 (RSA/MD5)
    special case of Appendix B.1 is deliberately not implemented: algorithm 1 is MUST NOT
    (RFC 8624 §3.1), so its keys are unsupported and their tags never looked at.
    """
    # Summing the even-index octets as high halves and the odd-index ones as low halves is the
    # Appendix B loop without its per-octet branch.
    acc = (sum(dnskey_rdata[0::2]) << 8) + sum(dnskey_rdata[1::2])
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF
