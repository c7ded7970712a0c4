"""NSEC3 records, base32hex, the NSEC3 hash and the NSEC3 denial proofs (RFC 5155 §5, §7.2, §8).

Everything here is our own code: RDATA decoding, base32hex (RFC 4648 §7, no padding), the
iterated SHA-1 hash, and every proof.  dnspython is not asked for any of it.

Work is bounded (SEC-LIM-03, CVE-2023-50868): every owner-name hash goes through one
:class:`Nsec3Hasher` per response, which memoises per (name, algorithm, iterations, salt) and
refuses to compute more than its budget of distinct hashes; iteration counts are checked
against :class:`~.policy.DenialPolicy` before anything is hashed.

Rules implemented, by requirement ID:

* NSEC3-01 — IH(salt, x, 0) = H(x | salt), IH(salt, x, k) = H(IH(salt, x, k-1) | salt) over the
  canonical wire form of x; H is SHA-1 (algorithm 1).
* NSEC3-02, NSEC3-03 — records with an unknown hash algorithm or flags other than 0/1 are
  ignored (RFC 5155 §8.1, §8.2); if nothing usable remains the proof is bogus (§8.1: such
  responses "will generally be considered bogus").
* NSEC3-04 — the owner is one base32hex label directly below the zone apex; hashes compare as
  octet strings.
* NSEC3-05 — closest encloser proof (§8.3), including its check that the closest encloser's
  NSEC3 is not a delegation (NS without SOA) or a DNAME: NSEC3-13.
* NSEC3-06 NXDOMAIN (§8.4), NSEC3-07 NODATA (§8.5), NSEC3-08 DS NODATA (§8.6), NSEC3-09
  wildcard NODATA (§8.7), NSEC3-10 wildcard answer (§8.8), NSEC3-11 referrals to unsigned
  zones (§8.9).
* NSEC3-12 — when the NSEC3 covering the next closer name has Opt-Out, the outcome is insecure,
  never secure (§9.2: such a proof may not set AD; Unbound's val_nsec3.c does the same).
* NSEC3-14 — one proof uses one parameter set (algorithm, iterations, salt); records of the
  other sets are ignored for it.  Each set present is tried in turn.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from dns.name import Name

from dnssec_core import limits
from dnssec_core.dnssec.denial.bitmap import decode_bitmap
from dnssec_core.dnssec.denial.names import (
    ancestor,
    label_count,
    next_closer,
    wildcard_at,
)
from dnssec_core.dnssec.denial.result import (
    DNAME_TYPE,
    DS_TYPE,
    NS_TYPE,
    SOA_TYPE,
    Denial,
    Proof,
    bitmap_contradicts,
    failed,
    proven,
    unsigned,
)
from dnssec_core.verdict import Reason, Verdict, indeterminate
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key, canonical_wire, names_equal

SHA1_HASH_ALGORITHM = 1  # RFC 5155 §11: the only NSEC3 hash algorithm defined
SHA1_DIGEST_OCTETS = 20
OPT_OUT_FLAG = 0x01  # RFC 5155 §3.1.2.1
KNOWN_FLAGS = OPT_OUT_FLAG  # §8.2: any other bit set → the record is ignored

_FIXED = struct.Struct("!BBHB")
_B32HEX = "0123456789abcdefghijklmnopqrstuv"
_B32HEX_VALUE = {c: i for i, c in enumerate(_B32HEX)} | {
    c.upper(): i for i, c in enumerate(_B32HEX)
}

Params = tuple[int, int, bytes]  # (hash algorithm, iterations, salt)


# -- base32hex (RFC 4648 §7), unpadded as RFC 5155 §3.3 uses it ---------------------------------


def b32hex_encode(data: bytes) -> str:
    """Lowercase unpadded base32hex of ``data`` (RFC 4648 §7; RFC 5155 §3.3)."""
    bits = int.from_bytes(data, "big") if data else 0
    nbits = len(data) * 8
    chars = -(-nbits // 5)
    bits <<= chars * 5 - nbits
    return "".join(_B32HEX[(bits >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def b32hex_decode(text: str | bytes) -> bytes:
    """Decode unpadded base32hex, either case.  Raises :class:`WireError` on a character
    outside the alphabet, an impossible length, or non-zero pad bits (strict, RFC 4648 §3.5)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise WireError("base32hex label is not ASCII") from None
    if len(text) % 8 in (1, 3, 6):
        raise WireError(f"base32hex text of length {len(text)} is impossible")
    value = 0
    for char in text:
        digit = _B32HEX_VALUE.get(char)
        if digit is None:
            raise WireError(f"{char!r} is not a base32hex digit")
        value = (value << 5) | digit
    nbits = len(text) * 5
    octets, spare = divmod(nbits, 8)
    if value & ((1 << spare) - 1):
        raise WireError("base32hex text has non-zero pad bits")
    return (value >> spare).to_bytes(octets, "big")


