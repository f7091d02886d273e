"""What a tuning shows: stack-file YAML to paste, a table for people, JSON for tools, a plot.

JSON (`python -m tools.tune --format json`):

    {"stack": str,
     "objective": {"underProvisioned": share, "peakShortfall": share},
     "meetsObjective": bool,
     "search": {"evaluated": int, "refused": int, "seconds": float, "processes": int},
     "changes": [{"key": "scaling.targetTracking[0].target", "from": 1000, "to": 1125}],
     "config": {"elixir-cluster:scaling": {...}, ["elixir-cluster:nodes": {...}]},
     "modellingChoices": {<what AWS leaves open, and the node model: as python -m tools.simulate>},
     "tuned" | "current" | "baseline" | "oracle": {
         "instanceHours": float, "meetsObjective": bool,
         "traces": {<file name>: {"minutes", "underProvisionedMinutes", "underProvisionedShare",
                                  "peakShortfall", "peakShortfallShare", "instanceHours"}}}}

A trace is known by its file name, or by its path where two share a file name.

`peakShortfall` is in requests/s (the simulator's figure), shares are 0..1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.settings import NAMESPACE
from tools.simulator.engine import BASELINE_CPU_TARGET
from tools.simulator.report import modelling_choices, node_headline

from .evaluate import trace_names
from .objective import Figures, instance_hours
from .tuning import VARIANTS, Tuning

DECIMALS = 2
INDENT = "  "  # the keys sit under `config:` in a stack file


def config(tuning: Tuning) -> dict[str, Any]:
    """The tuned stack-file keys: scaling always, nodes when its sizes change."""
    document = {f"{NAMESPACE}:scaling": tuning.sections["scaling"]}
    if tuning.sizes_changed:
        document[f"{NAMESPACE}:nodes"] = tuning.sections["nodes"]
    return document


def render_yaml(tuning: Tuning) -> str:
    """The keys to paste under `config:` in the stack file, replacing the ones of the same name: as
    the edited stack file writes them (its comments and flow mappings kept), or, for a section the
    file leaves out, written out."""
    return "".join(_section_yaml(tuning, key, value) for key, value in config(tuning).items())


def _section_yaml(tuning: Tuning, key: str, value: Any) -> str:
    written = tuning.edited.sections_text([key.removeprefix(f"{NAMESPACE}:")])
    if written:
        return written
    text = yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False, width=100)
    return "".join(INDENT + line if line.strip() else line for line in text.splitlines(keepends=True))


def render_patch(tuning: Tuning) -> str:
    """The unified diff of the stack file the proposal makes (empty: nothing changes)."""
    return tuning.edited.patch(_stack_path(tuning))


def to_json(tuning: Tuning) -> dict[str, Any]:
    result = tuning.result
    document: dict[str, Any] = {
        "stack": tuning.stack.stack,
        "objective": {
            "underProvisioned": tuning.objective.under_provisioned,
            "peakShortfall": tuning.objective.peak_shortfall,
        },
        "meetsObjective": tuning.meets("tuned"),
        "search": {
            "evaluated": result.evaluated,
            "refused": result.refused,
            "seconds": round(result.seconds, DECIMALS),
            "processes": result.processes,
        },
        "changes": [{"key": knob.key, "from": knob.current, "to": value} for knob, value in tuning.changes],
        "config": config(tuning),
        "modellingChoices": modelling_choices(tuning.simulations["current"][0]),
    }
    for variant in VARIANTS:
        per_trace = tuning.figures(variant)
        document[variant] = {
            "instanceHours": round(instance_hours(per_trace), DECIMALS),
            "meetsObjective": tuning.meets(variant),
            "traces": {name: _figures_json(f) for name, f in zip(trace_names(tuning.traces), per_trace, strict=True)},
        }
    return document


def _figures_json(figures: Figures) -> dict[str, Any]:
    return {
        "minutes": figures.minutes,
        "underProvisionedMinutes": figures.under_provisioned_minutes,
        "underProvisionedShare": round(figures.under_provisioned_share, 4),
        "peakShortfall": round(figures.peak_shortfall, DECIMALS),
        "peakShortfallShare": round(figures.peak_shortfall_share, 4),
        "instanceHours": round(figures.instance_hours, DECIMALS),
    }


def render_table(tuning: Tuning) -> str:
    stack, node, result = tuning.stack, tuning.node, tuning.result
    minutes = sum(named.trace.minutes for named in tuning.traces)
    lines = [
        f"Stack {stack.stack}, {len(tuning.traces)} trace(s), {minutes} minutes, {node_headline(node)}",
        f"Objective: {tuning.objective}",
        f"Searched {result.evaluated} candidates ({result.refused} refused by the settings) in "
        f"{result.seconds:.1f} s on {result.processes} process(es)",
        "",
        f"{'':<30}" + "".join(f"{name:>10}" for name in VARIANTS),
    ]
    figures = {variant: tuning.figures(variant) for variant in VARIANTS}
    rows = (
        ("under-provisioned (min)", lambda f: f"{f.under_provisioned_minutes}"),
        ("peak shortfall (rps)", lambda f: f"{f.peak_shortfall:.1f}"),
        ("peak shortfall (% demand)", lambda f: f"{f.peak_shortfall_share:.1%}"),
        ("instance-hours", lambda f: f"{f.instance_hours:.1f}"),
    )
    for index, (name, limits) in enumerate(zip(trace_names(tuning.traces), tuning.limits, strict=True)):
        relaxed = limits.relaxed and not tuning.objective.keep_current  # else the objective says so already
        note = "  (the current policy misses the objective: held to no worse than it)" if relaxed else ""
        lines.append(f"{name}{note}")
        for label, cell in rows:
            lines.append(f"  {label:<28}" + "".join(f"{cell(figures[v][index]):>10}" for v in VARIANTS))
    totals = "".join(f"{instance_hours(figures[v]):>10.1f}" for v in VARIANTS)
    lines.append(f"{'instance-hours, all traces':<30}{totals}")
    verdicts = "".join(f"{'yes' if tuning.meets(v) else 'no':>10}" for v in VARIANTS)
    lines.append(f"{'meets the objective':<30}{verdicts}")
    yardsticks = (
        f"baseline: CPU target tracking at {BASELINE_CPU_TARGET:g}%; oracle: what demand needs, each minute; "
        "both at the stack's own sizes"
    )
    lines += ["", yardsticks, "", "Changes"]
    if not tuning.changes:
        lines.append("  none: the stack's policy is the cheapest found")
    width = max((len(knob.label) for knob, _ in tuning.changes), default=0)
    lines += [f"  {knob.label:<{width}}  {knob.current:g} -> {value:g}" for knob, value in tuning.changes]
    lines += ["", "Modelling choices (AWS leaves these open; tools/simulator/choices.py)"]
    lines += [f"  {line}" for line in [*tuning.choices.describe(), *node.describe()]]
    if tuning.advice:
        lines += ["", "Before applying it"]
        lines += [f"  {line}" for line in tuning.advice]
    if not tuning.changes:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"The change to {_stack_path(tuning)} (--write makes it; --format diff prints it alone, "
        "--format yaml the keys to paste)",
        "",
    ]
    return "\n".join(lines) + "\n" + render_patch(tuning)


def _stack_path(tuning: Tuning) -> str:
    path = tuning.stack.path
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def draw_plot(pyplot: Any, tuning: Tuning) -> Any:
    """The figure, a panel per trace, of demand and the capacity in service of the current and the
    tuned policy (`pyplot` is matplotlib's, handed in by tools.cli.write_plot, which saves the figure)."""
    count = len(tuning.traces)
    figure, axes = pyplot.subplots(count, 1, figsize=(10, 1.2 + 2.4 * count), squeeze=False)
    totals = {variant: instance_hours(tuning.figures(variant)) for variant in ("current", "tuned")}
    styles = {
        "current": (f"{tuning.stack.stack}'s scaling ({totals['current']:.1f} instance-hours)", "tab:blue", "-"),
        "tuned": (f"tuned ({totals['tuned']:.1f} instance-hours)", "tab:red", "--"),
    }
    for axis, index, name in zip(axes[:, 0], range(count), trace_names(tuning.traces), strict=True):
        demand = tuning.traces[index].trace.demand
        hours = [minute / 60 for minute in range(len(demand))]
        rps = tuning.node.node_rps
        axis.fill_between(hours, demand, color="0.85", label="demand", step="post")
        for variant, (label, color, line) in styles.items():
            run = tuning.simulations[variant][index].policy
            capacity = [n * rps for n in run.in_service]
            axis.step(hours, capacity, where="post", color=color, linestyle=line, label=label)
        axis.set_title(name, fontsize="medium", loc="left")
        axis.set_ylabel("requests/s")
        axis.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper left", fontsize="small")
    axes[-1, 0].set_xlabel("hours from the trace's start (capacity: nodes in service x rps per node)")
    figure.suptitle(f"{tuning.stack.stack}: tuned scaling against the stack's own")
    return figure
