"""The autoscale lab: the node lab's group under bounded load, its metrics driving the stack's own
policies through the loop, instances launched and drained for real.

    lab = AutoscaleLab("dev", workdir, tarball, scenario)
    lab.start()          # the node lab (2 nodes, HAProxy, moto, PostgreSQL), quotas, agents
    record = lab.run()   # the scenario's demand, minute by minute; what the group did
    lab.close()

Each lab minute (lab_time.py), in this order:
1. the minute closes; each node's agent stand-in (tools/conformance/metrics/agent.py, in the node's
   network namespace, with the node role's credentials, on the lab's clock) publishes the release's
   StatsD samples it aggregated; the publisher puts what AWS publishes (aws_metrics.py): the load
   balancer's metrics from HAProxy's counters, EC2's CPU from each node's cgroup;
2. the loop (loop.py) reads the minute's datapoints from moto as each policy's alarm does and, if the
   policies ask for it, changes the desired capacity in moto, with its activity;
3. the lab carries the change out in threads of its own: each launched instance boots its launch
   template's user data in a namespace (the node lab's; rollout.py's LabFleet), is held in
   Pending:Wait until its launch hook script completes the hook, gets its CPU quota and agent, joins
   HAProxy and serves once HAProxy's health checks pass; each removed instance drains (HAProxy drains
   it, IMDS says Terminated, the drain agent stops the release and completes the termination hook)
   and is terminated.
The load generator (load.py) runs the scenario's demand in the client namespace all along.

Before minute 0, with the first nodes under their quotas, the lab sets the work per request
(calibrate.py): the probe (probe.py) saturates the nodes at two sizes of /work?kloops=N, their cgroups
say what a request costs, and the run's requests get the size at which a node serves the scenario's
capacity. Meanwhile each node's StatsD address is tapped (statsd_tap.py; no agent listens yet): what the
release's SchedulerUtilization reads on a node kept saturated.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3

from components.plans.node_layout import NodeLayout
from components.settings import BEAM_METRICS, METRICS_NAMESPACE
from tools.conformance.auto_scaling.fleet import Node as FleetNode
from tools.conformance.metrics.agent import Agent, StatsdListener
from tools.conformance.metrics.agent_config import AgentConfig
from tools.conformance.metrics.contract import Metric
from tools.conformance.metrics.rendered import rendered_agent_config
from tools.conformance.node_lab.aws import _enter_network_namespace
from tools.conformance.node_lab.lab import Node, NodeLab
from tools.conformance.node_lab.rollout import LabFleet
from tools.simulator.model import ALREADY_RUNNING

from . import aws_metrics
from .activities import ServerCapacity
from .calibrate import Calibration, Reading, work_for
from .cgroup import NodeCgroup, cpu_utilization
from .lab_time import SECONDS_PER_MINUTE, LabTime
from .loop import NOT_YET_IN_SERVICE, ScalingLoop
from .percentiles import percentile
from .routed import RoutedCapacity, RoutedClient
from .statsd_tap import StatsdTap
from .timeline import Minute, Scenario
from .variants import LAB_SIZES, RELEASE_SAMPLE_SECONDS, lab_changes

EVALUATION_LAG_SECONDS = 15
"""Lab seconds after a minute closes before the loop reads it: the agents' publish (due at the minute,
done within a tick) and the publisher's have landed. CloudWatch evaluates alarms shortly after a
period closes too."""
DRAINING_CORES = 1.0
"""A draining node's quota (see `_drain`)."""
PROBE_KLOOPS = (1000, 4000, 4000, 1000)
"""The sizes of request the calibration measures, in this order (calibrate.py: low, high, high, low, so a
drift of the machine's speed during the probe weighs on both alike); the run's falls between them on
this machine (about 1,800 to 2,800)."""
PROBE_WORKERS_PER_NODE = 8
"""Closed-loop clients per node in the probe: each node always has requests waiting. More load the
machine's two cores with the probe's own client threads; fewer leave a node idle between answers."""
PROBE_SECONDS = 3.0
"""How long the probe sends at each size, in real seconds."""
_CALIBRATING = threading.Lock()
"""One lab's probe at a time: dev's and prod's labs run side by side, and two probes on two cores would
measure each other (a request's CPU rises with what else runs on the machine)."""
PROBE_LEAD_SECONDS = 2.0
"""From starting the probe to its first request: the probe's Python starts in the client namespace."""
AGENT_TICK_SECONDS = 0.1
"""Real seconds between two looks of an agent at its socket and its clock."""
DISCOVERY = "dns"
"""The lab's nodes find each other through Cloud Map (release.discovery: dns): ec2Tags runs the aws
CLI (a Python process) every 10 s, which on a node of a tenth of a core would eat a third of its CPU;
on an instance of whole vCPUs it is noise. Said in the report."""