# -- the hash --------------------------------------------------------------------------------


def iterated_hash(name: Name, salt: bytes, iterations: int,
               algorithm: int = SHA1_HASH_ALGORITHM) -> bytes:
    """The NSEC3 hash of ``name`` (RFC 5155 §5, NSEC3-01): ``iterations`` extra SHA-1 rounds.

    Unbounded by itself: callers other than tests go through :class:`Nsec3Hasher`, which
    enforces the per-response budget and the iteration policy.  Raises :class:`ValueError` for
    an algorithm other than SHA-1 or iterations outside 0..65535.
    """
    if algorithm != SHA1_HASH_ALGORITHM:
        raise ValueError(f"NSEC3 hash algorithm {algorithm} is not defined")
    if not 0 <= iterations <= 0xFFFF:
        raise ValueError(f"NSEC3 iterations {iterations} out of range")
    digest = hashlib.sha1(canonical_wire(name) + salt).digest()
    for _ in range(iterations):
        digest = hashlib.sha1(digest + salt).digest()
    return digest


class HashBudgetExceeded(Exception):
    """Raised by :class:`Nsec3Hasher` when the response's (or the resolution's) hash budget is
    spent; the proofs turn it into an indeterminate ``limit-nsec3-hashes`` verdict
    (SEC-LIM-03)."""


class HashAllowance:
    """The NSEC3 hashes one whole resolution may compute, across all its responses.

    SEC-LIM-03 / CVE-2023-50868: the per-response budget alone lets a deep walk with a valid
    "not a cut" proof at every label spend it once per question.  The chain engine keeps one
    allowance per resolution and hands each proof a :meth:`response` hasher; hashes are
    memoised across the resolution (a hash is a pure function of name and parameters).
    """

    def __init__(self, budget: int = limits.NSEC3_HASHES_PER_RESOLUTION) -> None:
        if budget < 0:
            raise ValueError("hash budget must not be negative")
        self.budget = budget
        self.computed = 0
        self.memo: dict[tuple[bytes, int, int, bytes], bytes] = {}

    def response(self, budget: int = limits.NSEC3_HASHES_PER_RESPONSE) -> Nsec3Hasher:
        """A hasher for one response: its own per-response budget, this allowance's total."""
        return Nsec3Hasher(budget, shared=self)


