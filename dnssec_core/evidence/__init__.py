"""Evidence bundles (issue 9): every verdict provable offline, later, by anyone."""

from dnssec_core.evidence.chain import ChainError, decode_chain, encode_chain
from dnssec_core.evidence.pool import PoolTransport, validate_pool

__all__ = ["ChainError", "PoolTransport", "decode_chain", "encode_chain", "validate_pool"]
