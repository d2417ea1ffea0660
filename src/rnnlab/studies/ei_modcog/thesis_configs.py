"""Where each value of the thesis' own config files lives in ``config/thesis.yaml`` (the
correspondence issue 13 asks for; checked by tests/test_ei_families.py against the resolved
thesis configuration).

Each row: (the thesis' config file under ``ei-rnn-modcog/configs/``, its key, where rnnlab keeps
it, the value). "Where" is either ``run <run name>: <section>.<key>`` (a resolved run) or
``section <key path>`` (the study's section). The thesis counts training in epochs ×
steps_per_epoch; rnnlab in steps, with one checkpoint per thesis epoch where the thesis
validated per epoch (the plateau detection's validation points; the main and fixed-point runs).
The thesis' cached or online ``neurogym.Dataset`` of ``seq_len`` steps is rnnlab's
``trial_stream_steps``; its ``spectral_radius`` is a largest singular value, rnnlab's
``spectral_scaling: spectral_norm``; its ``tasks: [...]`` with ``task_sampling: round_robin``
is rnnlab's ``task.round_robin`` (model_perf t_5).

Files: base_training/config.yaml (the main runs: ``eg``, and ``gd`` = the same file with
``optim.algorithm: gd``), lr_sweep/lr_sweep.yaml, ablation/*.yaml, model_perf/t_{1,5}_H_*.yaml,
fixed_points/fixed_point.yaml (the inhibition sweep's networks), ei_gradient/credit.yaml.

Keys with no rnnlab counterpart, on purpose: ``device``, ``outdir``, ``data.source`` / ``cache``
(rnnlab draws every batch online from the run's seed), ``model.input_scale`` (1.0: W_in is not
scaled), ``softplus_threshold`` (20, torch's default, which rnnlab's softplus keeps),
``train.val_batches`` (rnnlab tests every checkpoint on ``evaluation.n_trials`` trials),
``spectral_renorm_every`` (0: never), ``mask_threshold`` (0.5: rnnlab's decision mask is the
task's own). Where the thesis' values differ from what its code reads, the row says so:
credit.yaml's ``batch_size`` / ``max_batches`` sit outside its ``data`` section, which its
collect_grads.py reads (it draws 128 rows × 350 steps); rnnlab uses the 16 × 4 = 64 trials the
file states. credit.yaml's three seeds draw three gradient batches of one network; rnnlab
draws one batch for each of three trained networks (seeds 1-3). The fixed-point files train one
network per inhibitory fraction (seed 1; the Makefile's fp-sweep target, INH 0.1-0.4); rnnlab
trains seeds 1-5 for intervals over networks.
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


def _model_perf(file: str, run: str, hidden: int, tasks: list[str]):
    task_rows = [("tasks (first)", "task.name", tasks[0])]
    if len(tasks) > 1:
        task_rows.append(("tasks, train.task_sampling round_robin", "task.round_robin", tasks))
    return _run_rows(file, run, [
        *task_rows,
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 80),
        ("model.hidden_size", "model.hidden_size", hidden),
        ("model.exc_frac", "model.excitatory_fraction", 0.8),
        ("model.spectral_radius", "model.spectral_value", 1.2),
        ("model.leak", "model.leak", 1.0),
        ("model.nonlinearity", "model.nonlinearity", "softplus"),
        ("model.readout", "model.readout", "all"),
        ("model.softplus_beta", "model.softplus_beta", 10.0),
        ("train.num_epochs × steps_per_epoch (20 × 500)", "training.steps", 10000),
        ("train.fixdown_weight", "training.fixdown_weight", 0.5),
        ("train.row_sum_zero.enabled (false)", "training.row_sum_penalty", 0.0),
        ("train.input_noise_std", "model.input_noise_std", 0.0),
        *_EG_OPTIMISER,
    ])


_BASE = "base_training/config.yaml"
_PER_EPOCH = [k / 20 for k in range(21)]


def _base_rows(run: str) -> list[tuple[str, str, str, object]]:
    """base_training/config.yaml's values shared by the EG and the GD main run."""
    return _run_rows(_BASE, run, [
        ("tasks", "task.name", "dm1"),
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 80),
        ("model.hidden_size", "model.hidden_size", 256),
        ("model.exc_frac", "model.excitatory_fraction", 0.8),
        ("model.spectral_radius (a largest singular value)", "model.spectral_scaling",
         "spectral_norm"),
        ("model.spectral_radius", "model.spectral_value", 1.2),
        ("model.leak", "model.leak", 1.0),
        ("model.nonlinearity", "model.nonlinearity", "softplus"),
        ("model.readout", "model.readout", "all"),
        ("model.softplus_beta", "model.softplus_beta", 10.0),
        ("train.num_epochs × steps_per_epoch (20 × 500)", "training.steps", 10000),
        ("validation after each of the 20 epochs", "training.checkpoint_fractions", _PER_EPOCH),
        ("train.grad_clip", "optimizer.grad_clip_norm", 1.0),
        ("train.input_noise_std", "model.input_noise_std", 0.0),
        ("train.fixdown_weight", "training.fixdown_weight", 0.5),
        ("train.label_smoothing (absent: the loss' 0.1)", "training.label_smoothing", 0.1),
        ("train.row_sum_zero.weight (enabled)", "training.row_sum_penalty", 0.5),
        ("train.row_sum_zero.per_sign", "training.row_sum_per_sign", True),
        ("optim.gd.lr", "optimizer.learning_rate", 0.1),
        ("optim.gd.momentum", "optimizer.momentum", 0.9),
        ("optim.gd.weight_decay", "optimizer.weight_decay", 1e-5),
    ])


_FP = "fixed_points/fixed_point.yaml"