class Nsec3Hasher:
    """The NSEC3 hashes of one response: memoised, and at most ``budget`` distinct ones.

    SEC-LIM-03 / CVE-2023-50868.  This is the one mutable object of the denial code: create one
    per response and pass it to every proof about that response, so that a proof for the same
    name with the same parameters is computed once and the budget counts the whole response.
    With ``shared`` (a :class:`HashAllowance`), every hash computed also counts against the
    resolution's budget, and the memo is the resolution's.
    """

    def __init__(self, budget: int = limits.NSEC3_HASHES_PER_RESPONSE, *,
                 shared: HashAllowance | None = None) -> None:
        if budget < 0:
            raise ValueError("hash budget must not be negative")
        self.budget = budget
        self.computed = 0
        self.shared = shared
        self._memo: dict[tuple[bytes, int, int, bytes], bytes] = (
            shared.memo if shared is not None else {})

    def hash(self, name: Name, params: Params) -> bytes:
        algorithm, iterations, salt = params
        key = (canonical_wire(name), algorithm, iterations, salt)
        digest = self._memo.get(key)
        if digest is None:
            if self.computed >= self.budget:
                raise HashBudgetExceeded(
                    f"more than {self.budget} NSEC3 hash computations for one response")
            shared = self.shared
            if shared is not None:
                if shared.computed >= shared.budget:
                    raise HashBudgetExceeded(
                        f"more than {shared.budget} NSEC3 hash computations for one "
                        "resolution")
                shared.computed += 1
            self.computed += 1
            digest = iterated_hash(name, salt, iterations, algorithm)
            self._memo[key] = digest
        return digest


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NSEC3:
    """One NSEC3 record (RFC 5155 §3.2) with its owner hash decoded (NSEC3-04)."""

    owner: Name
    owner_hash: bytes
    algorithm: int
    flags: int
    iterations: int
    salt: bytes
    next_hash: bytes
    types: frozenset[int]

    @classmethod
    def from_rdata(cls, owner: Name, rdata: bytes) -> NSEC3:
        """Decode NSEC3 RDATA and the owner's hash label.  Raises :class:`WireError`.

        RFC 5155 §3.2: hash algorithm, flags, iterations, salt length, salt, hash length
        (at least 1), next hashed owner name, type bitmap (NSEC-08 rules).  For SHA-1 both the
        owner label and the next hash must be 20 octets.
        """
        if len(rdata) < _FIXED.size:
            raise WireError("NSEC3 RDATA too short")
        algorithm, flags, iterations, salt_length = _FIXED.unpack_from(rdata)
        offset = _FIXED.size
        salt = rdata[offset : offset + salt_length]
        offset += salt_length
        if len(salt) != salt_length or offset >= len(rdata):
            raise WireError("NSEC3 salt or hash length truncated")
        hash_length = rdata[offset]
        offset += 1
        next_hash = rdata[offset : offset + hash_length]
        offset += hash_length
        if hash_length == 0 or len(next_hash) != hash_length:
            raise WireError("NSEC3 next hashed owner name empty or truncated")
        types = decode_bitmap(rdata[offset:])
        if not owner.labels or len(owner.labels) < 2:
            raise WireError("NSEC3 owner has no hash label")
        owner_hash = b32hex_decode(owner.labels[0])
        if algorithm == SHA1_HASH_ALGORITHM and (
            len(owner_hash) != SHA1_DIGEST_OCTETS or hash_length != SHA1_DIGEST_OCTETS
        ):
            raise WireError("SHA-1 NSEC3 hashes must be 20 octets")
        return cls(owner, owner_hash, algorithm, flags, iterations, salt, next_hash, types)

    @property
    def params(self) -> Params:
        return (self.algorithm, self.iterations, self.salt)

    @property
    def opt_out(self) -> bool:
        return bool(self.flags & OPT_OUT_FLAG)

    @property
    def usable(self) -> bool:
        """NSEC3-02/-03: known hash algorithm and no flag bit other than Opt-Out."""
        return self.algorithm == SHA1_HASH_ALGORITHM and not self.flags & ~KNOWN_FLAGS

    def has(self, rdtype: int) -> bool:
        return rdtype in self.types

    def matches(self, digest: bytes) -> bool:
        return self.owner_hash == digest

    def covers(self, digest: bytes) -> bool:
        """owner < digest < next, or — for the last NSEC3 of the chain, whose next hash does
        not sort after its owner — digest after the owner or before the next (wrap-around)."""
        if self.owner_hash < self.next_hash:
            return self.owner_hash < digest < self.next_hash
        return digest > self.owner_hash or digest < self.next_hash


