"""``verify-zone`` over several processes: each reads and verifies one piece of the zone text.

Why: a whole-zone check spends its time reading records and verifying signatures, both per
record; to finish before BIND's ``dnssec-verify`` does (issue 7) every core must take part.

How (Linux ``fork`` workers; the text is shared copy-on-write, nothing big is pickled):

1. The text is cut into one piece per worker, each starting at an owner line.  Worker *k* reads
   its piece with the fast reader (:func:`~dnssec_core.zone.lexer.read_fast_chunk`) from the
   ``$ORIGIN``/``$TTL`` state the directives before the cut set.  The cut is accepted only when
   every piece ends outside parentheses in the state the next piece started from — then reading
   the pieces one after another is exactly reading the text (by induction from the first).
2. Each worker reports the (owner, type) slots it holds, its SOA owners and NS owners.  Slots
   present in more than one piece, and the apex DNSKEY RRset, are *shared*: each piece's part
   of them (RRsets and RRSIGs) goes to the parent, which merges them (:func:`merge_shared`)
   into what :func:`~dnssec_core.zone.reader.build_zone_from_wire` gives for their records.
   (Slots are compared by hash; a collision only makes a slot shared needlessly.)
3. The parent finds the origin, verifies the apex DNSKEY RRset
   (:func:`~dnssec_core.zone.verify.verify_apex_dnskeys`) and sends the origin, keys and zone
   cuts to the workers; every RRset is then verified by
   :func:`~dnssec_core.zone.verify.verify_zone_rrset` — the shared ones by the parent, which
   meanwhile also checks the NSEC/NSEC3 chain (:func:`~dnssec_core.zone.chain.
   check_chain_records`) on the owners and denial RRsets the workers sent with their shared
   records.
4. Failures are merged in :func:`~dnssec_core.zone.verify.verify_zone`'s order (RRset order is
   the order of first appearance in the file), so the report is identical to the serial one;
   ``tests/zone/test_parallel.py`` asserts this on every vector zone.

Whenever something is outside this plan — a small zone, one core, no ``fork``, text the fast
reader declines, a cut that does not chain, a worker that fails — the zone is read with
:func:`~dnssec_core.zone.reader.load_zone` and checked with ``verify_zone`` in this process.
Memory: the text once (each worker reads its piece in place), plus each worker's share of
the parsed zone (its records are released as they are grouped), plus the chain's inputs in the
parent, passed as plain tuples.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import dns.name
from dns.name import Name

from dnssec_core.crypto.base import Backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.dnssec.records import DNSKEY_TYPE, DS, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.chain import Labels, check_chain_labels
from dnssec_core.zone.lexer import Unsupported, directive_state, read_fast_chunk
from dnssec_core.zone.reader import (
    DEFAULT_TTL,
    SOA_TYPE,
    NameKey,
    ZoneData,
    ZoneError,
    build_zone_from_wire,
    load_zone,
)
from dnssec_core.zone.verify import (
    NS_TYPE,
    Failure,
    ZoneReport,
    report_malformed,
    verify_apex_dnskeys,
    verify_zone,
    verify_zone_rrset,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

#: Texts shorter than this are checked in one process: starting workers costs more (policy).
MIN_PARALLEL_CHARS = 1_500_000
#: A piece starts at a line whose first character can begin an owner name.
_OWNER_LINE_START = re.compile(r"\n(?=[^\s;$(\"])")
#: How BIND and ldns write an RRSIG record's type field (bit maps write " RRSIG" or "RRSIG)").
_RRSIG_MARK = "RRSIG\t"
_BALANCE_BLOCKS_PER_PIECE = 32

Slot = tuple[NameKey, int]
DSLoader = Callable[[Name], Sequence[DS] | None]


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def verify_zone_text(
    text: str,
    *,
    origin: Name | None,
    source: str,
    now: int,
    backend: Backend,
    ds: DSLoader | None = None,
    policy: AlgorithmPolicy = DEFAULT_POLICY,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    min_parallel_chars: int = MIN_PARALLEL_CHARS,
) -> ZoneReport:
    """Read and verify a zone text; the report equals ``verify_zone(load_zone(text), ...)``.

    ``ds(origin)`` gives the DS records to anchor the DNSKEY RRset (None: SEP keys), once the
    origin is known.  ``jobs`` processes are used (default: every core).  ``progress`` is
    passed to :func:`verify_zone`, or called once at the end.  Raises :class:`ZoneError` as
    :func:`load_zone` does.

    The cyclic garbage collector is paused meanwhile: zone data holds no reference cycles, and
    its generational passes over the millions of objects a large zone allocates cost about a
    third of the reading time.
    """
    jobs = default_jobs() if jobs is None else jobs
    collecting = gc.isenabled()
    gc.disable()
    try:
        if jobs > 1 and len(text) >= min_parallel_chars and _can_fork():
            report = _Coordinator(text, origin, source, now, backend, ds, policy).run(jobs)
            if report is not None:
                if progress is not None:
                    progress(report.rrsets, report.rrsets)
                return report
        zone = load_zone(text, origin, source)
        return verify_zone(
            zone,
            now=now,
            backend=backend,
            ds=ds(zone.origin) if ds else None,
            policy=policy,
            progress=progress,
        )
    finally:
        if collecting:
            gc.enable()


def _can_fork() -> bool:
    import multiprocessing  # here: small zones never pay for importing it

    return "fork" in multiprocessing.get_all_start_methods()


def _cuts(text: str, pieces: int) -> list[int]:
    """Start offsets of up to ``pieces`` pieces, each at the start of an owner line.

    The pieces get about equal numbers of RRSIG records — one signature verification each, the
    bulk of the work — rather than equal lengths: RRsets of names and NSEC3 RRsets are not
    spread evenly through a zone file.  RRSIGs are counted per block of text; the cut goes at
    the first owner line after the point where the running count reaches each share.
    """
    size = len(text) // (_BALANCE_BLOCKS_PER_PIECE * pieces) + 1
    blocks = range(0, len(text), size)
    weights = [text.count(_RRSIG_MARK, start, start + size) for start in blocks]
    if not any(weights):  # other spelling: fall back to equal lengths
        weights = [1] * len(weights)
    total = sum(weights)
    starts = [0]
    done = 0
    k = 1
    for start, weight in zip(blocks, weights, strict=True):
        while k < pieces and done + weight >= total * k / pieces:
            share = (total * k / pieces - done) / weight if weight else 0.0
            found = _OWNER_LINE_START.search(text, max(start + int(share * size), starts[-1] + 1))
            if found is None:
                return starts
            starts.append(found.start() + 1)
            k += 1
        done += weight
    return starts


def directive_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of every line that starts with ``$``, as ``re.finditer(r"^\\$[^\\n]*",
    text, re.MULTILINE)`` finds them, by ``str.find`` — six times faster (issue 7)."""
    found = []
    if text.startswith("$"):
        at = 0
    else:
        at = text.find("\n$")
        at = at + 1 if at >= 0 else -1
    while at >= 0:
        eol = text.find("\n", at)
        if eol < 0:
            found.append((at, text[at:]))
            break
        found.append((at, text[at:eol]))
        at = text.find("\n$", eol)
        at = at + 1 if at >= 0 else -1
    return found


