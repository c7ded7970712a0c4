"""Per-RRset signature checking: the raw primitive, dnssec-core, dnspython, the pure backend.

Issue 7 items 1-4, measured side by side (interleaved) per algorithm:

1. ``raw``: the primitive alone (see :func:`bench.fixtures.raw_verifier`) — the floor.
2. ``warm`` / ``cold``: :func:`dnssec_core.dnssec.rrsig.verify_rrset` with the ``fast``
   backend — every RFC 4035 §5.3 check, canonical form, signature input, verification — with the
   parsed and native key caches warm, and emptied before every RRset.
3. ``dnspython``: ``dnssec.validate`` on the same RRsets.
4. ``pure``: the pure-Python backend, against python-ecdsa, pure25519 and the ``rsa`` package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from bench.fixtures import NOW, ZONE, Case, all_cases, raw_verifier
from bench.peers import dnssec
from bench.timing import Stats, fmt_time, interleaved, ratio, table
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.crypto.fast import FastBackend
from dnssec_core.dnssec import keys as key_cache
from dnssec_core.dnssec.rrsig import verify_rrset
from dnssec_core.verdict import Status

#: Targets of issue 7, item 2 (warm / raw) and item 3 (dnspython / warm).
WARM_TARGET = {8: 1.2, 10: 1.2, 13: 1.1, 14: 1.1, 15: 1.1, 16: 1.1}
DNSPYTHON_TARGET = {8: 4.0, 13: 2.0}


def core_verifier(case: Case, backend: Backend) -> Callable[[], None]:
    jobs = list(zip(case.core_rrsets, case.core_rrsigs, strict=True))
    keys = case.core_keys

    def verify() -> None:
        for rrset, rrsigs in jobs:
            verdict = verify_rrset(rrset, rrsigs, keys, now=NOW, backend=backend)
            assert verdict.status is Status.SECURE, verdict

    return verify


def cold_verifier(case: Case) -> Callable[[], None]:
    """Every RRset with empty caches: DNSKEY parsing and native key building included."""
    jobs = list(zip(case.core_rrsets, case.core_rrsigs, strict=True))
    keys = case.core_keys

    def verify() -> None:
        for rrset, rrsigs in jobs:
            key_cache._cache.clear()
            verdict = verify_rrset(rrset, rrsigs, keys, now=NOW, backend=FastBackend())
            assert verdict.status is Status.SECURE, verdict

    return verify


def dnspython_verifier(case: Case) -> Callable[[], None]:
    jobs = list(zip(case.rrsets, case.sigsets, strict=True))
    keyring = {ZONE: case.keyset}

    def verify() -> None:
        for rrset, sigset in jobs:
            dnssec.validate(rrset, sigset, keyring, now=NOW)

    return verify


def peer_verifier(case: Case) -> tuple[str, Callable[[], None]] | str:
    """The pure-Python library a user would otherwise reach for, or why there is none."""
    jobs = list(zip(case.signatures, case.data, strict=True))
    key = case.dnskey.key
    try:
        if case.algorithm in (8, 10):
            import rsa

            numbers = case.private.public_key().public_numbers()
            public = rsa.PublicKey(numbers.n, numbers.e)

            def verify_rsa() -> None:
                for signature, data in jobs:
                    rsa.verify(data, signature, public)

            return "rsa", verify_rsa
        if case.algorithm in (13, 14):
            import ecdsa

            curve, digest = (
                (ecdsa.NIST256p, hashlib.sha256)
                if case.algorithm == 13
                else (ecdsa.NIST384p, hashlib.sha384)
            )
            public_ec = ecdsa.VerifyingKey.from_string(key, curve=curve, hashfunc=digest)

            def verify_ecdsa() -> None:
                for signature, data in jobs:
                    assert public_ec.verify(signature, data)

            return "python-ecdsa", verify_ecdsa
        if case.algorithm == 15:
            from pure25519 import ed25519_oop

            public_ed = ed25519_oop.VerifyingKey(key)

            def verify_ed25519() -> None:
                for signature, data in jobs:
                    public_ed.verify(signature, data)

            return "pure25519", verify_ed25519
    except ImportError as exc:
        return f"peer package missing ({exc.name}); pip install '.[bench]'"
    return "no pure-Python peer for Ed448"


def pure_backend() -> Backend | str:
    try:
        return get_backend("pure")
    except ImportError as exc:
        return f"the pure backend is not available yet ({exc})"


def run(*, repeats: int, seconds: float, notices: list[str]) -> dict[str, Any]:
    """Measure every algorithm; print the two tables; return the JSON section."""
    fast = get_backend("fast")
    pure = pure_backend()
    if isinstance(pure, str):
        notices.append(f"pure backend skipped: {pure}")
    results: dict[str, Any] = {}
    rows: list[list[str]] = []
    pure_rows: list[list[str]] = []
    for case in all_cases():
        per_rrset = len(case.core_rrsets)
        calls: dict[str, Callable[[], object]] = {
            "raw": raw_verifier(case),
            "warm": core_verifier(case, fast),
            "cold": cold_verifier(case),
            "dnspython": dnspython_verifier(case),
        }
        peer = peer_verifier(case)
        if not isinstance(pure, str):
            calls["pure"] = core_verifier(case, pure)
        if not isinstance(peer, str):
            calls["peer"] = peer[1]
        else:
            notices.append(f"{case.label}: pure-Python peer skipped: {peer}")
        slow = {"pure", "peer"}
        stats = interleaved(
            {k: v for k, v in calls.items() if k not in slow}, repeats=repeats, seconds=seconds
        )
        if slow & calls.keys():
            stats |= interleaved(
                {k: v for k, v in calls.items() if k in slow},
                repeats=max(3, repeats // 2),
                seconds=seconds,
            )
        each = {name: s.median / per_rrset for name, s in stats.items()}
        warm_ratio = ratio(stats["warm"], stats["raw"]).median
        cold_ratio = ratio(stats["cold"], stats["raw"]).median
        speedup = ratio(stats["dnspython"], stats["warm"]).median
        warm_target = WARM_TARGET[case.algorithm]
        dnspython_target = DNSPYTHON_TARGET.get(case.algorithm, 1.0)
        entry: dict[str, Any] = {
            "per_rrset_s": each,
            "stats_per_call": {name: s.as_json() for name, s in stats.items()},
            "rrsets_per_call": per_rrset,
            "warm_over_raw": warm_ratio,
            "warm_target": warm_target,
            "warm_met": warm_ratio <= warm_target,
            "cold_over_raw": cold_ratio,
            "dnspython_over_warm": speedup,
            "dnspython_target": dnspython_target,
            "dnspython_met": speedup >= dnspython_target
            if case.algorithm in DNSPYTHON_TARGET
            else speedup > 1.0,
        }
        rows.append(
            [
                case.label,
                _cell(stats["raw"], per_rrset),
                _cell(stats["warm"], per_rrset),
                f"{warm_ratio:.2f}×",
                f"≤{warm_target}× {'met' if entry['warm_met'] else 'MISSED'}",
                _cell(stats["cold"], per_rrset),
                f"{cold_ratio:.2f}×",
                _cell(stats["dnspython"], per_rrset),
                f"{speedup:.2f}×",
                (f"≥{dnspython_target:g}× " if case.algorithm in DNSPYTHON_TARGET else ">1× ")
                + ("met" if entry["dnspython_met"] else "MISSED"),
            ]
        )
        peer_name = peer[0] if not isinstance(peer, str) else "—"
        pure_cell = _cell(stats["pure"], per_rrset) if "pure" in stats else "skipped"
        peer_cell = _cell(stats["peer"], per_rrset) if "peer" in stats else "—"
        pure_fast = f"{each['pure'] / each['warm']:.0f}×" if "pure" in each else "—"
        pure_peer = (
            f"{each['pure'] / each['peer']:.2f}×" if "pure" in each and "peer" in each else "—"
        )
        if "pure" in each:
            entry["pure_over_fast"] = each["pure"] / each["warm"]
        if "pure" in each and "peer" in each:
            entry["pure_over_peer"] = each["pure"] / each["peer"]
        entry["peer"] = peer_name
        pure_rows.append(
            [case.label, _cell(stats["warm"], per_rrset), pure_cell, pure_fast, peer_name,
             peer_cell, pure_peer]
        )
        results[case.label] = entry
    print()
    print("Per-RRset validation (median per RRset; ± = spread of the rounds)")
    print(
        table(
            ["algorithm", "raw", "warm", "warm/raw", "target", "cold", "cold/raw", "dnspython",
             "dnspython/warm", "target"],
            rows,
        )
    )
    print()
    print("Pure backend vs fast and vs pure-Python peers (warm caches)")
    print(
        table(
            ["algorithm", "fast", "pure", "pure/fast", "peer", "peer time", "pure/peer"],
            pure_rows,
        )
    )
    return results


def _cell(stats: Stats, per_call: int) -> str:
    return f"{fmt_time(stats.median / per_call)} ±{stats.spread * 100:.0f}%"