def _fixed_point_rows(run: str, inhibitory_fraction: float) -> list:
    return _run_rows(_FP, run, [
        ("tasks", "task.name", "dlygo"),
        ("data.batch_size", "training.batch_size", 128),
        ("data.seq_len", "training.trial_stream_steps", 350),
        ("model.hidden_size", "model.hidden_size", 256),
        ("model.exc_frac (the sweep: 1 − inhibitory fraction)", "model.excitatory_fraction",
         round(1 - inhibitory_fraction, 10)),
        ("model.spectral_radius (a largest singular value)", "model.spectral_scaling",
         "spectral_norm"),
        ("model.spectral_radius", "model.spectral_value", 1.05),
        ("E/I balance not enforced at init", "model.balance_inhibition", False),
        ("model.leak", "model.leak", 0.8),
        ("model.nonlinearity", "model.nonlinearity", "tanh"),
        ("model.readout", "model.readout", "all"),
        ("model.softplus_beta (unused with tanh)", "model.softplus_beta", 5.0),
        ("optim.algorithm", "optimizer.name", "gd"),
        ("optim.gd.lr (every parameter)", "optimizer.learning_rate", 0.1),
        ("optim.gd.lr (every parameter)", "optimizer.recurrent_learning_rate", 0.1),
        ("optim.gd.momentum", "optimizer.momentum", 0.9),
        ("optim.gd.weight_decay", "optimizer.weight_decay", 1e-5),
        ("optim.gd.weight_decay", "optimizer.recurrent_weight_decay", 1e-5),
        ("train.num_epochs × steps_per_epoch (20 × 300)", "training.steps", 6000),
        ("validation after each of the 20 epochs", "training.checkpoint_fractions", _PER_EPOCH),
        ("train.grad_clip", "optimizer.grad_clip_norm", 1.0),
        ("train.input_noise_std", "model.input_noise_std", 0.0),
        ("train.fixdown_weight", "training.fixdown_weight", 0.1),
        ("train.row_sum_zero.enabled (false)", "training.row_sum_penalty", 0.0),
        ("train.label_smoothing (absent: the loss' 0.1)", "training.label_smoothing", 0.1),
    ])


_CREDIT = "ei_gradient/credit.yaml"
_T5 = ["dm1", "dm2", "dms", "dnms", "ctxdlydm1"]


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
        ("train (no row_sum_zero section: off)", "training.row_sum_penalty", 0.0),
        ("train.input_noise_std", "model.input_noise_std", 0.0),
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
    *_model_perf("model_perf/t_1_H_128.yaml", "size_t_1_h128", 128, ["dm1"]),
    *_model_perf("model_perf/t_1_H_256.yaml", "size_t_1_h256", 256, ["dm1"]),
    *_model_perf("model_perf/t_5_H_128.yaml", "size_t_5_h128", 128, _T5),
    *_model_perf("model_perf/t_5_H_256.yaml", "size_t_5_h256", 256, _T5),
    ("model_perf/*.yaml", "tasks of t_1 and t_5", "section size_sweep.task_sets",
     {"t_1": ["dm1"], "t_5": _T5}),
    ("model_perf/*.yaml", "seed (2 in every file; rnnlab trains seeds 1–3)",
     "section size_sweep.seeds", [1, 2, 3]),
    # base_training/config.yaml: the EG run as written, the GD run with optim.algorithm gd.
    *_base_rows("eg"),
    *_run_rows(_BASE, "eg", [
        ("optim.algorithm", "optimizer.name", "eg"),
        ("optim.eg.lr", "optimizer.recurrent_learning_rate", 0.2),
        ("optim.eg.momentum", "optimizer.recurrent_momentum", 0.0),
        ("optim.eg.weight_decay", "optimizer.recurrent_weight_decay", 1e-5),
        ("optim.eg.min_magnitude", "optimizer.min_magnitude", 1e-6),
    ]),
    *_base_rows("gd"),
    *_run_rows(_BASE, "gd", [
        ("optim.algorithm gd", "optimizer.name", "gd"),
        ("optim.gd.lr (every parameter)", "optimizer.recurrent_learning_rate", 0.1),
        ("optim.gd.momentum (every parameter)", "optimizer.recurrent_momentum", None),
        ("optim.gd.weight_decay (every parameter)", "optimizer.recurrent_weight_decay", 1e-5),
    ]),
    # fixed_points/fixed_point.yaml, one network per inhibitory fraction.
    *[row for fraction in (0.1, 0.2, 0.3, 0.4)
      for row in _fixed_point_rows(f"inhibition_{fraction:g}", fraction)],
    ("Makefile fp-sweep INH", "inhibitory fractions", "section fixed_point_sweep.inhibitory_fractions",
     [0.1, 0.2, 0.3, 0.4]),
    (_FP, "seed (1; rnnlab trains 5 networks per fraction)", "section fixed_point_sweep.seeds",
     [1, 2, 3, 4, 5]),
    # ei_gradient/credit.yaml: ∂L/∂h_t of the trained dm1 networks.
    (_CREDIT, "task", "run eg: task.name", "dm1"),
    (_CREDIT, "activation", "run eg: model.nonlinearity", "softplus"),
    (_CREDIT, "batch_size × max_batches (16 × 4)", "section gradients.n_trials", 64),
    (_CREDIT, "seeds (three batches of one network; rnnlab: one batch of each of three "
     "networks)", "section seeds", [1, 2, 3]),
    (_CREDIT, "checkpoint singlehead_epoch012.pt (rnnlab: every epoch's checkpoint, epoch 12 "
     "= fraction 0.6)", "run eg: training.checkpoint_fractions", _PER_EPOCH),
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
