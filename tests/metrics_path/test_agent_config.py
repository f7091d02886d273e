"""The stack's rendered agent configuration, read as the agent reads it."""

from __future__ import annotations

import pytest

from components.plans.cloudwatch_agent import cloudwatch_agent_config
from tests.support.metrics_path import node_agent_config_path
from tools.conformance.metrics.agent_config import AgentConfig, AgentConfigError
from tools.conformance.metrics.rendered import NoAgentConfig, rendered_agent_config


def test_the_rendered_configuration_publishes_beam_metrics_per_group():
    config = AgentConfig.read(cloudwatch_agent_config())

    assert config.namespace == "Elixir/BEAM"
    assert config.append_dimensions == {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"}
    assert config.rollups == (("AutoScalingGroupName",),)
    assert (config.statsd.host, config.statsd.port) == ("127.0.0.1", 8125)
    assert (config.statsd.collection_seconds, config.statsd.aggregation_seconds) == (10, 60)
    assert config.memory_metrics == ("mem_used_percent",)
    assert config.memory_seconds == 60
    assert config.drops_host


@pytest.mark.xdist_group("prod")
def test_the_node_receives_that_configuration_in_its_user_data(prod):
    group = prod.outputs["autoScalingGroupName"]
    received = rendered_agent_config(prod.client, group, node_agent_config_path(prod))

    assert received == cloudwatch_agent_config()
    assert AgentConfig.read(received).namespace == "Elixir/BEAM"


@pytest.mark.xdist_group("prod")
def test_a_path_the_user_data_does_not_write_names_what_it_writes(prod):
    group = prod.outputs["autoScalingGroupName"]

    with pytest.raises(
        NoAgentConfig, match=r"writes no /etc/shop/agent\.json; it writes \[.*'/etc/shop/cloudwatch-agent\.json'"
    ):
        rendered_agent_config(prod.client, group, "/etc/shop/agent.json")


def test_what_the_configuration_leaves_out_takes_the_agents_defaults():
    config = AgentConfig.read(
        {"metrics": {"metrics_collected": {"statsd": {}, "mem": {"measurement": ["used_percent"]}}}}
    )

    assert config.namespace == "CWAgent"
    assert (config.statsd.host, config.statsd.port) == ("", 8125)
    assert (config.statsd.collection_seconds, config.statsd.aggregation_seconds) == (10, 60)
    assert config.memory_metrics == ("mem_used_percent",)
    assert not config.drops_host


def test_rollup_sets_are_deduplicated_as_the_agent_does():
    config = AgentConfig.read(
        {"metrics": {"aggregation_dimensions": [["b", "a"], ["a", "b"], ["a"]], "metrics_collected": {}}}
    )

    assert config.rollups == (("a", "b"), ("a",))


def test_a_placeholder_the_agent_does_not_resolve_names_the_key_and_what_it_resolves():
    bad = {"metrics": {"append_dimensions": {"Group": "${aws:AutoScalingGroupName}"}, "metrics_collected": {}}}

    with pytest.raises(AgentConfigError, match=r"metrics\.append_dimensions\.Group: .*AutoScalingGroupName: \$\{aws"):
        AgentConfig.read(bad)


def test_a_statsd_address_without_a_port_is_refused_with_an_example():
    bad = {"metrics": {"metrics_collected": {"statsd": {"service_address": "localhost"}}}}

    with pytest.raises(
        AgentConfigError, match=r"service_address: 'localhost' is not host:port; e\.g\. 127\.0\.0\.1:8125"
    ):
        AgentConfig.read(bad)
