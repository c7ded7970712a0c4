"""Zone-level NSEC / NSEC3 chain checks for ``verify-zone``.

Signatures alone do not make a zone's denials work: the chain must also be complete, ordered
and truthful.  :func:`check_chain` reports, as :class:`~dnssec_core.zone.verify.Failure`\\ s:

NSEC (RFC 4035 §2.3, RFC 4034 §4.1):

* every owner with authoritative data — delegation points included, glue and empty
  non-terminals excluded — has exactly one NSEC (``denial-chain-name-missing``), and no NSEC
  exists elsewhere (``denial-chain-name-extra``);
* each NSEC's Next Domain Name is the next owner in canonical order and the last one points
  back to the apex (``denial-chain-broken``; NSEC-02);
* each type bitmap lists exactly the types present, plus NSEC and RRSIG
  (``denial-chain-bitmap-mismatch``).

NSEC3 (RFC 5155 §7.1, §3, §4):

* the apex NSEC3PARAM names a known hash algorithm with flags 0, and every NSEC3 has its
  algorithm, iterations and salt (``nsec3param-mismatch``); iterations above the RFC 9276
  cap are reported (``nsec3-iterations-over-cap``, EDE 27), above the hard limit the chain is
  not hashed (``nsec3-iterations-over-hard-limit``);
* every owner with authoritative data and every empty non-terminal has an NSEC3 whose owner is
  its hash (``denial-chain-name-missing``), except unsigned delegations (and empty
  non-terminals leading only to them) inside an Opt-Out span; one left out of a span without
  Opt-Out is ``nsec3-opt-out-mismatch``; an NSEC3 matching no name is
  ``denial-chain-name-extra``;
* sorted by owner hash, each Next Hashed Owner Name is the next owner hash, wrapping to the
  first (``denial-chain-broken``);
* each type bitmap lists exactly the types present at the original name, plus RRSIG where
  that name has signed data (``denial-chain-bitmap-mismatch``).

Malformed NSEC/NSEC3/NSEC3PARAM RDATA is ``denial-record-malformed``.  Failures come sorted by
owner (canonical order) so reports are stable.  The checks read the zone data only; they use
the denial module's decoders, bitmap and hash, never dnspython's.

:func:`check_chain_records` is the same check on a slimmer input (owner names with their types
plus the NSEC/NSEC3/NSEC3PARAM RRsets), for callers that do not hold a whole
:class:`~dnssec_core.zone.reader.ZoneData`, such as a parallel reader.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dns.name import Name

from dnssec_core.dnssec.denial.bitmap import decode_bitmap
from dnssec_core.dnssec.denial.nsec3 import (
    NSEC3,
    SHA1_DIGEST_OCTETS,
    SHA1_HASH_ALGORITHM,
    b32hex_encode,
)
from dnssec_core.dnssec.denial.policy import DEFAULT_POLICY, DenialPolicy
from dnssec_core.dnssec.denial.result import (
    DS_TYPE,
    NS_TYPE,
    NSEC3_TYPE,
    NSEC3PARAM_TYPE,
    NSEC_TYPE,
    RRSIG_TYPE,
)
from dnssec_core.verdict import Reason, bogus
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key, name_end, read_name
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.reader import NameKey, ZoneData
from dnssec_core.zone.verify import Failure

#: Types the chain is built from; they are not "data" of the names they describe.
_DENIAL_TYPES = frozenset({NSEC_TYPE, NSEC3_TYPE, RRSIG_TYPE})
#: A name as its labels, case kept (``dns.name.Name.labels``): what a parallel reader sends.
Labels = tuple[bytes, ...]
#: An owner as a caller gave it: a Name, its labels (case kept), or None for the key's labels.
Owner = Name | Labels | None
#: Decoded type bit maps by their octets: a zone repeats a few type sets over and over.
Bitmaps = dict[bytes, frozenset[int]]


@dataclass(frozen=True)
class _Names:
    """What the zone holds, as the chain must describe it."""

    apex: Name
    #: authoritative owners with data → (name as given, authoritative types); the name becomes
    #: a Name (:func:`_as_name`) only for a failure message (issue 7: several µs each)
    data: dict[NameKey, tuple[Owner, frozenset[int]]]
    #: empty non-terminals between the apex and those owners → their labels (case kept)
    ents: dict[NameKey, Labels]
    #: delegation points without DS (may be left out of an Opt-Out NSEC3 chain)
    unsigned_cuts: set[NameKey]


def check_chain(zone: ZoneData, policy: DenialPolicy = DEFAULT_POLICY) -> list[Failure]:
    """The NSEC or NSEC3 chain checks of ``verify-zone`` for one zone (see the module doc)."""
    owners: dict[NameKey, tuple[Name, set[int]]] = {}
    denial: list[RRset] = []
    for (key, rdtype), rrset in zone.rrsets.items():
        entry = owners.setdefault(key, (rrset.owner, set()))
        entry[1].add(rdtype)
        if rdtype in (NSEC_TYPE, NSEC3_TYPE, NSEC3PARAM_TYPE):
            denial.append(rrset)
    frozen = {key: (name, frozenset(types)) for key, (name, types) in owners.items()}
    return check_chain_records(zone.origin, frozen, denial, policy)


def check_chain_records(origin: Name, owners: Mapping[NameKey, tuple[Name, frozenset[int]]],
                        denial: Iterable[RRset], policy: DenialPolicy = DEFAULT_POLICY
                        ) -> list[Failure]:
    """:func:`check_chain` on owner names with their RR types (RRSIG not needed) and the
    zone's NSEC, NSEC3 and NSEC3PARAM RRsets."""
    return _check(_names(origin, owners), list(denial), policy)


