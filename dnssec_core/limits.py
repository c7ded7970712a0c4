"""Every bound on the work the validator will do, named, with its source.

SEC-LIM-01..07: exceeding a bound yields a bogus or indeterminate verdict with a
``limit-*`` :class:`~dnssec_core.verdict.Reason`, never a silent stop and never ``secure``.
"""

from typing import Final

#: DNSKEYs with the same (algorithm, key tag) tried for one RRSIG.  KeyTrap, CVE-2023-50387;
#: SEC-LIM-02 (Unbound tries every colliding key but caps total work; BIND 9.18.24 caps at 4).
MAX_KEYS_PER_KEY_TAG: Final = 4

#: RRSIGs looked at for one RRset.  SEC-LIM-04 (Unbound 1.19.1 caps validation attempts at 8).
MAX_RRSIGS_PER_RRSET: Final = 8

#: Signature verifications (crypto operations) spent on one RRset.  SEC-LIM-01, CVE-2023-50387.
MAX_SIG_VALIDATIONS_PER_RRSET: Final = 8

#: DNSKEY records considered in one DNSKEY RRset.  SEC-LIM-04 (policy; real zones carry < 10).
MAX_DNSKEYS_PER_RRSET: Final = 32

#: DS records considered in one DS RRset.  SEC-LIM-04 (policy).
MAX_DS_PER_RRSET: Final = 32

#: RSA modulus bounds in bits.  SEC-RSA-01: RFC 3110 §2 allows 512..4096; we accept 1024..4096 for
#: validation by default (smaller keys are unsupported, never secure).  4096 also bounds the work
#: of one verification (SEC-CT-01).
RSA_MIN_BITS: Final = 1024
RSA_MAX_BITS: Final = 4096

#: Longest RSA public exponent accepted, in octets.  SEC-RSA-02 (policy: 65537 needs 3 octets; a
#: huge exponent is a cheap way to make verification slow).
RSA_MAX_EXPONENT_OCTETS: Final = 16

# --- The chain engine (issue 5) -------------------------------------------------------------

#: CNAME/DNAME links followed for one question.  SEC-LIM-06 (RFC 1034 §3.6.2; Unbound's
#: max-query-restarts is 11, BIND follows 16; 8 is ample for real CAA chains).
MAX_CNAME_HOPS: Final = 8

#: Queries the engine may emit for one resolution, all CNAME links included.  SEC-LIM-05
#: (policy: a 10-label name with a zone cut at every label needs 2 per label + answers).
MAX_QUERIES_PER_RESOLUTION: Final = 96

#: Signature verifications for one resolution (all RRsets).  SEC-LIM-01, CVE-2023-50387
#: (Unbound 1.19.1 bounds validation work per query similarly).
MAX_SIG_VALIDATIONS_PER_RESOLUTION: Final = 128

#: Signature verifications for one whole CAA check (every climb step, alias hop and zone
#: probe).  SEC-LIM-01, CVE-2023-50387: the per-resolution budget alone let one check of a
#: 122-label name in an attacker's zone cost 15,139 verifications (tests/attacks).  Policy:
#: with the keys cached after the first step, an honest step verifies its denial (one or two
#: NSEC/NSEC3 RRsets and the SOA: at most 4); a 127-label name climbs 126 steps, ≈ 500, plus
#: the key chain (~10 per zone).  1,024 is twice that worst case and the same as
#: MAX_QUERIES_PER_CAA_CHECK.  Spent → indeterminate ``limit-signature-validations-per-check``
#: (a lookup failure, never permission).
MAX_SIG_VALIDATIONS_PER_CAA_CHECK: Final = 1024

#: Labels below the root; a DNS name has at most 127 (RFC 1035 §2.3.4).  SEC-LIM-05.
MAX_ZONE_DEPTH: Final = 127


class WorkLimitExceeded(Exception):
    """Raised by a work counter when a per-resolution budget is spent.

    :func:`dnssec_core.dnssec.rrsig.verify_rrset` turns it into a bogus verdict with reason
    ``limit-signature-validations``; it never escapes the engine.
    """

#: Entries in the validated-keys cache of one Validator (policy; bounded memory).
KEY_CACHE_ENTRIES: Final = 10_000

#: Entries in the answer cache of one Validator (dnssec_core.chain.cache; policy, bounded
#: memory): finished results per (qname, qtype), positive and bogus maps each this size,
#: cleared when full.
ANSWER_CACHE_ENTRIES: Final = 10_000