DENIAL_TYPES = frozenset({47, 50, 51})  # NSEC, NSEC3, NSEC3PARAM


class _Coordinator:
    """The parent's side of the protocol in the module docstring."""

    def __init__(
        self,
        text: str,
        origin: Name | None,
        source: str,
        now: int,
        backend: Backend,
        ds: DSLoader | None,
        policy: AlgorithmPolicy,
    ) -> None:
        self.text = text
        self.origin = origin
        self.source = source
        self.now = now
        self.backend = backend
        self.ds = ds
        self.policy = policy

    def run(self, jobs: int) -> ZoneReport | None:
        """The report, or None when the plan does not apply (the caller then goes serial)."""
        starts = _cuts(self.text, jobs)
        if len(starts) < 2:
            return None
        ends = [*starts[1:], len(self.text)]
        directives = directive_lines(self.text)
        try:
            states = [
                directive_state([line for at, line in directives if at < start], self.origin,
                                DEFAULT_TTL)
                for start in starts
            ]
        except Unsupported:
            return None
        import multiprocessing

        context = multiprocessing.get_context("fork")
        workers: list[tuple[Any, Connection]] = []
        try:
            for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
                parent_end, child_end = context.Pipe()
                process = context.Process(
                    target=_worker,
                    args=(child_end, self, start, end, states[k]),
                    daemon=True,
                    name=f"verify-zone-{k}",
                )
                process.start()
                child_end.close()
                workers.append((process, parent_end))
            return self._coordinate([conn for _, conn in workers], states)
        except (EOFError, OSError, _WorkerFailed) as exc:
            log.warning("parallel verify-zone failed (%s); verifying in one process", exc)
            return None
        finally:
            for process, conn in workers:
                conn.close()
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
                    process.join()

    def _coordinate(
        self, conns: list[Connection], states: list[tuple[Name, int]]
    ) -> ZoneReport | None:
        summaries = [_receive(conn) for conn in conns]
        if any(summary[0] == "unsupported" for summary in summaries):
            return None
        for k, summary in enumerate(summaries[:-1]):
            end_origin, end_ttl = summary[1], summary[2]
            next_origin, next_ttl = states[k + 1]
            if end_origin.labels != next_origin.labels or end_ttl != next_ttl:
                return None
        # The origin: given, else the single SOA owner (as build_zone_from_wire decides it).
        soas: dict[NameKey, Name] = {}
        for summary in summaries:
            soas.update(summary[3])
        origin = self.origin
        if origin is None:
            if len(soas) != 1:
                raise ZoneError(
                    f"{self.source}: cannot tell the zone origin: give --origin or exactly one "
                    "SOA record"
                )
            origin = next(iter(soas.values()))
        apex = canonical_key(origin)
        cuts = {key for summary in summaries for key in summary[4] if key != apex}
        seen: dict[int, int] = {}
        for summary in summaries:
            for slot_hash in summary[5]:
                seen[slot_hash] = seen.get(slot_hash, 0) + 1
        shared_hashes = {h for h, count in seen.items() if count > 1}
        shared_hashes.add(hash((apex, DNSKEY_TYPE)))

        # Shared slots: gathered in file order and grouped here.
        for conn in conns:
            conn.send(("gather", shared_hashes))
        gathered = [_receive(conn) for conn in conns]
        shared = merge_shared(origin, [(part[1], part[2]) for part in gathered])
        position: dict[Slot, tuple[int, int]] = {}
        for k, part in enumerate(gathered):
            for slot, index in part[3].items():
                position.setdefault(slot, (k, index))

        head = ZoneReport(origin.to_text())
        ds = self.ds(origin) if self.ds else None
        keys = verify_apex_dnskeys(
            shared, head, now=self.now, backend=self.backend, ds=ds, policy=self.policy
        )
        for conn in conns:
            conn.send(("verify", origin, keys, cuts))
        placed: list[tuple[tuple[int, int], list[Failure]]] = []
        chain_failures: list[Failure] = []
        if keys is not None:  # while the workers verify their RRsets:
            placed += self._verify_shared(shared, keys, cuts, position, head)
            # The NSEC/NSEC3 chain over the whole zone, as verify_zone ends (issue 4).
            # Memory (issue 7): each distinct set of types is one frozenset, and each piece's
            # data is dropped once merged.
            sets: dict[tuple[int, ...], frozenset[int]] = {}
            owners, denial = chain_inputs(shared)
            frozen: dict[NameKey, tuple[Labels | None, frozenset[int]]] = {}
            for piece in [owners, *(part[4] for part in gathered)]:
                for key, (labels, types) in piece.items():
                    known = frozen.get(key)
                    if known is None:
                        as_set = sets.get(types) or sets.setdefault(types, frozenset(types))
                        frozen[key] = (labels, as_set)
                    else:  # an owner in two pieces: the first one's name, all the types
                        frozen[key] = (known[0], known[1] | frozenset(types))
            denial += [plain for part in gathered for plain in part[5]]
            del gathered, owners, sets
            rrsets = [
                RRset(Name(labels), rdtype, rdclass, ttl, rdatas)
                for labels, rdtype, rdclass, ttl, rdatas in denial
            ]
            del denial
            chain_failures = check_chain_labels(origin, frozen, rrsets)
            del frozen, rrsets
        results = [_receive(conn) for conn in conns]

        report = ZoneReport(origin.to_text())
        for result in results:
            report.failures += result[1]  # malformed RRSIGs, in file order
        report.failures += head.failures
        report.rrsets = head.rrsets + sum(result[3] for result in results)
        report.signatures_verified = head.signatures_verified + sum(r[4] for r in results)
        for k, result in enumerate(results):
            placed += [((k, index), failures) for index, failures in result[2]]
        for _, failures in sorted(placed, key=lambda item: item[0]):
            report.failures += failures
        report.failures += chain_failures  # none when verify_zone stops at the apex
        return report

    def _verify_shared(
        self,
        shared: ZoneData,
        keys: ZoneKeys,
        cuts: set[NameKey],
        position: dict[Slot, tuple[int, int]],
        head: ZoneReport,
    ) -> list[tuple[tuple[int, int], list[Failure]]]:
        apex = canonical_key(shared.origin)
        placed = []
        for (key, rdtype), rrset in shared.rrsets.items():
            if rdtype == DNSKEY_TYPE and key == apex:
                continue
            part = ZoneReport(head.zone)
            verify_zone_rrset(
                shared, key, rdtype, rrset, keys, cuts, part,
                now=self.now, backend=self.backend, policy=self.policy,
            )  # fmt: skip
            head.rrsets += part.rrsets
            head.signatures_verified += part.signatures_verified
            placed.append((position[(key, rdtype)], part.failures))
        return placed


