"""What a simulation shows: a table for people, JSON for tools, a plot for the README.

JSON (`python -m tools.simulate --format json`), kept stable for the tools that read it:

    {"stack": str,
     "policy" | "baseline" | "oracle": {"underProvisionedMinutes": int,
                                        "peakShortfall": float,     # requests/s
                                        "instanceHours": float,
                                        "activities": [{"minute", "from", "to", "cause"}]},
     "timeline": [{"minute", "demand", "desired", "inService", "cpu",
                   <each policy's metric by name>, "baselineInService", "oracle"}],
     "modellingChoices": {<what AWS leaves open, as decided for this run: choices.py>,
                          "bootMinutes", "drainMinutes", "nodeRps",
                          # with --node-profile only: the measured node the figures ran on
                          "joinMinutes", "nodeProfile": {<the profile file's keys: profile.py>}}}

Without "nodeProfile" the figures ran on the invented formula (model.py): `nodeRps` at 100% CPU,
scheduler utilisation 100 x (CPU/100)^1.5. With it, `nodeRps` is the profile's capacity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .engine import BASELINE_CPU_TARGET, Run, Simulation, Summary
from .model import NodeModel

DECIMALS = 2


def variants(simulation: Simulation) -> dict[str, Run]:
    return {"policy": simulation.policy, "baseline": simulation.baseline, "oracle": simulation.oracle}


def to_json(simulation: Simulation) -> dict[str, Any]:
    document: dict[str, Any] = {"stack": simulation.stack}
    for name, run in variants(simulation).items():
        document[name] = _variant_json(simulation.summary(run), run)
    document["timeline"] = timeline(simulation)
    document["modellingChoices"] = modelling_choices(simulation)
    return document


def modelling_choices(simulation: Simulation) -> dict[str, Any]:
    """What the figures assume where AWS is silent, and the node model they ran on."""
    node = simulation.node
    choices = {
        **simulation.choices.to_json(),
        "bootMinutes": node.boot_minutes,
        "drainMinutes": node.drain_minutes,
        "nodeRps": node.node_rps,
    }
    if node.profile is not None:
        choices |= {"joinMinutes": node.join_minutes, "nodeProfile": node.profile.to_json()}
    return choices


def node_headline(node: NodeModel) -> str:
    """The node model in a few words, for a report's first line."""
    if node.profile is None:
        return f"{node.node_rps:g} rps per node, {node.boot_minutes} min from launch to serving"
    return (
        f"a measured node ({node.node_rps:.4g} rps at 100% CPU), {node.join_minutes} min from launch to "
        f"InService, {node.boot_minutes} to serving"
    )


def _variant_json(summary: Summary, run: Run) -> dict[str, Any]:
    return {
        "underProvisionedMinutes": summary.under_provisioned_minutes,
        "peakShortfall": round(summary.peak_shortfall, DECIMALS),
        "instanceHours": round(summary.instance_hours, DECIMALS),
        "activities": [{"minute": a.minute, "from": a.from_, "to": a.to, "cause": a.cause} for a in run.activities],
    }


def timeline(simulation: Simulation) -> list[dict[str, Any]]:
    """One row per minute; built column by column (43,200 rows for 30 days)."""
    policy, node = simulation.policy, simulation.node
    metrics = {name: values for name, values in policy.metrics.items() if name != "cpu"}
    cpu = [node.cpu(demand, n) for demand, n in zip(simulation.trace.demand, policy.in_service, strict=True)]
    keys = ["minute", "demand", "desired", "inService", "cpu", *metrics, "baselineInService", "oracle"]
    columns = [
        range(simulation.trace.minutes),
        simulation.trace.demand,
        policy.desired,
        policy.in_service,
        _rounded(cpu),
        *(_rounded(values) for values in metrics.values()),
        simulation.baseline.in_service,
        simulation.oracle.in_service,
    ]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _rounded(values: list[float | None]) -> list[float | None]:
    return [None if value is None else round(value, DECIMALS) for value in values]


def render_table(simulation: Simulation, trace_name: str) -> str:
    runs = variants(simulation)
    summaries = {name: simulation.summary(run) for name, run in runs.items()}
    node = simulation.node
    lines = [
        f"Stack {simulation.stack}, trace {trace_name}: {simulation.trace.minutes} minutes from "
        f"{simulation.start:%Y-%m-%d %H:%M} UTC, {node_headline(node)}, {node.drain_minutes} min to drain",
        "",
        f"{'':<26}" + "".join(f"{name:>10}" for name in runs),
    ]
    rows = (
        ("under-provisioned (min)", lambda s, r: f"{s.under_provisioned_minutes}"),
        ("peak shortfall (rps)", lambda s, r: f"{s.peak_shortfall:.1f}"),
        ("instance-hours", lambda s, r: f"{s.instance_hours:.1f}"),
        ("scaling activities", lambda s, r: f"{len(r.activities)}"),
    )
    for label, cell in rows:
        lines.append(f"{label:<26}" + "".join(f"{cell(summaries[n], runs[n]):>10}" for n in runs))
    lines += ["", "Policy activities"]
    if not simulation.policy.activities:
        lines.append("  none")
    for activity in simulation.policy.activities:
        when = simulation.start + timedelta(minutes=activity.minute)
        lines.append(
            f"  {activity.minute:>6}  {when:%a %H:%M}  {activity.from_:>3} -> {activity.to:<3}  {activity.cause}"
        )
    lines += ["", "Modelling choices (AWS leaves these open; tools/simulator/choices.py)"]
    lines += [f"  {line}" for line in [*simulation.choices.describe(), *node.describe()]]
    return "\n".join(lines) + "\n"


def draw_plot(pyplot: Any, simulation: Simulation, title: str) -> Any:
    """The figure of demand against the capacity of the policy, the baseline and the oracle
    (`pyplot` is matplotlib's, handed in by tools.cli.write_plot, which saves the figure)."""
    hours = [minute / 60 for minute in range(simulation.trace.minutes)]
    rps = simulation.node.node_rps
    figure, (load, nodes) = pyplot.subplots(2, 1, sharex=True, figsize=(10, 6.5), height_ratios=(3, 2))
    load.fill_between(hours, simulation.trace.demand, color="0.85", label="demand", step="post")
    styles = {
        "policy": (f"{simulation.stack}'s scaling", "tab:blue", "-"),
        "baseline": (f"baseline (CPU {BASELINE_CPU_TARGET:g}%)", "tab:orange", "--"),
        "oracle": ("oracle", "tab:green", ":"),
    }
    for name, run in variants(simulation).items():
        label, color, line = styles[name]
        load.step(hours, [n * rps for n in run.in_service], where="post", color=color, linestyle=line, label=label)
        nodes.step(hours, run.in_service, where="post", color=color, linestyle=line)
    load.set_ylabel("requests/s (capacity in service)")
    load.set_title(title)
    load.legend(loc="upper left")
    nodes.set_ylabel("nodes in service")
    nodes.set_xlabel(f"hours from {simulation.start:%Y-%m-%d %H:%M} UTC")
    nodes.yaxis.get_major_locator().set_params(integer=True)
    for axis in (load, nodes):
        axis.grid(alpha=0.3)
    return figure
