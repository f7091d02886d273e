"""Rules between sections: zones and subnets for the load balancer, subnet capacity for the
group, egress for the artifact, request-count scaling, sizes in scaling, the drain budget, the
alarms an instance refresh watches.

Each rule is tested at the last value it accepts and the first it refuses: a rule whose
boundary is untested lets `>` for `>=` slip through."""

from __future__ import annotations

import pytest

from tests.support.fragments import CERTIFICATE, step_policy
from tests.support.sections import load, problems, refusals

PUBLIC = ["subnet-0a00000000000000a", "subnet-0a00000000000000b"]
PRIVATE = ["subnet-0b00000000000000a", "subnet-0b00000000000000b"]
NLB = {"type": "network"}
INTERNAL = {"internal": True}


def existing(public: list[str], private: list[str]) -> dict:
    return {"vpcId": "vpc-01234567", "publicSubnetIds": public, "privateSubnetIds": private}


def exact_capacity(change: int) -> dict:
    return {"step": [step_policy(adjustmentType="ExactCapacity", steps=[{"from": 0, "change": change}])]}


def schedule(**sizes: int) -> dict:
    return {"schedules": [{"name": "morning", "cron": "0 7 * * MON-FRI", **sizes}]}


# --- zones and subnets for the load balancer ------------------------------------------------


def test_an_application_load_balancer_needs_two_zones():
    assert problems(network={"availabilityZones": 1}) == [
        "elixir-cluster:network.availabilityZones: must be >= 2 with an application load balancer (AWS requires two "
        "zones); one zone needs type network, got 1"
    ]


def test_an_application_load_balancer_needs_two_zones_in_prod_too():
    # AWS's limit, whatever the environment
    assert problems(stack="prod", network={"availabilityZones": 1}) == [
        "elixir-cluster:network.availabilityZones: must be >= 2 with an application load balancer (AWS requires two "
        "zones); one zone needs type network, got 1"
    ]


def test_a_single_zone_dev_stack_with_a_network_load_balancer():
    loaded = load(network={"availabilityZones": 1}, loadBalancer={"type": "network"})
    assert len(loaded.network.subnet_cidrs()) == 1


def test_prod_may_run_one_zone_behind_a_network_load_balancer_with_one_nat_gateway():
    # opinions, not AWS limits: the policy pack judges them (prod-groups-span-zones, prod-nat-per-zone)
    loaded = load(
        stack="prod",
        network={"availabilityZones": 1, "natGateways": "single"},
        loadBalancer={"type": "network", "certificateArn": CERTIFICATE},
    )
    assert (loaded.network.availability_zones, loaded.network.nat_gateways) == (1, "single")
    assert len(loaded.network.subnet_cidrs()) == 1