#: An RRset as plain values, (owner labels, type, class, TTL, RDATAs): pickling this costs a
#: tenth of pickling an :class:`RRset` and its :class:`~dns.name.Name` (issue 7).
PlainRRset = tuple[Labels, int, int, int, tuple[bytes, ...]]
#: Owner names of one piece: canonical key → (labels, or None when they are the key's own in
#: lowercase; the RR types there, sorted).  Plain values again: a set costs 216 octets.
PlainOwners = dict[NameKey, tuple[Labels | None, tuple[int, ...]]]


def merge_shared(
    origin: Name, pieces: Sequence[tuple[list[tuple[Slot, RRset]], list[tuple[Slot, list[RRSIG]]]]]
) -> ZoneData:
    """The shared slots of all pieces as one :class:`ZoneData`: what
    :func:`~dnssec_core.zone.reader.build_zone_from_wire` gives for their records read one
    piece after another.  Each piece lists its part of each slot in the order the slots first
    appear in it; an RRset keeps the first piece's owner name, every RDATA in file order and
    the smallest TTL; RRSIGs stay in file order."""
    zone = ZoneData(origin)
    merged: dict[Slot, tuple[Name, int, int, list[bytes]]] = {}
    for rrsets, rrsigs in pieces:
        for slot, rrset in rrsets:
            entry = merged.get(slot)
            if entry is None:
                merged[slot] = (rrset.owner, rrset.rdclass, rrset.ttl, list(rrset.rdatas))
            else:
                entry[3].extend(rrset.rdatas)
                if rrset.ttl < entry[2]:
                    merged[slot] = (entry[0], entry[1], rrset.ttl, entry[3])
        for slot, sigs in rrsigs:
            zone.rrsigs.setdefault(slot, []).extend(sigs)
    for (key, rdtype), (owner, rdclass, ttl, rdatas) in merged.items():
        zone.rrsets[(key, rdtype)] = RRset(owner, rdtype, rdclass, ttl, tuple(rdatas))
    return zone


