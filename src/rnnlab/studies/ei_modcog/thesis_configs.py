"""Where each value of the thesis' own config files lives in ``config/thesis.yaml`` (the
correspondence issue 13 asks for; checked by tests/test_ei_families.py against the resolved
thesis configuration).

Each row: (the thesis' config file under ``ei-rnn-modcog/configs/``, its key, where rnnlab keeps
it, the value). "Where" is either ``run <run name>: <section>.<key>`` (a resolved run) or
``section <key path>`` (the study's section). The thesis counts training in epochs ×
steps_per_epoch; rnnlab in steps, with one checkpoint per thesis epoch where the thesis
validated per epoch (the plateau detection's validation points). The thesis' cached or online
``neurogym.Dataset`` of ``seq_len`` steps is rnnlab's ``trial_stream_steps``; its
``spectral_radius`` is a largest singular value, rnnlab's ``spectral_scaling: spectral_norm``.

Rows not yet covered (named, not done): base_training/config.yaml, fixed_points/*.yaml and
ei_gradient/credit.yaml (the main runs' section), and the thesis' five-task half of
model_perf (t_5_H_*: round-robin over dm1, dm2, dms, dnms, ctxdlydm1), which needs
multi-task training.
"""

from __future__ import annotations

_EG_OPTIMISER = [
    ("optim.algorithm", "optimizer.name", "eg"),
    ("optim.eg.lr", "optimizer.recurrent_learning_rate", 0.2),
    ("optim.eg.momentum", "optimizer.recurrent_momentum", 0.0),
    ("optim.eg.weight_decay", "optimizer.recurrent_weight_decay", 1e-5),
    ("optim.eg.min_magnitude", "optimizer.min_magnitude", 1e-6),
    ("optim.gd.lr", "optimizer.learning_rate", 0.1),
    ("optim.gd.momentum", "optimizer.momentum", 0.9),
    ("optim.gd.weight_decay", "optimizer.weight_decay", 1e-5),
    ("train.grad_clip", "optimizer.grad_clip_norm", 1.0),
]


def _run_rows(file: str, run: str, rows) -> list[tuple[str, str, str, object]]:
    return [(file, key, f"run {run}: {where}", value) for key, where, value in rows]


def _ablation(file: str, run: str, leak: float, nonlinearity: str, readout: str,
              row_sum: float):
    return _run_rows(file, run, [
        ("tasks", "task.name", "dm1"),
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 80),
        ("model.hidden_size", "model.hidden_size", 256),
        ("model.exc_frac", "model.excitatory_fraction", 0.8),
        ("model.spectral_radius", "model.spectral_value", 1.2),
        ("model.leak", "model.leak", leak),
        ("model.nonlinearity", "model.nonlinearity", nonlinearity),
        ("model.readout", "model.readout", readout),
        ("model.softplus_beta", "model.softplus_beta", 10.0),
        ("train.num_epochs × steps_per_epoch (10 × 250)", "training.steps", 2500),
        ("train.fixdown_weight", "training.fixdown_weight", 0.5),
        ("train.row_sum_zero.weight (enabled)", "training.row_sum_penalty", row_sum),
        ("train.row_sum_zero.per_sign", "training.row_sum_per_sign", True),
        *_EG_OPTIMISER,
    ])


def _model_perf(file: str, run: str, hidden: int):
    return _run_rows(file, run, [
        ("tasks", "task.name", "dm1"),
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 80),
        ("model.hidden_size", "model.hidden_size", hidden),
        ("model.spectral_radius", "model.spectral_value", 1.2),
        ("model.leak", "model.leak", 1.0),
        ("model.softplus_beta", "model.softplus_beta", 10.0),
        ("train.num_epochs × steps_per_epoch (20 × 500)", "training.steps", 10000),
        ("train.fixdown_weight", "training.fixdown_weight", 0.5),
        *_EG_OPTIMISER,
    ])