def check_chain_labels(origin: Name,
                       owners: Mapping[NameKey, tuple[Labels | None, frozenset[int]]],
                       denial: Iterable[RRset], policy: DenialPolicy = DEFAULT_POLICY
                       ) -> list[Failure]:
    """:func:`check_chain_records` with each owner given by its labels (case kept; None when
    they are the key's labels, lowercase) instead of a :class:`~dns.name.Name`: a
    :class:`~dns.name.Name` is built only for the owners the chain must describe, not for
    NSEC3 owners or glue (issue 7: the parallel reader sends labels, which cost a tenth of a
    Name to pass between processes)."""
    return _check(_names(origin, owners), list(denial), policy)


def _check(names: _Names, denial: list[RRset], policy: DenialPolicy) -> list[Failure]:
    nsecs = [r for r in denial if r.rdtype == NSEC_TYPE]
    nsec3s = [r for r in denial if r.rdtype == NSEC3_TYPE]
    params = [r for r in denial if r.rdtype == NSEC3PARAM_TYPE]
    failures: list[tuple[NameKey, Failure]] = []
    if nsecs or not (nsec3s or params):
        failures += _check_nsec(names, nsecs)
    if nsec3s or params:
        failures += _check_nsec3(names, nsec3s, params, policy)
    failures.sort(key=lambda item: item[0])
    return [failure for _, failure in failures]


def _fail(owner: Name, rdtype: int, reason: Reason, detail: str) -> tuple[NameKey, Failure]:
    return canonical_key(owner), Failure.from_verdict(owner, rdtype, bogus(reason, detail))


