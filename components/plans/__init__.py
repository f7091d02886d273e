"""Plans: what the stack builds, as plain values computed from the settings.

No pulumi here. The components declare resources from these plans; `tools.verify`, the
conformance lab and the policy pack's fix hints read the same plans, so the translation
from settings to AWS API values is written once.

- names: the names tools find resources by (policies, alarms, actions, topic, dashboard)
- security: the grants, who may reach whom on which ports
- load_balancer: the listeners, the target group and the per-type load balancer options
- node_group: the Auto Scaling group, its instance refresh, the drain hook (with launch_template)
- launch_template: what a node starts from: image, type, user data, metadata, root volume, tags
- cookie: the release cookie's parameter and key
- scaling: policy types, scheduled sizes, step bounds
- iam: the node role's policy documents
- encryption: the key policies of the KMS keys the stack creates
- dashboard: the CloudWatch dashboard body
- bootstrap: the user data and its scripts
"""