LR_GRID = [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3, 0.4,
           0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
_LR = "lr_sweep/lr_sweep.yaml"

CORRESPONDENCE: list[tuple[str, str, str, object]] = [
    (_LR, "sweep.lr_shared_grid", "section lr_sweep.learning_rates", LR_GRID),
    (_LR, "sweep.algorithms", "section lr_sweep.optimizers", ["eg", "gd"]),
    (_LR, "sweep.seeds", "section lr_sweep.seeds", [1, 2, 3]),
    (_LR, "sweep.plateau.window", "section lr_sweep.plateau.window", 2),
    (_LR, "sweep.plateau.tol", "section lr_sweep.plateau.tolerance", 0.002),
    *_run_rows(_LR, "lr_eg_0.1", [
        ("tasks", "task.name", "dm1"),
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 120),
        ("model.hidden_size", "model.hidden_size", 256),
        ("model.spectral_radius", "model.spectral_value", 1.1),
        ("model.leak", "model.leak", 1.0),
        ("model.nonlinearity", "model.nonlinearity", "softplus"),
        ("model.softplus_beta", "model.softplus_beta", 8.0),
        ("model.readout", "model.readout", "all"),
        ("train.num_epochs × steps_per_epoch (5 × 300)", "training.steps", 1500),
        ("validation after each of the 5 epochs", "training.checkpoint_fractions",
         [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        ("train.fixdown_weight", "training.fixdown_weight", 0.5),
        ("train.label_smoothing", "training.label_smoothing", 0.1),
        ("train.grad_clip", "optimizer.grad_clip_norm", 1.0),
        ("(swept) EG lr", "optimizer.recurrent_learning_rate", 0.1),
        ("optim.eg.momentum", "optimizer.recurrent_momentum", 0.0),
        ("optim.eg.weight_decay", "optimizer.recurrent_weight_decay", 1e-5),
        ("optim.gd.lr (the other parameters of EG runs)", "optimizer.learning_rate", 0.05),
    ]),
    *_run_rows(_LR, "lr_gd_0.1", [
        ("(swept) GD lr, every parameter", "optimizer.learning_rate", 0.1),
        ("(swept) GD lr, every parameter", "optimizer.recurrent_learning_rate", 0.1),
        ("optim.gd.momentum, every parameter", "optimizer.momentum", 0.9),
        ("optim.gd.momentum, every parameter", "optimizer.recurrent_momentum", None),
        ("optim.gd.weight_decay", "optimizer.weight_decay", 1e-5),
    ]),
    *_ablation("ablation/control.yaml", "ablation_control", 0.9, "softplus", "all", 0.5),
    *_ablation("ablation/leak_0_2.yaml", "ablation_leak_0_2", 0.2, "softplus", "all", 0.5),
    *_ablation("ablation/leak_0_5.yaml", "ablation_leak_0_5", 0.5, "softplus", "all", 0.5),
    *_ablation("ablation/leak_1.yaml", "ablation_leak_1", 1.0, "softplus", "all", 0.5),
    *_ablation("ablation/nonlinearity_tanh.yaml", "ablation_nonlinearity_tanh", 0.9, "tanh",
               "all", 0.5),
    *_ablation("ablation/readout_e_only.yaml", "ablation_readout_e_only", 0.9, "softplus",
               "excitatory", 0.5),
    *_ablation("ablation/row_sum_0.yaml", "ablation_row_sum_0", 0.9, "softplus", "all", 0.0),
    ("ablation/*.yaml", "seed (1 per file; the thesis ran seeds 1–3)", "section ablations.seeds",
     [1, 2, 3]),
    *_model_perf("model_perf/t_1_H_128.yaml", "size_h128", 128),
    *_model_perf("model_perf/t_1_H_256.yaml", "size_h256", 256),
]


def lookup(resolved_runs: dict, section: dict, where: str):
    """The value at ``where`` (a CORRESPONDENCE location) in the resolved configuration;
    a missing key reads as None (an opt-in setting left out)."""
    kind, _, rest = where.partition(" ")
    if kind == "run":
        run, _, path = rest.partition(": ")
        node = resolved_runs[run]
    else:
        path, node = rest, section
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node
