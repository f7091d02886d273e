"""Plans: what the stack builds, as plain values computed from the settings.

No pulumi here. The components declare resources from these plans; `tools.verify`, the
conformance lab and the policy pack's fix hints read the same plans, so the translation
from settings to AWS API values is written once.

- names: the names tools find resources by (policies, alarms, actions, topic, dashboard)
- security: the grants, who may reach whom on which ports
- load_balancer: the load balancer's attributes, the listeners, the target group
- node_group: the Auto Scaling group and its instance refresh (with launch_template and lifecycle_hooks)
- lifecycle_hooks: the hooks that hold a node while it leaves (the drain hook)
- launch_template: what a node starts from: image, type, user data, metadata, root volume, tags
- cookie: the release cookie's parameter and key
- secrets: the release's secrets (the cookie and release.secrets): the node's call for each, the
  ARN it is granted, secrets.sh
- scaling: one plan per kind of policy (target tracking, step and its alarm, schedules, predictive)
- iam: the node role's policy documents
- encryption: the key policies of the KMS keys the stack creates
- waf: the web ACL the stack creates, its rules and logging
- flow_logs: the VPC's flow log and its delivery role
- health_alarms: what each health alarm watches and when it fires
- dashboard: the CloudWatch dashboard body
- user_data: the node's cloud-init user data, gathering the node's plans below
- node_layout: where the release, its configuration, scripts and units live on a node
- node_scripts: the scripts (scripts/: *.sh, env_assignment.py) and stack.env, the stack's values they read
- release_environment: release.env, the environment the release runs with
- systemd_units: the release's unit and the drain agent's
- cloudwatch_agent: the agent's configuration (memory, StatsD for BEAM metrics)
- discovery: the Cloud Map names and the instance tag naming the node's service
"""
