"""Replay Unbound's validator scenarios (``testdata/val_*.rpl``) against the sans-I/O engine.

TEST-ONLY.  Nothing here is importable from ``dnssec_core`` (``test_replay.py`` asserts it).

Design (issue 8):

* Parsing: config up to ``CONFIG_END`` (``trust-anchor``, ``val-override-date``, ``fake-sha1``,
  ``fake-dsa``, other options recorded), every ``RANGE``'s ENTRYs, and ``STEP n QUERY`` /
  ``STEP n CHECK_ANSWER`` pairs.
* Serving: the engine asks authoritative-style (name, type) questions.  Instead of walking
  referrals from the stub root, the harness matches by qname/qtype as testbound's replay
  module does (ADDRESS is ignored): among entries of ranges containing the current step whose
  MATCH rules accept the question, the *non-referral* ones (an answer, an AA reply, an
  NXDOMAIN, or an SOA/NSEC/NSEC3 in authority) compete and the narrowest MATCH wins (qname +
  qtype > qname > subdomain > any; first on ties) -- this stands in for routing by server.
  A DS question takes only an exact entry, else the DS/NSEC/NSEC3 data an earlier reply or a
  delegation carried (what Unbound would have in its cache), else the last referral; no match
  at all is a :class:`LookupFailure` (testbound answers nothing, i.e. a timeout).  Any other
  question no entry answers gets, like Unbound's cache would give it, the RRset, CNAME or
  DNAME an earlier reply carried for it (``val_cnameqtype``: "answer from cache"; first the
  very reply to the same question, Unbound's message cache), else the
  authority section of an earlier NXDOMAIN in its zone (Unbound's negative cache); the engine
  still checks every record, so a cached reply that does not fit only fails closed.
* Time: ``val-override-date`` is ``now``; ``TIME_PASSES ELAPSE n`` moves it on (the engine's
  caches expire by it).
* Verdict mapping of CHECK_ANSWER: AD → secure; SERVFAIL → bogus *or* indeterminate (Unbound
  SERVFAILs both; we accept either); otherwise → insecure.
* ``fake-sha1``/``fake-dsa``: :class:`FakeBackend` accepts any signature made with algorithms
  3/5/6/7 (Unbound ``val_secalgo.c`` ``verify_canonrrset``) and delegates the rest to the real
  ``fast`` backend; :data:`FAKE_POLICY` validates algorithms 3 and 6 (DSA) only here.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_core.chain.anchors import AnchorError, TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import FailureKind, LookupFailure, Query
from dnssec_core.crypto.base import PublicKey, SignatureScheme
from dnssec_core.crypto.fast import FastBackend
from dnssec_core.dnssec import algorithms as _algorithms
from dnssec_core.dnssec.keys import KeyProblem, ParsedKey
from dnssec_core.verdict import Status
from dnssec_core.wire.message import Response, from_dnspython

FAKE_ALGORITHMS = frozenset({3, 5, 6, 7})
DSA_ALGORITHMS = {3: SignatureScheme.RSA_PKCS1_SHA1, 6: SignatureScheme.RSA_PKCS1_SHA1}


@dataclass(frozen=True, slots=True)
class FakePolicy(_algorithms.AlgorithmPolicy):
    """Test-only policy: DSA (3, 6) counts as validating, small RSA keys allowed."""

    def scheme(self, algorithm: int) -> SignatureScheme | None:
        if algorithm in DSA_ALGORITHMS:
            return DSA_ALGORITHMS[algorithm]
        return _algorithms.AlgorithmPolicy.scheme(self, algorithm)


FAKE_POLICY = FakePolicy(rsa_min_bits=512)


class FakeKey:
    """Stands for a key the real parser rejects (a DSA key) when its algorithm is faked."""

    scheme = SignatureScheme.RSA_PKCS1_SHA1


class FakeBackend:
    """Unbound ``fake-sha1``/``fake-dsa``: SHA-1/DSA signatures pass unchecked; others are real."""

    name = "fake-sha1"

    def __init__(self) -> None:
        self.real = FastBackend()

    def verify(self, key: PublicKey | FakeKey, signature: bytes, data: bytes) -> bool:
        if isinstance(key, FakeKey) or key.scheme is SignatureScheme.RSA_PKCS1_SHA1:
            return True
        return bool(self.real.verify(key, signature, data))


KeyParser = Callable[[SignatureScheme, bytes, _algorithms.AlgorithmPolicy], ParsedKey]


def patched_parse_public_key(
    original: KeyParser,
) -> Callable[[SignatureScheme, bytes, _algorithms.AlgorithmPolicy], ParsedKey | FakeKey]:
    def parse(scheme: SignatureScheme, key: bytes,
              policy: _algorithms.AlgorithmPolicy = _algorithms.DEFAULT_POLICY
              ) -> ParsedKey | FakeKey:
        parsed = original(scheme, key, policy)
        if isinstance(parsed, KeyProblem) and isinstance(policy, FakePolicy):
            return FakeKey()
        return parsed

    return parse


# -- parsing -------------------------------------------------------------------------------


@dataclass
class Entry:
    match: set[str]
    adjust: set[str]
    flags: set[str]
    rcode: str
    sections: dict[str, list[str]]

    def qname(self) -> dns.name.Name | None:
        q = self.sections.get("QUESTION", [])
        return dns.name.from_text(q[0].split()[0]) if q else None

    def qtype(self) -> int | None:
        q = self.sections.get("QUESTION", [])
        return int(dns.rdatatype.from_text(q[0].split()[-1])) if q else None


@dataclass
class Range:
    start: int
    end: int
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Step:
    number: int
    kind: str
    entry: Entry | None
    elapse: int = 0  # TIME_PASSES ELAPSE n (seconds; fractions are query latency, dropped)


@dataclass
class Scenario:
    path: Path
    config: list[str]
    ranges: list[Range]
    steps: list[Step]
    served: list[Entry] = field(default_factory=list)

    def option(self, key: str) -> list[str]:
        out = []
        for line in self.config:
            stripped = line.split("#", 1)[0].strip()
            if stripped.startswith(key + ":"):
                out.append(stripped[len(key) + 1 :].strip().strip('"'))
        return out


def _parse_entry(lines: list[str]) -> Entry:
    entry = Entry(set(), set(), set(), "NOERROR", {})
    section: str | None = None
    for raw in lines:
        line = raw.split(";", 1)[0].strip() if not raw.strip().startswith(";") else ""
        if not line:
            continue
        word = line.split()[0]
        if word == "MATCH":
            entry.match |= set(line.split()[1:])
        elif word == "ADJUST":
            entry.adjust |= set(line.split()[1:])
        elif word == "REPLY":
            for token in line.split()[1:]:
                if token in dns.rcode.Rcode.__members__ or token == "YXDOMAIN":
                    entry.rcode = token
                else:
                    entry.flags.add(token)
        elif word == "SECTION":
            section = line.split()[1]
            entry.sections.setdefault(section, [])
        elif section is not None:
            entry.sections[section].append(line)
    return entry


def parse(path: Path) -> Scenario:
    text = path.read_text()
    config_text, _, body = text.partition("CONFIG_END")
    lines = body.splitlines()
    scenario = Scenario(path, config_text.splitlines(), [], [])
    current: Range | None = None
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        words = line.split()
        if not words:
            i += 1
            continue
        if words[0] == "RANGE_BEGIN":
            current = Range(int(words[1]), int(words[2]))
        elif words[0] == "RANGE_END" and current is not None:
            scenario.ranges.append(current)
            current = None
        elif words[0] == "ENTRY_BEGIN":
            j = i + 1
            while lines[j].strip() != "ENTRY_END":
                j += 1
            entry = _parse_entry(lines[i + 1 : j])
            if current is not None:
                current.entries.append(entry)
            elif scenario.steps and scenario.steps[-1].entry is None:
                scenario.steps[-1].entry = entry
            i = j
        elif words[0] == "STEP":
            elapse = 0
            if words[2] == "TIME_PASSES" and len(words) > 4 and words[3] == "ELAPSE":
                elapse = int(float(words[4]))
            scenario.steps.append(Step(int(words[1]), words[2], None, elapse))
        i += 1
    return scenario


def to_message(entry: Entry, query: Query | None = None) -> dns.message.Message:
    parts = ["id 0", "opcode QUERY", f"rcode {entry.rcode}"]
    flags = [f for f in entry.flags if f in ("QR", "AA", "TC", "RD", "RA", "AD", "CD")]
    parts.append("flags " + " ".join(flags))
    parts.append(";QUESTION")
    if query is not None and ("copy_query" in entry.adjust or not entry.sections.get("QUESTION")):
        parts.append(f"{query.name} IN {dns.rdatatype.RdataType.to_text(query.rdtype)}")
    else:
        parts.extend(entry.sections.get("QUESTION", []))
    for name in ("ANSWER", "AUTHORITY", "ADDITIONAL"):
        parts.append(";" + name)
        parts.extend(entry.sections.get(name, []))
    return dns.message.from_text("\n".join(parts), origin=dns.name.root, relativize=False)


# -- serving -------------------------------------------------------------------------------


def _matches(entry: Entry, query: Query) -> bool:
    qname, qtype = entry.qname(), entry.qtype()
    if qname is None:
        return False
    if "qtype" in entry.match and qtype != query.rdtype:
        return False
    if "qname" in entry.match and qname != query.name:
        return False
    return not ("subdomain" in entry.match and not query.name.is_subdomain(qname))


def _specificity(entry: Entry) -> int:
    """How narrowly an entry's MATCH rules pick questions (testbound takes the first match;
    without ADDRESS routing, the narrowest match stands in for the right server)."""
    if "qname" in entry.match:
        return 3 if "qtype" in entry.match else 2
    return 1 if "subdomain" in entry.match else 0


def _is_referral(entry: Entry) -> bool:
    if entry.sections.get("ANSWER") or "AA" in entry.flags or entry.rcode != "NOERROR":
        return False
    for line in entry.sections.get("AUTHORITY", []):
        words = line.upper().split()
        if any(w in ("SOA", "NSEC", "NSEC3") for w in words[1:4]):
            return False
    return True


def answer(
    scenario: Scenario, step: int, query: Query, served: list[Entry] | None = None
) -> Response | LookupFailure:
    """The canned reply to ``query`` at ``step`` (see the module docstring).

    ``served`` collects the entries handed out so far.  A DS question with no authoritative
    entry is answered like Unbound answers it from its cache: with the DS RRset, or the NSEC
    at that owner, that an earlier reply carried (``val_dsnsec``: "pickup of DS NSEC from the
    cache").
    """
    best: tuple[int, int] | None = None
    chosen: Entry | None = None
    referral: Entry | None = None
    for rng in scenario.ranges:
        if not rng.start <= step <= rng.end:
            continue
        for entry in rng.entries:
            if not _matches(entry, query):
                continue
            if _is_referral(entry):
                referral = entry
                continue
            exact = entry.qname() == query.name and entry.qtype() == query.rdtype
            if query.rdtype == DS_TYPE and not exact:
                continue
            rank = (_specificity(entry), 0)
            if best is None or rank > best:
                best, chosen = rank, entry
    if chosen is not None:
        if served is not None:
            served.append(chosen)
        return from_dnspython(to_message(chosen, query))
    if query.rdtype == DS_TYPE:
        delegations = [
            e
            for r in scenario.ranges
            if r.start <= step <= r.end
            for e in r.entries
            if _is_referral(e) or not e.sections.get("ANSWER")
        ]
        cached = _from_cache([*(served or []), *delegations], query)
        if cached is not None:
            return from_dnspython(to_message(cached, query))
    if query.rdtype != DS_TYPE:
        cached = (
            _message_from_cache(served or [], query)
            or _alias_from_cache(served or [], query)
            or _negative_from_cache(served or [], query)
        )
        if cached is not None:
            return from_dnspython(to_message(cached, query))
    if referral is not None:
        if served is not None:
            served.append(referral)
        return from_dnspython(to_message(referral, query))
    return LookupFailure(FailureKind.TIMEOUT, f"no canned answer for {query}")


def _message_from_cache(served: list[Entry], query: Query) -> Entry | None:
    """Unbound's message cache: the latest reply served for this very question (after step
    100 of ``val_dname_twice`` the servers no longer answer)."""
    for entry in reversed(served):
        if (entry.qname() == query.name and entry.qtype() == query.rdtype
                and not _is_referral(entry)):
            return entry
    return None


def _negative_from_cache(served: list[Entry], query: Query) -> Entry | None:
    """Unbound's negative cache (RFC 2308 §5; RFC 8198 for a sibling name): the authority
    section of the latest NXDOMAIN served for a name in the same zone (its SOA encloses the
    question).  The engine checks that its NSEC/NSEC3 records really cover the question, so
    a reply that does not fit only fails closed (``val_dnameqtype`` steps 170, 210)."""
    for entry in reversed(served):
        if entry.rcode != "NXDOMAIN":
            continue
        authority = entry.sections.get("AUTHORITY", [])
        for line in authority:
            parsed = _owner_type(line)
            if parsed is not None and parsed[1] == "SOA" and query.name.is_subdomain(parsed[0]):
                return Entry(set(), set(), {"QR"}, "NXDOMAIN", {"AUTHORITY": authority})
    return None


def _alias_from_cache(served: list[Entry], query: Query) -> Entry | None:
    """What Unbound's cache answers when no server entry does (``val_cnameqtype`` steps 50,
    90, ...): an RRset of the asked type or a CNAME at the name, or a DNAME above it, with
    their RRSIGs, from the ANSWER sections served earlier in the scenario."""
    def pick(want: str, owner_ok: Callable[[dns.name.Name], bool]) -> list[str]:
        lines: list[str] = []
        for entry in served:
            for line in entry.sections.get("ANSWER", []):
                parsed = _owner_type(line)
                if parsed is None or not owner_ok(parsed[0]):
                    continue
                if want in (parsed[1], parsed[2]) and line not in lines:
                    lines.append(line)
        return lines

    def holds(lines: list[str], want: str) -> bool:
        return any(_rrtype(line) == want for line in lines)

    qtype = dns.rdatatype.RdataType.to_text(query.rdtype)
    exact = pick(qtype, lambda owner: owner == query.name)
    dname = pick("DNAME", lambda owner: query.name.is_subdomain(owner) and owner != query.name)
    cname = pick("CNAME", lambda owner: owner == query.name)
    if holds(exact, qtype):
        lines = exact
    elif holds(dname, "DNAME"):  # the DNAME, and the CNAME synthesised from it
        lines = dname + cname
    elif holds(cname, "CNAME"):
        lines = cname
    else:
        return None
    return Entry(set(), set(), {"QR"}, "NOERROR", {"ANSWER": lines})


DS_TYPE = 43


def _owner_type(line: str) -> tuple[dns.name.Name, str, str] | None:
    words = line.split()
    try:
        owner = dns.name.from_text(words[0])
    except Exception:
        return None
    rest = [w.upper() for w in words[1:]]
    while rest and (rest[0].isdigit() or rest[0] == "IN"):
        rest.pop(0)
    if not rest:
        return None
    covered = rest[1] if rest[0] == "RRSIG" and len(rest) > 1 else ""
    return owner, rest[0], covered


def _rrtype(line: str) -> str:
    """The type of a record line already known to parse (see :func:`_owner_type`)."""
    parsed = _owner_type(line)
    assert parsed is not None, line
    return parsed[1]


def _from_cache(served: list[Entry], query: Query) -> Entry | None:
    """DS data for ``query.name`` from earlier replies: the DS RRset, the NSEC at that owner,
    or (last) the NSEC3 RRs of the parent zone, left for the engine to match by hash."""

    def wanted(owner: dns.name.Name, rrtype: str) -> bool:
        if rrtype == "NSEC3":
            return query.name != owner.parent() and query.name.is_subdomain(owner.parent())
        return bool(owner == query.name)  # dnspython's Name.__eq__ is unannotated

    for want, section in (("DS", "ANSWER"), ("NSEC", "AUTHORITY"), ("NSEC3", "AUTHORITY")):
        lines: list[str] = []
        for entry in served:
            for name in ("ANSWER", "AUTHORITY"):
                for line in entry.sections.get(name, []):
                    parsed = _owner_type(line)
                    if parsed is None or want not in parsed[1:] or not wanted(parsed[0], want):
                        continue
                    if line not in lines:
                        lines.append(line)
        if any(_rrtype(line) == want for line in lines):
            return Entry(set(), set(), {"QR", "AA"}, "NOERROR", {section: lines})
    return None


# -- running -------------------------------------------------------------------------------

#: config options that put a scenario outside this harness's scope (with the reason);
#: ``forward-zone`` is not one: it only changes which address answers, which the harness
#: ignores (and forwarding is what the engine does behind ``--resolver``)
OUT_OF_SCOPE_OPTIONS = {
    "trust-anchor-file": "trust anchor from a file",
    "auto-trust-anchor-file": "RFC 5011 trust anchor tracking",
    "domain-insecure": "Unbound-specific config (domain-insecure)",
    "local-zone": "local-zone",  # except "nodefault", which only lifts Unbound's blocking
    "local-data": "local-zone",
    "prefetch-key": "key prefetch",
    "aggressive-nsec": "aggressive NSEC use",
    "serve-expired": "serve-expired",
    "harden-algo-downgrade": (
        "Unbound-specific config (harden-algo-downgrade: yes, stricter than RFC 6840 §5.11)"
    ),
    "val-permissive-mode": "Unbound-specific config (permissive mode)",
    "harden-dnssec-stripped": "Unbound-specific config (harden-dnssec-stripped: no)",
    "harden-referral-path": "Unbound-specific config (harden-referral-path)",
}


#: single files out of scope, with the reason
OUT_OF_SCOPE_FILES = {
    "val_ds_gost.crpl": "GOST DS digest (type 3): not implemented (RFC 8624 §3.3: MUST NOT)",
}


def scope_problem(scenario: Scenario) -> str | None:
    """None when the scenario is in scope, else the skip reason."""
    if scenario.path.name in OUT_OF_SCOPE_FILES:
        return OUT_OF_SCOPE_FILES[scenario.path.name]
    config = "\n".join(scenario.config)
    for key, reason in OUT_OF_SCOPE_OPTIONS.items():
        if reason and re.search(rf"^\s*{re.escape(key)}\s*:", config, re.M):
            if key == "aggressive-nsec" and "no" in scenario.option(key):
                continue
            if key == "serve-expired" and "no" in scenario.option(key):
                continue
            if key in ("harden-algo-downgrade", "harden-referral-path") and scenario.option(
                key
            ) == ["no"]:  # Unbound's defaults: RFC 6840 §5.11 (any supported algorithm)
                continue
            if key == "local-zone" and all(v.endswith("nodefault") for v in scenario.option(key)):
                continue
            return reason
    if any(s.kind == "FLUSH_MESSAGE" for s in scenario.steps):
        return "steps flush Unbound's message cache (FLUSH_MESSAGE)"
    if not scenario.option("trust-anchor"):
        # It agrees when run with an empty anchor set (scenario_anchors); kept out while
        # tests/evidence/test_pool_unbound.py builds its anchors with parse_anchors (TA-08).
        return "no trust-anchor line: Unbound validates nothing (no anchor at all)"
    dates = scenario.option("val-override-date")
    if not dates or (dates[0] == "-1" and validation_time(scenario) is None):
        return "no fixed validation date (val-override-date -1 or absent)"
    if "${" in scenario.path.read_text():
        return "time macros"
    if not any(s.kind == "CHECK_ANSWER" for s in scenario.steps):
        return "no CHECK_ANSWER step"
    reasons = [step_scope_problem(query, check) for query, check in checks(scenario)]
    if all(reasons):
        return "; ".join(sorted({r for r in reasons if r}))
    return None


def validation_time(scenario: Scenario) -> int | None:
    """``val-override-date``; for ``-1`` (Unbound: ignore signature dates) a time inside every
    RRSIG's validity window in the file, or None when the windows do not overlap."""
    date = scenario.option("val-override-date")[0]
    if date != "-1":
        return calendar.timegm(time.strptime(date, "%Y%m%d%H%M%S"))
    windows = re.findall(
        r"\sRRSIG\s+\S+\s+\d+\s+\d+\s+\d+\s+(\d{14})\s+(\d{14})", scenario.path.read_text()
    )
    if not windows:
        return None
    start = max(calendar.timegm(time.strptime(w[1], "%Y%m%d%H%M%S")) for w in windows)
    end = min(calendar.timegm(time.strptime(w[0], "%Y%m%d%H%M%S")) for w in windows)
    return start + 1 if start < end else None


