"""The elixir-cluster policy pack, as `pulumi preview/up --policy-pack policies` runs it.

The Pulumi CLI runs this directory (its policies/ on sys.path): building the PolicyPack
starts the policy server the CLI talks to, so nothing else may import this file. The
rules live in rules/ and `python -m tools.policy_check` runs them offline.
"""

from pulumi_policy import PolicyPack
from rules import PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    enforcement_level=PACK_ENFORCEMENT_LEVEL,
    policies=POLICIES,
)
