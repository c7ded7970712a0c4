"""Whole-zone verification: ``dnssec-core verify-zone`` against BIND, ldns, Knot and dnspython.

Issue 7 item 5.  Every tool checks the same BIND-signed file (bench/zonegen.py) end to end,
reading the file included; each run is a fresh process.  Reported per zone and tool: wall time
(median of the repeats, with spread), RRsets per second (RRsets = what verify-zone counts as
authoritative), peak memory, and for dnssec-core the per-RRset cost as the zone grows (linear
scaling means the ratio stays near 1).

Peak memory is the largest sum, over the process and its children, of proportional set size
(PSS, so pages shared by forked workers count once), sampled every 10 ms, or — when larger, as
for runs too short to sample — the peak RSS that GNU time reports for the tool's process.  It
is taken in an extra, untimed first run of each tool: reading /proc/*/smaps_rollup stalls the
process it reads, which would slow exactly the multi-process runs.

Python tools run as an installed package would: with bytecode.  ``PYTHONDONTWRITEBYTECODE``
(set on some CI machines) is dropped from the tools' environment and the bytecode goes to a
cache directory outside the tree (``PYTHONPYCACHEPREFIX``), written by the untimed first run;
otherwise every timed run compiles the whole package from source again (~30 ms a run, which
``pip install`` pays once).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.timing import Stats, fmt_time, table
from bench.zonegen import ORIGIN, SignedZone, signed_zone, tools_missing

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tool:
    name: str
    argv: list[str]  # {zone} and {now} are filled in
    needs: str | None = None  # executable that must exist
    max_rrsets: int | None = None  # skip on larger zones (too slow to be useful)


def tools(quick: bool) -> list[Tool]:
    python = sys.executable
    return [
        Tool("dnssec-core", [python, "-m", "dnssec_core", "verify-zone", "{zone}", "--now",
                             "{now}", "--json"]),
        Tool("dnssec-core --jobs 1", [python, "-m", "dnssec_core", "verify-zone", "{zone}",
                                      "--now", "{now}", "--json", "--jobs", "1"]),
        Tool("BIND dnssec-verify", ["dnssec-verify", "-q", "-o", ORIGIN, "{zone}"],
             needs="dnssec-verify"),
        Tool("ldns-verify-zone", ["ldns-verify-zone", "{zone}"], needs="ldns-verify-zone"),
        Tool("Knot kzonecheck", ["kzonecheck", "-o", ORIGIN, "-d", "on", "{zone}"],
             needs="kzonecheck"),
        Tool("dnspython", [python, "-m", "bench.dnspython_zone", "{zone}", ORIGIN, "{now}"],
             max_rrsets=2_000 if quick else 20_000),
    ]


#: Full-mode zone sizes beyond 1k: issue 7's 10k and 100k, and 20k — the size the issue quotes
#: the peers' speeds at, and near where verify-zone overtakes BIND on algorithm 8 (below it a
#: fixed ~0.15 s of interpreter start and imports dominates).
FULL_SIZES = (10_000, 20_000, 100_000)


def plan(quick: bool) -> list[tuple[int, int, str]]:
    """(nominal size, algorithm, denial) of the zones to check."""
    zones = [(1_000, alg, denial) for alg in (8, 13) for denial in ("nsec", "nsec3")]
    if quick:
        return zones + [(10_000, alg, "nsec3") for alg in (8, 13)]
    return zones + [
        (size, alg, denial)
        for size in FULL_SIZES
        for alg in (8, 13)
        for denial in ("nsec", "nsec3")
    ]


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    found = [pid]
    for member in found:
        try:
            for task in os.listdir(f"/proc/{member}/task"):
                with open(f"/proc/{member}/task/{task}/children") as handle:
                    found += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


GNU_TIME = "/usr/bin/time"
#: Where the Python tools' bytecode is cached between runs (see the module docstring).
PYCACHE = Path(tempfile.gettempdir()) / "dnssec-core-bench-pycache"


def tool_env() -> dict[str, str]:
    """The tools' environment: this one, with bytecode written and read (module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def run_cpu(argv: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, exit status, stdout) of one timed run.

    CPU is user + system time of the process and every descendant it waited for (forked
    workers included), from this process's RUSAGE_CHILDREN before and after: what the run
    cost the machine, whatever else was running on it.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed, _, status, output = _run(argv, sample=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, status, output


def run_once(argv: list[str], *, memory: bool = False) -> tuple[float, int, int, str]:
    """(wall seconds, peak memory KiB or 0, exit status, stdout) of one run."""
    if not memory:
        return _run(argv, sample=False)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if os.access(GNU_TIME, os.X_OK):
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv]
        elapsed, peak, status, output = _run(argv, sample=True)
        with contextlib.suppress(ValueError, IndexError):  # no file: GNU time missing
            peak = max(peak, int(rss.read().split()[-1]))
    return elapsed, peak, status, output


