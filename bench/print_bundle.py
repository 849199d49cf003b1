"""Benchmark: the zip of a bulk creation run (Excel, A4 PDF, sticker PDF) for many pupils.

The issue's target: 2,000 pupils with picture passwords in at most 10 s and 300 MiB on the
development machine (2 cores). Each run is a fresh process, as a web worker that prints
its first bundle would be: the time includes loading the fonts and converting the 96
pictures once, and the peak resident memory (ru_maxrss) includes the interpreter and its
libraries. One more run under tracemalloc reports the peak of Python allocations during
the build (tracemalloc slows the run, so its time is not reported).

    python bench/print_bundle.py                      # 2,000 pupils, 3 runs
    python bench/print_bundle.py --pupils 500 --runs 5 --out /tmp/bundle.zip
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_PUPILS = 20_000
MAX_RUNS = 20


def build(pupils: int, seed: int, traced: bool, out: Path | None) -> dict[str, float]:
    """Build one bundle in this process; returns seconds, MiB and bytes."""
    from print_service import bundle_zip
    from tests.print_service.cards import DAY, make_card

    rng = random.Random(seed)
    cards = [make_card(rng, number, pictures=True) for number in range(pupils)]
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    data = bundle_zip(cards, "012345", DAY)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if out is not None:
        out.write_bytes(data)
    return {
        "seconds": seconds,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "traced_peak_mib": traced_peak,
        "zip_bytes": len(data),
    }


def child(args: argparse.Namespace, traced: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", "--pupils", str(args.pupils)]
    if traced:
        command.append("--traced")
    if args.out is not None:
        command += ["--out", str(args.out)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000, help="cards in the bundle")
    parser.add_argument("--runs", type=int, default=3, help="timed runs, each a new process")
    parser.add_argument("--out", type=Path, help="write the (last) zip here")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.pupils <= MAX_PUPILS or not 1 <= args.runs <= MAX_RUNS:
        parser.error(f"--pupils must be 1..{MAX_PUPILS} and --runs 1..{MAX_RUNS}")
    if args.child:
        print(json.dumps(build(args.pupils, 7, args.traced, args.out)))
        return
    runs = [child(args, traced=False) for _ in range(args.runs)]
    for number, run in enumerate(runs, start=1):
        print(
            f"run {number}: {run['seconds']:.2f} s, peak RSS {run['maxrss_mib']:.0f} MiB, "
            f"zip {run['zip_bytes'] / 2**20:.1f} MiB"
        )
    seconds = statistics.median(run["seconds"] for run in runs)
    rss = statistics.median(run["maxrss_mib"] for run in runs)
    print(f"median of {len(runs)}: {seconds:.2f} s, peak RSS {rss:.0f} MiB ({args.pupils} pupils)")
    if not args.no_trace:
        traced = child(args, traced=True)
        print(f"tracemalloc peak during the build: {traced['traced_peak_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
