"""Plans: what the stack builds, as plain values computed from the settings.

No pulumi here. The components declare resources from these plans; `tools.verify`, the
conformance lab and the policy pack's fix hints read the same plans, so the translation
from settings to AWS API values is written once.
"""
