import Config

# Logs go to stdout: the unit's journal on a node, the lab's log file in the node lab.
config :logger, :console, format: "$time [$level] $message\n"