def expected_statuses(entry: Entry, query: Entry | None = None) -> set[Status]:
    """CHECK_ANSWER → the statuses it stands for.  A query with neither DO nor AD never gets
    an AD bit back (RFC 4035 §3.2.3, RFC 6840 §5.7), so its NOERROR/NXDOMAIN cannot tell
    secure from insecure (``val_noadwhennodo``)."""
    if entry.rcode == "SERVFAIL":
        return {Status.BOGUS, Status.INDETERMINATE}
    if "AD" in entry.flags:
        return {Status.SECURE}
    if query is not None and not {"DO", "AD"} & query.flags:
        return {Status.SECURE, Status.INSECURE}
    return {Status.INSECURE}


@dataclass
class Outcome:
    step: int
    question: str
    expected: set[Status]
    got: Status
    rcode_expected: str
    rcode_got: int
    detail: str

    @property
    def agrees(self) -> bool:
        if self.got not in self.expected:
            return False
        if self.got in (Status.BOGUS, Status.INDETERMINATE):
            return True
        return dns.rcode.to_text(dns.rcode.Rcode.make(self.rcode_got)) == self.rcode_expected


def checks(scenario: Scenario) -> list[tuple[Entry, Entry]]:
    """The (QUERY entry, CHECK_ANSWER entry) pairs of a scenario, in order."""
    pairs: list[tuple[Entry, Entry]] = []
    pending: Entry | None = None
    for step in scenario.steps:
        if step.kind == "QUERY":
            pending = step.entry
        elif step.kind == "CHECK_ANSWER" and pending is not None and step.entry is not None:
            pairs.append((pending, step.entry))
            pending = None
    return pairs


