"""Plans: what the stack builds, as plain values computed from the settings.

No pulumi here. The components declare resources from these plans; `tools.verify`, the
conformance lab and the policy pack's fix hints read the same plans, so the translation
from settings to AWS API values is written once.

- names: the names tools find resources by (policies, alarms, actions, topic, dashboard)
- security: the grants, who may reach whom on which ports
- load_balancer: the load balancer's attributes, the listeners, the target group
- node_group: the Auto Scaling group, launch template metadata options, the drain hook
- scaling: policy types, scheduled sizes, step bounds
- iam: the node role's policy documents
- encryption: the key policies of the KMS keys the stack creates
- waf: the web ACL the stack creates, its rules and logging
- flow_logs: the VPC's flow log and its delivery role
- health_alarms: what each health alarm watches and when it fires
- dashboard: the CloudWatch dashboard body
- bootstrap: the user data and its scripts
"""
