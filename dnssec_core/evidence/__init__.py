"""Evidence bundles (issue 9): every verdict provable offline, later, by anyone."""

from dnssec_core.evidence.bundle import Bundle, BundleError, bundle_digest, dumps, loads
from dnssec_core.evidence.chain import ChainError, decode_chain, encode_chain
from dnssec_core.evidence.pool import PoolTransport, validate_pool
from dnssec_core.evidence.record import RecordingTransport, caa_bundle, query_bundle
from dnssec_core.evidence.verify import Report, verify_bundle

__all__ = [
    "Bundle",
    "BundleError",
    "ChainError",
    "PoolTransport",
    "RecordingTransport",
    "Report",
    "bundle_digest",
    "caa_bundle",
    "decode_chain",
    "dumps",
    "encode_chain",
    "loads",
    "query_bundle",
    "validate_pool",
    "verify_bundle",
]
