"""The node lab: a stack applied into moto, its group's instances booted for real in namespaces.

    lab = NodeLab("prod", workdir, tarball)            # discovery="dns" for the dns variant
    lab.start()     # moto, the stack, the artifact, three instances booted by cloud-init, HAProxy
    ...             # the tests in tests/node_lab
    lab.close()     # every process, namespace and mount gone, also after a failure

Layout on the conformance lab's bridge (netns.Network, 198.18.0.0/24):

| namespace | what runs there                                                                 |
|-----------|---------------------------------------------------------------------------------|
| aws       | moto server (moto_server.py): the account the stack is applied into, IAM on     |
| dns       | the VPC resolver: Cloud Map's names from moto (dns.py)                          |
| lb        | HAProxy configured from the target group (the conformance lab's haproxy.py)     |
| client    | the request loops                                                               |
| database  | PostgreSQL (database.py), firewalled with its security group's rules            |
| node1..3  | one instance each (instance.py), firewalled with the launch template's groups   |

Why an existing VPC: moto gives each instance of the group a private address from its
subnet. The lab applies the stack file with `elixir-cluster:network` switched to an
existing VPC that it creates in moto inside the lab's own range (LAB_VPC), so the address
moto gives an instance is the address of that instance's namespace: what the node reads
from IMDS, registers in Cloud Map and finds through ec2:DescribeInstances is an address
its peers can dial.

The database: before the stack is applied, the lab creates the database's security group
in moto (DATABASE_GROUP: the database port from the group's own members) and adds it to
the stack file's `nodes.extraSecurityGroupIds`. The nodes are members only through the
launch template the stack builds, the database because the lab puts it there (as an RDS
instance is given its groups); both namespaces' firewalls are built from the groups' rules
in moto, so the nodes reach PostgreSQL if, and only if, the stack put them in that group.
The release's secrets: the stack file's release.secrets name where SECRET_KEY_BASE and
DATABASE_URL are; before applying the stack, the lab stores its values there, in the lab's
moto (release_secrets.py), and hands the nodes nothing: each reads them with the node role at
each start of the release, as on AWS. PHX_HOST is the stack file's release.environment.
Everything else in the stack file is as shipped.

Each instance's `aws` is the real CLI behind a recorder (RECORDS_DIR/aws.log): which calls a
node made, never what they returned.
"""

from __future__ import annotations

import atexit
import base64
import ipaddress
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.plans.lifecycle_hooks import LIFECYCLE_HOOK_NAME
from components.plans.node_layout import NodeLayout

from .. import firewall, netns
from ..haproxy import LoadBalancer, Server, render_config
from ..stack_facts import HealthCheck, TargetGroup
from ..waiting import wait_until
from . import boot, cloud_init, release_secrets
from .aws import EmulatedAccount
from .database import DATABASE_PORT, Database
from .instance import Instance
from .release_secrets import LabSecrets
from .stack_variants import NETWORK_SECTION, NODES_SECTION, RELEASE_SECTION, existing_network, settings_of, variant

LAB_VPC = ipaddress.ip_network("198.18.0.0/24")
PUBLIC_SUBNETS = [ipaddress.ip_network(f"198.18.0.{n}/27") for n in (32, 64, 96)]
PRIVATE_SUBNETS = [ipaddress.ip_network(f"198.18.0.{n}/27") for n in (128, 160, 192)]
"""Instances get addresses from .128 up; the lab's own namespaces take .1 to .5."""
DATABASE_GROUP = "database"
"""The name of the database's security group in moto; its one rule admits its own members."""

LAB_NODES = 3
HTTP_PORT = 80
SERVE_TIMEOUT_SECONDS = 120
"""Boot to serving: cloud-init's stages, the artifact, the cookie, the BEAM's start."""
MESH_TIMEOUT_SECONDS = 60
"""Discovery's polls (dns_cluster every 5 s, EC2 tags every 10 s) a few times over."""


class LabInterrupted(RuntimeError):
    """`interrupt` cut a start short."""


@dataclass
class Node:
    """One instance of the group: its moto identity and the namespace that boots it."""

    instance: Instance
    instance_id: str
    release: str
    boot_runs: list[cloud_init.StageRun] = field(default_factory=list)

    @property
    def address(self) -> str:
        return str(self.instance.namespace.address)

    @property
    def name(self) -> str:
        return f"{self.release}@{self.address}"

    @property
    def server(self) -> str:
        return self.instance.name


