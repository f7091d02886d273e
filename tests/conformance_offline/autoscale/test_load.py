"""The load generator's schedule (load.py): demand per lab second from each lab minute, and its bounds."""

from __future__ import annotations

import pytest

from tools.conformance.autoscale import load
from tools.conformance.autoscale.timeline import Scenario


def test_a_schedule_is_the_demand_in_force_from_each_minute():
    schedule = load.parse_schedule("0:1.5,5:4.5,20:0.5")
    assert [load.rate_at(schedule, m) for m in (0, 4.99, 5, 19, 20, 99)] == [1.5, 1.5, 4.5, 4.5, 0.5, 0.5]


def test_the_lab_scenario_writes_the_schedule_the_generator_reads():
    scenario = Scenario(((0, 1.5), (5, 4.5), (20, 0.5)), load_until=40, end_by=50)
    assert load.parse_schedule(scenario.schedule()) == [(0, 1.5), (5, 4.5), (20, 0.5)]
    assert [scenario.demand(m) for m in (4, 5, 39, 40)] == [1.5, 4.5, 0.5, 0.0]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("0:1,x:2", "'x:2' is not minute:rate"), ("0:1,5", "'5' is not minute:rate"), ("5:1,0:2", "must ascend")],
)
def test_a_bad_schedule_is_refused_naming_the_part(text, problem):
    with pytest.raises(ValueError, match=problem):
        load.parse_schedule(text)


def test_a_rate_above_the_bound_is_refused_before_anything_is_sent(tmp_path, capsys):
    out = tmp_path / "requests.jsonl"
    argv = ["http://198.18.0.5/work", "--factor", "10", "--epoch", "0", "--schedule", "0:50", "--until", "1"]
    assert load.main([*argv, "--out", str(out)]) == 2
    assert "500 requests per real second is above the bound 400" in capsys.readouterr().err
    assert not out.exists()
