"""elixir-cluster: a production Elixir/BEAM cluster on AWS, composed from the stack's YAML."""

import pulumi

from components.cluster import ElixirCluster, ElixirClusterArgs
from components.settings import SettingsError, load_pulumi_config

try:
    settings = load_pulumi_config(pulumi.Config("elixir-cluster"), pulumi.Config("aws"), pulumi.get_stack())
except SettingsError as problems:
    # one line per problem, each naming its key; no traceback for a configuration mistake
    raise pulumi.RunError(f"invalid stack configuration:\n{problems}") from None

cluster = ElixirCluster(settings.cluster.name, ElixirClusterArgs(settings=settings))

for output_name, value in cluster.outputs().items():
    pulumi.export(output_name, value)
