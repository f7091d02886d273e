"""The node's scripts, as files written to the node byte for byte (plans/node_scripts.py).

A package only so that the release environment's plan and the node share env_assignment's
quoting: the other files are shell.
"""
