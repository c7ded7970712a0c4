"""The evidence bundle envelope: one JSON object around RFC 9102 chains (issue 9, BR-LOG-03).

A bundle lets anyone re-derive a ``query`` verdict or a ``caa`` decision offline, later, from
the bundle, a trust anchor and the recorded validation time.  The file is one JSON object
serialised deterministically — keys sorted, separators ``","`` and ``":"``, UTF-8 with
non-ASCII escaped, one trailing newline — so the same inputs give byte-identical files
(and :func:`bundle_digest`, the SHA-256 of those bytes, can be quoted in an audit log)::

    {
      "format": "dnssec-core-evidence/1",
      "kind": "query" | "caa",
      "now": 1796083200,                         # the validation time, Unix seconds
      "validated_at": "2026-12-01T00:00:00Z",    # the same instant, RFC 3339 UTC
      "software": "dnssec-core 0.1.0",
      "crypto": "fast" | "pure" | "cross",       # the backend that verified the signatures
      "algorithm_policy": "default" | "no-sha1", # RFC 8624 table used (``--no-sha1``)
      "trust_anchor": [". DS 20326 8 2 E06D...", ...],  # the anchors used, presentation form
      "failures": [                              # transport failures seen (usually empty)
        {"qname", "qtype", "kind", "attempts", "servers", "detail",
         "limit"}                                # the bound spent (kind resolution-limit) or null
      ],
      "rcodes": [                                # unsigned rcodes a proof needs (see below)
        {"qname", "qtype", "rcode"}
      ],
      "proofs": [
        {"role": "query" | "lookup" | "probe",
         "qname": "www.example.", "qtype": "A" (null for a probe),
         "status": "secure", "rcode": "NOERROR" (null for a probe),
         "reason": "" (empty when secure), "ede": null | int,
         "answer": ["www.example. 300 IN A 192.0.2.1", ...],
         "chain": "<base64 of the RFC 9102 §3 chain: the RRs and RRSIGs the proof needs>"}
      ],
      "caa": null | {
        "request": {"domain", "email", "issuer_domains", "account_uri",
                    "validation_method", "permit_on_lookup_failure", "ca_servers"},
        "decision": "permitted" | "denied" | "lookup-failure" | null,
        "reason": "...", "status": "secure", "relevant_domain": "example." | null,
        "records": ["0 issue \\"ca.example\\"", ...]
      }
    }

A ``query`` bundle has one proof; a ``caa`` bundle has one ``lookup`` proof per CAA query of
the RFC 8659 §3 climb, in climb order, then one ``probe`` proof per zone status walk used for
BR 3.2.2.8's lookup-failure rule (BR-CAA-07).  Each chain is minimal (every RR in it is needed
to reproduce the proof's verdict) and in canonical form and order
(:func:`dnssec_core.evidence.minimize.canonical_chain`, checked by the verifier): zones from
the root down, then owner names in RFC 4034 §6.1 order, then type; each RRset's RRs in
canonical RDATA order followed by its RRSIGs.

Two fields of an RR are not covered by its signature, so a bundle fixes them and the verifier
rejects any other value: the TTL (RFC 4034 §3.1.4, RFC 4035 §5.3.3: the RRSIG Original TTL
is signed, not the TTL) — a signed RRset carries the smallest Original TTL of its RRSIGs and
RRSIG RRs their RRset's TTL — and the case of names (RFC 4034 §6.2: signatures cover the
lower-case form) — owner names, names in RDATA of the RFC 4034 §6.2 types and Signer's Names
are lower case.  Every other octet of a chain is signed, or is a length or type octet whose
change breaks the decoding or the signature.
Transport failures (timeouts, SERVFAIL, REFUSED) cannot be proven by a chain; they are kept in
``failures`` and replayed offline as recorded, and the verifier says so.  Likewise the rcode
of a negative answer that no signed record decides (an unsigned zone, an NSEC3 Opt-Out span)
is what the server said: ``rcodes`` keeps just those a proof needs (minimised like the chain);
they can only shape an insecure result, never make anything secure.

``software``, ``crypto`` and ``trust_anchor`` describe the producer; the verifier re-checks the
proofs with its own backend and its own trusted anchors, and reports when the anchors differ.

This module only reads and writes the envelope; :func:`loads` is strict (exact key sets,
types, sizes, base64) and raises :class:`BundleError` with a one-line reason.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from dnssec_core import __version__
from dnssec_core.timeutil import format_time

FORMAT: Final = "dnssec-core-evidence/1"
KINDS: Final = ("query", "caa")
ROLES: Final = ("query", "lookup", "probe")
POLICIES: Final = ("default", "no-sha1")
CRYPTO: Final = ("fast", "pure", "cross")
SOFTWARE: Final = f"dnssec-core {__version__}"
#: Bounds on what :func:`loads` accepts (SEC-LIM: every input bounded).
MAX_BUNDLE_OCTETS: Final = 16 << 20
MAX_PROOFS: Final = 2048
MAX_CHAIN_OCTETS: Final = 1 << 20
MAX_LIST_ITEMS: Final = 4096

_TOP_KEYS: Final = frozenset(
    {"format", "kind", "now", "validated_at", "software", "crypto", "algorithm_policy",
     "trust_anchor", "failures", "rcodes", "proofs", "caa"}
)
_PROOF_KEYS: Final = frozenset(
    {"role", "qname", "qtype", "status", "rcode", "reason", "ede", "answer", "chain"}
)
_RCODE_KEYS: Final = frozenset({"qname", "qtype", "rcode"})
_FAILURE_KEYS: Final = frozenset(
    {"qname", "qtype", "kind", "attempts", "servers", "detail", "limit"}
)
_CAA_KEYS: Final = frozenset(
    {"request", "decision", "reason", "status", "relevant_domain", "records"}
)
_REQUEST_KEYS: Final = frozenset(
    {"domain", "email", "issuer_domains", "account_uri", "validation_method",
     "permit_on_lookup_failure", "ca_servers"}
)
_STATUSES: Final = ("secure", "insecure", "bogus", "indeterminate")
_DECISIONS: Final = ("permitted", "denied", "lookup-failure")


class BundleError(ValueError):
    """The file is not a readable evidence bundle (one-line reason; CLI exit 2)."""


@dataclass(frozen=True)
class Proof:
    """One re-checkable verdict: the question, the recorded outcome and its RFC 9102 chain."""

    role: str
    qname: str
    qtype: str | None
    status: str
    rcode: str | None
    reason: str
    ede: int | None
    answer: tuple[str, ...]
    chain: bytes

    @property
    def label(self) -> str:
        what = self.qtype if self.qtype is not None else "zone status"
        return f"{self.role} {self.qname} {what}"

    def outcome(self) -> dict[str, Any]:
        """What a re-verification must reproduce exactly."""
        return {"status": self.status, "rcode": self.rcode, "reason": self.reason,
                "ede": self.ede, "answer": list(self.answer)}

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "qname": self.qname, "qtype": self.qtype,
                "status": self.status, "rcode": self.rcode, "reason": self.reason,
                "ede": self.ede, "answer": list(self.answer),
                "chain": base64.b64encode(self.chain).decode("ascii")}


@dataclass(frozen=True)
class RecordedFailure:
    """A query the transport got no usable answer to; replayed, never proven, offline."""

    qname: str
    qtype: str
    kind: str
    attempts: int
    servers: tuple[str, ...]
    detail: str
    limit: str | None = None  # LimitKind value when kind is resolution-limit (SEC-LIM-05)

    def as_json(self) -> dict[str, Any]:
        return {"qname": self.qname, "qtype": self.qtype, "kind": self.kind,
                "attempts": self.attempts, "servers": list(self.servers), "detail": self.detail,
                "limit": self.limit}


@dataclass(frozen=True)
class RecordedRcode:
    """The rcode a server gave for a negative answer that no signed record decides."""

    qname: str
    qtype: str
    rcode: str

    def as_json(self) -> dict[str, Any]:
        return {"qname": self.qname, "qtype": self.qtype, "rcode": self.rcode}


@dataclass(frozen=True)
class CaaRequestRecord:
    """The inputs of a CAA check, enough to recompute its decision (BR-LOG-02)."""

    domain: str
    email: bool
    issuer_domains: tuple[str, ...]
    account_uri: str | None
    validation_method: str | None
    permit_on_lookup_failure: bool
    ca_servers: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "email": self.email,
                "issuer_domains": list(self.issuer_domains), "account_uri": self.account_uri,
                "validation_method": self.validation_method,
                "permit_on_lookup_failure": self.permit_on_lookup_failure,
                "ca_servers": list(self.ca_servers)}


@dataclass(frozen=True)
class CaaOutcome:
    """The recorded CAA result: request, decision, reason and the relevant RRset."""

    request: CaaRequestRecord
    decision: str | None
    reason: str
    status: str
    relevant_domain: str | None
    records: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"request": self.request.as_json(), "decision": self.decision,
                "reason": self.reason, "status": self.status,
                "relevant_domain": self.relevant_domain, "records": list(self.records)}


@dataclass(frozen=True)
class Bundle:
    """A parsed (or to-be-written) evidence bundle; see the module docstring."""

    kind: str
    now: int
    crypto: str
    trust_anchor: tuple[str, ...]
    proofs: tuple[Proof, ...]
    failures: tuple[RecordedFailure, ...] = ()
    rcodes: tuple[RecordedRcode, ...] = ()
    caa: CaaOutcome | None = None
    algorithm_policy: str = "default"
    software: str = SOFTWARE
    validated_at: str = field(default="")

    def __post_init__(self) -> None:
        if not self.validated_at:
            object.__setattr__(self, "validated_at", format_time(self.now))

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "kind": self.kind, "now": self.now,
            "validated_at": self.validated_at, "software": self.software,
            "crypto": self.crypto, "algorithm_policy": self.algorithm_policy,
            "trust_anchor": list(self.trust_anchor),
            "failures": [f.as_json() for f in self.failures],
            "rcodes": [r.as_json() for r in self.rcodes],
            "proofs": [p.as_json() for p in self.proofs],
            "caa": self.caa.as_json() if self.caa is not None else None,
        }


def dumps(bundle: Bundle) -> bytes:
    """The deterministic file bytes of ``bundle`` (sorted keys, fixed separators, newline)."""
    text = json.dumps(bundle.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (text + "\n").encode("utf-8")


def bundle_digest(data: bytes) -> str:
    """Hex SHA-256 of the bundle file bytes: the ``evidence_sha256`` of a decision record."""
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary file in the same directory,
    flushed to disk, then ``os.replace`` (atomic on POSIX).  Raises OSError."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".evidence-", suffix=".tmp", dir=directory)
    try:
        # mkstemp creates the file 0600; a bundle is evidence meant to be read by auditors'
        # tools, so it gets the usual 0644 (the directory still decides who can reach it).
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_bundle_file(path: str) -> bytes:
    """The bytes of a bundle file, bounded by :data:`MAX_BUNDLE_OCTETS`.  Raises BundleError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BUNDLE_OCTETS + 1)
    except OSError as exc:
        raise BundleError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BUNDLE_OCTETS:
        raise BundleError(f"{path}: larger than {MAX_BUNDLE_OCTETS} octets")
    return data


