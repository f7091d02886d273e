"""The metric path offline: the release's StatsD datagrams, through a stand-in for the CloudWatch
agent driven by the configuration the stack renders, into CloudWatch (moto), and back out the way
each alarm and scaling policy reads it.

    node = group_node(client, group)                       # an instance, and its role's credentials
    config = AgentConfig.read(rendered_agent_config(client, group, path))   # what its user data writes
    agent = Agent.on_node(config, node.instance_id, node.session, clock=clock)
    agent.receive(datagram)          # what the release sends to STATSD_HOST:STATSD_PORT
    agent.advance()                  # collect every 10 s, publish each minute (the clock says when)
    findings = check_metrics(cloudwatch, autoscaling, group, start, end, agent.record)

- `statsd`: what the agent's StatsD input makes of a datagram (telegraf's parser, as the agent
  vendors it);
- `agent_config`: the rendered configuration read as the agent reads it, with its defaults;
- `cloudwatch_output`: what its CloudWatch output publishes (aggregation, rollups, statistic sets);
- `memory`: `mem_used_percent` from /proc/meminfo;
- `agent`: the stand-in that ties them to a clock, a node's tags and the node role's credentials;
- `node`: a node of the group and its role's credentials; `rendered`: the configuration it receives;
- `iam`: moto's IAM checks on, with CloudWatch's actions named as IAM names them;
- `contract`: the metrics contract.
"""