def _names(origin: Name,
           owners: Mapping[NameKey, tuple[Name, frozenset[int]]]
           | Mapping[NameKey, tuple[Labels | None, frozenset[int]]]) -> _Names:
    apex = canonical_key(origin)
    cuts = {k for k, (_, t) in owners.items() if NS_TYPE in t and k != apex}
    data: dict[NameKey, tuple[Owner, frozenset[int]]] = {}
    for key, (name, types) in owners.items():
        if key[: len(apex)] != apex:
            continue
        depth = next((d for d in range(len(apex) + 1, len(key) + 1) if key[:d] in cuts), None)
        if depth is not None and depth < len(key):
            continue  # below a zone cut: glue or occluded data (RFC 4035 §2.2)
        kept = types - _DENIAL_TYPES - {NSEC3PARAM_TYPE} if depth is None else (
            types & {NS_TYPE, DS_TYPE})
        if key == apex:
            kept |= types & {NSEC3PARAM_TYPE}
        if kept:
            data[key] = (name, frozenset(kept))
    ents: dict[NameKey, Labels] = {}
    for key, (name, _) in data.items():
        for size in range(len(apex) + 1, len(key)):
            if key[:size] not in data and key[:size] not in ents:
                ents[key[:size]] = _labels(key, name)[len(key) - size :]
    unsigned = {k for k in cuts if k in data and DS_TYPE not in data[k][1]}
    return _Names(origin, data, ents, unsigned)


def _as_name(key: NameKey, name: Owner) -> Name:
    """The owner as a Name: given, or from its labels, or (None) from its canonical key."""
    if isinstance(name, Name):
        return name
    return Name(name if name is not None else (*reversed(key), b""))


def _labels(key: NameKey, name: Owner) -> Labels:
    """The owner's labels, root label last (``_as_name(key, name).labels``, no Name built)."""
    if isinstance(name, Name):
        return name.labels
    return name if name is not None else (*reversed(key), b"")


def _key_hash(key: NameKey, salt: bytes, iterations: int) -> bytes:
    """``iterated_hash`` (RFC 5155 §5, SHA-1) of the name whose canonical key is ``key``,
    from the key itself: its labels are the canonical (lowercase) ones, so their wire form is
    the canonical wire form (RFC 4034 §6.2) without building a Name (issue 7)."""
    digest = hashlib.sha1(b"".join([bytes((len(label),)) + label for label in reversed(key)])
                          + b"\0" + salt).digest()
    for _ in range(iterations):
        digest = hashlib.sha1(digest + salt).digest()
    return digest


def _bitmap_failure(owner: Name, rdtype: int, found: frozenset[int], expected: frozenset[int]
                    ) -> tuple[NameKey, Failure] | None:
    if found == expected:
        return None
    extra, missing = sorted(found - expected), sorted(expected - found)
    return _fail(owner, rdtype, Reason.CHAIN_BITMAP_MISMATCH,
                 f"type bitmap lists {extra} not present, lacks {missing} present")


# -- decoding, with the type bit maps remembered -----------------------------------------------

#: Distinct bit maps remembered per check (policy: bounds the memo on hostile zones).
BITMAP_MEMO_SIZE = 4096


def _bitmap(octets: bytes, bitmaps: Bitmaps) -> frozenset[int]:
    """``decode_bitmap(octets)`` (NSEC-08), remembered in ``bitmaps``.  Raises WireError."""
    types = bitmaps.get(octets)
    if types is None:
        types = decode_bitmap(octets)
        if len(bitmaps) >= BITMAP_MEMO_SIZE:
            bitmaps.clear()
        bitmaps[octets] = types
    return types


def _nsec_record(rdata: bytes, bitmaps: Bitmaps) -> tuple[NameKey, frozenset[int]]:
    """``NSEC.from_rdata``'s checks and outcome, as the canonical key of the Next Domain Name
    and the types: a :class:`~dns.name.Name` for the next name (several µs) is built only
    for a failure message.  The same WireError: :func:`~dnssec_core.wire.name.name_end`
    checks the name as ``read_name`` does, and the bit map is ``decode_bitmap``'s."""
    end = name_end(rdata, 0)
    types = _bitmap(rdata[end:], bitmaps)
    labels = []
    offset = 0
    while rdata[offset]:  # the labels, up to the root label (checked by name_end)
        length = rdata[offset]
        labels.append(rdata[offset + 1 : offset + 1 + length].lower())
        offset += 1 + length
    labels.reverse()
    return tuple(labels), types