# -- strict parsing ------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BundleError(f"duplicate key {key!r}")
        out[key] = value
    return out


def loads(data: bytes) -> Bundle:
    """Parse bundle bytes strictly.  Raises :class:`BundleError` with a one-line reason."""
    if len(data) > MAX_BUNDLE_OCTETS:
        raise BundleError(f"bundle larger than {MAX_BUNDLE_OCTETS} octets")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 text (octet {exc.start})") from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates,
                         parse_constant=_reject_constant)
    except BundleError:
        raise
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"not JSON: {exc}") from None
    top = _object(obj, _TOP_KEYS, "bundle")
    if top["format"] != FORMAT:
        raise BundleError(f"format is {top['format']!r}, expected {FORMAT!r}")
    kind = _choice(top["kind"], KINDS, "kind")
    now = _int(top["now"], "now", 0, (1 << 40))
    validated_at = _str(top["validated_at"], "validated_at")
    if validated_at != format_time(now):
        raise BundleError(f"validated_at {validated_at!r} is not now={now} "
                          f"({format_time(now)})")
    proofs_raw = _list(top["proofs"], "proofs", MAX_PROOFS)
    if not proofs_raw:
        raise BundleError("no proofs")
    proofs = tuple(_proof(p, i) for i, p in enumerate(proofs_raw))
    caa = None
    if kind == "caa":
        caa = _caa(top["caa"])
        if any(p.role == "query" for p in proofs):
            raise BundleError("a caa bundle holds lookup and probe proofs only")
    else:
        if top["caa"] is not None:
            raise BundleError("a query bundle has caa null")
        if len(proofs) != 1 or proofs[0].role != "query":
            raise BundleError("a query bundle holds exactly one proof with role query")
    anchors = tuple(_str(a, "trust_anchor item")
                    for a in _list(top["trust_anchor"], "trust_anchor", MAX_LIST_ITEMS))
    if not anchors:
        raise BundleError("trust_anchor is empty")
    failures = tuple(_failure(f) for f in _list(top["failures"], "failures", MAX_LIST_ITEMS))
    rcodes = tuple(_rcode(r) for r in _list(top["rcodes"], "rcodes", MAX_LIST_ITEMS))
    return Bundle(
        kind=kind, now=now, crypto=_choice(top["crypto"], CRYPTO, "crypto"),
        trust_anchor=anchors,
        proofs=proofs, failures=failures, rcodes=rcodes, caa=caa,
        algorithm_policy=_choice(top["algorithm_policy"], POLICIES, "algorithm_policy"),
        software=_str(top["software"], "software"), validated_at=validated_at,
    )