def test_an_application_load_balancer_needs_27_bit_subnets():
    assert problems(network={"vpcCidr": "10.0.0.0/24"}) == [
        "elixir-cluster:network.vpcCidr: gives /28 subnets, but an application load balancer needs /27 or larger: use "
        '/23 or larger, got "10.0.0.0/24"'
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


def test_an_internal_load_balancer_in_an_existing_vpc_needs_no_public_subnets():
    network = {
        "vpcId": "vpc-0123456789abcdef0",
        "publicSubnetIds": [],
        "privateSubnetIds": ["subnet-0b00000000000000a", "subnet-0b00000000000000b"],
    }
    assert load(network=network, loadBalancer={"internal": True}).network.public_subnet_ids == []


@pytest.mark.parametrize(
    ("network", "lb", "refused"),
    [
        # a created VPC: two zones for an application load balancer, one for a network one
        ({"availabilityZones": 2}, {}, None),
        (
            {"availabilityZones": 1},
            {},
            "elixir-cluster:network.availabilityZones: must be >= 2 with an application load balancer (AWS requires "
            "two zones); one zone needs type network, got 1",
        ),
        ({"availabilityZones": 1}, NLB, None),
        # ... and /27 subnets (a /23 VPC) for an application load balancer
        ({"vpcCidr": "10.0.0.0/23"}, {}, None),
        ({"vpcCidr": "10.0.0.0/24"}, NLB, None),
        # an existing VPC: the load balancer's subnets, public when internet-facing ...
        (existing(PUBLIC, PRIVATE[:1]), {}, None),
        (
            existing(PUBLIC[:1], PRIVATE),
            {},
            "elixir-cluster:network.publicSubnetIds: needs at least 2 subnets for the internet-facing load balancer: "
            'an application load balancer needs two zones, got ["subnet-0a00000000000000a"]',
        ),
        (existing(PUBLIC[:1], PRIVATE), NLB, None),
        (
            existing([], PRIVATE),
            NLB,
            "elixir-cluster:network.publicSubnetIds: needs at least 1 subnet for the internet-facing load balancer: "
            "it needs a subnet, got []",
        ),
        # ... private when internal
        (existing([], PRIVATE), INTERNAL, None),
        (
            existing(PUBLIC, PRIVATE[:1]),
            INTERNAL,
            "elixir-cluster:network.privateSubnetIds: needs at least 2 subnets for the internal load balancer: an "
            'application load balancer needs two zones, got ["subnet-0b00000000000000a"]',
        ),
        (existing([], PRIVATE[:1]), {**NLB, **INTERNAL}, None),
    ],
)
def test_zones_and_subnets_at_their_boundaries(network, lb, refused):
    assert refusals(network=network, loadBalancer=lb) == ([] if refused is None else [refused])


# --- subnet capacity for the group ------------------------------------------------------------


def test_private_subnets_must_hold_the_group():
    lines = problems(network={"vpcCidr": "10.0.0.0/24"}, nodes={"maxSize": 40}, loadBalancer={"type": "network"})
    assert lines == [
        "elixir-cluster:network.vpcCidr: gives /28 private subnets with 11 usable addresses, but nodes.maxSize (40) "
        'needs 20 per zone, got "10.0.0.0/24"'
    ]


@pytest.mark.parametrize(
    ("zones", "nodes", "lb", "cidr", "refused"),
    [
        # a /28 subnet has 16 - 5 = 11 usable addresses: 11 nodes in one zone, not 12
        (1, {"maxSize": 11}, NLB, "10.0.0.0/24", None),
        (
            1,
            {"maxSize": 12},
            NLB,
            "10.0.0.0/24",
            "elixir-cluster:network.vpcCidr: gives /28 private subnets with 11 usable addresses, but nodes.maxSize "
            '(12) needs 12 per zone, got "10.0.0.0/24"',
        ),
        # across two zones, the busier zone takes the odd node: 22 fit, 23 do not
        (2, {"maxSize": 22}, NLB, "10.0.0.0/24", None),
        (
            2,
            {"maxSize": 23},
            NLB,
            "10.0.0.0/24",
            "elixir-cluster:network.vpcCidr: gives /28 private subnets with 11 usable addresses, but nodes.maxSize "
            '(23) needs 12 per zone, got "10.0.0.0/24"',
        ),
        # an instance refresh above 100% launches before it stops: 10 nodes at 110% are 11
        (
            1,
            {"maxSize": 10, "instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 110}},
            NLB,
            "10.0.0.0/24",
            None,
        ),
        (
            1,
            {"maxSize": 11, "instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 110}},
            NLB,
            "10.0.0.0/24",
            "elixir-cluster:network.vpcCidr: gives /28 private subnets with 11 usable addresses, but nodes.maxSize "
            '(11) needs 13 per zone, got "10.0.0.0/24"',
        ),
        # an internal application load balancer keeps 8 addresses of each private /27 (27 usable)
        (2, {"maxSize": 38}, INTERNAL, "10.0.0.0/23", None),
        (
            2,
            {"maxSize": 39},
            INTERNAL,
            "10.0.0.0/23",
            "elixir-cluster:network.vpcCidr: gives /27 private subnets with 27 usable addresses, but nodes.maxSize "
            '(39) needs 28 per zone, got "10.0.0.0/23"',
        ),
        # an internet-facing one leaves the private subnets to the nodes
        (2, {"maxSize": 39}, {}, "10.0.0.0/23", None),
    ],
)
def test_subnet_capacity_at_its_boundaries(zones, nodes, lb, cidr, refused):
    network = {"vpcCidr": cidr, "availabilityZones": zones}
    assert refusals(network=network, nodes=nodes, loadBalancer=lb) == ([] if refused is None else [refused])


# --- egress for the artifact --------------------------------------------------------------------


def test_an_https_artifact_needs_egress():
    assert problems(network={"natGateways": "none"}, release={"artifact": "https://example.com/shop.tar.gz"}) == [
        "elixir-cluster:release.artifact: an https:// artifact needs internet egress but network.natGateways is none: "
        'use s3:// (served by the VPC\'s S3 endpoint) or NAT, got "https://example.com/shop.tar.gz"'
    ]


@pytest.mark.parametrize(
    ("network", "artifact"),
    [
        ({"natGateways": "single"}, "https://example.com/shop.tar.gz"),
        ({"natGateways": "none"}, "s3://shop-releases/shop.tar.gz"),
        # an existing VPC's egress is its own: the stack cannot tell
        (existing(PUBLIC, PRIVATE), "https://example.com/shop.tar.gz"),
    ],
)
def test_an_artifact_the_nodes_can_reach(network, artifact):
    assert refusals(network=network, release={"artifact": artifact}) == []


# --- request-count scaling ------------------------------------------------------------------------


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
    accepted = load(
        scaling={
            "targetTracking": [{"metric": "requestsPerTarget", "target": 1000}],
            "predictive": {"metric": "requestsPerTarget", "target": 1000},
        },
    )
    assert accepted.scaling.predictive.metric == "requestsPerTarget"


# --- sizes in scaling (dev's nodes: minSize 1, maxSize 3) ------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "scaling", "refused"),
    [
        # an ExactCapacity step sets the group to minSize..maxSize
        ({}, exact_capacity(3), None),
        (
            {},
            exact_capacity(4),
            "elixir-cluster:scaling.step[0].steps[0].change: an ExactCapacity change must be within "
            "nodes.minSize..maxSize (1..3), got 4",
        ),
        ({}, exact_capacity(1), None),
        (
            {},
            exact_capacity(0),
            "elixir-cluster:scaling.step[0].steps[0].change: an ExactCapacity change must be within "
            "nodes.minSize..maxSize (1..3), got 0",
        ),
        # a schedule's minSize, with nodes.maxSize in force
        ({}, schedule(minSize=3), None),
        (
            {},
            schedule(minSize=4),
            "elixir-cluster:scaling.schedules[0].minSize: leaves minSize 4 above maxSize 3 (nodes' values fill what "
            "the schedule leaves out), got 4",
        ),
        # a schedule's maxSize, with nodes.minSize in force
        ({"minSize": 2, "maxSize": 4}, schedule(maxSize=2), None),
        (
            {"minSize": 2, "maxSize": 4},
            schedule(maxSize=1),
            "elixir-cluster:scaling.schedules[0].maxSize: leaves minSize 2 above maxSize 1 (nodes' values fill what "
            "the schedule leaves out), got 1",
        ),
        # both of a schedule's own
        ({}, schedule(minSize=4, maxSize=4), None),
        (
            {},
            schedule(minSize=5, maxSize=4),
            "elixir-cluster:scaling.schedules[0].maxSize: leaves minSize 5 above maxSize 4 (nodes' values fill what "
            "the schedule leaves out), got 4",
        ),
        # a schedule's desiredCapacity within the sizes in force, at both ends
        ({"minSize": 2, "maxSize": 4}, schedule(desiredCapacity=4), None),
        (
            {"minSize": 2, "maxSize": 4},
            schedule(desiredCapacity=5),
            "elixir-cluster:scaling.schedules[0].desiredCapacity: must be within the sizes in force, 2..4, got 5",
        ),
        ({"minSize": 2, "maxSize": 4}, schedule(desiredCapacity=2), None),
        (
            {"minSize": 2, "maxSize": 4},
            schedule(desiredCapacity=1),
            "elixir-cluster:scaling.schedules[0].desiredCapacity: must be within the sizes in force, 2..4, got 1",
        ),
        ({}, schedule(minSize=5, maxSize=6, desiredCapacity=6), None),
    ],
)
def test_sizes_in_scaling_at_their_boundaries(nodes, scaling, refused):
    assert refusals(nodes=nodes, scaling=scaling) == ([] if refused is None else [refused])


@pytest.mark.parametrize(
    ("schedule_sizes", "line"),
    [
        (
            {"minSize": 5},
            "elixir-cluster:scaling.schedules[0].minSize: leaves minSize 5 above maxSize 3 (nodes' values fill "
            "what the schedule leaves out), got 5",
        ),
        (
            {"minSize": 2, "maxSize": 4, "desiredCapacity": 6},
            "elixir-cluster:scaling.schedules[0].desiredCapacity: must be within the sizes in force, 2..4, got 6",
        ),
    ],
)
def test_schedule_sizes_with_the_nodes_in_force(schedule_sizes, line):
    (found,) = problems(scaling=schedule(**schedule_sizes))
    assert found.startswith(line)


def test_an_exact_capacity_change_beyond_the_group_is_refused():
    (found,) = problems(scaling=exact_capacity(9))
    assert found.startswith(
        "elixir-cluster:scaling.step[0].steps[0].change: an ExactCapacity change must be within "
        "nodes.minSize..maxSize (1..3), got 9"
    )


# --- the drain budget -------------------------------------------------------------------------------


def test_the_drain_must_fit_the_lifecycle_hook_after_the_load_balancer_drained():
    assert problems(release={"drainSeconds": 7000}, loadBalancer={"deregistrationDelay": 300}) == [
        "elixir-cluster:release.drainSeconds: loadBalancer.deregistrationDelay (300) + drainSeconds + 30 s must fit "
        "the lifecycle hook's 7200 s heartbeat, got 7000"
    ]
    # the boundary: 300 + 6870 + 30 is exactly AWS's longest heartbeat, one second more is not
    longest = load(release={"drainSeconds": 6870}, loadBalancer={"deregistrationDelay": 300})
    assert longest.drain.heartbeat_seconds == 7200
    assert len(problems(release={"drainSeconds": 6871}, loadBalancer={"deregistrationDelay": 300})) == 1


@pytest.mark.parametrize(
    ("delay", "drain", "refused"),
    [
        (
            300,
            6871,
            "elixir-cluster:release.drainSeconds: loadBalancer.deregistrationDelay (300) + drainSeconds + 30 s "
            "must fit the lifecycle hook's 7200 s heartbeat, got 6871",
        ),
        # the load balancer's share moves the boundary by as much
        (301, 6869, None),
        (
            301,
            6870,
            "elixir-cluster:release.drainSeconds: loadBalancer.deregistrationDelay (301) + drainSeconds + 30 s "
            "must fit the lifecycle hook's 7200 s heartbeat, got 6870",
        ),
        # without a load balancer drain, drainSeconds' own limit is the budget: 7170 + 30 s
        (0, 7170, None),
        (0, 7171, "elixir-cluster:release.drainSeconds: must be <= 7170, got 7171"),
        (0, 1, None),
        (0, 0, "elixir-cluster:release.drainSeconds: must be >= 1, got 0"),
    ],
)
def test_the_drain_budget_at_its_boundaries(delay, drain, refused):
    lines = refusals(release={"drainSeconds": drain}, loadBalancer={"deregistrationDelay": delay})
    assert lines == ([] if refused is None else [refused])


# --- the alarms that fail an instance refresh -------------------------------------------------


def alarms(*names: str) -> dict:
    return {"instanceRefresh": {"alarms": list(names)}}


def test_refresh_alarms_must_be_alarms_the_stack_has():
    assert problems(nodes=alarms("5xx", "unhealthy-hosts")) == [
        "elixir-cluster:nodes.instanceRefresh.alarms[0]: names no alarm of this stack; it has: unhealthy-hosts, "
        'healthy-hosts-below-min, 5xx-rate, p99-latency, at-max-size, got "5xx"'
    ]


def test_a_step_policy_is_named_as_the_stack_file_names_it():
    steps = {"step": [step_policy(name="backlog")]}
    assert refusals(nodes=alarms("backlog"), scaling=steps) == []
    assert problems(nodes=alarms("run-queue"), scaling=steps)[0].endswith(
        'at-max-size, backlog (step), got "run-queue"'
    )


def test_an_http_alarm_behind_a_network_load_balancer_is_refused():
    # a network load balancer publishes no HTTP codes: the stack makes no 5xx-rate alarm to watch
    assert refusals(nodes=alarms("unhealthy-hosts"), loadBalancer=NLB) == []
    (line,) = problems(nodes=alarms("5xx-rate"), loadBalancer=NLB)
    assert line.startswith("elixir-cluster:nodes.instanceRefresh.alarms[0]: names no alarm of this stack; it has: ")
    assert "5xx-rate," not in line


def test_the_ceiling_alarm_exists_only_when_the_group_can_grow():
    fixed = {"minSize": 2, "maxSize": 2, **alarms("at-max-size")}
    assert problems(nodes=fixed)[0].startswith("elixir-cluster:nodes.instanceRefresh.alarms[0]: names no alarm")
    assert refusals(nodes={"minSize": 2, "maxSize": 3, **alarms("at-max-size")}) == []


def test_a_step_policy_named_like_a_health_alarm_is_ambiguous():
    (line,) = problems(nodes=alarms("p99-latency"), scaling={"step": [step_policy(name="p99-latency")]})
    assert line == (
        "elixir-cluster:nodes.instanceRefresh.alarms[0]: is both a health alarm and the step policy "
        'scaling.step[0]: rename the step policy, got "p99-latency"'
    )
