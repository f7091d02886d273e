"""Node lab: each lab namespace becomes an instance that boots from the rendered user data.

release builds the example Elixir release (examples/shop); instance gives a namespace a
private file system and its own instance metadata service (imds); cloud_init runs the
user data through Debian's cloud-init; units stands in for systemd. `make node-lab`.
"""
