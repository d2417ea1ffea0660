"""How a ei_modcog run's task and network are built from its resolved configuration: the study's
Mod-Cog ring tasks (``tasks``) and the shared leaky RNN (``rnnlab.models``).

``task.round_robin`` (a list of task names, ``name`` its first) trains one network on several
tasks in turn, one per update (``rnnlab.tasks.schedule.RoundRobinTasks``: the thesis'
``tasks: [...]`` with ``task_sampling: round_robin``); the section's other task parameters
apply to every task of the list.
"""

from __future__ import annotations

from rnnlab.models import LeakyRNN, build_leaky_rnn
from rnnlab.studies.ei_modcog.tasks import make_task
from rnnlab.tasks.schedule import RoundRobinTasks


def build_task(task_config: dict):
    parameters = dict(task_config)
    name = parameters.pop("name")
    schedule = parameters.pop("round_robin", None)
    if not schedule:
        return make_task(name, **parameters)
    if schedule[0] != name:
        raise ValueError(
            f"task.round_robin {schedule} must start with task.name {name!r} (the first task "
            "trained)"
        )
    return RoundRobinTasks(tuple(make_task(each, **parameters) for each in schedule))


def build_model(model_config: dict, task) -> LeakyRNN:
    return build_leaky_rnn(model_config, task)
