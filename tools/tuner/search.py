"""The search: coordinate descent over the knobs' grids, then joint moves around the best, in parallel.

1. Coordinate descent from the stack's own values: for each knob in turn, every value of its
   grid with the others held; the best candidate so far moves on. Sweeps repeat until one
   changes nothing. Knobs interact little along one axis (a higher target saves nodes,
   a lower step threshold buys back the minutes), so this finds most of the saving fast.
2. Joint moves: every pair of knobs one grid step each way at once, from the best. These
   find what one knob at a time cannot (raise a target *and* lower a threshold).
3. Refinement: the targets' and thresholds' grids halved around the best (1125 and 1200
   requests gain 1160), then 1 and 2 again on the finer grid; twice.
4. While the budget lasts, random moves of two to four knobs around the best.

Candidates are ranked by (how far they miss the objective, instance-hours, knobs changed):
any candidate that meets the objective beats every one that misses it, the cheapest wins,
and of two equally cheap the one closer to the stack file. Each batch of candidates is
judged over `processes` worker processes, forked after the traces are prepared so they
share them; a candidate is judged once (cached by its values).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .evaluate import Evaluator, Outcome
from .objective import Limits, instance_hours, miss
from .space import SearchSpace

Values = tuple[float | int, ...]
Key = tuple[float, float, int]
REFUSED: Key = (math.inf, math.inf, 0)
DEFAULT_BUDGET = 600
"""Candidates judged by default: prod's 7 knobs take about 200 to converge by coordinate
descent and joint moves; the rest go to random joint moves around the best."""
RANDOM_BATCH = 32
REFINEMENTS = 2
"""Times the targets' and thresholds' grids are halved around the best before the random moves."""
STALE_BATCHES = 10
SEED = 16  # random joint moves are the same on every run: the same files give the same answer


@dataclass(frozen=True)
class Judged:
    """A candidate, its outcome, and its rank (lower is better)."""

    values: Values
    outcome: Outcome
    key: Key


@dataclass(frozen=True)
class SearchResult:
    best: Judged
    start: Judged
    evaluated: int
    """candidates replayed over every trace"""
    refused: int
    """candidates the settings refused (never replayed)"""
    seconds: float
    processes: int


_JOB: tuple[SearchSpace, Evaluator] | None = None
"""What the worker processes judge with: set before they fork, so they share the prepared traces."""


def _judge(values: Values) -> Outcome:
    space, evaluator = _JOB
    return evaluator.evaluate(space.sections_for(values))


def search(
    space: SearchSpace,
    evaluator: Evaluator,
    limits: Sequence[Limits],
    budget: int = DEFAULT_BUDGET,
    processes: int = 2,
) -> SearchResult:
    """The best candidate found within `budget` judged candidates."""
    global _JOB
    _JOB = (space, evaluator)
    began = time.perf_counter()
    pool = multiprocessing.get_context("fork").Pool(processes) if processes > 1 else None
    try:
        run = _Search(space, limits, budget, pool)
        start = run.judge([space.start])[0]
        best = run.pair_moves(run.descend(start))
        for _ in range(REFINEMENTS):
            run.space = run.space.refined(best.values)
            best = run.pair_moves(run.descend(best))
        best = run.random_moves(best)
    finally:
        if pool:
            pool.close()
            pool.join()
        _JOB = None
    return SearchResult(best, start, run.evaluated, run.refused, time.perf_counter() - began, processes)


class _Search:
    def __init__(self, space: SearchSpace, limits: Sequence[Limits], budget: int, pool):
        self.space, self.limits, self.budget = space, limits, budget
        self._map: Callable = pool.map if pool else lambda f, items, chunksize: list(map(f, items))
        self._seen: dict[Values, Judged] = {}
        self.evaluated = self.refused = 0

    @property
    def spent(self) -> bool:
        return len(self._seen) >= self.budget

    def rank(self, values: Values, outcome: Outcome) -> Key:
        if outcome.refused:
            return REFUSED
        changed = len(self.space.changes(values))
        return (miss(outcome.figures, self.limits), round(instance_hours(outcome.figures), 6), changed)

    def judge(self, candidates: Sequence[Values]) -> list[Judged]:
        """Judge the candidates not seen yet (as many as the budget allows); all of them, seen or new."""
        fresh = [c for c in dict.fromkeys(candidates) if c not in self._seen]
        fresh = fresh[: max(0, self.budget - len(self._seen))] if self._seen else fresh
        # one candidate per task: a replay outweighs the hand-off, and the workers finish a batch together
        for values, outcome in zip(fresh, self._map(_judge, fresh, chunksize=1), strict=True):
            self._seen[values] = Judged(values, outcome, self.rank(values, outcome))
            self.refused += outcome.refused
            self.evaluated += not outcome.refused
        return [self._seen[c] for c in candidates if c in self._seen]

    def _better(self, best: Judged, candidates: Sequence[Values]) -> Judged:
        return min([best, *self.judge(candidates)], key=lambda judged: judged.key)

    def descend(self, best: Judged) -> Judged:
        """Coordinate descent: each knob over its whole grid, until a sweep changes nothing."""
        while not self.spent:
            before = best
            for index, knob in enumerate(self.space.knobs):
                best = self._better(best, [_with(best.values, index, value) for value in knob.values])
                if self.spent:
                    break
            if best is before:
                break
        return best

    def pair_moves(self, best: Judged) -> Judged:
        """Every pair of knobs one grid step each way, from the best, until a round changes nothing."""
        while not self.spent:
            before = best
            best = self._better(best, list(_pair_steps(best.values, self.space.knobs)))
            if best is before:
                break
        return best

    def random_moves(self, best: Judged) -> Judged:
        """Moves of two to four knobs at once, around the best, while the budget lasts."""
        knobs = self.space.knobs
        chooser = random.Random(SEED)
        stale = 0  # batches in a row that found nothing new: the neighbourhood is exhausted
        while not self.spent and len(knobs) >= 2 and stale < STALE_BATCHES:
            before = len(self._seen)
            best = self._better(best, [_random_move(best.values, knobs, chooser) for _ in range(RANDOM_BATCH)])
            stale = stale + 1 if len(self._seen) == before else 0
        return best


def _with(values: Values, index: int, value: float | int) -> Values:
    return (*values[:index], value, *values[index + 1 :])


def _step(values: Values, knobs, index: int, direction: int) -> Values | None:
    grid = knobs[index].values
    position = grid.index(values[index]) + direction
    return _with(values, index, grid[position]) if 0 <= position < len(grid) else None


def _pair_steps(values: Values, knobs):
    for first, second in itertools.combinations(range(len(knobs)), 2):
        for one, other in itertools.product((-1, 1), repeat=2):
            moved = _step(values, knobs, first, one)
            moved = moved and _step(moved, knobs, second, other)
            if moved:
                yield moved


def _random_move(values: Values, knobs, chooser: random.Random) -> Values:
    """Two to four knobs moved one to three grid steps each."""
    moved = values
    for index in chooser.sample(range(len(knobs)), min(len(knobs), chooser.randint(2, 4))):
        grid = knobs[index].values
        position = grid.index(moved[index]) + chooser.choice((-3, -2, -1, 1, 2, 3))
        moved = _with(moved, index, grid[max(0, min(len(grid) - 1, position))])
    return moved
