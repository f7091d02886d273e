"""elixir-cluster's guardrails, one module per concern. Importing them starts nothing:
`policies/__main__.py` builds the PolicyPack (which serves them to the Pulumi CLI), and
`tools/policy_check.py` runs the same policy objects offline.

| rule | level | kind |
|---|---|---|
| cluster-ports-only-from-nodes | mandatory | stack |
| no-admin-ports-from-world | mandatory | resource |
| app-port-only-from-load-balancer | mandatory | stack |
| no-mixed-security-group-rules | mandatory | stack |
| imdsv2-required | mandatory | resource |
| encrypted-volumes | mandatory | resource |
| node-role-no-wildcard-actions | mandatory | resource |
| node-role-reads-only-named-secrets | mandatory | resource |
| no-secrets-in-user-data | mandatory | resource |
| no-secrets-in-release-environment | mandatory | resource |
| secret-parameters-are-secure-strings | mandatory | resource |
| alb-drops-invalid-headers | mandatory | resource |
| listener-tls-policy | mandatory | resource |
| http-redirects-to-https | mandatory | stack |
| target-group-health-check | mandatory | resource |
| prod-load-balancer-deletion-protection | mandatory | resource |
| load-balancer-access-logs | advisory | resource |
| prod-alb-has-waf | mandatory | stack |
| asg-elb-health-checks | mandatory | resource |
| asg-size-bounds | mandatory | resource |
| prod-groups-span-zones | mandatory | resource |
| scalable-groups-have-policies | mandatory | stack |
| alarms-have-actions | advisory | resource |
| flow-logs-enabled | mandatory | stack |
| default-security-group-closed | mandatory | stack |
| kms-key-rotation | mandatory | resource |
| kms-key-policy | mandatory | resource |
| prod-nat-per-zone | mandatory | stack |
| prod-load-balancer-https | mandatory | stack |
| prod-min-nodes | mandatory | resource |
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import compute, encryption, load_balancing, network, scaling, secrets

PACK_NAME = "elixir-cluster"
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY
"""PolicyPack's own default; every rule here sets its level explicitly."""

POLICIES: list[Policy] = [
    *network.POLICIES,
    *compute.POLICIES,
    *secrets.POLICIES,
    *load_balancing.POLICIES,
    *scaling.POLICIES,
    *encryption.POLICIES,
]
