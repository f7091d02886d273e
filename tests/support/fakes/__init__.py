"""Commands that stand in for what a node's scripts call, each refusing what the real one refuses.

Run as `python -m tests.support.fakes.<name>` from a shim on the sandbox's PATH
(tests/support/fake_node.py); `aws` is answered in the test process instead (aws_server.py), by
the same code. Each appends the command line it was given to $FAKE_CALLS
before judging it, so a test sees refused calls too.
"""
