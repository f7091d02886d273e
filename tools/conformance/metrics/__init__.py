"""The metric path offline: the release's StatsD datagrams, through a stand-in for the CloudWatch
agent driven by the configuration the stack renders, into CloudWatch (moto), and back out the way
each alarm and scaling policy reads it.

    agent = Agent(AgentConfig.read(cloudwatch_agent_config()), node, clock=clock)
    agent.receive(datagram)          # what the release sends to STATSD_HOST:STATSD_PORT
    agent.advance()                  # collect every 10 s, publish each minute (the clock says when)
    report = check_metrics(aws, window)   # every alarm and policy metric: did data arrive? if not, why

- `statsd`: what the agent's StatsD input makes of a datagram (telegraf's parser, as the agent
  vendors it);
- `agent_config`: the rendered configuration read as the agent reads it, with its defaults;
- `cloudwatch_output`: what its CloudWatch output publishes (aggregation, rollups, statistic sets);
- `memory`: `mem_used_percent` from /proc/meminfo;
- `agent`: the stand-in that ties them to a clock, a node's tags and the node role's credentials;
- `iam`: moto's IAM checks on, with CloudWatch's actions named as IAM names them;
- `contract`: the metrics contract.
"""
