"""One tuning, end to end: the stack's own figures, the search, and the four variants side by side.

The variants are the tuned policy, the stack's current one, and the simulator's two
yardsticks over the same traces: the baseline (CPU target tracking at 50%) and the oracle
(exactly the nodes demand needs), both at the stack's sizes (tools/simulator/engine.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from components.settings import SettingsError, StackSettings
from tools.simulator import DEFAULT_CHOICES, ModellingChoices, NodeModel, Simulation, Unsimulated, simulate

from .advice import at_the_edge, idle_schedules
from .evaluate import Evaluator, NamedTrace
from .objective import Figures, Limits, Objective, figures, limits_for, meets
from .search import DEFAULT_BUDGET, SearchResult, search
from .space import BoundsError, SearchSpace, Sections, SizeRange, build_space
from .stack_edit import EditedStackFile, edit_stack_file
from .stack_sections import StackSections
from .unsimulated import NotSimulated, not_simulated

VARIANTS = ("tuned", "current", "baseline", "oracle")


@dataclass(frozen=True)
class Tuning:
    stack: StackSections
    traces: list[NamedTrace]
    node: NodeModel
    objective: Objective
    limits: list[Limits]
    space: SearchSpace
    result: SearchResult
    sections: Sections
    """The tuned stack file's sections."""
    settings: StackSettings
    """The tuned stack file's settings."""
    simulations: dict[str, list[Simulation]]
    """"tuned" and "current": each trace replayed, with the baseline and the oracle."""
    unsimulated: list[NotSimulated]
    """The policies some trace could not drive (allowed by the caller): the proposal ignores them there."""

    @property
    def changes(self):
        return self.space.changes(self.result.best.values)

    @property
    def sizes_changed(self) -> bool:
        return any(knob.path[0] == "nodes" for knob, _ in self.changes)

    def figures(self, variant: str) -> list[Figures]:
        source = "tuned" if variant == "tuned" else "current"
        run_of = {"tuned": "policy", "current": "policy", "baseline": "baseline", "oracle": "oracle"}[variant]
        return [figures(s.summary(getattr(s, run_of)), s.trace.minutes) for s in self.simulations[source]]

    def meets(self, variant: str) -> bool:
        return meets(self.figures(variant), self.limits)

    @property
    def choices(self) -> ModellingChoices:
        """What AWS leaves open, as the simulator decided it for this tuning."""
        return self.simulations["current"][0].choices

    @property
    def warnings(self) -> list[str]:
        """What the simulator left out, once per line (a policy a trace cannot drive: `unsimulated`)."""
        lines = (w for simulations in self.simulations.values() for s in simulations for w in s.warnings)
        return list(dict.fromkeys(line for line in lines if not isinstance(line, Unsimulated)))

    @property
    def advice(self) -> list[str]:
        """What to know before applying the proposal: values at the edge of their search range, schedules
        it leaves with nothing to do, policies the traces could not drive, comments on changed lines."""
        return [
            *at_the_edge(self.changes),
            *idle_schedules(self.stack.sections, self.sections),
            *(policy.statement() for policy in self.unsimulated),
            *(
                f"{self.edited.path.name}:{line} keeps its comment ({comment}), written for the old value: "
                "check that it still says what the new one does"
                for line, comment in self.edited.commented_changes()
            ),
        ]

    @cached_property
    def edited(self) -> EditedStackFile:
        """The stack file with the proposal written in, its comments and layout kept."""
        return edit_stack_file(self.stack.path, self.stack.sections, self.sections)


def tune(
    stack: StackSections,
    traces: list[NamedTrace],
    node: NodeModel,
    start: datetime,
    objective: Objective,
    min_size: SizeRange | None = None,
    max_size: SizeRange | None = None,
    budget: int = DEFAULT_BUDGET,
    processes: int = 2,
    choices: ModellingChoices = DEFAULT_CHOICES,
    allow_unsimulated: bool = False,
) -> Tuning:
    """Search the stack's scaling for the cheapest policy that meets `objective` on every trace.

    Raises BoundsError when the size bounds leave no valid stack file, UnsimulatedPolicies when a
    trace cannot drive one of the stack's policies (unless `allow_unsimulated`: then the search
    leaves a policy no trace drives as it is), SettingsError never (every candidate the settings
    refuse is skipped)."""
    space = build_space(stack.sections, node.node_rps, min_size, max_size)
    evaluator = Evaluator(stack.stack, stack.region, traces, node, start, choices)
    _check_bounds(space, evaluator, min_size, max_size)
    unsimulated = not_simulated(traces, evaluator.unsimulated(stack.settings), allow=allow_unsimulated)
    space = space.without([policy.path for policy in unsimulated if policy.on_every_trace])
    limits = [limits_for(objective, current) for current in evaluator.replay(stack.settings)]
    result = search(space, evaluator, limits, budget, processes)
    sections = space.sections_for(result.best.values)
    settings = evaluator.settings_for(sections)
    simulations = {
        "tuned": [simulate(settings, named.trace, node, start, choices) for named in traces],
        "current": [simulate(stack.settings, named.trace, node, start, choices) for named in traces],
    }
    return Tuning(stack, traces, node, objective, limits, space, result, sections, settings, simulations, unsimulated)


def _check_bounds(
    space: SearchSpace, evaluator: Evaluator, min_size: SizeRange | None, max_size: SizeRange | None
) -> None:
    """The search starts from the stack's values moved into the bounds: the settings must take it."""
    try:
        evaluator.settings_for(space.sections_for(space.start))
    except SettingsError as refused:
        given = (("--min-size", min_size), ("--max-size", max_size))
        flags = " and ".join(f"{flag} {span}" for flag, span in given if span) or "the size bounds"
        raise BoundsError(f"{flags}: the stack file they leave is refused: {refused.problems[0]}") from None
