"""Command-line tools of elixir-cluster: preview, and the emulator they run on."""