def _reject_constant(name: str) -> Any:
    raise BundleError(f"not JSON: {name} is not a JSON number")


def _object(value: Any, keys: frozenset[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{what} is not a JSON object")
    missing = sorted(keys - value.keys())
    extra = sorted(value.keys() - keys)
    if missing:
        raise BundleError(f"{what}: missing key(s) {', '.join(missing)}")
    if extra:
        raise BundleError(f"{what}: unknown key(s) {', '.join(extra)}")
    return value


def _str(value: Any, what: str, *, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise BundleError(f"{what} is not a string")
    if len(value) > 65535:
        raise BundleError(f"{what} is longer than 65535 characters")
    return value


def _int(value: Any, what: str, low: int, high: int, *, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BundleError(f"{what} is not an integer in [{low}, {high}]")
    return value


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise BundleError(f"{what} is not true or false")
    return value


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise BundleError(f"{what} is {value!r}, not one of {', '.join(allowed)}")
    text: str = value
    return text


def _list(value: Any, what: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise BundleError(f"{what} is not a JSON array")
    if len(value) > limit:
        raise BundleError(f"{what} has more than {limit} items")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    return tuple(_str(v, f"{what} item") for v in _list(value, what, MAX_LIST_ITEMS))


def _proof(value: Any, index: int) -> Proof:
    where = f"proof {index}"
    raw = _object(value, _PROOF_KEYS, where)
    role = _choice(raw["role"], ROLES, f"{where} role")
    probe = role == "probe"
    qtype = _str(raw["qtype"], f"{where} qtype", nullable=probe)
    rcode = _str(raw["rcode"], f"{where} rcode", nullable=probe)
    if probe and (qtype is not None or rcode is not None):
        raise BundleError(f"{where}: a probe has qtype and rcode null")
    if not probe and (qtype is None or rcode is None):
        raise BundleError(f"{where}: qtype and rcode are required")
    chain_text = _str(raw["chain"], f"{where} chain")
    if len(chain_text) > (MAX_CHAIN_OCTETS * 4) // 3 + 4:
        raise BundleError(f"{where}: chain larger than {MAX_CHAIN_OCTETS} octets")
    try:
        chain = base64.b64decode(chain_text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise BundleError(f"{where}: chain is not base64") from None
    if base64.b64encode(chain).decode("ascii") != chain_text:
        raise BundleError(f"{where}: chain is not in canonical base64")
    return Proof(
        role=role,
        qname=_str(raw["qname"], f"{where} qname"),
        qtype=qtype,
        status=_choice(raw["status"], _STATUSES, f"{where} status"),
        rcode=rcode,
        reason=_str(raw["reason"], f"{where} reason"),
        ede=_int(raw["ede"], f"{where} ede", 0, 65535, nullable=True),
        answer=_strings(raw["answer"], f"{where} answer"),
        chain=chain,
    )


def _failure(value: Any) -> RecordedFailure:
    raw = _object(value, _FAILURE_KEYS, "failure")
    return RecordedFailure(
        qname=_str(raw["qname"], "failure qname"),
        qtype=_str(raw["qtype"], "failure qtype"),
        kind=_str(raw["kind"], "failure kind"),
        attempts=_int(raw["attempts"], "failure attempts", 0, 1 << 16),
        servers=_strings(raw["servers"], "failure servers"),
        detail=_str(raw["detail"], "failure detail"),
        limit=_str(raw["limit"], "failure limit", nullable=True),
    )


def _rcode(value: Any) -> RecordedRcode:
    raw = _object(value, _RCODE_KEYS, "rcodes item")
    return RecordedRcode(_str(raw["qname"], "rcode qname"), _str(raw["qtype"], "rcode qtype"),
                         _choice(raw["rcode"], ("NOERROR", "NXDOMAIN"), "rcode"))


def _caa(value: Any) -> CaaOutcome:
    raw = _object(value, _CAA_KEYS, "caa")
    req = _object(raw["request"], _REQUEST_KEYS, "caa request")
    decision = raw["decision"]
    if decision is not None:
        decision = _choice(decision, _DECISIONS, "caa decision")
    request = CaaRequestRecord(
        domain=_str(req["domain"], "caa request domain"),
        email=_bool(req["email"], "caa request email"),
        issuer_domains=_strings(req["issuer_domains"], "caa request issuer_domains"),
        account_uri=_str(req["account_uri"], "caa request account_uri", nullable=True),
        validation_method=_str(req["validation_method"], "caa request validation_method",
                               nullable=True),
        permit_on_lookup_failure=_bool(req["permit_on_lookup_failure"],
                                       "caa request permit_on_lookup_failure"),
        ca_servers=_strings(req["ca_servers"], "caa request ca_servers"),
    )
    return CaaOutcome(
        request=request,
        decision=decision,
        reason=_str(raw["reason"], "caa reason"),
        status=_choice(raw["status"], _STATUSES, "caa status"),
        relevant_domain=_str(raw["relevant_domain"], "caa relevant_domain", nullable=True),
        records=_strings(raw["records"], "caa records"),
    )


__all__ = [
    "FORMAT",
    "Bundle",
    "BundleError",
    "CaaOutcome",
    "CaaRequestRecord",
    "Proof",
    "RecordedFailure",
    "RecordedRcode",
    "bundle_digest",
    "dumps",
    "loads",
    "read_bundle_file",
    "write_atomic",
]
