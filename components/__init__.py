"""elixir-cluster's Pulumi components and the typed stack settings they are built from."""
