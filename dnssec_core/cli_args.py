"""The ``dnssec-core`` argument parsers for the ``caa`` and ``verify-evidence`` commands.

Light on purpose (issue 7, start-up cost): only :mod:`argparse` and constants, so that
building the parser — and running a command that needs neither — never imports the chain
engine, the CAA front end, the evidence package or :mod:`dns.message`.  The command bodies
live in :mod:`dnssec_core.caa.command` and :mod:`dnssec_core.evidence.command` and are
imported only when their command runs.
"""

from __future__ import annotations

import argparse
from typing import TypeVar

from dnssec_core.crypto import BACKEND_NAMES

#: ``caa --batch``: checks run at a time; the same value as
#: :data:`dnssec_core.caa.check.DEFAULT_JOBS` (a test keeps them equal).
CAA_DEFAULT_JOBS = 8

_Parser = TypeVar("_Parser", bound=argparse.ArgumentParser)


def positive_int(text: str) -> int:
    """An ``argparse`` type: a whole number >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def add_network_options(sub: argparse.ArgumentParser) -> None:
    """``--root-hints FILE | --resolver HOST[:PORT]`` and ``--trust-anchor FILE`` (issue 5)."""
    where = sub.add_mutually_exclusive_group()
    where.add_argument(
        "--root-hints",
        metavar="FILE",
        help="resolve iteratively from these root servers (default: the built-in IANA hints)",
    )
    where.add_argument(
        "--resolver",
        metavar="HOST[:PORT]",
        help="send DO+CD queries to this recursive resolver and validate everything here",
    )
    sub.add_argument(
        "--trust-anchor",
        metavar="FILE",
        help="DS/DNSKEY records or IANA root-anchors.xml (default: the built-in IANA root KSKs)",
    )


def add_caa_parser(commands: argparse._SubParsersAction[_Parser]) -> _Parser:
    """Register ``caa`` (issue 6, :mod:`dnssec_core.caa.command`); returns its parser."""
    caa = commands.add_parser(
        "caa",
        help="may these issuer domains issue for DOMAIN? CAA (RFC 8659) validated end to end",
        description="Find the relevant CAA RRset of DOMAIN (RFC 8659 §3), validating every "
        "query from the trust anchor (TLS BR 3.2.2.8.1), and decide for the CA's issuer "
        "domain names (TLS BR 3.2.2.8, S/MIME BR 4.2.2.1).",
    )
    caa.add_argument("domain", nargs="?", metavar="DOMAIN",
                     help="DNS name, wildcard *.name, or (with --email) a mailbox address")
    caa.add_argument("--batch", metavar="FILE",
                     help="check every domain in FILE (one a line, - for stdin); JSON lines out")
    caa.add_argument("--issuer-domain", action="append", default=[], metavar="D",
                     help="an Issuer Domain Name of the CA (repeatable); none: search only")
    caa.add_argument("--email", action="store_true",
                     help="S/MIME: DOMAIN is a mailbox (or its domain); issuemail governs")
    caa.add_argument("--account-uri", metavar="URI",
                     help="the requesting account's URI (RFC 8657 accounturi)")
    caa.add_argument("--validation-method", metavar="M",
                     help="the domain validation method used (RFC 8657 validationmethods)")
    caa.add_argument("--permit-on-lookup-failure", action="store_true",
                     help="CA policy: a lookup failure outside the CA, retried, in a zone "
                     "proven insecure counts as permission (BR 3.2.2.8)")
    caa.add_argument("--log", metavar="FILE",
                     help="append one JSON decision record per check to FILE (never truncated)")
    caa.add_argument("--perspective", metavar="ID",
                     help="the network perspective running this check (MPIC, TLS BR 3.2.2.9), "
                     "written into every --log record (BR 5.4.1)")
    caa.add_argument("--evidence", metavar="FILE",
                     help="write an evidence bundle of the check to FILE (one DOMAIN only; "
                     "its SHA-256 goes into the --log record)")
    add_network_options(caa)
    caa.add_argument("--demo", action="store_true",
                     help="ask the bundled demo world (served on loopback) with its own anchor")
    caa.add_argument("--jobs", type=positive_int, default=CAA_DEFAULT_JOBS, metavar="N",
                     help=f"checks run at a time with --batch (default {CAA_DEFAULT_JOBS})")
    caa.add_argument("--now", metavar="TIME",
                     help="validation time: Unix seconds or YYYYMMDDHHMMSS UTC (default: now)")
    caa.add_argument("--crypto", choices=BACKEND_NAMES, default="fast",
                     help="signature backend: fast, pure, or cross (both must agree)")
    caa.add_argument("--no-sha1", action="store_true",
                     help="treat RSASHA1 algorithms 5 and 7 as unsupported (VAL-ALG-04)")
    caa.add_argument("--json", action="store_true", help="one JSON object on stdout")
    return caa


def add_evidence_parser(commands: argparse._SubParsersAction[_Parser]) -> _Parser:
    """Register ``verify-evidence`` (issue 9, :mod:`dnssec_core.evidence.command`)."""
    sub = commands.add_parser(
        "verify-evidence",
        help="re-verify an evidence bundle offline (exit 0 reproduced, 1 not, 2 unreadable)",
        description="Re-run every proof of an evidence bundle (written by query/caa "
        "--evidence) offline at the recorded time, from a trust anchor you trust, and check "
        "that it reproduces the recorded verdicts and CAA decision exactly.  Exit 0: "
        "reproduced; 1: a readable bundle that does not reproduce (tampered, re-ordered, "
        "truncated, wrong time or wrong trust anchor), with the reason; 2: unreadable "
        "bundle or usage error.",
    )
    sub.add_argument("file", metavar="FILE", help="the evidence bundle (JSON)")
    sub.add_argument("--trust-anchor", metavar="FILE",
                     help="DS/DNSKEY records or IANA root-anchors.xml to verify from "
                     "(default: the built-in IANA root KSKs, whatever the bundle names)")
    sub.add_argument("--now", metavar="TIME",
                     help="verify at this time instead of the recorded one: Unix seconds or "
                     "YYYYMMDDHHMMSS UTC")
    sub.add_argument("--crypto", choices=BACKEND_NAMES, default="fast",
                     help="signature backend: fast, pure, or cross (both must agree)")
    sub.add_argument("--json", action="store_true", help="one JSON object on stdout")
    return sub