# -- proofs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Encloser:
    """A closest encloser proof (§8.3): ``ce`` matched by ``ce_nsec3``; ``next_closer``
    covered by ``nc_nsec3`` (both None when QNAME itself matched)."""

    ce: Name
    ce_nsec3: NSEC3
    next_closer: Name | None
    nc_nsec3: NSEC3 | None

    @property
    def records(self) -> tuple[Name, ...]:
        owners = [self.ce_nsec3.owner]
        if self.nc_nsec3 is not None and self.nc_nsec3 is not self.ce_nsec3:
            owners.append(self.nc_nsec3.owner)
        return tuple(owners)


class Nsec3Proofs:
    """The usable NSEC3 records of one zone with one parameter set, and the proofs over them.

    Every method may raise :class:`HashBudgetExceeded`; :func:`prove_with_nsec3` catches it.
    """

    def __init__(self, apex: Name, params: Params, records: Sequence[NSEC3],
                 hasher: Nsec3Hasher) -> None:
        self.apex = apex
        self.params = params
        self.records = tuple(r for r in records if r.params == params)
        self.hasher = hasher

    def hash(self, name: Name) -> bytes:
        return self.hasher.hash(name, self.params)

    def matching(self, name: Name) -> NSEC3 | None:
        digest = self.hash(name)
        return next((r for r in self.records if r.matches(digest)), None)

    def covering(self, name: Name) -> NSEC3 | None:
        digest = self.hash(name)
        return next((r for r in self.records if r.covers(digest)), None)

    def closest_encloser(self, qname: Name) -> _Encloser | Denial:
        """NSEC3-05 (RFC 5155 §8.3): the longest ancestor of QNAME (QNAME included) with a
        matching NSEC3, and the NSEC3 covering the next closer name.

        Returns a Denial when there is no proof: no matching ancestor, an uncovered next
        closer name, or a closest encloser that is a DNAME or a delegation (NSEC3-13; insecure
        when that delegation is proven unsigned, as Unbound does).
        """
        depth = label_count(qname)
        apex_depth = label_count(self.apex)
        found: tuple[Name, NSEC3] | None = None
        for size in range(depth, apex_depth - 1, -1):
            candidate = ancestor(qname, size)
            match = self.matching(candidate)
            if match is not None:
                found = (candidate, match)
                break
        if found is None:
            return failed(Reason.DENIAL_NO_CLOSEST_ENCLOSER, Proof.NONE,
                          f"no NSEC3 matches {qname} or any ancestor up to {self.apex}")
        ce, ce_nsec3 = found
        if ce_nsec3.has(DNAME_TYPE) and not names_equal(ce, qname):
            return failed(Reason.DENIAL_ANCESTOR_DELEGATION, Proof.NONE,
                          f"closest encloser {ce} has DNAME", ce, (ce_nsec3.owner,))
        if (ce_nsec3.has(NS_TYPE) and not ce_nsec3.has(SOA_TYPE)
                and not names_equal(ce, qname)):
            if ce_nsec3.has(DS_TYPE):
                return failed(Reason.DENIAL_ANCESTOR_DELEGATION, Proof.NONE,
                              f"closest encloser {ce} is a delegation; {qname} is not in this "
                              "zone", ce, (ce_nsec3.owner,))
            return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                            f"{qname} is below the unsigned delegation {ce}", ce,
                            (ce_nsec3.owner,))
        if names_equal(ce, qname):
            return _Encloser(ce, ce_nsec3, None, None)
        nc = next_closer(qname, ce)
        nc_nsec3 = self.covering(nc)
        if nc_nsec3 is None:
            return failed(Reason.DENIAL_NOT_COVERED, Proof.NONE,
                          f"no NSEC3 covers the next closer name {nc}", ce, (ce_nsec3.owner,))
        return _Encloser(ce, ce_nsec3, nc, nc_nsec3)

    def name_error(self, qname: Name) -> Denial:
        """NSEC3-06 (RFC 5155 §8.4): closest encloser proof plus an NSEC3 covering
        ``*.<closest encloser>``; insecure when the next closer name is in an Opt-Out span."""
        enc = self.closest_encloser(qname)
        if isinstance(enc, Denial):
            return _as(enc, Proof.NAME_ERROR)
        if enc.nc_nsec3 is None:
            return failed(Reason.DENIAL_NAME_EXISTS, Proof.NAME_ERROR,
                          f"an NSEC3 matches {qname}, so the name exists", enc.ce, enc.records)
        return self._no_wildcard(qname, enc)

    def _no_wildcard(self, qname: Name, enc: _Encloser) -> Denial:
        wildcard = wildcard_at(enc.ce)
        exact = self.matching(wildcard)
        if exact is not None:
            return failed(Reason.DENIAL_WILDCARD_EXISTS, Proof.NAME_ERROR,
                          f"the wildcard {wildcard} exists and should have answered {qname}",
                          enc.ce, (*enc.records, exact.owner))
        cover = self.covering(wildcard)
        if cover is None:
            return failed(Reason.DENIAL_WILDCARD_NOT_DENIED, Proof.NAME_ERROR,
                          f"no NSEC3 covers the wildcard {wildcard}", enc.ce, enc.records)
        used = _owners(*enc.records, cover.owner)
        if enc.nc_nsec3 is not None and enc.nc_nsec3.opt_out:
            return _opt_out(qname, enc, used)
        return proven(Proof.NAME_ERROR, f"{qname} does not exist; no wildcard at {enc.ce}",
                      enc.ce, used)

    def no_data(self, qname: Name, qtype: int, *, accept_name_error: bool = False) -> Denial:
        """NSEC3-07, -08, -09, -11, -13 (RFC 5155 §8.5-§8.7, §8.9; RFC 6840 §4.1, §4.3).

        With ``accept_name_error`` (DS absence) a full NXDOMAIN proof also counts.
        """
        match = self.matching(qname)
        if match is not None:
            return self._types_absent(match, qname, qtype, Proof.NO_DATA, None,
                                      (match.owner,))
        enc = self.closest_encloser(qname)
        if isinstance(enc, Denial):
            return _as(enc, Proof.NO_DATA)
        assert enc.nc_nsec3 is not None  # qname did not match, so the encloser is above it
        wildcard = wildcard_at(enc.ce)
        wild = self.matching(wildcard)
        if wild is not None:
            outcome = self._types_absent(wild, qname, qtype, Proof.WILDCARD_NO_DATA, enc.ce,
                                         _owners(*enc.records, wild.owner))
            if outcome.verdict.secure and enc.nc_nsec3.opt_out:
                return _opt_out(qname, enc, outcome.records)
            return outcome
        if enc.nc_nsec3.opt_out:
            # §8.6 for DS; for other types QNAME may be an empty non-terminal or lie under an
            # unsigned delegation the Opt-Out span leaves out (NSEC3-12).
            return _opt_out(qname, enc, enc.records)
        if accept_name_error:
            return self._no_wildcard(qname, enc)
        return failed(Reason.DENIAL_NO_MATCH, Proof.NO_DATA,
                      f"no NSEC3 matches {qname} or the wildcard {wildcard}", enc.ce,
                      enc.records)

    def _types_absent(self, nsec3: NSEC3, qname: Name, qtype: int, proof: Proof,
                      ce: Name | None, used: tuple[Name, ...]) -> Denial:
        """NSEC3-07, -08, -09, -11 on the NSEC3 matching QNAME or the wildcard (RFC 5155 §8.5-
        §8.7, §8.9; RFC 6840 §4.1, §4.3)."""
        listed = bitmap_contradicts("NSEC3", nsec3.owner, nsec3.types, qtype, proof, ce, used)
        if listed is not None:
            return listed
        at_cut = nsec3.has(NS_TYPE) and not nsec3.has(SOA_TYPE)
        if qtype == DS_TYPE:
            if nsec3.has(SOA_TYPE) and label_count(qname) > 0 and proof is Proof.NO_DATA:
                return failed(Reason.DENIAL_CHILD_APEX, proof,
                              f"the NSEC3 for {qname} is the child zone's apex (SOA set); DS "
                              "lives in the parent (RFC 6840 §4.1)", ce, used)
            if at_cut:
                return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                                f"{qname} is a delegation without DS", qname, used)
            if proof is Proof.NO_DATA:
                proof = Proof.NO_DS
        elif at_cut:
            if nsec3.has(DS_TYPE):
                return failed(Reason.DENIAL_ANCESTOR_DELEGATION, proof,
                              f"NSEC3 for delegation {qname} cannot deny type {qtype}", ce,
                              used)
            return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                            f"{qname} is an unsigned delegation", qname, used)
        return proven(proof, f"no type {qtype} at {qname}", ce, used)

    def wildcard_answer(self, qname: Name, labels: int) -> Denial:
        """NSEC3-10 (RFC 5155 §8.8): an NSEC3 covers the next closer name of the wildcard's
        closest encloser (the rightmost ``labels`` labels of QNAME); Opt-Out → insecure."""
        if not 0 <= labels < label_count(qname):
            raise ValueError(f"RRSIG labels {labels} do not show a wildcard expansion of {qname}")
        ce = ancestor(qname, labels)
        nc = next_closer(qname, ce)
        exact = self.matching(nc)
        if exact is not None:
            return failed(Reason.DENIAL_CLOSER_MATCH, Proof.WILDCARD_ANSWER,
                          f"{nc} exists, so the wildcard *.{ce} could not have answered",
                          ce, (exact.owner,))
        cover = self.covering(nc)
        if cover is None:
            return failed(Reason.DENIAL_NOT_COVERED, Proof.WILDCARD_ANSWER,
                          f"no NSEC3 covers the next closer name {nc}", ce)
        if cover.opt_out:
            return unsigned(Reason.DENIAL_OPT_OUT, Proof.OPT_OUT,
                            f"the next closer name {nc} is in an Opt-Out span", ce,
                            (cover.owner,))
        return proven(Proof.WILDCARD_ANSWER, f"no closer match than *.{ce}", ce, (cover.owner,))


