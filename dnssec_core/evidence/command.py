"""``dnssec-core verify-evidence``: re-check an evidence bundle offline (issue 9).

::

    dnssec-core verify-evidence FILE [--trust-anchor FILE] [--now TIME]
        [--crypto fast|pure|cross] [--json]

Re-runs every proof of the bundle with the unchanged validating engine, without any network,
at the recorded validation time (or ``--now``), and for a CAA bundle recomputes the decision
from the recorded request (:mod:`dnssec_core.evidence.verify`).

Trust anchor: the anchors used are the verifier's, never merely the bundle's — ``--trust-anchor
FILE`` if given, else the built-in IANA root anchors.  When the bundle names other anchors
the report says so; a proof made from an anchor the verifier does not trust does not verify.

Exit codes: 0 = the bundle reproduced exactly (every proof's status, rcode, reason, EDE and
answer, and a CAA decision); 1 = a readable bundle that does not reproduce (tampered,
truncated, re-ordered, verified at a time outside the signatures' validity, or made from
another trust anchor), with the precise reason; 2 = unreadable bundle or usage error, one line
on stderr.  With ``--json`` stdout holds exactly one object: ``file``, ``kind``, ``reproduced``,
``reason``, ``now``, ``crypto``, ``trust_anchor`` (``bundle``, ``used``, ``source``,
``same``), ``proofs`` (``role``, ``qname``, ``qtype``, ``recorded`` and ``verified``
``{status, rcode, reason, ede}``, ``match``, ``problem``), ``decision`` (``recorded``,
``verified``, ``match``; null for a query bundle) and ``notes`` (e.g. replayed transport
failures, which a chain cannot prove).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any, TextIO

from dnssec_core.chain.anchors import (
    AnchorError,
    TrustAnchors,
    builtin_root_anchors,
    load_anchors,
    parse_anchors,
)
from dnssec_core.chain.engine import Result
from dnssec_core.cli_args import add_evidence_parser
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.driver import Transport
from dnssec_core.evidence.bundle import (
    Bundle,
    BundleError,
    bundle_digest,
    dumps,
    loads,
    read_bundle_file,
    write_atomic,
)
from dnssec_core.timeutil import format_time, parse_time

if TYPE_CHECKING:
    from dnssec_core.caa.check import CaaCheck
    from dnssec_core.evidence.record import RecordingTransport
    from dnssec_core.evidence.verify import Report

EXIT_REPRODUCED = 0
EXIT_NOT_REPRODUCED = 1


#: Registers the command on the CLI's subcommand set (kept light in :mod:`dnssec_core.cli_args`).
add_parser = add_evidence_parser

def run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    """``verify-evidence``: see the module docstring for the contract."""
    from dnssec_core import cli
    from dnssec_core.evidence.verify import verify_bundle

    try:
        bundle = loads(read_bundle_file(args.file))
    except BundleError as exc:
        raise cli.UsageError(f"{args.file}: not a readable evidence bundle: {exc}") from None
    now = bundle.now
    if args.now is not None:
        try:
            now = parse_time(args.now)
        except ValueError as exc:
            raise cli.UsageError(str(exc)) from None
    try:
        anchors = load_anchors(args.trust_anchor, now) if args.trust_anchor \
            else builtin_root_anchors()
    except AnchorError as exc:
        raise cli.UsageError(str(exc)) from None
    backend = _backend(args.crypto, cli.UsageError)
    try:
        anchor = _anchor_info(bundle.trust_anchor, anchors)
        report = verify_bundle(bundle, anchors=anchors, backend=backend, now=now)
    except BundleError as exc:
        raise cli.UsageError(f"{args.file}: not a readable evidence bundle: {exc}") from None
    if not anchor["same"]:
        report.notes.insert(0, f"the bundle names trust anchor(s) {anchor['bundle_key_tags']} "
                            f"but was checked against {anchors.key_tags} from {anchors.source}")
    if args.json:
        json.dump(_json(args.file, report, anchor), out, ensure_ascii=True)
        out.write("\n")
    else:
        _print(args.file, report, out)
    return EXIT_REPRODUCED if report.reproduced else EXIT_NOT_REPRODUCED


def _anchor_info(named: tuple[str, ...], used: TrustAnchors) -> dict[str, Any]:
    """What the bundle names against what was used; BundleError if the names do not parse."""
    from dnssec_core.evidence.record import anchor_texts

    try:
        claimed = parse_anchors("\n".join(named).encode("utf-8"), source="the bundle's "
                                "trust_anchor", now=None)
    except AnchorError as exc:
        raise BundleError(str(exc)) from None
    used_texts = anchor_texts(used)
    return {"bundle": list(named), "used": list(used_texts), "source": used.source,
            "same": anchor_texts(claimed) == used_texts, "bundle_key_tags": claimed.key_tags}


def _json(path: str, report: Report, anchor: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": path,
        "kind": report.bundle.kind,
        "reproduced": report.reproduced,
        "reason": report.reason,
        "now": report.now,
        "crypto": report.backend,
        "trust_anchor": anchor,
        "proofs": [check.as_json() for check in report.proofs],
        "decision": report.decision,
        "notes": report.notes,
    }


def _print(path: str, report: Report, out: TextIO) -> None:
    verdict = "reproduced" if report.reproduced else "NOT reproduced"
    out.write(f"{path}: {report.bundle.kind} bundle {verdict} at {format_time(report.now)} "
              f"({report.backend} backend)\n")
    if report.reason:
        out.write(f"  reason: {report.reason}\n")
    for check in report.proofs:
        recorded = _outcome_text(check.proof.outcome())
        if check.match:
            out.write(f"  ok {check.proof.label}: {recorded}\n")
            continue
        verified = _outcome_text(check.verified) if check.verified is not None else "no verdict"
        out.write(f"  MISMATCH {check.proof.label}: recorded {recorded}, re-verified "
                  f"{verified}\n")
    if report.decision is not None:
        recorded = report.decision["recorded"]
        out.write(f"  decision {recorded['decision']}: {recorded['reason']}"
                  f" — {'ok' if report.decision['match'] else 'MISMATCH'}\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")


class EvidenceTap:
    """``--evidence FILE`` for ``query`` and ``caa``: records the transport's answers, then
    writes the bundle atomically (temporary file in the same directory, then ``os.replace``:
    never half-written).  Errors are one-line usage errors (exit 2)."""

    def __init__(self, path: str) -> None:
        from dnssec_core import cli

        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise cli.UsageError(f"--evidence {path}: no such directory {directory}")
        if os.path.isdir(path):
            raise cli.UsageError(f"--evidence {path}: is a directory")
        self.path = path
        self.recorder: RecordingTransport | None = None

    def wrap(self, transport: Transport) -> RecordingTransport:
        from dnssec_core.evidence.record import RecordingTransport

        self.recorder = RecordingTransport(transport)
        return self.recorder

    def write_query(self, result: Result, *, anchors: TrustAnchors, backend: Backend,
                    policy: AlgorithmPolicy, now: int, err: TextIO) -> str:
        """Write the bundle of a ``query``; returns the file's SHA-256 (hex)."""
        from dnssec_core.evidence.record import query_bundle

        assert self.recorder is not None
        bundle, warnings = query_bundle(result, self.recorder, anchors=anchors,
                                        backend=backend, policy=policy, now=now)
        return self._write(bundle, warnings, err)

    def write_caa(self, check: CaaCheck, *, anchors: TrustAnchors, backend: Backend,
                  policy: AlgorithmPolicy, now: int, err: TextIO) -> str:
        """Write the bundle of one CAA check; returns the file's SHA-256 (hex)."""
        from dnssec_core.evidence.record import caa_bundle

        assert self.recorder is not None
        bundle, warnings = caa_bundle(check, self.recorder, anchors=anchors,
                                      backend=backend, policy=policy, now=now)
        return self._write(bundle, warnings, err)

    def _write(self, bundle: Bundle, warnings: list[str], err: TextIO) -> str:
        from dnssec_core import cli

        for warning in warnings:
            err.write(f"{cli.PROG}: warning: evidence: {warning}\n")
        data = dumps(bundle)
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            raise cli.UsageError(f"--evidence {self.path}: {exc.strerror or exc}") from None
        return bundle_digest(data)


def _outcome_text(outcome: dict[str, Any]) -> str:
    reason = f" — {outcome['reason']}" if outcome["reason"] else ""
    ede = f" (EDE {outcome['ede']})" if outcome["ede"] is not None else ""
    rcode = f", {outcome['rcode']}" if outcome["rcode"] is not None else ""
    return f"{outcome['status']}{rcode}{reason}{ede}"


def _backend(name: str, usage: type[Exception]) -> Backend:
    try:
        return get_backend(name)
    except ImportError as exc:
        raise usage(f"crypto backend {name!r} is unavailable: {exc}") from None
