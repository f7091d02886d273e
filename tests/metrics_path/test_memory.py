"""mem_used_percent as the agent computes it (telegraf's mem input on gopsutil v3)."""

from __future__ import annotations

import pytest

from tests.support.metrics_path import HALF_USED
from tools.conformance.metrics.memory import read_meminfo, used_percent

MEMINFO = """\
MemTotal:        4000000 kB
MemFree:         1000000 kB
MemAvailable:    2100000 kB
Buffers:          100000 kB
Cached:           800000 kB
SwapCached:            0 kB
SReclaimable:     100000 kB
HugePages_Total:       0
"""


def test_cache_and_reclaimable_slab_count_as_free():
    # 4,000,000 - 1,000,000 - 100,000 - (800,000 + 100,000) = 2,000,000 kB of 4,000,000
    assert used_percent(read_meminfo(MEMINFO)) == 50.0
    assert used_percent(HALF_USED) == 50.0


def test_a_reading_without_a_field_names_it():
    with pytest.raises(ValueError, match="lacks SReclaimable"):
        used_percent({"MemTotal": 1, "MemFree": 1, "Buffers": 0, "Cached": 0})