def _owners(*names: Name) -> tuple[Name, ...]:
    seen: list[Name] = []
    for name in names:
        if all(canonical_key(name) != canonical_key(s) for s in seen):
            seen.append(name)
    return tuple(seen)


def _as(denial: Denial, proof: Proof) -> Denial:
    """Label a closest-encloser failure with the proof that was attempted."""
    if denial.proof is not Proof.NONE:
        return denial
    return Denial(denial.verdict, proof, denial.closest_encloser, denial.records)


def _opt_out(qname: Name, enc: _Encloser, used: tuple[Name, ...]) -> Denial:
    return unsigned(Reason.DENIAL_OPT_OUT, Proof.OPT_OUT,
                    f"the next closer name {enc.next_closer} of {qname} is in an Opt-Out span "
                    "(RFC 5155 §9.2)", enc.ce, used)


def budget_spent(exc: HashBudgetExceeded) -> Denial:
    verdict: Verdict = indeterminate(Reason.LIMIT_NSEC3_HASHES, str(exc))
    return Denial(verdict, Proof.NONE)


__all__ = [
    "NSEC3",
    "HashAllowance",
    "HashBudgetExceeded",
    "Nsec3Hasher",
    "Nsec3Proofs",
    "b32hex_decode",
    "b32hex_encode",
    "budget_spent",
    "iterated_hash",
]
