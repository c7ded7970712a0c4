"""``query`` and ``caa`` latency on the loopback lab, cold and warm, against Unbound (issue 7 item 6).

The demo world (``vectors/demo``: its own root, 17 zones on 127.0.0.2-18, algorithms 8, 10,
13, 14, 15, 16, NSEC and NSEC3) is served by :mod:`bench.lab_server` in a process of its own,
on one free high port.  Both resolvers ask those same servers, from the world's own trust
anchor:

* dnssec-core, in this process, as ``dnssec-core query`` / ``caa`` run them (the engine, the
  iterative transport from the world's root, the ``fast`` backend) — without the interpreter's
  start-up, which is not resolution.  *Cold*: a new validator and transport (no cached keys,
  answers, delegations or server addresses) per question.  *Warm*: one validator and
  transport, the question asked once beforehand: answered from the validator's answer cache
  (:mod:`dnssec_core.chain.cache`) in-process, without a query.
* Unbound (``/usr/sbin/unbound``, one thread, a validator with the same anchor), asked over UDP
  by dnspython with DO set.  *Cold*: its caches flushed by ``unbound-control`` (``flush_zone .``
  — records, messages, keys — and ``flush_infra all``, ``flush_bogus``, ``flush_negative``)
  before each question, outside the timing.  *Warm*: asked again, answered from its cache.
  Unbound cannot follow referrals to a port other than 53, so it gets one ``stub-zone`` per
  zone of the world (as ``vectors/demo/check_with_unbound.sh --port``): it goes straight to
  each zone's server where dnssec-core walks down from the root.  Chain validation is the same.

For ``caa`` Unbound is asked for CAA at exactly the names dnssec-core's RFC 8659 §3 search
looked up (its ``lookups``), one after the other, as a CA's climb over a resolver would.

The lab servers count the queries they receive (:mod:`bench.lab_server`), so the table also
shows the messages each resolver sent for one cold question ("msgs", dnssec-core/Unbound;
counted outside the timing).  Unbound's include its root priming query and its RFC 8145 key
tag query; dnssec-core's include every referral step from the root (Unbound's stub zones skip
them) and no DS question whose answer a referral already carried.
Every answer's status is compared with the world's expectation (``world.json``); a resolver
that disagrees is reported, never hidden.  Medians of the repeats; ratios are Unbound over
dnssec-core per question (above 1: dnssec-core is faster).
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

from bench.timing import fmt_time, table
from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import get_backend
from dnssec_core.demo import World, find_world, load_world
from dnssec_core.driver import resolve
from dnssec_core.transport import IterativeTransport, RootHints

REPO = Path(__file__).resolve().parent.parent
UNBOUND = "/usr/sbin/unbound"
UNBOUND_CONTROL = "/usr/sbin/unbound-control"

#: (qname, qtype): one per algorithm and denial kind, plus an insecure and a bogus answer.
QUERIES = [
    ("www.secure.test.", "A"),  # 13, NSEC
    ("nosuch.hashed.test.", "A"),  # NSEC3 NXDOMAIN
    ("www.rsasha512.test.", "A"),  # 10
    ("www.ed.test.", "A"),  # 15
    ("www.p384.test.", "A"),  # 14
    ("www.insecure.test.", "A"),  # insecure delegation
    ("www.bogus.test.", "A"),  # bogus
]
QUICK_QUERIES = QUERIES[:2] + QUERIES[-1:]
#: (domain, issuer): a climb to the parent, a direct hit, an insecure zone.
CAA = [
    ("www.secure.test", "ca.example"),
    ("secure.test", "ca.example"),
    ("www.insecure.test", "ca.example"),
]
QUICK_CAA = CAA[:1]
WARM_CALLS = 20


@dataclass
class Lab:
    world: World
    port: int
    hints: RootHints
    process: subprocess.Popen[str] | None = None

    def transport(self) -> IterativeTransport:
        return IterativeTransport(self.hints, port=self.port, udp_timeout=1.0, tcp_timeout=2.0)

    def messages(self) -> int:
        """Queries the lab servers received since the previous call (-1: cannot tell)."""
        if self.process is None or self.process.stdin is None or self.process.stdout is None:
            return -1
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        return int(line) if line.strip().isdigit() else -1


@contextlib.contextmanager
def lab_servers() -> Iterator[Lab]:
    """The world's authoritative servers in a child process (bench.lab_server)."""
    world = load_world(find_world())
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.lab_server"], cwd=REPO, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"lab server did not start (said {line!r})")
        root = next(z["servers"] for z in world.manifest["zones"] if z["zone"] == ".")
        hints = RootHints(((dns.name.from_text("root-servers.demo."), tuple(root)),), "lab")
        yield Lab(world, int(line), hints, process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Unbound:
    """One Unbound validating resolver over the lab, with remote control for cache flushes."""

    def __init__(self, lab: Lab, directory: Path) -> None:
        self.port = _free_port()
        control = _free_port()
        self.config = directory / "unbound.conf"
        anchor = lab.world.directory.resolve() / lab.world.manifest["anchor"]
        stubs = "".join(
            f'stub-zone:\n    name: "{zone["zone"]}"\n'
            + "".join(f"    stub-addr: {address}@{lab.port}\n" for address in zone["servers"])
            for zone in lab.world.manifest["zones"]
        )
        self.config.write_text(
            f"""server:
    verbosity: 0
    interface: 127.0.0.1@{self.port}
    port: {self.port}
    do-ip6: no
    do-daemonize: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "{directory}"
    pidfile: "{directory}/unbound.pid"
    logfile: "{directory}/unbound.log"
    use-syslog: no
    access-control: 127.0.0.0/8 allow
    trust-anchor-file: "{anchor}"
    do-not-query-localhost: no
    local-zone: "test." nodefault
    module-config: "validator iterator"
    qname-minimisation: no
    aggressive-nsec: no
    prefetch: no
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {control}
    control-use-cert: no
{stubs}"""
        )
        self.process = subprocess.Popen(
            [UNBOUND, "-d", "-c", str(self.config)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.ask(".", "SOA", timeout=0.5)
                break
            except Exception as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(
                        f"unbound did not start (see {directory}/unbound.log)"
                    ) from exc
                time.sleep(0.1)

    def ask(self, qname: str, qtype: str, timeout: float = 5.0) -> str:
        """Status as a validator reports it: SERVFAIL bogus, AD secure, else insecure."""
        query = dns.message.make_query(qname, qtype, want_dnssec=True)
        try:
            response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=timeout)
        except dns.exception.Timeout:
            return "timeout"
        if response.rcode() == dns.rcode.SERVFAIL:
            return "bogus"
        return "secure" if response.flags & dns.flags.AD else "insecure"

    def flush(self) -> None:
        for command in (["flush_zone", "."], ["flush_infra", "all"], ["flush_bogus"],
                        ["flush_negative"]):
            subprocess.run([UNBOUND_CONTROL, "-c", str(self.config), *command], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _count(seen: set[int]) -> str:
    """Messages per cold question: one number, a range if the repeats differed, or "—"."""
    known = sorted(n for n in seen if n >= 0)
    if not known:
        return "—"
    return str(known[0]) if known[0] == known[-1] else f"{known[0]}-{known[-1]}"


def _timed(call: Callable[..., str], *args: Any) -> tuple[float, str]:
    started = time.perf_counter()
    status = call(*args)
    return time.perf_counter() - started, status


def run(*, quick: bool, repeats: int, notices: list[str]) -> dict[str, Any]:
    """Measure every question cold and warm with both resolvers; print the table."""
    now = int(time.time())
    backend = get_backend("fast")
    queries = QUICK_QUERIES if quick else QUERIES
    caa = QUICK_CAA if quick else CAA
    have_unbound = os.access(UNBOUND, os.X_OK) and os.access(UNBOUND_CONTROL, os.X_OK)
    if not have_unbound:
        notices.append(f"lab latency: Unbound not found ({UNBOUND}); dnssec-core measured alone")
    results: dict[str, Any] = {}
    rows: list[list[str]] = []
    with contextlib.ExitStack() as stack:
        lab = stack.enter_context(lab_servers())
        unbound: Unbound | None = None
        if have_unbound:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            try:
                unbound = Unbound(lab, directory)
                stack.callback(unbound.close)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                notices.append(f"lab latency: Unbound skipped: {exc}")
        expected = {(c["qname"], c["qtype"]): c["expect_status"] for c in lab.world.cases}

        def core_query(validator: Validator, transport: IterativeTransport, qname: str,
                       qtype: str) -> str:
            result = resolve(validator, transport, dns.name.from_text(qname),
                             dns.rdatatype.from_text(qtype), now=now)
            return result.status.value

        def core_caa(validator: Validator, transport: IterativeTransport, domain: str,
                     issuer: str) -> tuple[str, list[str]]:
            check = check_caa(CaaRequest(parse_domain(domain), (issuer,)), validator,
                              transport, now=now)
            found = check.as_json()
            return str(found["decision"]), [lookup["qname"] for lookup in found["lookups"]]

        def fresh() -> tuple[Validator, IterativeTransport]:
            return Validator(lab.world.anchors, backend=backend), lab.transport()

        jobs: list[tuple[str, str, Callable[..., str], Callable[..., str] | None, str]] = []
        for qname, qtype in queries:
            def core(v: Validator, t: IterativeTransport, q: str = qname, y: str = qtype) -> str:
                return core_query(v, t, q, y)

            def peer(q: str = qname, y: str = qtype) -> str:
                assert unbound is not None
                return unbound.ask(q, y)

            jobs.append((f"query {qname} {qtype}", "query", core, peer if unbound else None,
                         expected.get((qname, qtype), "?")))
        for domain, issuer in caa:
            names = core_caa(*fresh(), domain, issuer)[1]

            def core_c(v: Validator, t: IterativeTransport, d: str = domain,
                       i: str = issuer) -> str:
                return core_caa(v, t, d, i)[0]

            def peer_c(names: list[str] = names) -> str:
                assert unbound is not None
                return ",".join(unbound.ask(name, "CAA") for name in names)

            jobs.append((f"caa {domain} ({len(names)} names)", "caa", core_c,
                         peer_c if unbound else None, ""))

        for label, kind, core_call, peer_call, expect in jobs:
            samples: dict[str, list[float]] = {"core_cold": [], "core_warm": [],
                                               "unbound_cold": [], "unbound_warm": []}
            messages: dict[str, set[int]] = {"core_cold": set(), "unbound_cold": set()}
            statuses: dict[str, set[str]] = {"core": set(), "unbound": set()}
            for _ in range(repeats):
                validator, transport = fresh()
                lab.messages()
                elapsed, status = _timed(core_call, validator, transport)
                messages["core_cold"].add(lab.messages())
                samples["core_cold"].append(elapsed)
                statuses["core"].add(status)
                warm = []
                for _ in range(WARM_CALLS if repeats > 1 else 5):
                    elapsed, status = _timed(core_call, validator, transport)
                    warm.append(elapsed)
                    statuses["core"].add(status)
                samples["core_warm"].append(statistics.median(warm))
                if unbound is not None and peer_call is not None:
                    unbound.flush()
                    lab.messages()
                    elapsed, status = _timed(peer_call)
                    messages["unbound_cold"].add(lab.messages())
                    samples["unbound_cold"].append(elapsed)
                    statuses["unbound"].add(status)
                    warm = []
                    for _ in range(WARM_CALLS if repeats > 1 else 5):
                        elapsed, status = _timed(peer_call)
                        warm.append(elapsed)
                    samples["unbound_warm"].append(statistics.median(warm))
            medians = {k: statistics.median(v) for k, v in samples.items() if v}
            entry: dict[str, Any] = {
                "kind": kind,
                "median_s": medians,
                "samples_s": samples,
                "messages_cold": {k: sorted(v) for k, v in messages.items()},
                "core_status": sorted(statuses["core"]),
                "unbound_status": sorted(statuses["unbound"]),
                "expected": expect,
            }
            agree = ""
            if kind == "query":
                ok_core = statuses["core"] == {expect}
                ok_peer = not statuses["unbound"] or statuses["unbound"] == {expect}
                agree = "yes" if ok_core and ok_peer else "NO"
                entry["agrees_with_world"] = ok_core and ok_peer
            else:
                agree = "/".join(sorted(statuses["core"]))
            ub_cold = medians.get("unbound_cold")
            ub_warm = medians.get("unbound_warm")
            if ub_cold:
                entry["unbound_over_core_cold"] = ub_cold / medians["core_cold"]
                entry["unbound_over_core_warm"] = ub_warm / medians["core_warm"] if ub_warm else None
            rows.append([
                label,
                "/".join(sorted(statuses["core"])),
                fmt_time(medians["core_cold"]),
                fmt_time(ub_cold) if ub_cold else "skipped",
                f"{ub_cold / medians['core_cold']:.2f}×" if ub_cold else "—",
                fmt_time(medians["core_warm"]),
                fmt_time(ub_warm) if ub_warm else "skipped",
                f"{ub_warm / medians['core_warm']:.2f}×" if ub_warm else "—",
                f"{_count(messages['core_cold'])}/{_count(messages['unbound_cold'])}",
                agree,
            ])
            results[label] = entry
    print()
    print("Lab latency: dnssec-core (in-process) vs Unbound over the same loopback servers "
          f"(median of {repeats}; warm = median of {WARM_CALLS} repeats of the question)")
    print(table(["question", "status", "core cold", "Unbound cold", "Ub/core", "core warm",
                 "Unbound warm", "Ub/core", "msgs", "agrees"], rows))
    return results


if __name__ == "__main__":
    found: list[str] = []
    run(quick="--quick" in sys.argv, repeats=3, notices=found)
    for notice in found:
        print(f"notice: {notice}")
