"""Timing helpers: per-call cost as the median of repeated rounds, with its spread.

Measurements that are compared with each other run interleaved: each round is cut into short
slices that alternate between them, so that machine noise — other processes, a virtual CPU's
speed changing every few hundred milliseconds — falls on all of them alike.  Ratios are taken
per round (:func:`ratio`) and their median reported.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Seconds per call over ``len(samples)`` rounds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """(max - min) / median over the rounds: how much to trust the median."""
        return (max(self.samples) - min(self.samples)) / self.median

    def as_json(self) -> dict[str, object]:
        return {"median_s": self.median, "spread": self.spread, "samples_s": list(self.samples)}


def calibrate(call: Callable[[], object], seconds: float) -> int:
    """How many calls take about ``seconds`` (at least 1)."""
    call()  # warm up
    n = 1
    while True:
        started = time.perf_counter()
        for _ in range(n):
            call()
        elapsed = time.perf_counter() - started
        if elapsed >= seconds / 4 or n >= 1 << 22:
            return max(1, round(n * seconds / max(elapsed, 1e-9)))
        n *= 4


SLICES = 8


def interleaved(
    calls: dict[str, Callable[[], object]], *, repeats: int, seconds: float
) -> dict[str, Stats]:
    """Per-call cost of each of ``calls``: ``repeats`` rounds of about ``seconds`` each per
    call, every round made of :data:`SLICES` slices alternating between the calls."""
    counts = {name: max(1, calibrate(call, seconds) // SLICES) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            spent = dict.fromkeys(calls, 0.0)
            for _ in range(SLICES):
                for name, call in calls.items():
                    n = counts[name]
                    started = time.perf_counter()
                    for _ in range(n):
                        call()
                    spent[name] += time.perf_counter() - started
            for name in calls:
                samples[name].append(spent[name] / (counts[name] * SLICES))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: Stats(tuple(values)) for name, values in samples.items()}


def ratio(numerator: Stats, denominator: Stats) -> Stats:
    """Round-by-round ratio of two interleaved measurements."""
    return Stats(
        tuple(a / b for a, b in zip(numerator.samples, denominator.samples, strict=True))
    )


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