def _nsec3_record(owner: Name, rdata: bytes, bitmaps: Bitmaps) -> NSEC3:
    """``NSEC3.from_rdata(owner, rdata)`` (RFC 5155 §3.2), faster for the common shape.

    The common shape — SHA-1, 20-octet next hash, an owner label of 32 base32hex digits, a
    well-formed bit map — is decoded here, the bit map once per distinct octets and the owner
    label by ``int(label, 32)`` (Python's base-32 digits are the base32hex alphabet, either
    case; 32 digits are exactly 160 bits, so there are no pad bits to check).  Anything else,
    and every error, is left to ``NSEC3.from_rdata``, whose result or WireError it is.
    """
    labels = owner.labels
    size = len(rdata)
    if size > 5 and rdata[0] == SHA1_HASH_ALGORITHM and len(labels) >= 2:
        salt_end = 5 + rdata[4]
        bitmap_start = salt_end + 1 + SHA1_DIGEST_OCTETS
        label = labels[0]
        if (
            bitmap_start <= size
            and rdata[salt_end] == SHA1_DIGEST_OCTETS
            and len(label) == 32
            and label.isalnum()  # ASCII letters and digits only: no sign, space or "_"
        ):
            try:
                owner_hash = int(label, 32).to_bytes(SHA1_DIGEST_OCTETS, "big")
                types = _bitmap(rdata[bitmap_start:], bitmaps)
            except (ValueError, WireError):  # letters W-Z, or a bad bit map: the slow path
                return NSEC3.from_rdata(owner, rdata)
            return NSEC3(
                owner,
                owner_hash,
                SHA1_HASH_ALGORITHM,
                rdata[1],
                int.from_bytes(rdata[2:4], "big"),
                rdata[5:salt_end],
                rdata[salt_end + 1 : bitmap_start],
                types,
            )
    return NSEC3.from_rdata(owner, rdata)


# -- NSEC --------------------------------------------------------------------------------------


def _check_nsec(names: _Names, rrsets: list[RRset]) -> list[tuple[NameKey, Failure]]:
    failures: list[tuple[NameKey, Failure]] = []
    # (owner key, owner, next name's key, RDATA): the next name is decoded for messages only
    chain: list[tuple[NameKey, Name, NameKey, bytes]] = []
    bitmaps: Bitmaps = {}
    wanted: dict[frozenset[int], frozenset[int]] = {}  # data types -> with NSEC and RRSIG
    for rrset in rrsets:
        if len(rrset.rdatas) != 1:
            failures.append(_fail(rrset.owner, NSEC_TYPE, Reason.CHAIN_BROKEN,
                                  f"{len(rrset.rdatas)} NSEC records at one owner"))
        rdata = rrset.rdatas[0]
        try:
            next_key, types = _nsec_record(rdata, bitmaps)
        except WireError as exc:
            failures.append(_fail(rrset.owner, NSEC_TYPE, Reason.DENIAL_MALFORMED, str(exc)))
            continue
        key = canonical_key(rrset.owner)
        chain.append((key, rrset.owner, next_key, rdata))  # linked in even if it should not be
        data = names.data.get(key)
        if data is None:
            failures.append(_fail(rrset.owner, NSEC_TYPE, Reason.CHAIN_NAME_EXTRA,
                                  "NSEC at a name without authoritative data"))
            continue
        expected = wanted.get(data[1])
        if expected is None:
            expected = wanted[data[1]] = data[1] | {NSEC_TYPE, RRSIG_TYPE}
        mismatch = _bitmap_failure(rrset.owner, NSEC_TYPE, types, expected)
        if mismatch:
            failures.append(mismatch)
    present = {entry[0] for entry in chain}
    for key, (name, _) in names.data.items():
        if key not in present:
            failures.append(_fail(_as_name(key, name), NSEC_TYPE, Reason.CHAIN_NAME_MISSING,
                                  "authoritative name without an NSEC record"))
    chain.sort(key=lambda item: item[0])
    for index, (_, owner, next_key, rdata) in enumerate(chain):
        following_key, following = chain[(index + 1) % len(chain)][:2]
        if next_key != following_key:
            next_name = read_name(rdata, 0)[0]
            failures.append(_fail(owner, NSEC_TYPE, Reason.CHAIN_BROKEN,
                                  f"next name {next_name} but the next NSEC owner is "
                                  f"{following}"))
    if chain and chain[0][0] != canonical_key(names.apex):
        failures.append(_fail(names.apex, NSEC_TYPE, Reason.CHAIN_BROKEN,
                              "the chain does not start at the apex"))
    return failures


