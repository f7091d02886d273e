"""The stack settings: what a stack file may say, what it must not, and how it is told.

Fast and offline: no Pulumi, no emulator. Each invalid case asserts the exact line a user
would read, so a rule that stops firing, or fires under another key, fails here.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.settings import (
    BEAM_METRICS,
    DISCOVERY_TAG_KEY,
    ENVIRONMENT_DEFAULTS,
    METRICS_NAMESPACE,
    SECTIONS,
    Defaults,
    EnvironmentRequired,
    NodesSettings,
    ReleaseSettings,
    SettingsError,
    StackSettings,
    instance_architecture,
    load_pulumi_config,
    load_settings,
    parse_cron,
    to_snake,
)
from tests.support.fragments import ACCEPTED, CERTIFICATE, MINIMAL, merged
from tools.stack_files import load_stack_settings

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"
SHIPPED = sorted(STACKS_DIR.glob("Pulumi.*.yaml"))

RUN_QUEUE = {"namespace": METRICS_NAMESPACE, "name": BEAM_METRICS["runQueue"]}


def load(stack: str = "dev", region: str = "eu-west-1", **sections: Any) -> StackSettings:
    return load_settings(merged(MINIMAL, sections), stack=stack, region=region)


def problems(stack: str = "dev", region: str = "eu-west-1", **sections: Any) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load(stack, region, **sections)
    return refused.value.problems


def step_policy(**change: Any) -> dict:
    policy = {
        "name": "run-queue",
        "metric": RUN_QUEUE,
        "threshold": 50,
        "comparison": "GreaterThanOrEqualToThreshold",
        "steps": [{"from": 0, "to": 50, "change": 1}, {"from": 50, "change": 3}],
    }
    return {**policy, **change}


# --- what loads ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_loads(path):
    loaded = load_stack_settings(path)
    assert loaded.stack == path.name.split(".")[1]
    assert loaded.qualified_name == f"shop-{loaded.cluster.environment}"


def test_prod_stack_is_the_production_shape():
    prod = load_stack_settings(STACKS_DIR / "Pulumi.prod.yaml")
    assert (prod.region, prod.network.availability_zones, prod.network.nat_gateways) == ("eu-west-1", 3, "perAz")
    assert prod.load_balancer.https and prod.load_balancer.deletion_protection
    assert prod.load_balancer.listener_ports == [80, 443]
    assert {p.metric for p in prod.scaling.target_tracking} == {"requestsPerTarget", "schedulerUtilization"}
    assert prod.scaling.step[0].metric.name == BEAM_METRICS["runQueue"]
    assert [s.timezone for s in prod.scaling.schedules] == ["Europe/Berlin", "Europe/Berlin"]
    assert prod.scaling.predictive.mode == "ForecastOnly"


def test_local_stack_points_every_service_the_stack_uses_at_moto():
    import yaml

    config = yaml.safe_load((STACKS_DIR / "Pulumi.local.yaml").read_text())["config"]
    (endpoints,) = config["aws:endpoints"]
    assert set(endpoints.values()) == {"http://127.0.0.1:5000"}
    assert {"ec2", "elbv2", "autoscaling", "iam", "ssm", "kms", "sts", "cloudwatch", "sns"} <= set(endpoints)
    assert {"servicediscovery", "s3", "acm", "logs", "wafv2"} <= set(endpoints)
    for key in ("skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "s3UsePathStyle"):
        assert config[f"aws:{key}"] is True
    assert load_stack_settings(STACKS_DIR / "Pulumi.local.yaml").cluster.environment == "dev"


def test_a_minimal_config_is_the_name_and_the_artifact():
    loaded = load()
    assert loaded.release.name == "shop"
    assert loaded.release.cookie_parameter == "/shop/dev/release-cookie"
    assert loaded.nodes.desired_capacity == loaded.nodes.min_size == 1
    assert loaded.load_balancer.listener_ports == [80]
    assert [p.metric for p in loaded.scaling.target_tracking] == ["cpu"]


@pytest.mark.parametrize("key", list(ENVIRONMENT_DEFAULTS))
def test_defaults_follow_the_environment(key):
    section, *path = key.split(".")
    for environment, expected in ENVIRONMENT_DEFAULTS[key].items():
        loaded = load(stack=environment, loadBalancer={"certificateArn": CERTIFICATE})
        value = getattr(loaded, to_snake(section))
        for part in path:
            value = getattr(value, to_snake(part))
        assert value == expected, environment


@pytest.mark.parametrize(
    ("stack", "expected"), [("prod", "prod"), ("staging", "staging"), ("local", "dev"), ("pr-42", "dev")]
)
def test_environment_defaults_to_the_stack_name_when_it_names_one(stack, expected):
    loaded = load(stack=stack, loadBalancer={"certificateArn": CERTIFICATE})
    assert loaded.cluster.environment == expected


def test_an_explicit_environment_wins_over_the_stack_name():
    loaded = load(stack="local", cluster={"environment": "staging"})
    assert loaded.cluster.environment == "staging"
    assert loaded.nodes.min_size == ENVIRONMENT_DEFAULTS["nodes.minSize"]["staging"]


def test_a_model_built_without_an_environment_says_how_to_give_it():
    # never dev's sizes by accident: the message shows the call that gives the environment
    with pytest.raises(EnvironmentRequired, match=r"NodesSettings\.model_validate\(data, context=Defaults\('prod'\)\)"):
        NodesSettings.model_validate({"maxSize": 6})
    with pytest.raises(EnvironmentRequired, match="instanceTypes, minSize"):
        NodesSettings()


def test_a_model_takes_the_environment_it_is_given():
    prod = NodesSettings.model_validate({"maxSize": 6}, context=Defaults("prod"))
    assert (prod.instance_types, prod.min_size, prod.max_size) == (["c7g.large"], 3, 6)
    assert prod.instance_refresh.min_healthy_percentage == 90
    assert not prod.is_set("min_size")  # still a default, not a key the file gave
    staging = NodesSettings.for_environment("staging")
    assert (staging.instance_types, staging.min_size, staging.max_size) == (["c7g.medium"], 2, 6)


def test_a_model_given_every_key_that_follows_the_environment_needs_none():
    nodes = NodesSettings(
        instance_types=["m7g.large"], min_size=1, max_size=2, instance_refresh={"minHealthyPercentage": 50}
    )
    assert (nodes.min_size, nodes.desired_capacity, nodes.instance_refresh.min_healthy_percentage) == (1, 1, 50)


def test_the_release_is_named_after_the_cluster_it_is_given():
    artifact = {"artifact": "s3://shop-releases/shop-1.4.2.tar.gz"}
    release = ReleaseSettings.for_environment("staging", artifact, cluster_name="web-shop")
    assert (release.name, release.cookie_parameter) == ("web_shop", "/web-shop/staging/release-cookie")


def test_an_invalid_cluster_name_gives_the_release_no_name_to_refuse_twice():
    assert problems(cluster={"name": "Web Shop"}) == [
        "elixir-cluster:cluster.name: must be 2-21 characters of a-z, 0-9 and '-', starting with a letter, "
        'got "Web Shop"'
    ]


def test_derived_names_and_tags():
    loaded = load(cluster={"name": "web-shop", "tags": {"team": "payments"}})
    assert loaded.release.name == "web_shop"  # an Elixir atom
    assert loaded.qualified_name == "web-shop-dev"
    assert loaded.discovery_tag == (DISCOVERY_TAG_KEY, "web-shop-dev")
    assert loaded.tags == {
        DISCOVERY_TAG_KEY: "web-shop-dev",
        "Environment": "dev",
        "ManagedBy": "pulumi",
        "team": "payments",
    }


def test_yaml_numbers_become_text_where_aws_wants_text():
    loaded = load(cluster={"tags": {"cost-center": 4711}}, loadBalancer={"healthCheck": {"matcher": 200}})
    assert loaded.cluster.tags["cost-center"] == "4711"
    assert loaded.load_balancer.health_check.matcher == "200"


def test_sections_may_arrive_as_json_strings_as_pulumi_passes_them():
    sections = {key: json.dumps(value) for key, value in MINIMAL.items()}
    assert load_settings(sections, stack="dev", region="eu-west-1").cluster.name == "shop"


def test_load_pulumi_config_reads_duck_typed_config_objects():
    class Config:
        def __init__(self, values):
            self.values = values

        def get(self, key):
            return self.values.get(key)

    project = Config({key: json.dumps(value) for key, value in MINIMAL.items()})
    loaded = load_pulumi_config(project, Config({"region": "eu-central-1"}), "staging")
    assert (loaded.region, loaded.cluster.environment) == ("eu-central-1", "staging")


def test_a_network_load_balancer_with_tls_listens_on_443_only():
    loaded = load(loadBalancer={"type": "network", "certificateArn": CERTIFICATE})
    assert loaded.load_balancer.listener_ports == [443]  # an NLB cannot redirect 80 to 443


def test_a_single_zone_dev_stack_with_a_network_load_balancer():
    loaded = load(network={"availabilityZones": 1}, loadBalancer={"type": "network"})
    assert len(loaded.network.subnet_cidrs()) == 1


def test_dns_discovery():
    assert load(release={"discovery": "dns"}).release.discovery == "dns"


def test_an_existing_vpc():
    network = {
        "vpcId": "vpc-0123456789abcdef0",
        "publicSubnetIds": ["subnet-0a00000000000000a", "subnet-0a00000000000000b"],
        "privateSubnetIds": ["subnet-0b00000000000000a", "subnet-0b00000000000000b"],
    }
    loaded = load(network=network)
    assert loaded.network.existing
    with pytest.raises(ValueError, match="existing VPC"):
        loaded.network.subnet_cidrs()


def test_an_internal_load_balancer_in_an_existing_vpc_needs_no_public_subnets():
    network = {
        "vpcId": "vpc-0123456789abcdef0",
        "publicSubnetIds": [],
        "privateSubnetIds": ["subnet-0b00000000000000a", "subnet-0b00000000000000b"],
    }
    assert load(network=network, loadBalancer={"internal": True}).network.public_subnet_ids == []


def test_the_subnet_plan_is_deterministic_and_fits_the_vpc():
    loaded = load(stack="prod", network={"vpcCidr": "10.40.0.0/16"}, loadBalancer={"certificateArn": CERTIFICATE})
    plan = loaded.network.subnet_cidrs()
    assert plan[0] == ("10.40.0.0/20", "10.40.128.0/20")
    blocks = [ipaddress.ip_network(cidr) for pair in plan for cidr in pair]
    assert len(plan) == 3 and all(b.subnet_of(ipaddress.ip_network("10.40.0.0/16")) for b in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_the_lifecycle_heartbeat_covers_the_load_balancer_and_the_release_drain():
    loaded = load(release={"drainSeconds": 60}, loadBalancer={"deregistrationDelay": 45})
    # the agent's poll (5 s), the load balancer, the release, systemd's margin (15 s), completion (10 s)
    assert loaded.drain.heartbeat_seconds == 5 + 45 + 60 + 15 + 10
    assert loaded.drain.stop_timeout_seconds == 60 + 15
    short = load(release={"drainSeconds": 1}, loadBalancer={"deregistrationDelay": 0})
    assert short.drain.total_seconds == 5 + 0 + 1 + 15 + 10 and short.drain.heartbeat_seconds == 31


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("c7g.large", "arm64"),
        ("m7gd.xlarge", "arm64"),
        ("t4g.small", "arm64"),
        ("c7gn.2xlarge", "arm64"),
        ("r8g.large", "arm64"),
        ("im4gn.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.medium", "arm64"),
        ("m7i.large", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("c5.large", "x86_64"),
        ("t3.micro", "x86_64"),
    ],
)
def test_instance_architecture_from_the_family_name(instance_type, architecture):
    assert instance_architecture(instance_type) == architecture


def test_x86_nodes_with_an_x86_image():
    nodes = {
        "instanceTypes": ["m7i.large", "c7i.large"],
        "ami": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    }
    assert load(nodes=nodes).nodes.architecture == "x86_64"


# --- how problems are told -------------------------------------------------------------------


def test_five_mistakes_give_five_lines():
    lines = problems(
        cluster={"name": "Shop"},
        network={"vpcCidr": "10.0.0.1/16"},
        nodes={"minSize": 3, "maxSize": 2, "rootVolumeGiB": 4},
        alerts={"emails": ["oncall"]},
    )
    assert lines == [
        "elixir-cluster:cluster.name: must be 2-21 characters of a-z, 0-9 and '-', starting with a letter, "
        'got "Shop"',
        'elixir-cluster:network.vpcCidr: host bits must be zero (did you mean 10.0.0.0/16?), got "10.0.0.1/16"',
        "elixir-cluster:nodes.rootVolumeGiB: must be >= 8, got 4",
        "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2",
        'elixir-cluster:alerts.emails[0]: must be an e-mail address such as oncall@example.com, got "oncall"',
    ]


def test_a_cross_field_rule_still_runs_beside_a_broken_key_of_the_same_section():
    lines = problems(nodes={"minSize": 3, "maxSize": 2, "healthCheckGracePeriod": "soon"})
    assert lines == [
        'elixir-cluster:nodes.healthCheckGracePeriod: must be a whole number, got "soon"',
        "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2",
    ]


def test_a_rule_over_a_broken_key_stays_silent():
    # maxSize is refused on its own; "must be >= minSize" would only repeat the mistake
    assert problems(nodes={"minSize": 3, "maxSize": 500}) == ["elixir-cluster:nodes.maxSize: must be <= 100, got 500"]


def test_unknown_keys_name_the_likely_key():
    assert problems(nodes={"maxsize": 4}) == ["elixir-cluster:nodes.maxsize: unknown key; did you mean maxSize?"]
    assert problems(loadBalancer={"healthCheck": {"intervall": 10}}) == [
        "elixir-cluster:loadBalancer.healthCheck.intervall: unknown key; did you mean interval?"
    ]


def test_an_unknown_key_without_a_likely_one_lists_the_keys():
    (line,) = problems(alerts={"pager": "x"})
    assert line == (
        "elixir-cluster:alerts.pager: unknown key; expected one of: emails, latencyP99Ms, error5xxPercent, "
        "atMaxSizeMinutes"
    )


def test_unknown_sections_are_refused():
    assert problems(loadbalancer={"type": "network"}) == [
        "elixir-cluster:loadbalancer: unknown section; did you mean loadBalancer?"
    ]


def test_snake_case_keys_are_refused_in_the_file():
    assert problems(nodes={"min_size": 2}) == ["elixir-cluster:nodes.min_size: unknown key; did you mean minSize?"]


def test_required_keys_show_an_example():
    with pytest.raises(SettingsError) as refused:
        load_settings({"cluster": {}}, stack="dev", region="eu-west-1")
    assert refused.value.problems == [
        'elixir-cluster:cluster.name: required (e.g. "shop")',
        'elixir-cluster:release.artifact: required (e.g. "s3://shop-releases/shop-1.4.2.tar.gz")',
    ]


def test_a_section_that_is_not_a_map():
    assert problems(nodes=["c7g.large"]) == ['elixir-cluster:nodes: must be a map of settings, got ["c7g.large"]']


def test_choices_suggest_the_closest():
    assert problems(network={"natGateways": "perAZ"}) == [
        'elixir-cluster:network.natGateways: must be one of: none, single, perAz (did you mean perAz?), got "perAZ"'
    ]


def test_messages_carry_no_pydantic_noise():
    broken = {
        "cluster": {"name": 7, "environment": "production", "tags": []},
        "network": {"availabilityZones": "three", "vpcId": 3},
        "release": {"artifact": None, "httpPort": 4000.5, "distribution": "yes"},
        "nodes": {"instanceTypes": "c7g.large", "spot": {"onDemandPercentageAboveBase": 101}},
        "loadBalancer": {"internal": "maybe", "stickiness": [], "allowedCidrs": []},
        "scaling": {"targetTracking": {"metric": "cpu"}, "step": [{}], "schedules": [None]},
        "alerts": {"latencyP99Ms": "fast", "error5xxPercent": 100},
    }
    with pytest.raises(SettingsError) as refused:
        load_settings(broken, stack="dev", region="eu-west-1")
    text = str(refused.value)
    assert "Input should" not in text and "pydantic" not in text and "errors.pydantic.dev" not in text
    assert all(line.startswith("elixir-cluster:") for line in refused.value.problems)


# --- cluster ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "line"),
    [
        ({"aws:team": "x"}, "elixir-cluster:cluster.tags.aws:team: tag keys starting with 'aws:' are reserved for AWS"),
        ({"Environment": "x"}, "elixir-cluster:cluster.tags.Environment: the stack sets this tag itself"),
        ({DISCOVERY_TAG_KEY: "x"}, f"elixir-cluster:cluster.tags.{DISCOVERY_TAG_KEY}: the stack sets this tag itself"),
        ({"team/name": "x"}, "elixir-cluster:cluster.tags.team/name: instance metadata tags allow only letters"),
        ({"cost center": "x"}, "elixir-cluster:cluster.tags.cost center: instance metadata tags allow only letters"),
        ({"_index": "x"}, "elixir-cluster:cluster.tags._index: instance metadata tags allow only letters"),
        ({"team": "a" * 257}, "elixir-cluster:cluster.tags.team: a tag value has at most 256 characters"),
        ({"team": "pay;ments"}, "elixir-cluster:cluster.tags.team: tag values allow letters, digits, spaces"),
    ],
)
def test_tags_follow_aws_and_instance_metadata_rules(tags, line):
    (found,) = problems(cluster={"tags": tags})
    assert found.startswith(line)


def test_at_most_46_tags_beside_the_stacks_own():
    (line,) = problems(cluster={"tags": {f"tag{i}": "x" for i in range(47)}})
    assert line == "elixir-cluster:cluster.tags: must have at most 46 entries, got 47"


@pytest.mark.parametrize("name", ["s", "1shop", "shop-", "sh--op", "a-very-long-cluster-name"])
def test_cluster_names_fit_aws_names(name):
    (line,) = problems(cluster={"name": name})
    assert line.startswith("elixir-cluster:cluster.name: must")


# --- network ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "rule"),
    [
        ("10.0.0.0/33", "must be an IPv4 CIDR block such as 10.0.0.0/16"),
        ("10.0.0.0/12", "prefix must be /16 to /24"),
        ("10.0.0.0/25", "prefix must be /16 to /24"),
        ("8.8.0.0/16", "must be inside a private range"),
        ("fd00::/48", "must be an IPv4 CIDR block"),
    ],
)
def test_vpc_cidr(cidr, rule):
    (line,) = problems(network={"vpcCidr": cidr})
    assert line.startswith(f"elixir-cluster:network.vpcCidr: {rule}")


def test_an_application_load_balancer_needs_two_zones():
    assert problems(network={"availabilityZones": 1}) == [
        "elixir-cluster:network.availabilityZones: must be >= 2 with an application load balancer (AWS requires two "
        "zones); one zone needs type network, got 1"
    ]


def test_prod_may_run_one_zone_behind_a_network_load_balancer_with_one_nat_gateway():
    # opinions, not AWS limits: the policy pack judges them (prod-groups-span-zones, prod-nat-per-zone)
    loaded = load(
        stack="prod",
        network={"availabilityZones": 1, "natGateways": "single"},
        loadBalancer={"type": "network", "certificateArn": CERTIFICATE},
    )
    assert (loaded.network.availability_zones, loaded.network.nat_gateways) == (1, "single")
    assert len(loaded.network.subnet_cidrs()) == 1


def test_prod_may_share_one_nat_gateway_between_zones():
    loaded = load(stack="prod", network={"natGateways": "single"})
    assert (loaded.network.availability_zones, loaded.network.nat_gateways) == (3, "single")


def test_an_application_load_balancer_needs_two_zones_in_prod_too():
    # AWS's limit, whatever the environment
    assert problems(stack="prod", network={"availabilityZones": 1}) == [
        "elixir-cluster:network.availabilityZones: must be >= 2 with an application load balancer (AWS requires two "
        "zones); one zone needs type network, got 1"
    ]


def test_an_application_load_balancer_needs_27_bit_subnets():
    assert problems(network={"vpcCidr": "10.0.0.0/24"}) == [
        "elixir-cluster:network.vpcCidr: gives /28 subnets, but an application load balancer needs /27 or larger: use "
        '/23 or larger, got "10.0.0.0/24"'
    ]


def test_private_subnets_must_hold_the_group():
    lines = problems(network={"vpcCidr": "10.0.0.0/24"}, nodes={"maxSize": 40}, loadBalancer={"type": "network"})
    assert lines == [
        "elixir-cluster:network.vpcCidr: gives /28 private subnets with 11 usable addresses, but nodes.maxSize (40) "
        'needs 20 per zone, got "10.0.0.0/24"'
    ]


def test_existing_vpc_keys_go_together_and_exclude_a_created_vpc():
    lines = problems(network={"vpcId": "vpc-0123456789abcdef0", "vpcCidr": "10.1.0.0/16"})
    assert lines == [
        "elixir-cluster:network.publicSubnetIds: required with an existing VPC: vpcId, publicSubnetIds and "
        "privateSubnetIds go together",
        "elixir-cluster:network.privateSubnetIds: required with an existing VPC: vpcId, publicSubnetIds and "
        "privateSubnetIds go together",
        'elixir-cluster:network.vpcCidr: not used with an existing VPC (vpcId): remove it, got "10.1.0.0/16"',
    ]


def test_existing_subnets_are_well_formed_distinct_and_enough():
    a, b = "subnet-0a00000000000000a", "subnet-0a00000000000000b"
    lines = problems(
        network={"vpcId": "vpc-01234567", "publicSubnetIds": [a, a], "privateSubnetIds": [b, "subnet-xyz"]},
    )
    assert lines == [
        "elixir-cluster:network.privateSubnetIds[1]: must be a subnet id such as subnet-0123456789abcdef0, "
        'got "subnet-xyz"',
        f'elixir-cluster:network.publicSubnetIds[1]: listed twice, got "{a}"',
    ]
    lines = problems(network={"vpcId": "vpc-01234567", "publicSubnetIds": [a], "privateSubnetIds": [a, b]})
    assert lines == [
        "elixir-cluster:network.privateSubnetIds[0]: also listed in publicSubnetIds: nodes belong in private "
        f'subnets, got "{a}"',
        "elixir-cluster:network.publicSubnetIds: needs at least 2 subnets for the internet-facing load balancer: an "
        f'application load balancer needs two zones, got ["{a}"]',
    ]


def test_prod_may_reuse_a_vpc_with_one_subnet_each_behind_a_network_load_balancer():
    network = {"vpcId": "vpc-01234567", "publicSubnetIds": ["subnet-0a00000000000000a"]}
    network["privateSubnetIds"] = ["subnet-0b00000000000000a"]
    loaded = load(stack="prod", network=network, loadBalancer={"type": "network"})
    assert loaded.network.private_subnet_ids == ["subnet-0b00000000000000a"]
    # an application load balancer's two zones are AWS's limit, prod or not
    assert problems(stack="prod", network=network) == [
        "elixir-cluster:network.publicSubnetIds: needs at least 2 subnets for the internet-facing load balancer: an "
        'application load balancer needs two zones, got ["subnet-0a00000000000000a"]'
    ]


def test_an_existing_vpc_gives_the_nodes_a_subnet():
    network = {"vpcId": "vpc-01234567", "publicSubnetIds": ["subnet-0a00000000000000a"], "privateSubnetIds": []}
    assert problems(network=network, loadBalancer={"type": "network"}) == [
        "elixir-cluster:network.privateSubnetIds: needs at least one subnet: the nodes run there, got []"
    ]


# --- release ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("artifact", "rule"),
    [
        ("s3://shop-releases/shop.zip", "must name a release tarball (.tar.gz or .tgz)"),
        ("s3://Shop_Releases/shop.tar.gz", "s3://<bucket>/<key>: a bucket name uses a-z, 0-9"),
        ("s3://shop-releases/", "s3://<bucket>/<key>: the key has 1-1024 bytes"),
        ("ftp://example.com/shop.tar.gz", "must be s3://<bucket>/<key> or https://<host>/<path>"),
        ("https://user:pw@example.com/shop.tar.gz", "must not embed credentials"),
        ("https://b.s3.amazonaws.com/shop.tar.gz?X-Amz-Signature=abc", "a presigned URL expires"),
    ],
)
def test_release_artifact(artifact, rule):
    (line,) = problems(release={"artifact": artifact})
    assert line.startswith(f"elixir-cluster:release.artifact: {rule}")


@pytest.mark.parametrize(
    ("release", "line"),
    [
        (
            {"httpPort": 80},
            "elixir-cluster:release.httpPort: must be >= 1024: the release runs as an unprivileged user, got 80",
        ),
        ({"httpPort": 40000}, "elixir-cluster:release.httpPort: must be <= 32767: Linux gives 32768-60999 to outgoing"),
        (
            {"httpPort": 4369},
            "elixir-cluster:release.httpPort: must differ from distribution.epmdPort (4369), got 4369",
        ),
        (
            {"httpPort": 9120},
            "elixir-cluster:release.distribution.portRange: must not include httpPort (9120), got 9100-9155",
        ),
        (
            {"distribution": {"epmdPort": 9100}},
            "elixir-cluster:release.distribution.portRange: must not include epmdPort (9100)",
        ),
        (
            {"httpPort": 8125},
            "elixir-cluster:release.httpPort: must differ from the StatsD listener's port (127.0.0.1:8125)",
        ),
        (
            {"distribution": {"portRange": {"from": 9200, "to": 9100}}},
            "elixir-cluster:release.distribution.portRange.to: must be >= from (9200), got 9100",
        ),
        (
            {"distribution": {"portRange": {"from": 10000, "to": 12000}}},
            "elixir-cluster:release.distribution.portRange: spans at most 1000 ports",
        ),
    ],
)
def test_ports_are_unprivileged_and_never_collide(release, line):
    (found,) = problems(release=release)
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("parameter", "rule"),
    [
        ("shop/cookie", "must be a path such as /shop/prod/release-cookie"),
        ("/aws/shop/cookie", "must not start with 'aws' or 'ssm'"),
        ("/SSM/cookie", "must not start with 'aws' or 'ssm'"),
        ("/shop/co okie", "allows only a-z A-Z 0-9 _ . - /"),
        ("/" + "/".join("l" * 16), "has at most 15 levels"),
    ],
)
def test_cookie_parameter_is_a_creatable_ssm_name(parameter, rule):
    (line,) = problems(release={"cookieParameter": parameter})
    assert line.startswith(f"elixir-cluster:release.cookieParameter: {rule}")


def test_the_drain_must_fit_the_lifecycle_hook_after_the_load_balancer_drained():
    assert problems(release={"drainSeconds": 7000}, loadBalancer={"deregistrationDelay": 300}) == [
        "elixir-cluster:release.drainSeconds: loadBalancer.deregistrationDelay (300) + drainSeconds + 30 s must fit "
        "the lifecycle hook's 7200 s heartbeat, got 7000"
    ]
    # the boundary: 300 + 6870 + 30 is exactly AWS's longest heartbeat, one second more is not
    longest = load(release={"drainSeconds": 6870}, loadBalancer={"deregistrationDelay": 300})
    assert longest.drain.heartbeat_seconds == 7200
    assert len(problems(release={"drainSeconds": 6871}, loadBalancer={"deregistrationDelay": 300})) == 1


def test_an_https_artifact_needs_egress():
    assert problems(network={"natGateways": "none"}, release={"artifact": "https://example.com/shop.tar.gz"}) == [
        "elixir-cluster:release.artifact: an https:// artifact needs internet egress but network.natGateways is none: "
        'use s3:// (served by the VPC\'s S3 endpoint) or NAT, got "https://example.com/shop.tar.gz"'
    ]


# --- nodes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "line"),
    [
        ({"minSize": 3, "maxSize": 2}, "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2"),
        ({"minSize": 2, "desiredCapacity": 1}, "elixir-cluster:nodes.desiredCapacity: must be >= minSize (2), got 1"),
        ({"maxSize": 3, "desiredCapacity": 4}, "elixir-cluster:nodes.desiredCapacity: must be <= maxSize (3), got 4"),
        (
            {"instanceTypes": ["c7g.large", "m7i.large"]},
            "elixir-cluster:nodes.instanceTypes[1]: is x86_64 but c7g.large is arm64",
        ),
        (
            {"instanceTypes": ["m7i.large"]},
            "elixir-cluster:nodes.instanceTypes: are x86_64 but ami names an arm64 image: set ami to the x86_64 image",
        ),
        ({"instanceTypes": ["large"]}, "elixir-cluster:nodes.instanceTypes[0]: must be an EC2 instance type"),
        (
            {"instanceTypes": ["c7g.large", "c7g.large"]},
            'elixir-cluster:nodes.instanceTypes[1]: listed twice, got "c7g.large"',
        ),
        ({"ami": "al2023"}, "elixir-cluster:nodes.ami: must be resolve:ssm:/<parameter> (recommended) or ami-<hex>"),
        (
            {"spot": {"onDemandBaseCapacity": 5}},
            "elixir-cluster:nodes.spot.onDemandBaseCapacity: must be <= maxSize (3), got 5",
        ),
        ({"spot": {"allocationStrategy": "cheapest"}}, "elixir-cluster:nodes.spot.allocationStrategy: must be one of"),
        (
            {"extraSecurityGroupIds": ["sg-01234567", "sg-01234568", "sg-01234569", "sg-0123456a", "sg-0123456b"]},
            "elixir-cluster:nodes.extraSecurityGroupIds: must have at most 4 items",
        ),
        (
            {"extraSecurityGroupIds": ["sg-xyz"]},
            "elixir-cluster:nodes.extraSecurityGroupIds[0]: must be a security group id",
        ),
        (
            {"instanceRefresh": {"minHealthyPercentage": 50, "maxHealthyPercentage": 200}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be <= minHealthyPercentage + 100 (150)",
        ),
        (
            {"instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 100}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be above 100 when "
            "minHealthyPercentage is 100",
        ),
        ({"rootVolumeGiB": 20000}, "elixir-cluster:nodes.rootVolumeGiB: must be <= 16384, got 20000"),
    ],
)
def test_node_group_rules(nodes, line):
    (found,) = problems(nodes=nodes)
    assert found.startswith(line)


def test_prod_may_run_a_single_node():
    # a cost choice the policy pack judges (prod-min-nodes); AWS and the BEAM run one node fine
    loaded = load(stack="prod", nodes={"minSize": 1, "desiredCapacity": 1})
    assert (loaded.nodes.min_size, loaded.nodes.desired_capacity) == (1, 1)


def test_prod_sizes_keep_their_order():
    assert problems(stack="prod", nodes={"minSize": 1, "maxSize": 2, "desiredCapacity": 3}) == [
        "elixir-cluster:nodes.desiredCapacity: must be <= maxSize (2), got 3"
    ]


# --- loadBalancer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lb", "line"),
    [
        (
            {"sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"},
            "elixir-cluster:loadBalancer.sslPolicy: has no effect without certificateArn: set both or neither, got "
            '"ELBSecurityPolicy-TLS13-1-3-2021-06"',
        ),
        (
            {"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2099-01"},
            "elixir-cluster:loadBalancer.sslPolicy: must be one of",
        ),
        (
            {"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-6"},
            "elixir-cluster:loadBalancer.sslPolicy: must be one of: ",
        ),
        (
            {"certificateArn": CERTIFICATE.replace("eu-west-1", "us-east-1")},
            "elixir-cluster:loadBalancer.certificateArn: must be in the stack's region (eu-west-1)",
        ),
        (
            {"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"},
            "elixir-cluster:loadBalancer.certificateArn: must be an ACM certificate ARN",
        ),
        (
            {"type": "network", "algorithm": "least_outstanding_requests"},
            "elixir-cluster:loadBalancer.algorithm: a network load balancer has no algorithm choice",
        ),
        (
            {"type": "network", "idleTimeout": 120},
            "elixir-cluster:loadBalancer.idleTimeout: applies to application load balancers only",
        ),
        (
            {"type": "network", "stickiness": {"enabled": True, "durationSeconds": 60}},
            "elixir-cluster:loadBalancer.stickiness.durationSeconds: a network load balancer sticks by source IP",
        ),
        (
            {"type": "network", "accessLogs": {"bucket": "shop-logs"}},
            "elixir-cluster:loadBalancer.accessLogs: a network load balancer logs TLS listeners only",
        ),
        (
            {"healthCheck": {"matcher": "200-502"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: codes must be within 200-499 on an application",
        ),
        ({"healthCheck": {"matcher": "2xx"}}, "elixir-cluster:loadBalancer.healthCheck.matcher: must be HTTP codes"),
        (
            {"healthCheck": {"matcher": "299-200"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: range 299-200 is reversed",
        ),
        (
            {"healthCheck": {"interval": 5, "timeout": 5}},
            "elixir-cluster:loadBalancer.healthCheck.timeout: must be < interval (5), got 5",
        ),
        (
            {"healthCheck": {"interval": 301}},
            "elixir-cluster:loadBalancer.healthCheck.interval: must be <= 300, got 301",
        ),
        (
            {"healthCheck": {"healthyThreshold": 1}},
            "elixir-cluster:loadBalancer.healthCheck.healthyThreshold: must be >= 2, got 1",
        ),
        (
            {"healthCheck": {"path": "health"}},
            "elixir-cluster:loadBalancer.healthCheck.path: must start with '/', got \"health\"",
        ),
        (
            {"healthCheck": {"path": "/health check"}},
            "elixir-cluster:loadBalancer.healthCheck.path: must be a URL path: printable ASCII without spaces",
        ),
        ({"deregistrationDelay": 3601}, "elixir-cluster:loadBalancer.deregistrationDelay: must be <= 3600, got 3601"),
        ({"idleTimeout": 4001}, "elixir-cluster:loadBalancer.idleTimeout: must be <= 4000, got 4001"),
        (
            {"stickiness": {"durationSeconds": 604801}},
            "elixir-cluster:loadBalancer.stickiness.durationSeconds: must be <= 604800",
        ),
        (
            {"accessLogs": {"bucket": "shop-logs", "prefix": "/prod/"}},
            "elixir-cluster:loadBalancer.accessLogs.prefix: must not start or end with '/'",
        ),
        (
            {"accessLogs": {"bucket": "shop-logs", "prefix": "AWSLogs"}},
            "elixir-cluster:loadBalancer.accessLogs.prefix: must not contain 'AWSLogs'",
        ),
        (
            {"accessLogs": {"bucket": "shop..logs"}},
            "elixir-cluster:loadBalancer.accessLogs.bucket: a bucket name has no '..'",
        ),
        (
            {"accessLogs": {"bucket": "192.168.1.1"}},
            "elixir-cluster:loadBalancer.accessLogs.bucket: a bucket name must not look like an IP",
        ),
        (
            {"allowedCidrs": ["203.0.113.7/24"]},
            "elixir-cluster:loadBalancer.allowedCidrs[0]: host bits must be zero (did you mean 203.0.113.0/24?)",
        ),
        (
            {"allowedCidrs": ["0.0.0.0"]},
            "elixir-cluster:loadBalancer.allowedCidrs[0]: needs its prefix length: 0.0.0.0/32 for this one host, "
            'or 0.0.0.0/0 for everyone, got "0.0.0.0"',
        ),
        (
            {"allowedCidrs": ["10.0.0.0/8", "10.0.0.0/8"]},
            'elixir-cluster:loadBalancer.allowedCidrs[1]: listed twice, got "10.0.0.0/8"',
        ),
        ({"allowedCidrs": []}, "elixir-cluster:loadBalancer.allowedCidrs: must have at least 1 items"),
        (
            {"certificateArn": CERTIFICATE, "allowedCidrs": [f"10.0.{i}.0/24" for i in range(31)]},
            "elixir-cluster:loadBalancer.allowedCidrs: 31 IPv4 blocks x 2 listener ports exceed the 60 inbound rules",
        ),
    ],
)
def test_load_balancer_rules(lb, line):
    (found,) = problems(loadBalancer=lb)
    assert found.startswith(line)


def test_a_network_load_balancer_accepts_5xx_success_codes():
    loaded = load(loadBalancer={"type": "network", "healthCheck": {"matcher": "200-599"}})
    assert loaded.load_balancer.health_check.matcher == "200-599"


def test_prod_may_drop_deletion_protection_and_serve_plain_http():
    # opinions the policy pack judges (prod-load-balancer-deletion-protection, prod-load-balancer-https)
    loaded = load(stack="prod", loadBalancer={"deletionProtection": False})
    assert not loaded.load_balancer.deletion_protection and not loaded.load_balancer.https
    assert loaded.load_balancer.listener_ports == [80]


def test_prod_still_refuses_what_aws_refuses_of_a_load_balancer():
    lines = problems(
        stack="prod", loadBalancer={"deletionProtection": False, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}
    )
    assert lines == [
        "elixir-cluster:loadBalancer.sslPolicy: has no effect without certificateArn: set both or neither, "
        'got "ELBSecurityPolicy-TLS13-1-3-2021-06"'
    ]


def test_an_internal_prod_load_balancer_may_serve_http():
    assert not load(stack="prod", loadBalancer={"internal": True}).load_balancer.https


# --- scaling ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scaling", "line"),
    [
        (
            {"targetTracking": [{"metric": "cpu", "target": 150}]},
            "elixir-cluster:scaling.targetTracking[0].target: must be <= 100 for cpu (a percentage), got 150",
        ),
        (
            {"targetTracking": [{"metric": "memory", "target": 0}]},
            "elixir-cluster:scaling.targetTracking[0].target: must be > 0, got 0",
        ),
        (
            {"targetTracking": [{"metric": "custom", "target": 5, "name": "QueueDepth", "statistic": "Sum"}]},
            "elixir-cluster:scaling.targetTracking[0].namespace: required with metric custom",
        ),
        (
            {"targetTracking": [{"metric": "cpu", "target": 60, "namespace": "X"}]},
            'elixir-cluster:scaling.targetTracking[0].namespace: only metric custom takes namespace, got "X"',
        ),
        (
            {"targetTracking": [{"metric": "cpu", "target": 60}, {"metric": "cpu", "target": 40}]},
            'elixir-cluster:scaling.targetTracking[1].metric: targetTracking[0] already tracks this metric, got "cpu"',
        ),
        (
            {"step": [step_policy(period=45)]},
            "elixir-cluster:scaling.step[0].period: must be 10, 20, 30 or a multiple of 60, got 45",
        ),
        (
            {"step": [step_policy(period=3600, evaluationPeriods=200)]},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (3600) x evaluationPeriods must be <= "
            "604800 s, got 200",
        ),
        (
            {"step": [step_policy(period=60, evaluationPeriods=1441)]},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (60) x evaluationPeriods must be <= 86400 s",
        ),
        (
            {"step": [step_policy(evaluationPeriods=2, datapointsToAlarm=3)]},
            "elixir-cluster:scaling.step[0].datapointsToAlarm: must be <= evaluationPeriods (2), got 3",
        ),
        (
            {"step": [step_policy(minAdjustmentMagnitude=2)]},
            "elixir-cluster:scaling.step[0].minAdjustmentMagnitude: only with adjustmentType "
            "PercentChangeInCapacity, got 2",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 60, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap (gap), "
            "got 60",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 40, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap "
            "(overlap), got 40",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "change": 1}, {"from": 50, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].to: only one step may leave to open (steps[0] does)",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 50, "to": 70, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps: the last step must leave `to` open: the metric can rise without "
            "limit, got [0, 50) [50, 70)",
        ),
        (
            {"step": [step_policy(steps=[{"from": 10, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps: for GreaterThanOrEqualToThreshold the steps must start at from: 0",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "change": -1}])]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be > 0: GreaterThanOrEqualToThreshold scales "
            "out, got -1",
        ),
        (
            {"step": [step_policy(comparison="LessThanThreshold", steps=[{"to": 0, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be < 0: LessThanThreshold scales in, got 1",
        ),
        (
            {"step": [step_policy(comparison="LessThanThreshold", steps=[{"from": -10, "to": 0, "change": -1}])]},
            "elixir-cluster:scaling.step[0].steps: the first step must leave `from` open: the metric can fall "
            "without limit",
        ),
        ({"step": [step_policy(steps=[{"change": 1}])]}, "elixir-cluster:scaling.step[0].steps[0]: needs from or to"),
        (
            {"step": [step_policy(steps=[{"from": 5, "to": 5, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps[0].to: must be > from (5), got 5",
        ),
        (
            {"step": [step_policy(adjustmentType="ExactCapacity", steps=[{"from": 0, "change": 9}])]},
            "elixir-cluster:scaling.step[0].steps[0].change: an ExactCapacity change must be within "
            "nodes.minSize..maxSize (1..3), got 9",
        ),
        (
            {"step": [step_policy(), step_policy()]},
            'elixir-cluster:scaling.step[1].name: step[0] has this name already, got "run-queue"',
        ),
        (
            {"step": [step_policy(name="Run Queue")]},
            "elixir-cluster:scaling.step[0].name: must be 1-63 characters of a-z, 0-9 and '-'",
        ),
    ],
)
def test_scaling_policy_rules(scaling, line):
    (found,) = problems(scaling=scaling)
    assert found.startswith(line)


def test_a_step_with_an_open_upper_bound_below_another_overlaps():
    steps = [{"from": 0, "change": 1}, {"from": 50, "to": 100, "change": 2}, {"from": 100, "to": 200, "change": 3}]
    assert problems(scaling={"step": [step_policy(steps=steps)]}) == [
        "elixir-cluster:scaling.step[0].steps[0].to: is open but steps[1] starts at 50: overlap"
    ]


def test_request_count_scaling_needs_an_application_load_balancer():
    lines = problems(
        loadBalancer={"type": "network"},
        scaling={
            "targetTracking": [{"metric": "requestsPerTarget", "target": 1000}],
            "predictive": {"metric": "requestsPerTarget", "target": 1000},
        },
    )
    assert lines == [
        "elixir-cluster:scaling.targetTracking[0].metric: needs an application load balancer (AWS counts requests per "
        'target on ALBs only), got "requestsPerTarget"',
        'elixir-cluster:scaling.predictive.metric: needs an application load balancer, got "requestsPerTarget"',
    ]


def test_customized_metrics_behind_the_beam_and_memory_targets():
    loaded = load(
        scaling={
            "targetTracking": [
                {"metric": "schedulerUtilization", "target": 70},
                {"metric": "memory", "target": 80},
                {"metric": "cpu", "target": 60},
                {
                    "metric": "custom",
                    "target": 5,
                    "namespace": "Shop",
                    "name": "QueueDepth",
                    "statistic": "Maximum",
                    "dimensions": {"Queue": 1},
                },
            ]
        }
    )
    metrics = [p.customized_metric() for p in loaded.scaling.target_tracking]
    assert (metrics[0].namespace, metrics[0].name) == (METRICS_NAMESPACE, BEAM_METRICS["schedulerUtilization"])
    assert (metrics[1].namespace, metrics[1].name) == (METRICS_NAMESPACE, "mem_used_percent")
    assert metrics[2] is None  # AWS's predefined ASGAverageCPUUtilization
    assert (metrics[3].name, metrics[3].statistic, metrics[3].dimensions) == ("QueueDepth", "Maximum", {"Queue": "1"})


def test_a_step_metric_not_published_per_group_alarms_on_its_own_dimensions_only():
    queue = {"namespace": "AWS/SQS", "name": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "jobs"}}
    loaded = load(scaling={"step": [step_policy(metric={**queue, "perGroup": False})]})
    assert loaded.scaling.step[0].metric.all_dimensions("shop-nodes") == {"QueueName": "jobs"}
    per_group = load(scaling={"step": [step_policy(metric=queue)]}).scaling.step[0].metric
    assert per_group.all_dimensions("shop-nodes") == {"AutoScalingGroupName": "shop-nodes", "QueueName": "jobs"}


def test_the_group_dimension_is_the_stacks_to_add():
    many = {f"D{i}": "x" for i in range(30)}
    custom = {"metric": "custom", "target": 5, "namespace": "Shop", "name": "Busy", "statistic": "Average"}
    assert problems(
        scaling={
            "targetTracking": [{**custom, "dimensions": {"AutoScalingGroupName": "shop-nodes"}}],
            "step": [
                step_policy(metric={**RUN_QUEUE, "dimensions": {"AutoScalingGroupName": "shop-nodes"}}),
                step_policy(name="wide", metric={**RUN_QUEUE, "dimensions": many}),
            ],
        }
    ) == [
        "elixir-cluster:scaling.targetTracking[0].dimensions.AutoScalingGroupName: is added by the stack "
        "(the group's generated name): leave it out",
        "elixir-cluster:scaling.step[0].metric.dimensions.AutoScalingGroupName: is added by the stack "
        "(the group's generated name): leave it out; for a metric not published per group set perGroup: false",
        "elixir-cluster:scaling.step[1].metric.dimensions: at most 29 besides AutoScalingGroupName "
        "(CloudWatch allows 30), got 30",
    ]
    wide = load(scaling={"step": [step_policy(metric={**RUN_QUEUE, "dimensions": many, "perGroup": False})]})
    assert len(wide.scaling.step[0].metric.all_dimensions("shop-nodes")) == 30


@pytest.mark.parametrize(
    ("schedule", "line"),
    [
        ({"cron": "0 7 * *"}, "elixir-cluster:scaling.schedules[0].cron: must have five fields"),
        ({"cron": "60 7 * * *"}, "elixir-cluster:scaling.schedules[0].cron: minute: '60' is not 0..59"),
        ({"cron": "0 7 32 * *"}, "elixir-cluster:scaling.schedules[0].cron: day of month: '32' is not 1..31"),
        ({"cron": "0 7 * 13 *"}, "elixir-cluster:scaling.schedules[0].cron: month: '13' is not 1..12 or JAN-DEC"),
        (
            {"cron": "0 7 * * MON-FRY"},
            "elixir-cluster:scaling.schedules[0].cron: day of week: 'FRY' is not 0..7 or SUN-SAT",
        ),
        (
            {"cron": "0 7 * * FRI-MON"},
            "elixir-cluster:scaling.schedules[0].cron: day of week: range FRI-MON runs backwards",
        ),
        ({"cron": "*/0 7 * * *"}, "elixir-cluster:scaling.schedules[0].cron: minute: '0' is not 1..59"),
        (
            {"timezone": "Europe/Berln"},
            "elixir-cluster:scaling.schedules[0].timezone: must be an IANA time zone such as Europe/Berlin "
            "(did you mean Europe/Berlin?)",
        ),
        (
            {"minSize": None},
            "elixir-cluster:scaling.schedules[0]: needs at least one of minSize, maxSize, desiredCapacity",
        ),
        (
            {"minSize": 5},
            "elixir-cluster:scaling.schedules[0].minSize: leaves minSize 5 above maxSize 3 (nodes' values fill "
            "what the schedule leaves out), got 5",
        ),
        (
            {"maxSize": 4, "desiredCapacity": 6},
            "elixir-cluster:scaling.schedules[0].desiredCapacity: must be within the sizes in force, 2..4, got 6",
        ),
    ],
)
def test_schedule_rules(schedule, line):
    entry = {"name": "morning", "cron": "0 7 * * MON-FRI", "timezone": "Europe/Berlin", "minSize": 2}
    entry = {key: value for key, value in {**entry, **schedule}.items() if value is not None}
    (found,) = problems(scaling={"schedules": [entry]})
    assert found.startswith(line)


def test_predictive_cpu_target_is_a_percentage():
    assert problems(scaling={"predictive": {"metric": "cpu", "target": 150}}) == [
        "elixir-cluster:scaling.predictive.target: must be <= 100 for cpu (a percentage), got 150"
    ]


def test_cron_follows_unix_rules():
    weekdays = parse_cron("0 7 * * MON-FRI")
    assert weekdays.matches(datetime(2026, 1, 5, 7, 0))  # a Monday
    assert not weekdays.matches(datetime(2026, 1, 4, 7, 0))  # a Sunday
    assert not weekdays.matches(datetime(2026, 1, 5, 7, 1))
    sunday = parse_cron("30 22 * * 7")
    assert sunday.weekdays == {0} and sunday.matches(datetime(2026, 1, 4, 22, 30))
    stepped = parse_cron("*/15 8-18/2 1,15 JAN,jul *")
    assert stepped.minutes == {0, 15, 30, 45} and stepped.hours == {8, 10, 12, 14, 16, 18}
    assert stepped.days == {1, 15} and stepped.months == {1, 7}
    # with both day of month and day of week restricted, either matches (cron's rule)
    either = parse_cron("0 0 1 * MON")
    assert either.matches(datetime(2026, 1, 1)) and either.matches(datetime(2026, 1, 5))
    assert not either.matches(datetime(2026, 1, 6))


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alerts", "line"),
    [
        ({"emails": ["oncall@example"]}, "elixir-cluster:alerts.emails[0]: must be an e-mail address"),
        (
            {"emails": ["a@example.com", "A@example.com"]},
            'elixir-cluster:alerts.emails[1]: listed twice, got "A@example.com"',
        ),
        ({"latencyP99Ms": 0}, "elixir-cluster:alerts.latencyP99Ms: must be > 0, got 0"),
        ({"error5xxPercent": 100}, "elixir-cluster:alerts.error5xxPercent: must be < 100, got 100"),
        ({"atMaxSizeMinutes": 0}, "elixir-cluster:alerts.atMaxSizeMinutes: must be >= 1, got 0"),
        ({"atMaxSizeMinutes": 1441}, "elixir-cluster:alerts.atMaxSizeMinutes: must be <= 1440, got 1441"),
    ],
)
def test_alert_rules(alerts, line):
    (found,) = problems(alerts=alerts)
    assert found.startswith(line)


# --- stack files -----------------------------------------------------------------------------


def test_a_stack_file_must_be_named_for_its_stack(tmp_path):
    path = tmp_path / "prod.yaml"
    path.write_text("config: {}\n")
    with pytest.raises(SettingsError, match=r"named Pulumi.<stack>.yaml"):
        load_stack_settings(path)


def test_a_stack_file_must_be_yaml(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config: [unclosed\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_stack_settings(path)


def test_project_keys_without_the_namespace_are_the_projects(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps({"config": {"aws:region": "eu-west-1", **MINIMAL}}))
    assert load_stack_settings(path).cluster.name == "shop"
    path.write_text(json.dumps({"config": {"elixir-cluster:cluster": {"name": "a"}, **MINIMAL}}))
    with pytest.raises(SettingsError, match="given twice"):
        load_stack_settings(path)


def test_the_region_comes_from_the_stack_file(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(
        json.dumps({"config": {"aws:region": "eu-north-1", **{f"elixir-cluster:{k}": v for k, v in MINIMAL.items()}}})
    )
    assert load_stack_settings(path).region == "eu-north-1"


def test_unknown_sections_in_a_stack_file_are_reported(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps({"config": {**MINIMAL, "elixir-cluster:nodez": {"minSize": 2}}}))
    with pytest.raises(SettingsError) as refused:
        load_stack_settings(path)
    assert refused.value.problems == ["elixir-cluster:nodez: unknown section; did you mean nodes?"]


def test_a_stack_file_is_a_map_whose_config_is_a_map(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config: [cluster, release]\n")
    with pytest.raises(SettingsError) as refused:
        load_stack_settings(path)
    assert refused.value.problems == ["elixir-cluster: Pulumi.dev.yaml: a stack file is a map whose 'config' is a map"]


def test_a_yaml_mistake_is_one_line(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  cluster: {name: shop\n")
    with pytest.raises(SettingsError) as refused:
        load_stack_settings(path)
    (line,) = refused.value.problems
    assert line.startswith("elixir-cluster: Pulumi.dev.yaml: not valid YAML: ") and "\n" not in line


def test_an_empty_section_in_a_stack_file_takes_the_defaults(tmp_path):
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(
        "config:\n  aws:region: eu-west-1\n  cluster: {name: shop}\n  nodes:\n"
        "  release: {artifact: s3://shop-releases/shop-1.4.2.tar.gz}\n"
    )
    assert load_stack_settings(path).nodes.min_size == 2


# --- properties ------------------------------------------------------------------------------

INVALID = {
    "cluster": [{"name": "X"}, {"tags": {"aws:x": "y"}}, {"naem": "shop"}],
    "network": [{"vpcCidr": "10.0.0.0/8"}, {"availabilityZones": 9}, {"vpcId": "vpc-01234567"}],
    "release": [{"httpPort": 22}, {"artifact": "shop.tar.gz"}, {"distribution": {"portRange": {"from": 9, "to": 1}}}],
    "nodes": [{"minSize": 9, "maxSize": 2}, {"instanceTypes": []}, {"ami": "ubuntu"}],
    "loadBalancer": [{"type": "classic"}, {"healthCheck": {"timeout": 30}}, {"sslPolicy": "TLS-1-2"}],
    "scaling": [
        {"targetTracking": [{"metric": "cpu"}]},
        {"schedules": [{"name": "x", "cron": "daily"}]},
        {"step": [step_policy(period=7)]},
    ],
    "alerts": [{"emails": "a@b.c"}, {"error5xxPercent": -1}, {"atMaxSizeMinutes": 1e9}],
}
SECTION_NAMES = list(SECTIONS)


@st.composite
def stack_configs(draw):
    """A stack's sections built from known fragments; about one section in eight is broken."""
    stack = draw(st.sampled_from(["dev", "staging", "prod", "local"]))
    sections = copy.deepcopy(MINIMAL)
    if stack == "prod":
        sections["loadBalancer"] = {"certificateArn": CERTIFICATE}
    for section in SECTION_NAMES:
        broken = draw(st.integers(0, 7)) == 0
        fragment = draw(st.sampled_from(INVALID[section] if broken else ACCEPTED[section]))
        sections[section] = merged(sections.get(section, {}), fragment)
    if draw(st.integers(0, 9)) == 0:
        sections["nodez"] = {}
    return stack, sections


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack_configs())
def test_accepted_configs_round_trip_and_refused_ones_name_their_keys(case):
    stack, sections = case
    try:
        loaded = load_settings(sections, stack=stack, region="eu-west-1")
    except SettingsError as refused:
        assert refused.problems
        for line in refused.problems:
            assert line.startswith("elixir-cluster:"), line
            section = line.removeprefix("elixir-cluster:").split(".")[0].split(":")[0].split("[")[0]
            assert section in [*SECTION_NAMES, "nodez"], line
        return
    dumped = {key: getattr(loaded, to_snake(key)).model_dump(mode="json", exclude_unset=True) for key in SECTIONS}
    assert load_settings(dumped, stack=stack, region="eu-west-1") == loaded


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
KEYS = {
    "cluster": ["name", "environment", "tags"],
    "network": ["vpcCidr", "availabilityZones", "natGateways", "vpcId", "publicSubnetIds", "privateSubnetIds"],
    "release": ["name", "artifact", "httpPort", "distribution", "discovery", "cookieParameter", "drainSeconds"],
    "nodes": ["instanceTypes", "ami", "minSize", "maxSize", "desiredCapacity", "spot", "instanceRefresh"],
    "loadBalancer": ["type", "allowedCidrs", "certificateArn", "sslPolicy", "stickiness", "accessLogs", "healthCheck"],
    "scaling": ["targetTracking", "step", "schedules", "predictive"],
    "alerts": ["emails", "latencyP99Ms", "error5xxPercent", "atMaxSizeMinutes"],
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SECTION_NAMES).flatmap(lambda s: st.tuples(st.just(s), st.sampled_from(KEYS[s]), JSON)))
def test_any_value_anywhere_loads_or_is_refused_in_words(case):
    section, key, value = case
    sections = merged(MINIMAL, {section: {key: value}})
    try:
        load_settings(sections, stack="dev", region="eu-west-1")
    except SettingsError as refused:
        assert all(line.startswith(f"elixir-cluster:{section}") for line in refused.problems), refused.problems
