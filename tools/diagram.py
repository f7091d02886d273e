"""A Mermaid flowchart of what a deployment actually created.

Drawn from the emulator's records, not from the settings: the VPC and its subnets per
zone, who may reach whom (one arrow per security-group rule, labelled with its ports),
the load balancer, its listeners and target group, the web ACL in front of it, the node group,
what watches and scales it, and where the VPC's flow logs go. Whatever the stack did not create
is simply not drawn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the emulator (moto) is loaded by whoever applied the stack
    from tools.emulator import Deployment, ResourceRecord

T_VPC = "aws:ec2/vpc:Vpc"
T_SUBNET = "aws:ec2/subnet:Subnet"
T_NAT = "aws:ec2/natGateway:NatGateway"
T_SG = "aws:ec2/securityGroup:SecurityGroup"
T_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
T_LB = "aws:lb/loadBalancer:LoadBalancer"
T_LISTENER = "aws:lb/listener:Listener"
T_TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
T_GROUP = "aws:autoscaling/group:Group"
T_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
T_PARAMETER = "aws:ssm/parameter:Parameter"
T_POLICY = "aws:autoscaling/policy:Policy"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_TOPIC = "aws:sns/topic:Topic"
T_NAMESPACE = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
T_WEB_ACL = "aws:wafv2/webAcl:WebAcl"
T_WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
T_WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
T_FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def render_mermaid(deployment: Deployment) -> str:
    diagram = _Diagram(deployment)
    return "\n".join(diagram.lines()) + "\n"


class _Diagram:
    def __init__(self, deployment: Deployment):
        self.d = deployment
        self.by_type: dict[str, list[ResourceRecord]] = defaultdict(list)
        for record in deployment.resources:
            self.by_type[record.type].append(record)
        self.group_roles = self._security_group_roles()

    def lines(self) -> list[str]:
        out = ["flowchart LR"]
        out += self._vpc()
        out += self._rules()
        out += self._load_balancer_edges()
        out += self._firewall()
        out += self._operations()
        out += self._flow_logs()
        return out

    # --- shapes ------------------------------------------------------------------

    def _vpc(self) -> list[str]:
        vpcs = self.by_type[T_VPC]
        label = f"VPC {vpcs[0].outputs.get('cidrBlock')}" if vpcs else "existing VPC"
        out = [f'  subgraph vpc["{label}"]']
        zones: dict[str, list[str]] = defaultdict(list)
        for subnet in self.by_type[T_SUBNET]:
            kind = "public" if "public" in subnet.name else "private"
            zones[kind].append(str(subnet.outputs.get("availabilityZone", "")))
        nats = len(self.by_type[T_NAT])
        internal = any(lb.inputs.get("internal") for lb in self.by_type[T_LB])
        balancer = [] if internal else self._load_balancer_shapes()
        if balancer or zones["public"]:
            out.append(f'    subgraph public["public subnets {_zones(zones["public"])}"]')
            out += [f"      {line}" for line in balancer]
            if nats:
                out.append(f'      nat["NAT gateway x{nats}"]')
            out.append("    end")
        out.append(f'    subgraph private["private subnets {_zones(zones["private"])}"]')
        if internal:  # an internal load balancer lives beside the nodes
            out += [f"      {line}" for line in self._load_balancer_shapes()]
        out.append(f"      {self._nodes_shape()}")
        out.append("    end")
        out.append("  end")
        return out

    def _load_balancer_shapes(self) -> list[str]:
        balancers = self.by_type[T_LB]
        if not balancers:
            return []
        lb = balancers[0]
        kind = "ALB" if lb.inputs.get("loadBalancerType", "application") == "application" else "NLB"
        scheme = "internal" if lb.inputs.get("internal") else "internet-facing"
        listeners = ", ".join(_listener_label(listener) for listener in self.by_type[T_LISTENER])
        return [f'lb["{kind} {scheme}<br/>{listeners}"]']

    def _nodes_shape(self) -> str:
        groups = self.by_type[T_GROUP]
        if not groups:
            return 'nodes["Elixir nodes"]'
        group = groups[0].inputs
        types = self._instance_types()
        return (
            f'nodes[["Elixir nodes: Auto Scaling group {_int(group.get("minSize"))}..{_int(group.get("maxSize"))}'
            f'<br/>{types}"]]'
        )

    def _instance_types(self) -> str:
        group = self.by_type[T_GROUP][0].inputs
        mixed = group.get("mixedInstancesPolicy") or {}
        overrides = (mixed.get("launchTemplate") or {}).get("overrides") or []
        if overrides:
            return ", ".join(o.get("instanceType", "") for o in overrides)
        templates = self.by_type[T_LAUNCH_TEMPLATE]
        return templates[0].inputs.get("instanceType", "") if templates else ""

    # --- who may reach whom ----------------------------------------------------------

    def _security_group_roles(self) -> dict[str, str]:
        """Security group id -> the diagram node that carries it."""
        roles: dict[str, str] = {}
        for lb in self.by_type[T_LB]:
            for group_id in lb.inputs.get("securityGroups", []):
                roles[group_id] = "lb"
        for template in self.by_type[T_LAUNCH_TEMPLATE]:
            for group_id in template.inputs.get("vpcSecurityGroupIds", []):
                roles.setdefault(group_id, "nodes")
        for group in self.by_type[T_SG]:
            if group.id not in roles:
                roles[group.id] = "lb" if group.name.endswith("-lb") else "nodes"
        return roles

    def _rules(self) -> list[str]:
        edges: dict[tuple[str, str], list[str]] = defaultdict(list)
        clients: set[str] = set()
        for rule in self.by_type[T_INGRESS]:
            target = self.group_roles.get(rule.inputs.get("securityGroupId"), "nodes")
            source = rule.inputs.get("referencedSecurityGroupId")
            if source:
                origin = self.group_roles.get(source, "nodes")
            else:
                clients.add(rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6") or "")
                origin = "clients"
            edges[(origin, target)].append(_ports(rule.inputs))
        out = []
        if clients:
            out.append(f'  clients(["clients {", ".join(sorted(clients))}"])')
        for (origin, target), ports in edges.items():
            arrow = "<-->" if origin == target else "-->"
            label = ", ".join(sorted(set(ports), key=_port_sort_key))
            out.append(f'  {origin} {arrow}|"{label}"| {target}')
        return out

    def _load_balancer_edges(self) -> list[str]:
        groups = self.by_type[T_TARGET_GROUP]
        if not groups:
            return []
        health = groups[0].inputs.get("healthCheck") or {}
        path = health.get("path") or "TCP"
        return [f'  lb -.-|"health check {path} every {_int(health.get("interval"))}s"| nodes']

    def _firewall(self) -> list[str]:
        """The web ACL the load balancer is associated with: its rules when the stack made it."""
        if not self.by_type[T_WEB_ACL_ASSOCIATION]:
            return []
        acls = self.by_type[T_WEB_ACL]
        label = (
            f"AWS WAF web ACL: {len(acls[0].inputs.get('rules') or [])} rules" if acls else "AWS WAF: existing web ACL"
        )
        out = [f'  waf{{{{"{label}"}}}}', "  waf -.-|inspects requests to| lb"]
        if self.by_type[T_WEB_ACL_LOGGING]:
            out += ['  waflogs[("CloudWatch Logs: WAF requests")]', "  waf -.->|logs| waflogs"]
        return out

    def _flow_logs(self) -> list[str]:
        """Where the VPC's flow logs go, and which traffic."""
        out = []
        for index, flow_log in enumerate(self.by_type[T_FLOW_LOG]):
            inputs = flow_log.inputs
            destination = "S3" if inputs.get("logDestinationType") == "s3" else "CloudWatch Logs"
            shape = f"flowlogs{index or ''}"
            out.append(f'  {shape}[("VPC flow logs: {inputs.get("trafficType")} traffic to {destination}")]')
            out.append(f"  vpc -.->|flow records| {shape}")
        return out

    def _operations(self) -> list[str]:
        out = []
        if self.by_type[T_PARAMETER]:
            out.append('  cookie[("release cookie: SSM SecureString")]')
            out.append("  nodes -->|read at boot| cookie")
        if self.by_type[T_NAMESPACE]:
            out.append('  dns[("Cloud Map private DNS")]')
            out.append("  nodes -->|register / discover| dns")
        policies, alarms = self.by_type[T_POLICY], self.by_type[T_ALARM]
        if policies:
            out.append(f'  scaling{{"scaling: {len(policies)} policies"}}')
            out.append("  scaling -->|adjust capacity| nodes")
        if alarms:
            out.append(f'  alarms(["CloudWatch: {len(alarms)} alarms"])')
            out.append("  nodes -.->|metrics| alarms")
        if self.by_type[T_TOPIC]:
            out.append('  topic(["SNS alert topic"])')
            if alarms:
                out.append("  alarms -->|notify| topic")
        return out


def _listener_label(listener: ResourceRecord) -> str:
    inputs = listener.inputs
    actions = inputs.get("defaultActions") or [{}]
    action = "redirect" if actions[0].get("type") == "redirect" else "forward"
    return f"{inputs.get('protocol')} {_int(inputs.get('port'))} {action}"


def _ports(rule: dict[str, Any]) -> str:
    if str(rule.get("ipProtocol")) == "-1":
        return "all"
    first, last = _int(rule.get("fromPort")), _int(rule.get("toPort"))
    return str(first) if first == last else f"{first}-{last}"


def _port_sort_key(label: str) -> tuple[int, str]:
    match = re.match(r"\d+", label)
    return (int(match.group()) if match else 0, label)


def _zones(zones: list[str]) -> str:
    return ", ".join(sorted(set(z for z in zones if z)))


def _int(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value