# -- NSEC3 -------------------------------------------------------------------------------------


def _check_nsec3(names: _Names, rrsets: list[RRset], params_rrsets: list[RRset],
                 policy: DenialPolicy) -> list[tuple[NameKey, Failure]]:
    failures: list[tuple[NameKey, Failure]] = []
    apex = names.apex
    params: list[tuple[int, int, bytes]] = []
    for rrset in params_rrsets:
        for rdata in rrset.rdatas:
            if len(rdata) < 5 or len(rdata) != 5 + rdata[4]:
                failures.append(_fail(rrset.owner, NSEC3PARAM_TYPE, Reason.DENIAL_MALFORMED,
                                      "NSEC3PARAM RDATA length does not match its salt"))
                continue
            algorithm, flags = rdata[0], rdata[1]
            iterations, salt = int.from_bytes(rdata[2:4], "big"), rdata[5:]
            if canonical_key(rrset.owner) != canonical_key(apex):
                failures.append(_fail(rrset.owner, NSEC3PARAM_TYPE, Reason.CHAIN_PARAMS_MISMATCH,
                                      "NSEC3PARAM away from the zone apex"))
            elif algorithm != SHA1_HASH_ALGORITHM or flags != 0:
                failures.append(_fail(apex, NSEC3PARAM_TYPE, Reason.CHAIN_PARAMS_MISMATCH,
                                      f"NSEC3PARAM hash algorithm {algorithm}, flags {flags}: "
                                      "want 1 and 0 (RFC 5155 §4.1)"))
            else:
                params.append((algorithm, iterations, salt))
    records: list[NSEC3] = []
    bitmaps: Bitmaps = {}
    apex_key = canonical_key(apex)
    apex_depth = len(apex_key)
    for rrset in rrsets:
        key = canonical_key(rrset.owner)
        if len(key) != apex_depth + 1 or key[:apex_depth] != apex_key:
            failures.append(_fail(rrset.owner, NSEC3_TYPE, Reason.CHAIN_NAME_EXTRA,
                                  "NSEC3 owner is not one label below the apex"))
            continue
        for rdata in rrset.rdatas:
            try:
                records.append(_nsec3_record(rrset.owner, rdata, bitmaps))
            except WireError as exc:
                failures.append(_fail(rrset.owner, NSEC3_TYPE, Reason.DENIAL_MALFORMED,
                                      str(exc)))
    if not params:
        if not any(f.type == "NSEC3PARAM" for _, f in failures):
            failures.append(_fail(apex, NSEC3PARAM_TYPE, Reason.CHAIN_PARAMS_MISMATCH,
                                  "NSEC3 records but no usable NSEC3PARAM at the apex"))
        return failures
    for record in records:
        if record.params not in params:
            failures.append(_fail(record.owner, NSEC3_TYPE, Reason.CHAIN_PARAMS_MISMATCH,
                                  f"hash {record.algorithm}, {record.iterations} iterations, "
                                  f"salt {record.salt.hex() or '-'} match no NSEC3PARAM"))
    for chain_params in dict.fromkeys(params):
        chain = [r for r in records if r.params == chain_params]
        failures += _check_nsec3_chain(names, chain, chain_params, policy)
    return failures