def chain_inputs(
    zone: ZoneData, exclude: set[Slot] | None = None
) -> tuple[PlainOwners, list[PlainRRset]]:
    """Owner names with their types, and the NSEC/NSEC3/NSEC3PARAM RRsets, of one piece, in
    plain values that pass cheaply between processes."""
    types: dict[NameKey, list[int]] = {}
    names: dict[NameKey, Labels] = {}
    denial: list[PlainRRset] = []
    for (key, rdtype), rrset in zone.rrsets.items():
        known = types.get(key)
        if known is None:
            types[key] = [rdtype]
            names[key] = rrset.owner.labels
        else:
            known.append(rdtype)
        if rdtype in DENIAL_TYPES and not (exclude and (key, rdtype) in exclude):
            denial.append(
                (rrset.owner.labels, rdtype, rrset.rdclass, rrset.ttl, rrset.rdatas)
            )
    owners: PlainOwners = {}
    same: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per set of types: pickled once
    for key, labels in names.items():
        lowercase = labels[-1:] == (b"",) and labels[-2::-1] == key
        sorted_types = tuple(sorted(types[key]))
        owners[key] = (
            None if lowercase else labels,
            same.get(sorted_types) or same.setdefault(sorted_types, sorted_types),
        )
    return owners, denial


class _WorkerFailed(Exception):
    """A worker reported an unexpected error."""


