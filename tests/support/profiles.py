"""A node profile small enough to compute by hand, for the tests of the simulator's and the tuner's
`--node-profile` (tools/simulator/profile.py).

Between 10 and 20 requests/s per node CPU rises 4 points and scheduler utilisation 5 points per
request/s; CPU reaches 100 at 20 + (100 - 90) / 4 = 22.5 requests/s (the capacity), where scheduler
utilisation is 80 + 2.5 x 5 = 92.5. A node is InService 50 s after launch (1 minute, rounded up) and
serves 100 s after it (2 minutes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tools.simulator import NodeProfile, ProfilePoint

HAND_PROFILE: dict[str, Any] = {
    "description": "a hand-computed node: 22.5 rps at 100% CPU",
    "points": [
        {"requestsPerSecond": 0, "cpuUtilization": 10, "schedulerUtilization": 5},
        {"requestsPerSecond": 10, "cpuUtilization": 50, "schedulerUtilization": 30},
        {"requestsPerSecond": 20, "cpuUtilization": 90, "schedulerUtilization": 80},
    ],
    "launchToInServiceSeconds": 50,
    "launchToServingSeconds": 100,
}


def write_profile(directory: Path, name: str = "node.json", **changes: Any) -> Path:
    """HAND_PROFILE, with `changes` to its top-level keys, written as JSON into `directory`."""
    path = directory / name
    path.write_text(json.dumps({**HAND_PROFILE, **changes}))
    return path


@st.composite
def profiles(draw) -> NodeProfile:
    """A valid profile: rates ascending, CPU never falling and below 100 at the first point, and,
    when it never reaches 100, rising between the last two points."""
    count = draw(st.integers(2, 5))
    rates = sorted(draw(st.lists(st.floats(0, 200), min_size=count, max_size=count, unique=True)))
    cpus = sorted(draw(st.lists(st.floats(0, 100), min_size=count, max_size=count)))
    if cpus[0] == 100 or (cpus[-1] < 100 and cpus[-1] == cpus[-2]):
        cpus[-1] = 100.0
        cpus[0] = min(cpus[0], 99.0)
    schedulers = draw(st.lists(st.floats(0, 100), min_size=count, max_size=count))
    points = tuple(ProfilePoint(*values) for values in zip(rates, cpus, schedulers, strict=True))
    return NodeProfile("drawn", points, 0, draw(st.integers(0, 300)))
