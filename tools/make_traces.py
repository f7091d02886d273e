"""Generate the load traces in traces/ (fixed seed: the same files every run).

    python -m tools.make_traces [--out DIR]

Four shapes, one row per minute, sized for the default node model (25 requests/s per
node, see tools/simulate.py): from a couple of nodes' worth to prod's twelve.

- diurnal-day.csv: a weekday, quiet night, morning rise from 06:00 UTC, lunch and
  evening peaks (1440 minutes);
- flash-spike.csv: steady load that jumps to five times itself within two minutes, holds,
  and decays (180 minutes);
- slow-ramp.csv: load growing steadily from 30 to 240 requests/s (360 minutes);
- sawtooth.csv: load climbing from 50 to 200 requests/s in half an hour, then dropping
  back at once, eight times (240 minutes).

Each also has a TotalRunQueueLength column (the BEAM run queue, as prod's and staging's
step policy read it). It is synthetic, a stand-in for a recorded one: work queues when
demand grows faster than the cluster adapts, so it follows demand's growth over the
last three minutes.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

from components.settings import BEAM_METRICS
from tools.simulator.trace import DEMAND_COLUMN, MINUTE_COLUMN
from tools.stack_files import PROJECT_DIR

SEED = 20260105
TRACES_DIR = PROJECT_DIR / "traces"
MINUTES_PER_DAY = 1440
NOISE = 0.03  # relative, per minute
RUN_QUEUE_COLUMN = BEAM_METRICS["runQueue"]
RUN_QUEUE_WINDOW = 3  # minutes of demand growth the run queue reflects
RUN_QUEUE_PER_SURGE = 200  # queued processes per 100% growth over the window
RUN_QUEUE_IDLE = 2  # processes waiting on a node that keeps up


def diurnal(rng: random.Random, days: int = 1) -> list[float]:
    """Weekday load: 40 rps at night, peaks near 13:00 (230 rps) and 19:00 UTC (170 rps)."""

    def day_shape(hour: float) -> float:
        lunch = 190 * math.exp(-(((hour - 13) / 2.6) ** 2))
        evening = 120 * math.exp(-(((hour - 19) / 1.8) ** 2))
        return 40 + lunch + evening

    demand = []
    for day in range(days):
        level = 1 + rng.uniform(-0.1, 0.1) if day else 1.0  # days differ a little
        demand += [_noisy(rng, level * day_shape(minute / 60)) for minute in range(MINUTES_PER_DAY)]
    return demand


def flash_spike(rng: random.Random) -> list[float]:
    """60 rps; at minute 60, five times that within two minutes; 25 minutes later, back over ten."""
    base, peak = 60.0, 300.0

    def level(minute: int) -> float:
        if minute < 60:
            return base
        if minute < 62:
            return base + (peak - base) * (minute - 59) / 2
        if minute < 85:
            return peak
        return base + (peak - base) * max(0.0, 1 - (minute - 84) / 10)

    return [_noisy(rng, level(minute)) for minute in range(180)]


def slow_ramp(rng: random.Random) -> list[float]:
    return [_noisy(rng, 30 + 210 * minute / 359) for minute in range(360)]


def sawtooth(rng: random.Random) -> list[float]:
    return [_noisy(rng, 50 + 150 * (minute % 30) / 29) for minute in range(240)]


def _noisy(rng: random.Random, value: float) -> float:
    return round(max(0.0, value * (1 + rng.gauss(0, NOISE))), 1)


def run_queue(demand: list[float], rng: random.Random) -> list[int]:
    """The synthetic run queue: idle noise plus queued work when demand surges."""
    queue = []
    for minute, rate in enumerate(demand):
        before = demand[max(0, minute - RUN_QUEUE_WINDOW)]
        growth = max(0.0, rate - before) / before if before else 0.0
        queue.append(round(RUN_QUEUE_IDLE * rng.random() + RUN_QUEUE_PER_SURGE * growth))
    return queue


SHAPES: dict[str, Callable[[random.Random], list[float]]] = {
    "diurnal-day": diurnal,
    "flash-spike": flash_spike,
    "slow-ramp": slow_ramp,
    "sawtooth": sawtooth,
}


def write_trace(path: Path, demand: list[float], rng: random.Random) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([MINUTE_COLUMN, DEMAND_COLUMN, RUN_QUEUE_COLUMN])
        for minute, (rate, queued) in enumerate(zip(demand, run_queue(demand, rng), strict=True)):
            writer.writerow([minute, rate, queued])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.make_traces", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=TRACES_DIR, help=f"directory (default {TRACES_DIR.name}/)")
    out = parser.parse_args(argv).out
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, shape in SHAPES.items():
            rng = random.Random(f"{SEED}-{name}")  # one stream per trace: changing one leaves the others alone
            write_trace(out / f"{name}.csv", shape(rng), rng)
            print(out / f"{name}.csv")
    except OSError as unwritable:
        reason = unwritable.strerror or unwritable
        print(f"error: --out {out}: cannot write the traces there: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
