"""The autoscale lab (issue 24 items 4-6): the node lab under bounded load, its metrics driving the
stack's own alarms and policies, run live by the simulator's engine, instances launched and drained
for real, and the run compared with the simulator's replay of it.

- `lab_time`: the lab's compressed time (one lab minute in 60 / factor real seconds);
- `variants`: the lab's dev and prod (minSize 2, maxSize 5);
- `activities`: a change of desired capacity applied in moto, with the activity naming the policy;
- `loop`: the policies evaluated each lab minute on the datapoints in moto, as their alarms read them.
"""
