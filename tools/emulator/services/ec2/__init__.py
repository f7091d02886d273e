"""EC2 and VPC, one module per part of the service: networks (network.py), security groups and
their rules (security_groups.py), launch templates (launch_templates.py), and the fixtures of
what a stack references in EC2 but does not own (fixtures.py). Importing the package registers
every handler."""

from . import launch_templates, network, security_groups  # noqa: F401 - each registers its handlers
from .fixtures import SECURITY_GROUP_IDS, SUBNET_IDS, VPC_IDS, provide_network, provide_security_group, provide_vpc

__all__ = ["SECURITY_GROUP_IDS", "SUBNET_IDS", "VPC_IDS", "provide_network", "provide_security_group", "provide_vpc"]
