"""Judging one candidate: its stack file through the settings, then its replay over every trace.

A candidate is the stack file's sections with the knobs set. It goes through the program's
own entry point (`load_settings`: every section's model and the cross-section rules), so a
candidate the preview would refuse is refused here and never replayed, let alone proposed.
The traces, their metric sources and the schedules' firing minutes are prepared once and
shared by every candidate (and, through fork, by the worker processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from components.settings import SettingsError, StackSettings, load_settings
from tools.simulator import DEFAULT_CHOICES, ModellingChoices, NodeModel, Trace, Unsimulated, prepare, replay

from .objective import Figures, figures
from .space import Sections


@dataclass(frozen=True)
class NamedTrace:
    """A trace and the file it came from."""

    path: Path
    trace: Trace


def trace_names(traces: list[NamedTrace]) -> list[str]:
    """What the reports call each trace: its file name, or its path where two share a file name."""
    names = [named.path.name for named in traces]
    if len(set(names)) == len(names):
        return names
    return [str(named.path) for named in traces]


@dataclass(frozen=True)
class Outcome:
    """A candidate judged: its figures per trace, or the settings' problems when they refuse it."""

    figures: tuple[Figures, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.problems)


class Evaluator:
    """Replays candidates of one stack over prepared traces with one node model."""

    def __init__(
        self,
        stack: str,
        region: str,
        traces: list[NamedTrace],
        node: NodeModel,
        start: datetime,
        choices: ModellingChoices = DEFAULT_CHOICES,
    ):
        self.stack, self.region = stack, region
        self.traces, self.node, self.choices = traces, node, choices
        self._prepared = [prepare(named.trace, node, start) for named in traces]

    def settings_for(self, sections: Sections) -> StackSettings:
        """The candidate's settings, as the program would load them; SettingsError when refused.

        The region was judged when the stack file was read (`aws:skipRegionValidation` included) and
        no candidate changes it, so it is not judged again."""
        return load_settings(sections, stack=self.stack, region=self.region, skip_region_validation=True)

    def evaluate(self, sections: Sections) -> Outcome:
        try:
            settings = self.settings_for(sections)
        except SettingsError as refused:
            return Outcome(problems=tuple(refused.problems))
        return Outcome(figures=self.replay(settings))

    def unsimulated(self, settings: StackSettings) -> list[tuple[Path, Unsimulated]]:
        """Each policy of `settings` that a trace cannot drive (no column for its metric), with the trace's file."""
        found = []
        for named, prepared in zip(self.traces, self._prepared, strict=True):
            run = replay(settings.nodes, settings.scaling, prepared, self.choices)
            found += [(named.path, warning) for warning in run.warnings if isinstance(warning, Unsimulated)]
        return found

    def replay(self, settings: StackSettings) -> tuple[Figures, ...]:
        """The candidate's figures on each trace."""
        results = []
        for prepared in self._prepared:
            run = replay(settings.nodes, settings.scaling, prepared, self.choices)
            results.append(figures(prepared.summary(run), prepared.trace.minutes))
        return tuple(results)
