"""Commands that stand in for what a node's scripts call, each refusing what the real one refuses.

Run as `python -m tests.support.fakes.<name>` from a shim on the sandbox's PATH
(tests/support/fake_node.py). Each appends the command line it was given to $FAKE_CALLS
before judging it, so a test sees refused calls too.
"""