#: How long at most a signed proof that a name is not a zone cut is reused (policy; short,
#: because a delegation may appear; never longer than the proof's own negative-answer
#: lifetime, see ``_Run.not_a_cut``, and a result resting on it lives no longer).
NOT_A_CUT_CACHE_SECONDS: Final = 300

#: Wall-clock budget for one resolution, enforced by the driver (not the engine).  SEC-LIM-05
#: (policy: BR 3.2.2.8 lookups are interactive; Unbound's default is similar in spirit).
RESOLUTION_WALL_CLOCK_SECONDS: Final = 30.0

# --- Denial of existence (issue 4) -----------------------------------------------------------

#: NSEC3 iterations above this make a denial insecure with RFC 8914 EDE 27 (NSEC3-15, RFC 9276
#: §3.2).  Checked 2026-08 against the sources: Unbound 1.26 still defaults
#: ``val-nsec3-keysize-iterations`` to "1024 150 2048 150 4096 150" (since 1.13.2, 2021); BIND
#: 9.18 ESV keeps ``DNS_NSEC3_MAXITERATIONS 150U`` (9.18.50) while 9.20.0+ uses 50; Knot
#: Resolver uses 50 (price-weighted by salt length) since 5.7.1/6.0.6 (2024).  We take the
#: highest current value: for a CA "insecure" is the permissive outcome (an empty CAA answer
#: counts without proof), so a lower cap would stop validating zones Unbound still proves;
#: CPU is bounded by NSEC3_HASHES_PER_RESPONSE instead.  Configurable per call (policy.py).
NSEC3_ITERATIONS_INSECURE: Final = 150

#: Above this the denial is bogus, not insecure (NSEC3-15 "hard limit").  RFC 5155 §10.3
#: forbade zones from ever using more than 2,500 iterations (its 4096-bit-key row); no signer
#: may produce more, so a larger count is not a policy disagreement but broken data.
NSEC3_ITERATIONS_BOGUS: Final = 2500

#: Distinct NSEC3 owner-name hashes computed for one response (each memoised per name,
#: algorithm, iterations and salt).  SEC-LIM-03, CVE-2023-50868: Unbound computes 8 hashes per
#: step and suspends at most 16 times (128 per query, validator/val_nsec3.h and validator.c);
#: Knot Resolver allows 128 / cost (lib/dnssec/nsec3.h).  128 covers the closest-encloser
#: search of any 127-label name with one parameter set.
NSEC3_HASHES_PER_RESPONSE: Final = 128

#: Distinct NSEC3 hashes computed for one whole resolution (all responses, CNAME links
#: included).  SEC-LIM-03, CVE-2023-50868: without it a deep walk with a valid "not a cut"
#: proof at every label spends the per-response budget once per question (measured: 7,006
#: hashes, 1.06 M SHA-1 rounds, in tests/attacks).  Policy: an honest resolution needs one
#: matching hash per label walked (at most 127, RFC 1035 §2.3.4) plus one closest-encloser
#: proof of at most NSEC3_HASHES_PER_RESPONSE, and hashes are memoised across the resolution;
#: 512 is twice that worst case, i.e. at most 512 × 151 SHA-1 compressions ≈ 77 k rounds.
NSEC3_HASHES_PER_RESOLUTION: Final = 512

#: NSEC and NSEC3 records of one zone considered in one response.  SEC-LIM-03 (policy: a proof
#: needs at most 3 NSEC3 or 2 NSEC records plus a DS proof; Knot Resolver refuses more than 8
#: NSEC3 records in an authority section since 5.7.1).  More → indeterminate, before any
#: signature is checked.
MAX_DENIAL_RECORDS_PER_RESPONSE: Final = 32

# --- The transport (issue 5, SEC-NET-01..07) -------------------------------------------------

#: EDNS0 UDP payload size advertised on every query, with the DO bit.  SEC-NET-04 (RFC 6891
#: §6.2.5; DNS Flag Day 2020 chose 1232 to avoid IP fragmentation).
EDNS_UDP_PAYLOAD: Final = 1232

#: Largest DNS message read from a socket, in octets: the two-octet TCP length prefix cannot
#: say more (RFC 1035 §4.2.2, RFC 7766 §8) and no UDP datagram carries more.  SEC-NET-03.
MAX_MESSAGE_OCTETS: Final = 65_535

#: Seconds to wait for one UDP answer from one server address.  SEC-NET-03 (policy: BIND
#: retries after 800 ms, Unbound's first RTO is 376 ms, dig waits 5 s; 2 s covers the slowest
#: intercontinental round trip with slack).
UDP_TIMEOUT_SECONDS: Final = 2.0

