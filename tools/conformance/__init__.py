"""Conformance lab: the stack's cluster on real Erlang/OTP, HAProxy and iptables (`make conformance`).

stack_facts reads what to reproduce from the stack built in the emulator; netns, firewall,
beam and haproxy build it in network namespaces; lab composes them for tests/conformance;
probe and traffic run inside namespaces; report prints what was measured.
"""