def _receive(conn: Connection) -> Any:
    message = conn.recv()
    if message[0] == "error":
        raise _WorkerFailed(message[1])
    return message


def _worker(
    conn: Connection, job: _Coordinator, start: int, end: int, state: tuple[Name, int]
) -> None:
    """One piece: read it, report its slots, send shared records, verify the rest."""
    try:
        _work(conn, job, start, end, state)
    except BaseException as exc:  # report anything to the parent, which then goes serial
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _work(
    conn: Connection, job: _Coordinator, start: int, end: int, state: tuple[Name, int]
) -> None:
    try:
        records, end_origin, end_ttl = read_fast_chunk(
            job.text, job.origin, state[0], state[1], start, end
        )
    except Unsupported:
        conn.send(("unsupported",))
        return
    soas = {key: name for name, key, _, rdtype, _, _ in records if rdtype == SOA_TYPE}
    local = build_zone_from_wire(records, dns.name.root, job.source, consume=True)
    del records  # emptied: from here on the piece is ``local`` only (memory, issue 7)
    ns_owners = [key for (key, rdtype) in local.rrsets if rdtype == NS_TYPE]
    slot_hashes = {hash(slot) for slot in local.rrsets} | {hash(slot) for slot in local.rrsigs}
    conn.send(("summary", end_origin, end_ttl, soas, ns_owners, slot_hashes))

    command, shared_hashes = conn.recv()
    assert command == "gather"
    shared_here: set[Slot] = set()
    first_index: dict[Slot, int] = {}
    for index, slot in enumerate(local.rrsets):
        if hash(slot) in shared_hashes:
            shared_here.add(slot)
            first_index[slot] = index
    shared_here.update(slot for slot in local.rrsigs if hash(slot) in shared_hashes)
    shared_rrsets = [(slot, local.rrsets[slot]) for slot in first_index]
    shared_rrsigs = [(slot, sigs) for slot, sigs in local.rrsigs.items() if slot in shared_here]
    chain_owners, denial = chain_inputs(local, exclude=shared_here)
    conn.send(("shared", shared_rrsets, shared_rrsigs, first_index, chain_owners, denial))
    del shared_rrsets, shared_rrsigs, chain_owners, denial

    command, origin, keys, cuts = conn.recv()
    assert command == "verify"
    local.origin = origin
    malformed = ZoneReport(origin.to_text())
    report_malformed(local, malformed)
    placed: list[tuple[int, list[Failure]]] = []
    report = ZoneReport(origin.to_text())
    if keys is not None:
        for index, ((key, rdtype), rrset) in enumerate(local.rrsets.items()):
            if shared_here and (key, rdtype) in shared_here:
                continue
            before = len(report.failures)
            verify_zone_rrset(
                local, key, rdtype, rrset, keys, cuts, report,
                now=job.now, backend=job.backend, policy=job.policy,
            )  # fmt: skip
            if len(report.failures) > before:
                placed.append((index, report.failures[before:]))
    conn.send(("done", malformed.failures, placed, report.rrsets, report.signatures_verified))
