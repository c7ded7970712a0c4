"""``dnssec-core caa``: may these issuer domains issue for DOMAIN?  (issue 6)

::

    dnssec-core caa DOMAIN [--issuer-domain D ...] [--email] [--account-uri URI]
        [--validation-method M] [--permit-on-lookup-failure] [--log FILE] [--perspective ID]
        [--root-hints FILE | --resolver HOST[:PORT]] [--trust-anchor FILE] [--now TIME]
        [--crypto fast|pure|cross] [--json]
    dnssec-core caa --batch FILE [same options] [--jobs N]

With ``--json`` one object with exactly the keys ``domain``, ``status``, ``relevant_domain``,
``records``, ``decision``, ``reason``, ``lookups``; ``--batch`` writes one such object per line
(JSON lines, in input order) and goes on past any single domain's failure.  ``--log FILE``
appends one decision record per check (:mod:`dnssec_core.caa.record`), naming the network
perspective given with ``--perspective ID`` (BR-LOG-01).

Exit codes: 0 when a decision or status was reached (``denied`` and ``lookup-failure``
included; for ``--batch``: when every line got its result line), 2 for usage errors, a
refused DOMAIN, or a decision log that cannot be written.

The CLI module (:mod:`dnssec_core.cli`) registers :func:`add_parser` (defined in the light
:mod:`dnssec_core.cli_args`, issue 7) and :func:`run`; the
transports come from its ``transport_from_args`` (iterative from the root hints by default,
``--resolver`` for a stub), or from the ``transport_factory`` a caller passes in.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Callable, Iterator
from typing import TextIO

from dnssec_core.caa.check import (
    BatchError,
    CaaCheck,
    CaaRequest,
    check_batch,
    check_caa,
)
from dnssec_core.caa.decision import normalise_issuer_domain
from dnssec_core.caa.domain import DomainError, parse_domain
from dnssec_core.caa.record import DecisionLog, LogError, check_perspective, decision_record
from dnssec_core.chain.anchors import TrustAnchors
from dnssec_core.chain.engine import Validator
from dnssec_core.cli_args import add_caa_parser
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.driver import Transport
from dnssec_core.timeutil import format_time, parse_time, wall_clock

TransportFactory = Callable[[], Transport]


#: Registers the command on the CLI's subcommand set (kept light in :mod:`dnssec_core.cli_args`).
add_parser = add_caa_parser

def run(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    stdin: TextIO,
    *,
    transport_factory: TransportFactory | None = None,
    transport_name: str = "caller-supplied transport",
) -> int:
    """``caa``: one check or a batch; see the module docstring for the contract."""
    from dnssec_core import cli

    if (args.domain is None) == (args.batch is None):
        raise cli.UsageError("caa: give either DOMAIN or --batch FILE")
    try:
        issuers = tuple(normalise_issuer_domain(d) for d in args.issuer_domain)
    except ValueError as exc:
        raise cli.UsageError(f"--issuer-domain: {exc}") from None
    for flag, value in (("--account-uri", args.account_uri),
                        ("--validation-method", args.validation_method)):
        if value is not None and not value:
            raise cli.UsageError(f"{flag} must not be empty")
    perspective = None
    if args.perspective is not None:
        if not args.log:
            raise cli.UsageError("--perspective names the check in its --log record: "
                                 "give --log FILE too")
        try:
            perspective = check_perspective(args.perspective)
        except ValueError as exc:
            raise cli.UsageError(f"--perspective: {exc}") from None
    if args.evidence and args.batch is not None:
        raise cli.UsageError("--evidence writes the bundle of one check: give DOMAIN, not --batch")
    fixed_now = _fixed_now(args, cli.UsageError)
    time_source = "--now" if fixed_now is not None else "system clock"
    backend = _backend(args.crypto, cli.UsageError)
    policy = AlgorithmPolicy(allow_sha1=False) if args.no_sha1 else DEFAULT_POLICY
    with contextlib.ExitStack() as stack:
        if args.demo:
            anchors, factory, name = _demo(args, stack, fixed_now)
        else:
            anchors = cli.anchors_from_args(args, fixed_now or wall_clock())
            if transport_factory is not None:
                factory, name = transport_factory, transport_name
            else:
                factory, name = _network(args)
        ca_servers: frozenset[str] = frozenset()
        if args.resolver:  # the CA's own resolver: its failures are never "outside the CA"
            ca_servers = frozenset(str(s) for s in _resolver_servers(args.resolver))
        log = None
        if args.log:
            try:
                log = stack.enter_context(DecisionLog(args.log))
            except LogError as exc:
                raise cli.UsageError(str(exc)) from None
        validator = Validator(anchors, backend=backend, policy=policy)

        def now() -> int:
            return fixed_now if fixed_now is not None else wall_clock()

        def record(check: CaaCheck | BatchError, evidence_sha256: str | None = None) -> None:
            if log is None:
                return
            try:
                log.write(decision_record(
                    check, written_at=wall_clock(), time_source=time_source,
                    crypto_backend=backend.name, anchors=anchors, transport=name,
                    evidence_sha256=evidence_sha256, perspective=perspective,
                ))
            except LogError as exc:
                raise cli.UsageError(f"{exc}; stopped: a check without its record must not "
                                     "be used for issuance") from None

        if args.batch is not None:
            lines = stack.enter_context(_batch_lines(args.batch, stdin, cli.UsageError))
            for item in check_batch(
                lines, validator, factory, now=now, email=args.email, issuer_domains=issuers,
                account_uri=args.account_uri, validation_method=args.validation_method,
                permit_on_lookup_failure=args.permit_on_lookup_failure, ca_servers=ca_servers,
                jobs=args.jobs,
            ):
                record(item)
                out.write(json.dumps(item.as_json(), ensure_ascii=True) + "\n")
                out.flush()
            return 0
        try:
            domain = parse_domain(args.domain, email=args.email)
        except DomainError as exc:
            raise cli.UsageError(f"{args.domain!r} refused: {exc}") from None
        request = CaaRequest(domain, issuers, args.account_uri, args.validation_method,
                             args.permit_on_lookup_failure, ca_servers)
        tap = None
        if args.evidence:
            from dnssec_core.evidence.command import EvidenceTap

            tap = EvidenceTap(args.evidence)
        transport = tap.wrap(factory()) if tap is not None else factory()
        check = check_caa(request, validator, transport, now=now())
        digest = None
        if tap is not None:  # the bundle first: the decision record carries its digest
            digest = tap.write_caa(check, anchors=anchors, backend=backend, policy=policy,
                                   now=check.now, err=err)
        record(check, digest)
        if args.json:
            out.write(json.dumps(check.as_json(), ensure_ascii=True) + "\n")
        else:
            _print(check, out)
        return 0


def _print(check: CaaCheck, out: TextIO) -> None:
    got = check.as_json()
    decision = got["decision"] or "no decision (no --issuer-domain given)"
    out.write(f"{got['domain']}: {decision} — {got['reason']}\n")
    where = got["relevant_domain"] or "none found"
    out.write(f"  status {got['status']}; relevant RRset: {where}; checked at "
              f"{format_time(check.now)}\n")
    for record in check.records:
        out.write(f"  record {record.presentation()}\n")
    for lookup in check.lookups:
        ede = f" (EDE {lookup.ede})" if lookup.ede is not None else ""
        out.write(f"  lookup {lookup.qname.to_text()} CAA: {lookup.status.value}, "
                  f"{lookup.as_json()['rcode']}{ede}\n")
        for alias in lookup.aliases:
            out.write(f"    via {alias}\n")


def _network(args: argparse.Namespace) -> tuple[TransportFactory, str]:
    """The CLI's transports (iterative by default, stub with --resolver): one made now, so
    that bad options fail before any check, the others made as batch threads need them."""
    from dnssec_core import cli

    first = cli.transport_from_args(args)
    spare = [first]

    def factory() -> Transport:
        return spare.pop() if spare else cli.transport_from_args(args)

    if args.resolver:
        name = f"stub via recursive resolver {args.resolver} (CD set, AD ignored)"
    else:
        name = f"iterative from root hints {args.root_hints or '(built-in IANA hints)'}"
    return factory, name


def _demo(args: argparse.Namespace, stack: contextlib.ExitStack, fixed_now: int | None
          ) -> tuple[TrustAnchors, TransportFactory, str]:
    """--demo: the bundled world served on loopback (CLI glue, like ``query --demo``)."""
    from dnssec_core import cli, demo
    from dnssec_core.transport import IterativeTransport

    if args.root_hints or args.resolver:
        raise cli.UsageError("--demo chooses its own servers: drop --root-hints/--resolver")
    try:
        world = demo.load_world(demo.find_world())
        first = stack.enter_context(demo.serve(world))
    except demo.DemoError as exc:
        raise cli.UsageError(str(exc)) from None
    anchors = (cli.anchors_from_args(args, fixed_now or wall_clock())
               if args.trust_anchor else world.anchors)
    spare = [first]

    def factory() -> Transport:
        if spare:
            return spare.pop()
        return IterativeTransport(first.root_hints, port=first.port,
                                  udp_timeout=first.udp_timeout, tcp_timeout=first.tcp_timeout)

    return anchors, factory, f"demo world {world.directory} on loopback port {first.port}"


def _resolver_servers(spec: str) -> list[str]:
    from dnssec_core.transport import parse_server

    try:
        return [str(parse_server(spec))]
    except ValueError:
        return []


@contextlib.contextmanager
def _batch_lines(path: str, stdin: TextIO, usage: type[Exception]) -> Iterator[Iterator[str]]:
    if path == "-":
        yield iter(stdin)
        return
    try:
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        raise usage(f"--batch {path}: {exc.strerror or exc}") from None
    with handle:
        yield iter(handle)


def _fixed_now(args: argparse.Namespace, usage: type[Exception]) -> int | None:
    if args.now is None:
        return None
    try:
        return parse_time(args.now)
    except ValueError as exc:
        raise usage(str(exc)) from None


def _backend(name: str, usage: type[Exception]) -> Backend:
    try:
        return get_backend(name)
    except ImportError as exc:
        raise usage(f"crypto backend {name!r} is unavailable: {exc}") from None

