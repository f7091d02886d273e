"""Helpers the tests share: applied stacks, stack-file variants, tiny programs, synthetic
resources. Tests import from here, never from another test module."""