class NodeLab:
    """See the module docstring."""

    def __init__(
        self,
        stack: str,
        workdir: Path,
        tarball: Path,
        discovery: str | None = None,
        *,
        changes: dict[str, dict[str, Any]] | None = None,
        nodes: int = LAB_NODES,
    ):
        self.stack = stack
        self.changes = changes or {}
        """More keys of the stack file changed, by section (the autoscale lab's sizes, tools/conformance/autoscale)."""
        self.initial_nodes = nodes
        self.workdir = workdir
        self.tarball = tarball
        self.discovery = discovery
        self.network = netns.Network(f"nl{stack}{'-' + discovery if discovery else ''}")
        self.account: EmulatedAccount | None = None
        self.nodes: list[Node] = []
        self.extra_nodes: list[Node] = []
        self.resolver: str | None = None
        self.balancer: LoadBalancer | None = None
        self.settings = None
        self.database: Database | None = None
        self.database_group: str | None = None
        self.secrets: LabSecrets | None = None
        self.facts: dict[str, Any] = {}
        self.stack_changes: dict[str, dict[str, Any]] = {}
        self.timings: dict[str, float] = {}
        self._closed = False
        self._interrupted = False

    # --- building ---------------------------------------------------------------------------

    def start(self) -> None:
        atexit.register(self.close)
        netns.remove_leftovers()
        started = time.monotonic()
        self.network.create()
        aws, dns = self.network.add("aws"), self.network.add("dns")
        self.balancer_namespace, self.client = self.network.add("lb"), self.network.add("client")
        self.database = Database(self.network.add("database"), self.workdir)
        firewall.apply(self.database.namespace, firewall.ruleset([], {}))  # nobody in until its group says so
        self.database.start()
        stack_path = self._stack_variant(aws)
        self.settings = settings_of(stack_path)
        self.secrets = self._create_app_database()
        self.account.call(lambda aws: release_secrets.store(aws, self.settings.release, self.secrets))
        self.account.apply(stack_path)
        self.facts = self.account.call(self._read_facts)
        self.account.call(self._upload_artifact)
        instances = self.account.call(lambda aws: self._scale_out(aws, self.initial_nodes))
        credentials = self.account.call(lambda aws: self._role_credentials(aws, instances))
        self.account.enforce_iam()
        self.resolver = str(dns.address)
        self._start_resolver(dns)
        self.timings["setup"] = time.monotonic() - started
        self.nodes = self._nodes(instances, credentials)
        # Registered as they launch, as the group does with its target group: the health
        # checks run while the nodes boot, and a node is in service two checks after it serves.
        self._start_balancer()
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(self.boot_node, self.nodes))
        self.timings["booted"] = time.monotonic() - started
        self._wait_in_service()
        self.timings["in service"] = time.monotonic() - started

    def _stack_variant(self, aws: netns.Namespace) -> Path:
        """Start moto, give it the lab's VPC, and write the stack file that uses it."""
        shipped = settings_of(variant(self.stack, self.workdir / "probe", {}))
        self.account = EmulatedAccount(aws, self.workdir, shipped.region)
        self.account.start()
        vpc, public, private = self.account.call(_create_lab_vpc)
        self.database_group = self.account.call(lambda aws: _create_database_group(aws, vpc))
        changes = {section: dict(keys) for section, keys in self.changes.items()}
        changes[NETWORK_SECTION] = existing_network(vpc, public, private)
        changes.setdefault(NODES_SECTION, {})["extraSecurityGroupIds"] = [
            *shipped.nodes.extra_security_group_ids,
            self.database_group,
        ]
        if self.discovery:
            changes.setdefault(RELEASE_SECTION, {})["discovery"] = self.discovery
        self.stack_changes = changes  # what a later edit of the stack file (rollout.py) starts from
        return variant(self.stack, self.workdir / "stack", changes)

    def _read_facts(self, aws) -> dict[str, Any]:
        autoscaling, ec2, elbv2 = aws.client("autoscaling"), aws.client("ec2"), aws.client("elbv2")
        group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
        spec = (
            group.get("LaunchTemplate")
            or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
        )
        template = ec2.describe_launch_template_versions(
            LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
        )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        profile = template["IamInstanceProfile"]
        profile_name = profile.get("Name") or profile["Arn"].rsplit("/", 1)[1]
        role = aws.client("iam").get_instance_profile(InstanceProfileName=profile_name)["InstanceProfile"]["Roles"][0]
        groups = template.get("SecurityGroupIds", [])
        target_group_arn = group["TargetGroupARNs"][0]
        load_balancer_arn = elbv2.describe_target_groups(TargetGroupArns=[target_group_arn])["TargetGroups"][0][
            "LoadBalancerArns"
        ][0]
        rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": groups}])
        cookie = aws.client("ssm").get_parameter(Name=self.settings.release.cookie_parameter, WithDecryption=True)
        load_balancer = elbv2.describe_load_balancers(LoadBalancerArns=[load_balancer_arn])["LoadBalancers"][0]
        return {
            "group": group["AutoScalingGroupName"],
            "user_data": base64.b64decode(template["UserData"]).decode(),
            "metadata_options": template.get("MetadataOptions", {}),
            "role": role,
            "node_groups": groups,
            "load_balancer_groups": load_balancer.get("SecurityGroups", []),
            "rules": [firewall.Rule.from_aws(r) for r in rules["SecurityGroupRules"]],
            "target_group": _target_group(elbv2, target_group_arn),
            "cookie": cookie["Parameter"]["Value"],
        }

    def _upload_artifact(self, aws) -> None:
        """The release tarball where `release.artifact` points, as the team's CI would put it."""
        bucket, key = self.settings.release.artifact.removeprefix("s3://").split("/", 1)
        s3 = aws.client("s3")
        if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.settings.region})
        s3.upload_file(str(self.tarball), bucket, key)

    def _create_app_database(self) -> LabSecrets:
        """The release's role and database; the secrets the release will need.

        The password holds characters a URL must escape, so that DATABASE_URL's parsing is proven.
        """
        password = f"{secrets.token_urlsafe(24)}@:/"
        url = self.database.create_app_database(self.settings.release.name, password)
        return LabSecrets.generate(url, password)

    def _scale_out(self, aws, count: int) -> list[dict[str, Any]]:
        """`count` more instances in the group (moto launches them); their descriptions."""
        autoscaling = aws.client("autoscaling")
        known = {n.instance_id for n in self.all_nodes}
        autoscaling.set_desired_capacity(
            AutoScalingGroupName=self.facts["group"], DesiredCapacity=len(known) + count, HonorCooldown=False
        )
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[self.facts["group"]])
        ids = [i["InstanceId"] for i in group["AutoScalingGroups"][0]["Instances"] if i["InstanceId"] not in known]
        reservations = aws.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
        return sorted(
            (i for r in reservations for i in r["Instances"]),
            key=lambda i: ipaddress.ip_address(i["PrivateIpAddress"]),
        )

    def _role_credentials(self, aws, instances: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        """Per instance, the node role's temporary credentials, as IMDS hands them to the instance."""
        sts = aws.client("sts")
        credentials = {}
        for described in instances:
            assumed = sts.assume_role(RoleArn=self.facts["role"]["Arn"], RoleSessionName=described["InstanceId"])
            c = assumed["Credentials"]
            credentials[described["InstanceId"]] = {
                "AccessKeyId": c["AccessKeyId"],
                "SecretAccessKey": c["SecretAccessKey"],
                "Token": c["SessionToken"],
                "Expiration": c["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LastUpdated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        return credentials

    def _start_resolver(self, dns: netns.Namespace) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "AWS_ACCESS_KEY_ID": self.account.credentials["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": self.account.credentials["AWS_SECRET_ACCESS_KEY"],
        }
        ready = self.workdir / "dns.ready"
        argv = dns.python(
            "tools.conformance.node_lab.dns", "--listen", f"{dns.address}:53", "--cloud-map", self.account.url
        )
        dns.start(
            [*argv, "--region", self.settings.region, "--ready", str(ready)], env=env, log=self.workdir / "dns.log"
        )
        if wait_until(ready.exists, 10) is None:
            raise RuntimeError(f"the lab's DNS server did not start; see {self.workdir / 'dns.log'}")

    def _nodes(self, instances: list[dict[str, Any]], credentials: dict[str, dict[str, str]]) -> list[Node]:
        """A firewalled namespace and an instance (not yet booted) for each described instance."""
        addresses = [n.instance.namespace.address for n in self.all_nodes]
        addresses += [ipaddress.ip_address(i["PrivateIpAddress"]) for i in instances]
        rules = firewall.ruleset(self.facts["rules"], self._members(addresses))
        nodes = []
        for described in instances:
            index = len(self.all_nodes) + len(nodes) + 1
            namespace = self.network.add(f"node{index}", ipaddress.ip_address(described["PrivateIpAddress"]))
            firewall.apply(namespace, rules)
            metadata = {
                "instance-id": described["InstanceId"],
                "availability-zone": described["Placement"]["AvailabilityZone"],
                "region": self.settings.region,
                "tags": {t["Key"]: t["Value"] for t in described.get("Tags", [])},
                "target-lifecycle-state": "InService",
                "role": self.facts["role"]["RoleName"],
                "credentials": credentials[described["InstanceId"]],
            }
            instance = Instance(namespace, self.workdir / f"node{index}", metadata, self.resolver)
            nodes.append(Node(instance, described["InstanceId"], self.settings.release.name))
        self._firewall_database(addresses)
        return nodes

    def _members(self, node_addresses: list) -> dict[str, list]:
        """Who is in which security group: the nodes in the launch template's groups (the database's
        among them only if the stack put it there), HAProxy in the load balancer's, the database in its own."""
        members = {group: list(node_addresses) for group in self.facts["node_groups"]}
        for group in self.facts["load_balancer_groups"]:
            members.setdefault(group, []).append(self.balancer_namespace.address)
        members.setdefault(self.database_group, []).append(self.database.namespace.address)
        return members

    def _firewall_database(self, node_addresses: list) -> None:
        """The database namespace's firewall: its security group's rules in moto, for these nodes."""
        rules = [r for r in self.facts["rules"] if r.group_id == self.database_group]
        firewall.apply(self.database.namespace, firewall.ruleset(rules, self._members(node_addresses)))

    @contextmanager
    def database_unreachable_from(self, node: Node) -> Iterator[None]:
        """During the block the node cannot reach the database, as if its instance were not in the
        database's group: the database's firewall leaves it out, and its open sessions are ended
        (the firewall's conntrack would keep them). Restored after."""
        others = [n.instance.namespace.address for n in self.all_nodes if n is not node]
        self._firewall_database(others)
        self.database.disconnect(node.address)
        try:
            yield
        finally:
            self._firewall_database([n.instance.namespace.address for n in self.all_nodes])

    def add_nodes(self, count: int) -> list[Node]:
        """`count` more instances of the group, not booted and not behind HAProxy (for bad inputs)."""
        instances = self.account.call(lambda aws: self._scale_out(aws, count))
        # EC2 assumes the role for an instance; the role trusts only EC2, so the lab does it with IAM checks off.
        with self.account.iam_checks_off():
            credentials = self.account.call(lambda aws: self._role_credentials(aws, instances))
        nodes = self._nodes(instances, credentials)
        self.extra_nodes += nodes
        return nodes

    @property
    def all_nodes(self) -> list[Node]:
        return [*self.nodes, *self.extra_nodes]

    def boot_node(self, node: Node, user_data: str | None = None) -> None:
        """Start the instance and run cloud-init on the launch template's user data (that of the
        version the group had at the start unless `user_data` is given)."""
        instance = node.instance
        instance.start()
        boot.prepare(instance)
        # Debian's aws-cli 2.9 ignores AWS_ENDPOINT_URL (2.13+): the endpoint comes from the PATH.
        aws = ["/usr/bin/aws", "--endpoint-url", self.account.url]
        cloud_init.install_recorder(instance, "/usr/local/bin/aws", "aws", then=aws)
        cloud_init.prepare(instance, user_data or self.facts["user_data"], node.instance_id)
        node.boot_runs = cloud_init.boot(instance, log=instance.workdir / "cloud-init.log")

    def _start_balancer(self) -> None:
        servers = [Server(node.server, node.instance.namespace.address) for node in self.nodes]
        admin_socket = self.workdir / "haproxy.sock"
        tg = self.facts["target_group"]
        config = render_config(tg, 60, (self.balancer_namespace.address, HTTP_PORT), servers, admin_socket)
        self.balancer = LoadBalancer(self.balancer_namespace, tg, config, self.workdir, admin_socket)
        self.balancer.start()

    def _wait_in_service(self) -> None:
        check = self.facts["target_group"].health_check
        budget = SERVE_TIMEOUT_SECONDS + check.interval * check.healthy_threshold
        for node in self.nodes:
            in_service = wait_until(lambda n=node: self._up_or_interrupted(n), budget, pause=0.5)
            if self._interrupted:
                raise LabInterrupted(f"node lab {self.stack}: interrupted while waiting for {node.name}")
            if in_service is None:
                raise RuntimeError(f"{node.name} never in service: HAProxy says {self.server_status(node)!r}")

    def _up_or_interrupted(self, node: Node) -> bool:
        return self._interrupted or self.server_status(node) == "UP"

    # --- what the tests look at -------------------------------------------------------------

    @property
    def layout(self) -> NodeLayout:
        return NodeLayout(self.settings.release.name)

    @property
    def url(self) -> str:
        return f"http://{self.balancer_namespace.address}:{HTTP_PORT}"

    def server_status(self, node: Node) -> str:
        return self.balancer.server_states().get(node.server, "") if self.balancer else ""

    def get(self, node: Node, path: str, method: str = "GET") -> tuple[int, str]:
        """(status, body) of `method` <path> on the node's app port, from the load balancer's namespace."""
        url = f"http://{node.address}:{self.settings.release.http_port}{path}"
        argv = ["curl", "-s", "-m", "5", "-X", method, "-w", "\n%{http_code}", url]
        done = self.balancer_namespace.run(argv, check=False)
        body, _, status = done.stdout.rpartition("\n")
        return int(status or 0), body

    def hook_name(self) -> str:
        return LIFECYCLE_HOOK_NAME

    def interrupt(self) -> None:
        """From another thread, cut short a `start` in progress: every process in the lab's
        namespaces is killed and the namespaces go, so its next step fails; `close` after it."""
        self._interrupted = True
        self.network.remove()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        steps = [n.instance.close for n in self.all_nodes]
        steps += [part.close for part in (self.balancer, self.database) if part is not None]
        for step in steps:
            try:
                step()
            except Exception as problem:  # noqa: BLE001 - cleanup goes on, the problem is shown
                print(f"cleanup: {problem}")
        if self.account is not None:
            self.account.close()
        self.network.remove()
        atexit.unregister(self.close)


def versions() -> str:
    """The software the lab ran, for the report's first line."""
    import moto

    def first_line(argv: list[str], index: int = 0) -> str:
        done = netns.run(argv, check=False)
        lines = (done.stdout or done.stderr).strip().splitlines()
        return lines[index] if lines else "?"

    elixir = first_line(["elixir", "--version"], -1).split(" (")[0]
    otp = first_line(["erl", "-noinput", "-eval", 'io:format("~s", [erlang:system_info(otp_release)]), halt().'])
    cloud = first_line(["cloud-init", "--version"]).split()[-1]
    aws = first_line(["/usr/bin/aws", "--version"]).split()[0]
    haproxy = first_line(["haproxy", "-v"]).split()[2]
    return f"{elixir} on Erlang/OTP {otp}, cloud-init {cloud}, {aws}, HAProxy {haproxy}, moto {moto.__version__}"


def _create_lab_vpc(aws) -> tuple[str, list[str], list[str]]:
    """A VPC in the lab's range with a public and a private subnet per zone (up to three)."""
    ec2 = aws.client("ec2")
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:3]
    vpc = ec2.create_vpc(CidrBlock=str(LAB_VPC))["Vpc"]["VpcId"]

    def subnet(block: ipaddress.IPv4Network, zone: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=str(block), AvailabilityZone=zone)["Subnet"]["SubnetId"]

    public = [subnet(block, zone) for block, zone in zip(PUBLIC_SUBNETS, zones, strict=False)]
    private = [subnet(block, zone) for block, zone in zip(PRIVATE_SUBNETS, zones, strict=False)]
    return vpc, public, private


def _create_database_group(aws, vpc: str) -> str:
    """The database's security group: its port, from the group's own members only."""
    ec2 = aws.client("ec2")
    description = "The lab's PostgreSQL: its port from members of this group only"
    group = ec2.create_security_group(GroupName=DATABASE_GROUP, Description=description, VpcId=vpc)["GroupId"]
    rule = {"IpProtocol": "tcp", "FromPort": DATABASE_PORT, "ToPort": DATABASE_PORT}
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{**rule, "UserIdGroupPairs": [{"GroupId": group, "Description": description}]}]
    )
    return group


def _target_group(elbv2, arn: str) -> TargetGroup:
    described = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    return TargetGroup(
        name=described["TargetGroupName"],
        protocol=described["Protocol"],
        port=described["Port"],
        health_check=HealthCheck(
            path=described["HealthCheckPath"],
            interval=described["HealthCheckIntervalSeconds"],
            timeout=described["HealthCheckTimeoutSeconds"],
            healthy_threshold=described["HealthyThresholdCount"],
            unhealthy_threshold=described["UnhealthyThresholdCount"],
            matcher=described["Matcher"]["HttpCode"],
        ),
        algorithm=attributes["load_balancing.algorithm.type"],
        deregistration_delay=int(attributes["deregistration_delay.timeout_seconds"]),
    )