def _run(argv: list[str], *, sample: bool) -> tuple[float, int, int, str]:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=REPO, env=tool_env())
    peak = [0]
    done = threading.Event()

    def sampling() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _tree(process.pid)))

    sampler = threading.Thread(target=sampling if sample else done.wait, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read()
    status = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return elapsed, peak[0], status, output.decode()


def run(*, quick: bool, repeats: int, notices: list[str]) -> dict[str, Any]:
    missing = tools_missing()
    if missing:
        notices.append(f"whole-zone benchmark skipped: {', '.join(missing)} not installed "
                       "(apt-get install bind9-utils)")
        return {}
    available = []
    for tool in tools(quick):
        if tool.needs and shutil.which(tool.needs) is None:
            notices.append(f"{tool.name} skipped: {tool.needs} not installed "
                           "(bench/setup.sh installs it)")
        else:
            available.append(tool)
    results: dict[str, Any] = {}
    rows: list[list[str]] = []
    for nominal, algorithm, denial in plan(quick):
        zone = signed_zone(nominal, algorithm, denial, log=print)
        now = int(time.time())
        entry = _zone(zone, now, available, repeats, rows)
        results[f"{nominal}-alg{algorithm}-{denial}"] = entry
    print()
    print("Whole-zone verification, end to end (median wall time of the runs; ± = spread; "
          "CPU = user+system seconds of the tool's processes, median)")
    print(table(["zone", "RRsets", "tool", "time", "RRsets/s", "peak MiB", "vs BIND", "CPU s",
                 "CPU vs BIND"], rows))
    summary = _summary(results)
    for line in summary["lines"]:
        print(line)
    results["summary"] = summary
    return results


def _zone(zone: SignedZone, now: int, tools_: list[Tool], repeats: int,
          rows: list[list[str]]) -> dict[str, Any]:
    label = f"{zone.nominal // 1000}k alg{zone.algorithm} {zone.denial}"
    entry: dict[str, Any] = {"algorithm": zone.algorithm, "denial": zone.denial,
                             "nominal": zone.nominal, "tools": {}}
    rrsets = 0
    timings: dict[str, tuple[Stats, int]] = {}
    runnable = []
    for tool in tools_:
        if tool.max_rrsets is not None and zone.nominal > tool.max_rrsets:
            continue
        runnable.append(tool)
    samples: dict[str, list[float]] = {t.name: [] for t in runnable}
    cpu: dict[str, list[float]] = {t.name: [] for t in runnable}
    peaks: dict[str, int] = {}
    for round_ in range(repeats + 1):  # interleaved: one run of every tool per round
        for tool in runnable:
            argv = [a.format(zone=zone.path, now=now) for a in tool.argv]
            if round_ == 0:
                elapsed, peak, status, output = run_once(argv, memory=True)
            else:
                elapsed, used, status, output = run_cpu(argv)
                cpu[tool.name].append(used)
            if status != 0:
                raise RuntimeError(f"{tool.name} failed on {zone.path} (exit {status}): "
                                   f"{output.strip()[:300]}")
            if tool.name == "dnssec-core" and not rrsets:
                rrsets = json.loads(output)["rrsets"]
            if round_ == 0:
                peaks[tool.name] = peak  # the memory run (also a warm-up) is not timed
            else:
                samples[tool.name].append(elapsed)
    for name, values in samples.items():
        timings[name] = (Stats(tuple(values)), peaks[name])
    bind = timings.get("BIND dnssec-verify")
    entry["rrsets"] = rrsets
    cpu_median = {name: statistics.median(values) for name, values in cpu.items() if values}
    bind_cpu = cpu_median.get("BIND dnssec-verify")
    for name, (stats, peak) in timings.items():
        rate = rrsets / stats.median
        versus = "" if bind is None else f"{bind[0].median / stats.median:.2f}×"
        used = cpu_median.get(name, 0.0)
        cpu_versus = f"{bind_cpu / used:.2f}×" if bind_cpu and used else ""
        entry["tools"][name] = {"time": stats.as_json(), "rrsets_per_s": rate,
                                "peak_kib": peak, "cpu_s": cpu[name],
                                "cpu_median_s": used,
                                "cpu_vs_bind": bind_cpu / used if bind_cpu and used else None,
                                "speed_vs_bind": bind[0].median / stats.median if bind else None}
        rows.append([label, f"{rrsets:,}", name, f"{fmt_time(stats.median)} ±{stats.spread:.0%}",
                     f"{rate:,.0f}", f"{peak / 1024:.0f}", versus, f"{used:.2f}", cpu_versus])
    return entry


def _summary(results: dict[str, Any]) -> dict[str, Any]:
    """Target (issue 7): verify-zone faster than dnssec-verify on algorithms 8 and 13; linear."""
    lines = []
    verdicts: dict[str, Any] = {}
    for algorithm in (8, 13):
        largest = [e for e in results.values() if e.get("algorithm") == algorithm]
        if not largest:
            continue
        top = max(e["nominal"] for e in largest)
        ratios = [
            e["tools"]["dnssec-core"]["speed_vs_bind"]
            for e in largest
            if e["nominal"] == top and e["tools"].get("dnssec-core", {}).get("speed_vs_bind")
        ]
        if ratios:
            worst = min(ratios)
            met = worst > 1.0
            verdicts[f"alg{algorithm}"] = {"size": top, "speed_vs_bind": worst, "met": met}
            lines.append(
                f"target: verify-zone faster than BIND dnssec-verify, algorithm {algorithm}, "
                f"{top:,}-RRset zones: {worst:.2f}× (slowest of NSEC/NSEC3) — "
                f"{'met' if met else 'NOT met'}"
            )
    for algorithm in (8, 13):
        for denial in ("nsec", "nsec3"):
            line = _crossover(results, algorithm, denial)
            if line:
                lines.append(line)
    for algorithm in (8, 13):
        for denial in ("nsec", "nsec3"):
            sizes = sorted(
                (e["nominal"], e["tools"]["dnssec-core"]["time"]["median_s"] / e["rrsets"])
                for e in results.values()
                if e.get("algorithm") == algorithm and e.get("denial") == denial
                and "dnssec-core" in e.get("tools", {})
            )
            if len(sizes) >= 2 and sizes[-1][0] >= 10_000:
                ten = [s for s in sizes if s[0] >= 10_000]
                if len(ten) >= 2:
                    growth = ten[-1][1] / ten[0][1]
                    verdicts[f"scaling-alg{algorithm}-{denial}"] = growth
                    lines.append(
                        f"scaling alg {algorithm} {denial}: per-RRset time ×{growth:.2f} from "
                        f"{ten[0][0]:,} to {ten[-1][0]:,} RRsets "
                        f"({'linear' if growth < 1.25 else 'NOT linear'})"
                    )
    return {"lines": lines, "verdicts": verdicts}


def _crossover(results: dict[str, Any], algorithm: int, denial: str) -> str | None:
    """The smallest measured size from which verify-zone is faster than BIND at every larger
    size measured, with the ratio just below it: where start-up stops dominating."""
    ratios = sorted(
        (e["nominal"], e["tools"]["dnssec-core"]["speed_vs_bind"])
        for e in results.values()
        if e.get("algorithm") == algorithm and e.get("denial") == denial
        and (e.get("tools", {}).get("dnssec-core") or {}).get("speed_vs_bind")
    )
    if not ratios:
        return None
    faster_from = None
    for index in range(len(ratios) - 1, -1, -1):
        if ratios[index][1] <= 1.0:
            break
        faster_from = index
    head = f"crossover alg {algorithm} {denial}: "
    if faster_from is None:
        return head + "not faster than BIND at any size measured"
    size, ratio = ratios[faster_from]
    below = (f" (at {ratios[faster_from - 1][0]:,}: {ratios[faster_from - 1][1]:.2f}×)"
             if faster_from else "")
    return head + f"faster than BIND from {size:,} RRsets ({ratio:.2f}×){below}"
