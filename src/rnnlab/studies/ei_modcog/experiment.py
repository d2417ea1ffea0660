"""How a ei_modcog run's task and network are built from its resolved configuration: the study's
Mod-Cog ring tasks (``tasks``) and the shared leaky RNN (``rnnlab.models``)."""

from __future__ import annotations

from rnnlab.models import LeakyRNN, build_leaky_rnn
from rnnlab.studies.ei_modcog.tasks import make_task


def build_task(task_config: dict):
    parameters = dict(task_config)
    return make_task(parameters.pop("name"), **parameters)


def build_model(model_config: dict, task) -> LeakyRNN:
    return build_leaky_rnn(model_config, task)
