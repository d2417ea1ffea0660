"""The E/I thesis' families of runs beyond the EG vs GD comparison: the learning-rate sweep, the
ablations and the network-size sweep (thesis configs ``lr_sweep``, ``ablation/*``,
``model_perf/*``).

Each family is a config section ``{enabled, seeds, run, …}`` whose ``run`` is an override of
``training_defaults`` (the family's base network); its own keys name the grid. A family yields
(run name → override) and (run name → the columns that describe the run in the family's
figure), the latter reaching the family's aggregate as its settings so that the figure reads
them from the table, not from the run names.
"""

from __future__ import annotations

from rnnlab.workflow.config import deep_merge

FAMILIES = ("lr_sweep", "ablations", "size_sweep")
CONTROL = "control"  # the ablations' unablated network


def lr_run_name(optimizer: str, learning_rate: float) -> str:
    return f"lr_{optimizer}_{learning_rate:g}"


def ablation_run_name(variant: str) -> str:
    return f"ablation_{variant}"


def size_run_name(hidden_size: int, task_set: str | None = None) -> str:
    return f"size_h{hidden_size}" if task_set is None else f"size_{task_set}_h{hidden_size}"


def lr_sweep_runs(family: dict) -> tuple[dict[str, dict], dict[str, dict]]:
    """One run per (optimiser, learning rate) of the shared grid.

    As in the thesis' sweep, the swept rate is the step of the W_rec rule: EG's multiplicative
    step on W_rec (every other parameter keeps the base run's GD ``learning_rate``); for GD the
    step of every parameter (W_rec and the others alike). ``per_optimizer``: overrides of the
    run for one optimiser only (the thesis' ``optim.eg`` / ``optim.gd`` sections, e.g. EG's
    momentum 0 on W_rec vs GD's 0.9).
    """
    overrides, labels = {}, {}
    for optimizer in family["optimizers"]:
        for rate in family["learning_rates"]:
            rates = {"recurrent_learning_rate": rate}
            if optimizer == "gd":
                rates["learning_rate"] = rate
            name = lr_run_name(optimizer, rate)
            run = deep_merge(family["run"], family["per_optimizer"].get(optimizer, {}))
            overrides[name] = deep_merge(run, {"optimizer": {"name": optimizer, **rates}})
            labels[name] = {"optimizer": optimizer, "learning_rate": float(rate)}
    return overrides, labels


def ablation_runs(family: dict) -> tuple[dict[str, dict], dict[str, dict]]:
    """The control (the family's ``run``) and one run per named variant (an override of it);
    ``variants`` is a list of one-key mappings {name: override}."""
    overrides = {ablation_run_name(CONTROL): deep_merge(family["run"], {})}
    labels = {ablation_run_name(CONTROL): {"variant": CONTROL}}
    for variant, override in (item for one in family["variants"] for item in one.items()):
        if variant in labels.values() or ablation_run_name(variant) in overrides:
            raise ValueError(f"ablation variant {variant!r} is named twice (or 'control')")
        overrides[ablation_run_name(variant)] = deep_merge(family["run"], override)
        labels[ablation_run_name(variant)] = {"variant": variant}
    return overrides, labels


def size_sweep_runs(family: dict) -> tuple[dict[str, dict], dict[str, dict]]:
    """One run per hidden size, on the run's task; with ``task_sets`` (set name → task names),
    one run per (task set, hidden size) — the thesis' model_perf t_1 (dm1) and t_5 (five tasks
    trained round-robin) — labelled with ``task_set`` too."""
    overrides, labels = {}, {}
    task_sets = family.get("task_sets") or {None: None}
    for task_set, tasks in task_sets.items():
        run = family["run"]
        if tasks is not None:
            task = {"name": tasks[0]}
            if len(tasks) > 1:
                task["round_robin"] = list(tasks)
            # The set's tasks replace the run's task (its other parameters are kept).
            kept = {k: v for k, v in run.get("task", {}).items() if k not in ("name", "round_robin")}
            run = {**run, "task": {**kept, **task}}
        for size in family["hidden_sizes"]:
            name = size_run_name(size, task_set)
            overrides[name] = deep_merge(run, {"model": {"hidden_size": size}})
            labels[name] = {"hidden_size": int(size)}
            if task_set is not None:
                labels[name].update(task_set=task_set, tasks=", ".join(tasks))
    return overrides, labels


BUILDERS = {"lr_sweep": lr_sweep_runs, "ablations": ablation_runs, "size_sweep": size_sweep_runs}


def family_runs(section: dict, family: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """(run → override of training_defaults, run → its describing columns) of one family;
    empty when the family is disabled."""
    if not section[family]["enabled"]:
        return {}, {}
    return BUILDERS[family](section[family])
