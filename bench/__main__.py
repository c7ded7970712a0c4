"""``python -m bench [--quick] [--only crypto|zone|lab] [--json PATH]`` (issue 7).

Prints the tables and writes every number to bench/results/<date>.json (git-ignored).
--quick takes under two minutes on a 2-core machine once the zones are generated (they are
cached in $DNSSEC_CORE_BENCH_ZONES, default /tmp/dnssec-core-bench-zones).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and zones (< 2 min)")
    parser.add_argument("--only", choices=("crypto", "zone", "lab"), help="run one part")
    parser.add_argument("--json", metavar="PATH", help="where to write the results")
    args = parser.parse_args(argv)

    from bench import bench_crypto, bench_lab, bench_zone
    from bench.peers import NOTICES

    started = time.monotonic()
    notices: list[str] = list(NOTICES)
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
        },
    }
    print(f"dnssec-core benchmark ({report['mode']}), {report['date']}, "
          f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}, "
          f"load average {os.getloadavg()[0]:.2f}")
    if os.getloadavg()[0] > 0.5:
        notices.append(f"the machine was busy at the start (load average "
                       f"{os.getloadavg()[0]:.2f}): absolute times are inflated, ratios less so")
    if args.only in (None, "crypto"):
        report["per_rrset"] = bench_crypto.run(
            repeats=5 if args.quick else 11, seconds=0.04 if args.quick else 0.2,
            notices=notices,
        )
    if args.only in (None, "zone"):
        report["whole_zone"] = bench_zone.run(
            quick=args.quick, repeats=3, notices=notices
        )
    if args.only in (None, "lab"):
        report["lab_latency"] = bench_lab.run(
            quick=args.quick, repeats=3 if args.quick else 7, notices=notices
        )
    report["machine"]["load_average_at_end"] = os.getloadavg()
    report["notices"] = notices
    report["seconds"] = round(time.monotonic() - started, 1)
    print()
    for notice in notices:
        print(f"notice: {notice}")
    path = Path(args.json) if args.json else RESULTS / f"{datetime.date.today().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results written to {path} ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
