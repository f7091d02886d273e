"""The autoscale lab's report: per stack, the timeline minute by minute, the activities, the nodes'
launch-to-serving times, the metrics contract and, when replayed, live against simulated."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scenario import Run


def _cell(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def timeline(run: Run) -> list[str]:
    names = sorted({name for m in run.minutes for name in m.metrics})
    header = (
        f"  {'min':>3} {'demand':>6} {'req/min':>7} {'desired':>7} {'serving':>7} {'cpu%':>5} {'p99 ms':>6} "
        + " ".join(f"{name[:24]:>24}" for name in names)
    )
    lines = [header]
    for m in run.minutes:
        cpu = sum(m.cpu.values()) / len(m.cpu) if m.cpu else None
        metrics = " ".join(f"{_cell(m.metrics.get(name), 1):>24}" for name in names)
        p99 = getattr(m, "p99", None)  # runs recorded before the request log have none
        lines.append(
            f"  {m.minute:>3} {m.demand:>6.1f} {m.requests:>7} {m.desired:>7} {m.in_service:>7} {_cell(cpu):>5} "
            f"{_cell(None if p99 is None else p99 * 1000):>6} {metrics}  {m.change}"
        )
    return lines


def render(run: Run) -> str:
    scenario = run.scenario
    requests = [r for r in run.requests if not r.get("shed")]
    failed = [r for r in requests if r.get("status") != 200]
    shed = [r for r in run.requests if r.get("shed")]
    lines = [
        f"Autoscale lab {run.stack}: minSize {run.settings.nodes.min_size}, maxSize {run.settings.nodes.max_size}; "
        f"one lab minute = {60 / scenario.factor:g} real s (factor {scenario.factor:g}); nodes of "
        f"{scenario.cores:g} cores serving /work?kloops={scenario.work_kloops}",
        f"  demand (requests per lab second, from minute): {scenario.schedule()}; until {scenario.load_until}",
        f"  {run.extras.get('calibration', 'not calibrated')}",
        f"  {len(requests)} requests sent, {len(failed)} failed, {len(shed)} shed (over {scenario.max_outstanding} "
        "in flight); " + ", ".join(f"{k} {v:.0f}" for k, v in run.timings.items()),
        "",
        "Timeline (the loop's datapoints, as each policy's alarm read them from moto)",
        *timeline(run),
        "",
        "Activities (DescribeScalingActivities)",
    ]
    for activity in run.activities:
        lines.append(f"  {activity['Description']}: {activity['Cause'].split('  ')[0]}")
    if not run.activities:
        lines.append("  none")
    lines += ["", "Nodes (lab seconds from minute 0; launch -> InService -> serving)"]
    for node in run.nodes:
        if node.launched_at is None:
            lines.append(f"  {node.instance_id}: at the start; served {node.served}")
            continue
        in_service = _since(node.in_service_at, node.launched_at)
        serving = _since(node.serving_at, node.launched_at)
        lines.append(
            f"  {node.instance_id}: launched {node.launched_at:.0f}, "
            f"launch hook {node.launch_result} after {in_service}, "
            f"serving after {serving}, served {node.served}"
            + (f", drained {node.draining_at:.0f} -> gone {node.gone_at:.0f}" if node.gone_at is not None else "")
            + (f"; agent: {node.agent_error}" if node.agent_error else "")
            + (f"; {node.error}" if node.error else "")
        )
    for key in ("contract", "comparison"):
        if key in run.extras:
            lines += ["", *run.extras[key]]
    return "\n".join(lines) + "\n"


def _since(at: float | None, start: float) -> str:
    return "-" if at is None else f"{at - start:.0f} s"
