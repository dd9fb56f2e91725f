"""Start-up time of the ``palmap`` command: the median wall time of commands that only print.

Usage: .venv/bin/python benchmarks/startup.py [--runs N]

``palmap --help`` and ``palmap --version`` should start in under 0.5 s: the command modules, the
database stack and the data stack are imported only by the command that runs
(``app/cli.py``). Each case runs in a new process, as a user would start it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PALMAP = Path(sys.executable).with_name("palmap")
CASES: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("--version",),
    ("categories", "--help"),
)
#: Target of a command that only prints help or a version (seconds).
TARGET_S = 0.5


def median_seconds(args: tuple[str, ...], runs: int) -> float:
    """Median wall time of ``palmap ARGS`` over ``runs`` new processes (one warm-up run first)."""
    command = [str(PALMAP), *args]
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Runs per case (default 5).")
    args = parser.parse_args()
    if not PALMAP.exists():
        raise SystemExit(f"{PALMAP} not found; run `make .venv/.installed-dev` first")
    for case in CASES:
        seconds = median_seconds(case, args.runs)
        verdict = "ok" if seconds < TARGET_S else f"over the {TARGET_S} s target"
        print(f"palmap {' '.join(case):<20} median of {args.runs}: {seconds:.3f} s ({verdict})")


if __name__ == "__main__":
    main()