#: Seconds for one whole TCP exchange (connect, send, read) with one server.  SEC-NET-03
#: (RFC 7766 §6.2.3 leaves the value to implementations; policy: two UDP timeouts).
TCP_TIMEOUT_SECONDS: Final = 4.0

#: Times one server address is asked before it counts as failed: the first try and one retry.
#: SEC-NET-06 (TLS BR 3.2.2.8 / BR-CAA-07: a failed authority is retried at least once).
ATTEMPTS_PER_SERVER: Final = 2

#: Name server addresses tried for one zone cut.  SEC-LIM-05 (policy; with
#: ATTEMPTS_PER_SERVER this is 16 sends per zone, Unbound's MAX_SENT_COUNT is 32 per query).
MAX_ADDRESSES_PER_ZONE: Final = 8

#: NS names taken from one delegation (the root has 13).  SEC-LIM-05 (policy).
MAX_NS_NAMES_PER_ZONE: Final = 16

#: NS names without usable glue that one zone cut may make us resolve.  NXNSAttack
#: (CVE-2020-8616 BIND, CVE-2020-12662 Unbound): a referral with many glueless NS names must
#: not turn into many lookups.  SEC-LIM-05 (policy).
MAX_NS_NAMES_RESOLVED_PER_ZONE: Final = 4

#: Referrals followed for one question.  SEC-LIM-05 (Unbound iterator.h MAX_REFERRAL_COUNT is
#: 130; each referral must move strictly down the name, and real names need fewer than 10).
MAX_REFERRALS: Final = 32

#: Nesting of NS-name address lookups (a server's name needs resolving, whose servers' names
#: need resolving, ...).  SEC-LIM-05 (Unbound's default target-fetch-policy "3 2 1 0 0" gives
#: a dependency depth of 4; BIND's max-recursion-depth is 7).
MAX_NS_RESOLUTION_DEPTH: Final = 4

#: Exchanges (one question to one server address: UDP, then TCP if truncated) for one
#: transport ask, retries and NS-name lookups included.  SEC-LIM-05 (Unbound iterator.h:
#: MAX_SENT_COUNT 32 per query, MAX_TARGET_COUNT 64 target lookups per query and subqueries).
MAX_QUERIES_PER_ASK: Final = 64

#: Wall-clock seconds one transport ask may take.  SEC-LIM-05 (policy: below
#: RESOLUTION_WALL_CLOCK_SECONDS so that one unreachable zone cannot spend a whole resolution).
ASK_WALL_CLOCK_SECONDS: Final = 20.0

#: Entries in each per-process transport cache (delegations, NS-name addresses).  Bounded
#: memory (policy); the oldest entry is dropped first.
TRANSPORT_CACHE_ENTRIES: Final = 10_000

#: Seconds a server address that timed out is tried after the others of its zone (a memory
#: per transport, like Unbound's infra cache: its USEFUL_SERVER_TOP_TIMEOUT is 120 s, after
#: which a timed-out server is probed again).  SEC-NET-06 policy: one dead first NS must not
#: cost a full timeout on every question; it is never skipped, only moved last, and a
#: response from it clears the mark.
UNRESPONSIVE_SERVER_SECONDS: Final = 120

#: Server addresses one transport remembers as unresponsive (bounded memory; the oldest
#: entry is dropped first).
UNRESPONSIVE_SERVER_ENTRIES: Final = 1_000

#: Seconds a server that answered FORMERR to EDNS and then answered a plain query is asked
#: without OPT (RFC 6891 §7, §6.2.2; Unbound keeps its EDNS-lameness in the infra cache the
#: same way).  Only servers of zones not expected to be signed are remembered: without the DO
#: bit no signature comes back, so a signed zone could only turn bogus.
NO_EDNS_SERVER_SECONDS: Final = 120

#: Server addresses one transport remembers as not doing EDNS (oldest dropped first).
NO_EDNS_SERVER_ENTRIES: Final = 1_000

#: Longest a cached delegation or address is reused, whatever its TTL.  (Unbound's
#: cache-max-ttl default is 86400; delegations only choose servers, DNSSEC decides trust.)
TRANSPORT_CACHE_MAX_TTL_SECONDS: Final = 86_400

#: Minimised queries sent for one question before the full name is asked.  RFC 9156 §2.3
#: (MAX_MINIMISE_COUNT = 10, as in Unbound iterator.h).
MAX_MINIMISE_COUNT: Final = 10

#: Largest root hints file read (policy: named.root is about 3.3 KB).
MAX_ROOT_HINTS_OCTETS: Final = 1 << 16