def _check_nsec3_chain(names: _Names, chain: list[NSEC3], params: tuple[int, int, bytes],
                       policy: DenialPolicy) -> list[tuple[NameKey, Failure]]:
    failures: list[tuple[NameKey, Failure]] = []
    apex = names.apex
    _, iterations, salt = params
    over = policy.check_iterations(iterations)
    if over is not None:
        failures.append(_fail(apex, NSEC3PARAM_TYPE, over.reason, over.detail))
        if iterations > policy.bogus_above:
            return failures  # not hashing every name that many times
    by_hash: dict[bytes, NSEC3] = {}
    for record in chain:
        if record.owner_hash in by_hash:
            failures.append(_fail(record.owner, NSEC3_TYPE, Reason.CHAIN_BROKEN,
                                  "two NSEC3 records with one owner hash"))
        by_hash[record.owner_hash] = record
    ordered = sorted(by_hash.values(), key=lambda r: r.owner_hash)
    hashes = [r.owner_hash for r in ordered]
    for index, record in enumerate(ordered):
        following = ordered[(index + 1) % len(ordered)]
        if record.next_hash != following.owner_hash:
            failures.append(_fail(record.owner, NSEC3_TYPE, Reason.CHAIN_BROKEN,
                                  f"next hashed owner {b32hex_encode(record.next_hash)} but the "
                                  f"next NSEC3 is {b32hex_encode(following.owner_hash)}"))
    described: set[bytes] = set()
    expected: dict[bytes, tuple[Owner, frozenset[int], NameKey]] = {}
    for key, (name, types) in names.data.items():
        expected[_key_hash(key, salt, iterations)] = (name, types, key)
    for key, labels in names.ents.items():
        expected.setdefault(_key_hash(key, salt, iterations), (labels, frozenset(), key))
    optional = _optional(names)
    with_rrsig: dict[frozenset[int], frozenset[int]] = {}
    for digest, (name, types, key) in expected.items():
        found = by_hash.get(digest)
        if found is None:
            if key in optional:
                cover = _covering(ordered, hashes, digest)
                if cover is not None and not cover.opt_out:
                    failures.append(_fail(_as_name(key, name), NSEC3_TYPE,
                                          Reason.CHAIN_OPT_OUT_MISMATCH,
                                          f"left out of the chain, but the NSEC3 "
                                          f"{cover.owner} covering it has no Opt-Out"))
                continue
            failures.append(_fail(_as_name(key, name), NSEC3_TYPE, Reason.CHAIN_NAME_MISSING,
                                  f"no NSEC3 owned by its hash {b32hex_encode(digest)}"))
            continue
        described.add(digest)
        # RRSIG at the original name: every authoritative RRset is signed except the NS
        # RRset of a delegation, so all but empty non-terminals and unsigned delegations.
        signed = bool(types) and key not in names.unsigned_cuts
        want = types
        if signed:
            want = with_rrsig.get(types) or with_rrsig.setdefault(types, types | {RRSIG_TYPE})
        mismatch = _bitmap_failure(found.owner, NSEC3_TYPE, found.types, want)
        if mismatch:
            failures.append(mismatch)
    for digest, record in by_hash.items():
        if digest not in described:
            failures.append(_fail(record.owner, NSEC3_TYPE, Reason.CHAIN_NAME_EXTRA,
                                  "NSEC3 whose owner hash is no name in the zone"))
    return failures


def _optional(names: _Names) -> set[NameKey]:
    """Names an Opt-Out chain may leave out (RFC 5155 §7.1): unsigned delegations, and empty
    non-terminals all of whose descendants with data are unsigned delegations."""
    apex = len(canonical_key(names.apex))
    needed: set[NameKey] = set()  # empty non-terminals above some signed data
    for key in names.data:
        if key not in names.unsigned_cuts:
            needed.update(key[:size] for size in range(apex + 1, len(key)))
    return names.unsigned_cuts | (names.ents.keys() - needed)


def _covering(ordered: list[NSEC3], hashes: list[bytes], digest: bytes) -> NSEC3 | None:
    """The NSEC3 before ``digest`` in hash order (the last one wraps around)."""
    if not ordered:
        return None
    return ordered[bisect_left(hashes, digest) - 1]


__all__ = ["check_chain", "check_chain_labels", "check_chain_records"]
