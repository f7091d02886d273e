"""Verify a deployed environment against its stack, read-only.

`discovery` finds the environment's resources by the tags the stack sets on them (no
Pulumi state), `checks/` holds one module per area, each comparing what AWS describes
with what the plans (components/plans) declare, and `report` renders the findings.
The command is `python -m tools.verify` (tools/verify.py).
"""
