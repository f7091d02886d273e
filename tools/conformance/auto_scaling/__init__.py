"""An Auto Scaling stand-in that performs an instance refresh as AWS does, on any fleet.

The update path (tools/emulated_stack.apply_change) leaves the refresh it started Pending in moto,
which replaces no instance. This package is the part of EC2 Auto Scaling that does: it reads the
refresh (`order.py`), replaces a fleet's nodes in AWS's batches through a small interface
(`fleet.py`: the node lab's namespaces, or a fake), keeps the refresh's status in moto up to date
(`record.py`), and writes what happened to each node (`timeline.py`). The rules, each with the
AWS page it comes from, are in `instance_refresh.py`.
"""