@dataclass
class LabNode:
    """One instance of the group as the lab tracks it (times in lab seconds since minute 0)."""

    node: Node
    launched_at: float | None = None
    """None: one of the group's first nodes, serving and warmed up when the run starts."""
    in_service_at: float | None = None
    serving_at: float | None = None
    draining_at: float | None = None
    gone_at: float | None = None
    launch_result: str = ""
    cgroup: NodeCgroup | None = None
    cpu_read: tuple[int, float] | None = None
    agent_stop: threading.Event = field(default_factory=threading.Event)
    agent: Agent | None = None
    agent_error: str = ""
    error: str = ""
    """What went wrong launching or draining it."""

    @property
    def instance_id(self) -> str:
        return self.node.instance_id


class AutoscaleLab:
    """See the module docstring."""

    def __init__(self, stack: str, workdir: Path, tarball: Path, scenario: Scenario):
        self.stack = stack
        self.workdir = workdir
        self.scenario = scenario
        self.lab = NodeLab(
            stack,
            workdir,
            tarball,
            DISCOVERY,
            changes=lab_changes(stack, scenario.factor),
            nodes=LAB_SIZES["minSize"],
        )
        self.nodes: list[LabNode] = []
        self.minutes: list[Minute] = []
        self.time: LabTime | None = None
        self.calibration: Calibration | None = None
        self.loop: ScalingLoop | None = None
        self.timings: dict[str, float] = {}
        self._lock = threading.Lock()
        self._work = ThreadPoolExecutor(8, thread_name_prefix="autoscale")
        self._pending: list[Future] = []
        self._agent_threads: list[threading.Thread] = []
        self._stats: aws_metrics.BalancerCounters | None = None
        self._stats_at = 0.0
        self.load: subprocess.Popen | None = None
        self.requests_log = workdir / "requests.jsonl"
        self._pending_minute: Minute | None = None
        self.peak_mesh: dict[str, list[str]] = {}
        """Each serving node's Node.list() when the most nodes served."""
        self.served_by: dict[str, int] = {}
        """Requests each node answered (HAProxy's counters), by instance id."""

    # --- starting -----------------------------------------------------------------------------

    def start(self) -> None:
        started = time.monotonic()
        self.lab.start()
        self.timings["node lab start (s)"] = time.monotonic() - started
        lab = self.lab
        self.fleet = LabFleet(lab, "1")
        self.group = lab.facts["group"]
        account_id = lab.account.call(lambda aws: aws.client("sts").get_caller_identity()["Account"])
        self.capacity = ServerCapacity(lab.account.url, account_id, lab.settings.region)
        self.names = lab.account.call(aws_metrics.balancer_names(self.group))
        path = NodeLayout(lab.settings.release.name).cloudwatch_config
        self.agent_config = AgentConfig.read(
            lab.account.call(lambda aws: rendered_agent_config(aws.client, self.group, path))
        )
        for node in lab.nodes:
            self.nodes.append(LabNode(node))

    def run(self) -> list[Minute]:
        """The scenario, start to end; the minutes it recorded."""
        lab = self.lab
        with self.lab.account.iam_checks_off():
            credentials = lab.account.call(lambda aws: lab._role_credentials(aws, self._described(self.nodes)))
        for lab_node in self.nodes:
            self._limit(lab_node)
        started = time.monotonic()
        self.calibration = self.calibrate()
        self.timings["calibration (s)"] = time.monotonic() - started
        scenario = self.scenario = replace(self.scenario, work_kloops=self.calibration.kloops)
        self.time = LabTime(scenario.factor)
        for lab_node in self.nodes:
            self._start_agent(lab_node, credentials[lab_node.instance_id])
        self.loop = ScalingLoop(
            lab.settings,
            RoutedClient(lab.account, "cloudwatch"),
            RoutedClient(lab.account, "autoscaling"),
            self.group,
            RoutedCapacity(lab.account, self.capacity),
            self.time,
        )
        by_group = (("AutoScalingGroupName", self.group),)
        self._beam_queries = [
            Metric(METRICS_NAMESPACE, name, by_group, "Average", SECONDS_PER_MINUTE) for name in BEAM_METRICS.values()
        ]
        self._stats, self._stats_at = self._read_stats(), self.time.elapsed()
        at_start = self._stats.servers
        self._request_log = _Tail(self.lab.balancer.log)
        self._request_log.read_lines()  # from minute 0: the calibration's requests are not the scenario's
        for lab_node in self.nodes:
            lab_node.cpu_read = (lab_node.cgroup.usage_ns(), time.monotonic())
        self._start_load()
        minute = 0
        try:
            while minute < scenario.end_by:
                self.time.sleep_until(self.time.minute_start(minute + 1))
                self._publish(minute)
                self.time.sleep_until(self.time.minute_start(minute + 1) + timedelta(seconds=EVALUATION_LAG_SECONDS))
                self.minutes.append(self._evaluate(minute))
                minute += 1
                if minute >= scenario.load_until and self._settled():
                    break
        finally:
            self._stop_load()
        for future in self._pending:
            future.exception(timeout=300)
        servers = {n.node.server: n.instance_id for n in self.nodes}
        # from minute 0: the calibration's requests are not the scenario's
        self.served_by = {
            servers[name]: s.responses - (at_start[name].responses if name in at_start else 0)
            for name, s in self._read_stats().servers.items()
            if name in servers
        }
        return self.minutes

    def _described(self, nodes: list[LabNode]) -> list[dict[str, Any]]:
        return [{"InstanceId": n.instance_id} for n in nodes]

    def _take_over(self, lab_node: LabNode, credentials: dict[str, str]) -> None:
        """A node in service: its CPU quota (its processes, and what they start), and its agent."""
        self._limit(lab_node)
        self._start_agent(lab_node, credentials)

    def _limit(self, lab_node: LabNode) -> None:
        instance = lab_node.node.instance
        lab_node.cgroup = NodeCgroup(f"elixir-autoscale-{instance.namespace.name}", self.scenario.cores)
        lab_node.cgroup.adopt([p for p in instance.all_processes() if p != instance.imds.pid])

    def _start_agent(self, lab_node: LabNode, credentials: dict[str, str]) -> None:
        thread = threading.Thread(target=self._run_agent, args=(lab_node, credentials), daemon=True)
        thread.start()
        self._agent_threads.append(thread)

    # --- calibrating ------------------------------------------------------------------------------

    def calibrate(self) -> Calibration:
        """The work per request at which a node serves the scenario's capacity (calibrate.py)."""
        with _CALIBRATING, ExitStack() as taps:
            tapped = [taps.enter_context(self._statsd_tap(n)) for n in self.nodes]
            readings = [self._probe(kloops, tapped) for kloops in PROBE_KLOOPS]
        return work_for(readings, self.scenario.cores, self.scenario.node_capacity * self.scenario.factor)

    def _statsd_tap(self, lab_node: LabNode) -> StatsdTap:
        """The release's SchedulerUtilization samples, where the node's agent will listen once the run starts."""
        statsd = self.agent_config.statsd
        name = lab_node.node.instance.namespace.name
        return StatsdTap(name, (statsd.host, statsd.port), BEAM_METRICS["schedulerUtilization"])

    def _probe(self, kloops: int, taps: list[StatsdTap]) -> Reading:
        """One probe window at `kloops`: what the nodes answered (probe.py), the CPU their cgroups used, and
        the release's SchedulerUtilization samples that cover only the window (each covers the sample
        interval before it arrived)."""
        groups = [n.cgroup for n in self.nodes if n.cgroup is not None]
        start_at = time.monotonic() + PROBE_LEAD_SECONDS
        argv = self.lab.client.python(
            "tools.conformance.autoscale.probe",
            f"{self.lab.url}/work?kloops={kloops}",
            "--workers",
            str(PROBE_WORKERS_PER_NODE * len(groups)),
            "--start-at",
            repr(start_at),
            "--seconds",
            str(PROBE_SECONDS),
        )
        probe = subprocess.Popen(
            self.lab.client.command(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            time.sleep(max(0.0, start_at - time.monotonic()))
            before = [(g.usage_ns(), *g.periods()) for g in groups]
            out, err = probe.communicate(timeout=PROBE_SECONDS + PROBE_LEAD_SECONDS + 30)
            after = [(g.usage_ns(), *g.periods()) for g in groups]  # every request it counted has been answered
        finally:
            if probe.poll() is None:
                probe.kill()
                probe.wait()
        if probe.returncode != 0:
            raise RuntimeError(f"the calibration probe failed (exit {probe.returncode}): {err.strip()}")
        ended = time.monotonic()
        counts = json.loads(out)
        sample_seconds = RELEASE_SAMPLE_SECONDS / self.scenario.factor
        utilization = tuple(v for tap in taps for v in tap.values_between(start_at + sample_seconds, ended))
        used = sum(a[0] - b[0] for a, b in zip(after, before, strict=True))
        periods = sum(a[1] - b[1] for a, b in zip(after, before, strict=True))
        throttled = sum(a[2] - b[2] for a, b in zip(after, before, strict=True))
        return Reading(kloops, counts["answered"], used, throttled / periods if periods else 0.0, utilization)

    def _run_agent(self, lab_node: LabNode, credentials: dict[str, str]) -> None:
        """The node's CloudWatch agent stand-in, in the node's network namespace (its StatsD listener on
        the node's loopback, where the release sends), calling moto with the node role's credentials."""
        try:
            _enter_network_namespace(lab_node.node.instance.namespace.name)
            session = boto3.session.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["Token"],
                region_name=self.lab.settings.region,
            )
            agent = lab_node.agent = Agent.on_node(
                self.agent_config, lab_node.instance_id, session, clock=self.time, endpoint_url=self.lab.account.url
            )
            with StatsdListener(agent) as listener:
                listener.serve(lab_node.agent_stop, tick=AGENT_TICK_SECONDS)
        except Exception as failed:  # noqa: BLE001 - the report names it; the lab goes on
            lab_node.agent_error = f"{type(failed).__name__}: {failed}"

    # --- each minute --------------------------------------------------------------------------

    def _publish(self, minute: int) -> None:
        """What AWS publishes for the minute: the load balancer's metrics, EC2's CPU per node."""
        at = self.time.minute_start(minute)
        stats, read_at = self._read_stats(), self.time.elapsed()
        balancer = aws_metrics.balancer_minute(self._stats, stats).per_minute(read_at - self._stats_at)
        self._stats, self._stats_at = stats, read_at
        times = aws_metrics.response_times(self._request_log.read_lines(), self.lab.facts["target_group"].name)
        datums = aws_metrics.balancer_datums(balancer, self.names, at)
        datums += aws_metrics.response_time_datums(times, self.names, at)
        cpu: dict[str, float] = {}
        now = time.monotonic()
        for lab_node in self._live():
            if lab_node.cgroup is None or lab_node.cpu_read is None:
                continue
            used, then = lab_node.cgroup.usage_ns(), lab_node.cpu_read
            lab_node.cpu_read = (used, now)
            cpu[lab_node.instance_id] = cpu_utilization(used - then[0], now - then[1], self.scenario.cores)
            datums += aws_metrics.cpu_datums(lab_node.instance_id, self.group, cpu[lab_node.instance_id], at)
        self.lab.account.call(lambda aws: aws_metrics.put_aws_metrics(aws, self.group, datums, at))
        self._pending_minute = Minute(
            minute, self.scenario.demand(minute), requests=balancer.requests, cpu=cpu, p99=_p99(times)
        )

    def _evaluate(self, minute: int) -> Minute:
        record = self._pending_minute
        view = _FleetView(self)
        record.in_service = view.serving()
        if record.in_service > len(self.peak_mesh):
            self.peak_mesh = self.mesh()
        change = self.loop.evaluate(minute, view)
        record.metrics = {name: read.get(minute) for name, read in self.loop.catalog.read.items()}
        record.beam = {query.name: self.loop.catalog.datapoint(query, minute) for query in self._beam_queries}
        [group] = self.lab.account.call(
            lambda aws: aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[self.group])
        )["AutoScalingGroups"]
        record.desired = group["DesiredCapacity"]
        if change is not None:
            record.change = f"{change.from_} -> {change.to} by {change.policy}"
            record.tied = list(change.tied)
            if change.tied:
                record.change += f" (tie: {', '.join(change.tied)} asked the same)"
            for instance_id in change.launched:
                self._pending.append(self._work.submit(self._launch, instance_id))
            for instance_id in change.draining:
                self._pending.append(self._work.submit(self._drain, instance_id))
        return record

    def _settled(self) -> bool:
        """The load is over, the group is at its minimum and nothing is launching or draining."""
        view = _FleetView(self)
        return (
            len(view.in_service_minutes()) == LAB_SIZES["minSize"]
            and view.draining() == 0
            and all(f.done() for f in self._pending)
        )

    # --- launching and draining ------------------------------------------------------------------

    def _launch(self, instance_id: str) -> None:
        lab, fleet = self.lab, self.fleet
        launched_at = self.time.elapsed()
        with self._lock:
            [described] = lab.account.call(
                lambda aws: aws.client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
            )[0:1]
            instances = described["Instances"]
            with lab.account.iam_checks_off():  # EC2 assumes the instance's role, not a caller
                credentials = lab.account.call(lambda aws: lab._role_credentials(aws, instances))
            [node] = lab._nodes(instances, credentials)
            lab.extra_nodes.append(node)
            fleet.versions[node.instance_id] = "1"
            fleet._firewall_everyone()
            lab_node = LabNode(node, launched_at=launched_at)
            self.nodes.append(lab_node)
        try:
            lab.boot_node(node)  # cloud-init returns once the launch hook script has completed the hook
        except Exception as failed:  # noqa: BLE001 - the node failed to boot: the report says how
            lab_node.error = f"boot: {type(failed).__name__}: {failed}"
            return
        lab_node.launch_result = fleet._launch_result(node) or "no result"
        if lab_node.launch_result != "CONTINUE":
            return
        lab_node.in_service_at = self.time.elapsed()
        self._take_over(lab_node, credentials[instance_id])
        lab_node.cpu_read = (lab_node.cgroup.usage_ns(), time.monotonic())
        if fleet.wait_healthy(FleetNode(instance_id, "1")):
            lab_node.serving_at = self.time.elapsed()

    def _drain(self, instance_id: str) -> None:
        lab_node = next(n for n in self.nodes if n.instance_id == instance_id)
        lab_node.draining_at = self.time.elapsed()
        if lab_node.cgroup is not None:
            # The drain agent runs the aws CLI (a Python process), which a tenth of a core stretches tenfold;
            # an instance's whole vCPUs would not. The node serves nothing more: its quota no longer matters.
            lab_node.cgroup.set_cores(DRAINING_CORES)
        try:
            self.fleet.drain(FleetNode(instance_id, "1"))
        except RuntimeError as slow:
            lab_node.error = str(slow)
            return
        self.lab.balancer.set_state(lab_node.node.server, "maint")
        self.lab.account.call(lambda _aws: self.capacity.terminate(self.group, instance_id))
        lab_node.agent_stop.set()
        lab_node.node.instance.close()
        lab_node.gone_at = self.time.elapsed()
        self.fleet.gone.add(instance_id)

    # --- load ------------------------------------------------------------------------------------

    def _start_load(self) -> None:
        scenario, client = self.scenario, self.lab.client
        url = f"{self.lab.url}/work?kloops={scenario.work_kloops}"
        argv = client.python(
            "tools.conformance.autoscale.load",
            url,
            "--factor",
            str(scenario.factor),
            "--epoch",
            repr(time.monotonic() - self.time.elapsed() / scenario.factor),
            "--schedule",
            scenario.schedule(),
            "--until",
            str(scenario.load_until),
            "--max-outstanding",
            str(scenario.max_outstanding),
            "--out",
            str(self.requests_log),
        )
        self.load = client.start(argv, log=self.workdir / "load.log")

    def _stop_load(self) -> None:
        if self.load is None:
            return
        self.load.terminate()
        try:
            self.load.wait(60)
        except subprocess.TimeoutExpired:
            self.load.kill()
            self.load.wait()

    def requests(self) -> list[dict[str, Any]]:
        if not self.requests_log.exists():
            return []
        return [json.loads(line) for line in self.requests_log.read_text().splitlines() if line.strip()]

    # --- reading ----------------------------------------------------------------------------------

    def _read_stats(self) -> aws_metrics.BalancerCounters:
        return aws_metrics.read_stats(self.lab.balancer.command("show stat"), self.lab.facts["target_group"].name)

    def _live(self) -> list[LabNode]:
        return [n for n in self.nodes if n.gone_at is None]

    def activities(self) -> list[dict[str, Any]]:
        return self.lab.account.call(
            lambda aws: aws.client("autoscaling").describe_scaling_activities(AutoScalingGroupName=self.group)
        )["Activities"]

    def mesh(self) -> dict[str, list[str]]:
        """Each live node's Node.list(), through its /node."""
        seen = {}
        for lab_node in self._live():
            if lab_node.draining_at is None:
                status, body = self.lab.get(lab_node.node, "/node")
                seen[lab_node.node.name] = json.loads(body).get("nodes", []) if status == 200 else []
        return seen

    def close(self) -> None:
        for lab_node in self.nodes:
            lab_node.agent_stop.set()
        self._stop_load()
        self._work.shutdown(wait=False, cancel_futures=True)
        self.lab.close()
        for lab_node in self.nodes:
            if lab_node.cgroup is not None:
                lab_node.cgroup.close()


