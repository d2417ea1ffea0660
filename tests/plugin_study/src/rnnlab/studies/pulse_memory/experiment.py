"""pulse_memory runs: its task and the shared leaky RNN."""

from __future__ import annotations

from rnnlab.models import build_leaky_rnn
from rnnlab.studies.pulse_memory.tasks import make_task


def build_task(task_config: dict):
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def build_model(model_config: dict, task):
    return build_leaky_rnn(model_config, task)
