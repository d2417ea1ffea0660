"""The cluster bill (rnnlab.workflow.plan): its jobs are Snakemake's, its wall times follow from
the DAG, its training estimates from measured update times and the runs' steps."""

from __future__ import annotations

import pytest

from rnnlab.workflow import schedule


# ------------------------------------------------------------------ scheduling arithmetic

# a (2 s) is needed by b (3 s) and c (1 s), both by d (1 s); e (4 s) stands alone.
DURATIONS = {1: 2.0, 2: 3.0, 3: 1.0, 4: 1.0, 5: 4.0}
DEPENDENCIES = {1: (), 2: (1,), 3: (1,), 4: (2, 3), 5: ()}


def test_the_longest_chain_is_a_then_b_then_d():
    assert schedule.critical_path(DURATIONS, DEPENDENCIES) == (6.0, [1, 2, 4])


def test_list_schedule_on_one_core_is_the_sum_and_on_many_the_longest_chain():
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 1) == 11.0
    # 2 cores: a and e at 0; b at 2 (longer chain ahead than c); c at 4; d at 5, ends at 6.
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 2) == 6.0
    assert schedule.list_schedule(DURATIONS, DEPENDENCIES, 100) == 6.0
    assert schedule.lower_bound(DURATIONS, DEPENDENCIES, 2) == 6.0  # max(11 / 2, 6)


def test_the_lower_bound_is_total_over_cores_when_jobs_cannot_be_split():
    three = {1: 2.0, 2: 2.0, 3: 2.0}
    independent = {1: (), 2: (), 3: ()}
    assert schedule.lower_bound(three, independent, 2) == 3.0
    assert schedule.list_schedule(three, independent, 2) == 4.0


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        schedule.list_schedule({1: 1.0, 2: 1.0}, {1: (2,), 2: (1,)}, 2)
