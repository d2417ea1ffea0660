"""dmts: delayed match to sample, a zoo task."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from rnnlab.studies.ctrnn_zoo.tasks.base import ZooTask, Trials


@dataclass(frozen=True, kw_only=True)
class DMTSTask(ZooTask):
    """Delayed match to sample with two stimuli, A and B.

    Trial (defaults, T = 1500 ms):

    * ``fixation`` [0, sample_on_ms = 100): no input;
    * ``sample`` [100, sample_off_ms = 400): the sample stimulus;
    * ``delay`` [400, test_on_ms = 1000): no input;
    * ``decision`` [1000, T): the test stimulus, and the response.

    Inputs (2): one-hot [stimulus A, stimulus B] at ``stimulus_amplitude`` while a stimulus is
    shown. Outputs (2): [match, non-match]; target 0 before the decision period, then 1 on the
    correct output and 0 on the other. ``loss_mask``: all steps but the first ``grace_ms`` of
    the decision period.

    Condition columns: ``sample_stimulus`` and ``test_stimulus`` (0 = A, 1 = B), ``match``
    (bool), ``correct_output`` (0 = match, 1 = non-match). The table has 4 rows.

    Fixed-point conditions: ``"no_input"`` (fixation and delay), ``"stimulus_a"``,
    ``"stimulus_b"`` (that stimulus on).
    """

    name: ClassVar[str] = "dmts"
    input_size: ClassVar[int] = 2
    output_size: ClassVar[int] = 2
    decision_period: ClassVar[str] = "decision"
    fixed_point_conditions: ClassVar[tuple[str, ...]] = ("no_input", "stimulus_a", "stimulus_b")
    condition_columns: ClassVar[tuple[str, ...]] = ("sample_stimulus", "test_stimulus")

    duration_ms: float = 1500.0
    sample_on_ms: float = 100.0
    sample_off_ms: float = 400.0
    test_on_ms: float = 1000.0
    grace_ms: float = 100.0
    stimulus_amplitude: float = 1.0

    def _period_bounds_ms(self):
        return {
            "fixation": (0.0, self.sample_on_ms),
            "sample": (self.sample_on_ms, self.sample_off_ms),
            "delay": (self.sample_off_ms, self.test_on_ms),
            "decision": (self.test_on_ms, self.duration_ms),
        }

    def _condition_grid(self):
        grid = list(itertools.product((0, 1), (0, 1)))
        return pd.DataFrame(grid, columns=list(self.condition_columns))

    def _derive(self, key):
        sample = key["sample_stimulus"].to_numpy()
        test = key["test_stimulus"].to_numpy()
        if not (np.isin(sample, (0, 1)).all() and np.isin(test, (0, 1)).all()):
            raise ValueError("dmts: sample_stimulus and test_stimulus must be 0 (A) or 1 (B)")
        sample, test = sample.astype(np.int64), test.astype(np.int64)
        match = sample == test
        return pd.DataFrame({
            "sample_stimulus": sample,
            "test_stimulus": test,
            "match": match,
            "correct_output": np.where(match, 0, 1).astype(np.int64),
        })  # fmt: skip

    def _build(self, table, rng, periods):
        n, T = len(table), self.n_steps
        one_hot = np.eye(2, dtype=np.float32)
        sample_on = self._window(*periods["sample"].T)[:, :, None]  # (B, T, 1)
        test_on = self._window(*periods["decision"].T)[:, :, None]
        sample = self.stimulus_amplitude * one_hot[table["sample_stimulus"]][:, None, :]
        test = self.stimulus_amplitude * one_hot[table["test_stimulus"]][:, None, :]
        inputs = (sample_on * sample + test_on * test).astype(np.float32)
        targets = (test_on * one_hot[table["correct_output"]][:, None, :]).astype(np.float32)
        return Trials(inputs, targets, self._grace_loss_mask(periods), {})

    fixed_point_periods: ClassVar[dict[str, str]] = {
        "no_input": "delay", "stimulus_a": "sample", "stimulus_b": "sample",
    }  # fmt: skip

    def fixed_point_trials(self, condition, conditions):
        super().fixed_point_trials(condition, conditions)
        if condition == "no_input":
            return np.ones(len(conditions), dtype=bool)
        sample = 0 if condition == "stimulus_a" else 1
        return (conditions["sample_stimulus"] == sample).to_numpy()

    def _fixed_point_input(self, condition):
        x = np.zeros(self.input_size)
        if condition == "stimulus_a":
            x[0] = self.stimulus_amplitude
        elif condition == "stimulus_b":
            x[1] = self.stimulus_amplitude
        return x