def step_scope_problem(query: Entry, check: Entry) -> str | None:
    """None when a CHECK_ANSWER step says something about validation, else why not."""
    if "CD" in query.flags:
        return "CD query: the client turned validation off (RFC 4035 §3.2.2)"
    if (
        "RD" not in query.flags
        and check.rcode == "NOERROR"
        and not check.sections.get("ANSWER")
        and any(" NS " in f" {line.upper()} " for line in check.sections.get("AUTHORITY", []))
    ):
        return "RD=0 query answered by a referral from Unbound's cache (a server feature)"
    return None


def scenario_anchors(scenario: Scenario, now: int) -> TrustAnchors:
    """The scenario's ``trust-anchor`` lines (several zones allowed); none → no anchor."""
    if not scenario.option("trust-anchor"):
        return TrustAnchors((), scenario.path.name, "")
    text = "\n".join(scenario.option("trust-anchor")) + "\n"
    try:
        return parse_anchors(text.encode(), source=scenario.path.name, now=now)
    except AnchorError as exc:
        raise RuntimeError(str(exc)) from None


def run(scenario: Scenario) -> list[Outcome]:
    """Every in-scope CHECK_ANSWER step's outcome.  TIME_PASSES moves ``now`` on (the
    engine's caches expire by it)."""
    now = validation_time(scenario)
    assert now is not None
    anchors = scenario_anchors(scenario, now)
    validator = Validator(anchors, backend=FakeBackend(), policy=FAKE_POLICY)
    outcomes: list[Outcome] = []
    pending: Step | None = None
    for step in scenario.steps:
        now += step.elapse
        if step.kind == "QUERY":
            pending = step
        elif step.kind == "CHECK_ANSWER" and pending is not None and step.entry is not None:
            asked = pending.entry
            assert asked is not None
            if step_scope_problem(asked, step.entry) is not None:
                pending = None
                continue
            q = asked.sections["QUESTION"][0].split()
            qname = dns.name.from_text(q[0])
            qtype = int(dns.rdatatype.from_text(q[-1]))
            result = _resolve(validator, scenario, step.number, qname, qtype, now)
            outcomes.append(
                Outcome(
                    step.number,
                    f"{qname} {q[-1]}",
                    expected_statuses(step.entry, asked),
                    result.status,
                    step.entry.rcode,
                    result.rcode,
                    f"{result.verdict.reason.value}: {result.verdict.detail}",
                )
            )
            pending = None
    return outcomes


def _resolve(
    validator: Validator, scenario: Scenario, step: int, qname: dns.name.Name, qtype: int, now: int
) -> Result:
    resolution = validator.resolve(qname, qtype, now=now)
    served = scenario.served
    while (query := resolution.next_query()) is not None:
        try:
            reply: Response | LookupFailure = answer(scenario, step, query, served)
        except Exception as exc:  # an unparsable canned entry: the engine sees a bad answer
            reply = LookupFailure(FailureKind.MALFORMED, f"{type(exc).__name__}: {exc}")
        resolution.receive(query, reply)
    return resolution.result()