class _Tail:
    """The lines a file gained since the last read (a line still being written waits for the next)."""

    def __init__(self, path: Path):
        self._path, self._offset = path, 0

    def read_lines(self) -> list[str]:
        with open(self._path, "rb") as log:
            log.seek(self._offset)
            text = log.read()
        end = text.rfind(b"\n")
        if end < 0:
            return []
        self._offset += end + 1
        return text[:end].decode(errors="replace").splitlines()


def _p99(times: list[float]) -> float | None:
    """Nearest-rank p99, as the lab's moto computes the alarm's (percentiles.py)."""
    return percentile(times, "p99") if times else None


class _FleetView:
    """The lab's group as loop.FleetView: minutes from the lab's clock, serving from HAProxy."""

    def __init__(self, lab: AutoscaleLab):
        self._lab = lab
        self._states = lab.lab.balancer.server_states()

    def _counted(self) -> list[LabNode]:
        return [n for n in self._lab._live() if n.draining_at is None and n.launch_result in ("", "CONTINUE")]

    def in_service_minutes(self) -> list[int]:
        minutes = []
        for n in self._counted():
            if n.launched_at is None:
                minutes.append(ALREADY_RUNNING)
            elif n.in_service_at is None:
                minutes.append(NOT_YET_IN_SERVICE)
            else:
                minutes.append(int(n.in_service_at // 60))
        return sorted(minutes)

    def serving(self) -> int:
        return sum(1 for n in self._counted() if self._states.get(n.node.server) == "UP")

    def draining(self) -> int:
        return sum(1 for n in self._lab._live() if n.draining_at is not None)

    def removal_order(self) -> list[str]:
        """Newest first, as the simulator removes them (its Group.resize)."""
        counted = self._counted()
        return [n.instance_id for n in sorted(counted, key=lambda n: n.launched_at or -1.0, reverse=True)]
