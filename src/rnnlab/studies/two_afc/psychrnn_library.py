"""The real PsychRNN (1.0.0, TensorFlow): its ``Basic`` model trained on its own
``PerceptualDiscrimination`` task, baseline vs recurrent noise, as the seed's
``PsychRNN_PerceptualDiscrimination_noise_comparison`` notebook does; then tested on the
study's fixed psychometric trials (the same trials rnnlab's CTRNN is tested on).

Only the rule ``two_afc_psychrnn`` (env ``envs/psychrnn.yaml``) imports this module's
TensorFlow part, inside :func:`psychrnn_job`; this module imports no torch and, at import
time, no TensorFlow (``tests/test_two_afc_psychrnn.py`` checks both).

Determinism on CPU: before TensorFlow is imported the job sets one intra- and one inter-op
thread (``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS``, ``OMP_NUM_THREADS``), turns
oneDNN's reordering kernels off (``TF_ENABLE_ONEDNN_OPTS=0``) and op determinism on
(``tf.config.experimental.enable_op_determinism``); PsychRNN draws its initial weights and its
training trials from numpy's global generator and its recurrent noise from TensorFlow ops
without an op seed, so the job seeds both (``np.random.seed``, ``tf.compat.v1.set_random_seed``)
— it runs in a process of its own, where the global generators are its alone.

PsychRNN's model (``psychrnn/backend/models/basic.py``): x ← (1−α)x + α(W_rec relu(x) + W_in u
+ b) + √(2ασ²)ξ, y = W_out relu(x) + b_out; Dale: W_rec = |W|·D (columns), W_in = |W_in|,
W_out = |W_out|·D_out (in the 1.0.0 release D_out = D: inhibitory units read out negatively);
loss mean((mask·(y − target))²) over every step; each gradient clipped to norm 1 on its own;
Adam. rnnlab's twin of it is ``basic_ctrnn.BasicCTRNN``. The trained network is tested
noise-free (``noise_free_copy``), as rnnlab's.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.studies.two_afc.curves import choice_curve, curve_fit, mean_trajectories
from rnnlab.studies.two_afc.tasks import grid_batch, make_task, psychrnn_choices

THREAD_ENVIRONMENT = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def import_tensorflow():
    """TensorFlow set up for bit-reproducible CPU runs (see the module docstring)."""
    for key, value in THREAD_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    tf.config.experimental.enable_op_determinism()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # already initialised in this process: the environment holds
        pass
    return tf


def vectorised_trials(task_class):
    """``task_class`` (PsychRNN's ``PerceptualDiscrimination``) with ``generate_trial`` computed
    over all steps at once: the same arrays, bit for bit, from the same draws.

    PsychRNN builds a trial by calling ``trial_function(t·dt, params)`` for each of its
    ``N_steps`` steps, each drawing ``randn(N_in)`` from numpy's global generator — half of the
    comparison job's training time at the default config (50 steps × 19,264 trials, Python
    calls). One ``randn(N_steps, N_in)`` draws the same numbers in the same order (the legacy
    generator's normals are one stream, however they are cut into calls), and the stimulus,
    target and mask follow ``trial_function``'s comparisons on the same float times
    (``tests/test_two_afc_psychrnn.py`` compares both on many trials). The trial parameters are
    still PsychRNN's own ``generate_trial_params``, drawn before each trial's noise as before.
    """

    class VectorisedTrials(task_class):
        def generate_trial(self, params):
            times = np.arange(self.N_steps) * self.dt
            scale = np.sqrt(2 * .01 * np.sqrt(10) * np.sqrt(self.dt) * params["stim_noise"]
                            * params["stim_noise"])
            x_data = scale * np.random.randn(self.N_steps, self.N_in)
            onset, duration = params["onset_time"], params["stim_duration"]
            direction, coherence = params["direction"], params["coherence"]
            offset = onset + duration
            stimulus = (onset < times) & (times < offset)
            x_data[stimulus, direction] += 1 + coherence
            x_data[stimulus, (direction + 1) % 2] += 1
            y_data = np.zeros((self.N_steps, self.N_out))
            decided = times > offset + 20
            y_data[decided, direction] = self.hi
            y_data[decided, 1 - direction] = self.lo
            mask = np.ones((self.N_steps, self.N_out))
            mask[times < offset] = 0.0
            return x_data, y_data, mask

    VectorisedTrials.__name__ = task_class.__name__
    return VectorisedTrials


def psychrnn_params(run_config: dict, seed: int) -> tuple[dict, dict, object]:
    """(model params, train params, PsychRNN task) of a run; the task's trials are PsychRNN's,
    generated without its per-step Python loop (``vectorised_trials``)."""
    from psychrnn.tasks.perceptual_discrimination import PerceptualDiscrimination

    task_config, model = run_config["task"], run_config["model"]
    training, optimizer = run_config["training"], run_config.get("optimizer", {})
    ours = make_task(**task_config)
    pd_task = vectorised_trials(PerceptualDiscrimination)(
        dt=ours.dt_ms, tau=ours.tau_ms, T=ours.T_ms, N_batch=training["batch_size"])
    params = pd_task.get_task_params()
    params.update(
        name=f"basic_{run_config.get('run', 'run')}_{seed}",
        N_rec=model.get("hidden_size", 50),
        dale_ratio=model.get("excitatory_fraction", 0.8),
        rec_noise=model.get("recurrent_noise_std", 0.0),
        spec_rad=model.get("spectral_radius", 1.1),
    )
    train_params = dict(
        learning_rate=optimizer.get("learning_rate", 0.001),
        # PsychRNN trains while epoch · batch < training_iters, epoch = 1, 2, …: this many
        # trials make exactly `steps` updates.
        training_iters=(training["steps"] + 1) * training["batch_size"],
        loss_epoch=training.get("log_every", 10),
        verbosity=False,
    )
    return params, train_params, pd_task


def run_in_batches(model, inputs: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PsychRNN's ``test`` in chunks of its batch size (its initial state is tiled to
    N_batch), the last chunk padded. Returns outputs (B, T, 2) and rates relu(x) (B, T, N)."""
    outputs, rates = [], []
    for start in range(0, len(inputs), batch_size):
        chunk = inputs[start:start + batch_size]
        padded = np.concatenate([chunk, np.zeros((batch_size - len(chunk),) + chunk.shape[1:],
                                                 dtype=chunk.dtype)])
        output, state = model.test(padded)
        outputs.append(np.asarray(output)[:len(chunk)])
        rates.append(np.maximum(np.asarray(state)[:len(chunk)], 0.0))
    return np.concatenate(outputs).astype(np.float64), np.concatenate(rates).astype(np.float64)


def train_psychrnn(run_config: dict, seed: int):
    """A trained PsychRNN ``Basic`` model of the run and its log rows."""
    tf = import_tensorflow()
    from psychrnn.backend.models.basic import Basic

    tf.compat.v1.reset_default_graph()
    tf.compat.v1.set_random_seed(seed)
    np.random.seed(seed)
    params, train_params, pd_task = psychrnn_params(run_config, seed)
    model = Basic(params)
    losses, training_seconds, _ = model.train(pd_task, train_params)
    every = train_params["loss_epoch"]
    rows = [dict(step=(index + 1) * every, loss=float(loss)) for index, loss in enumerate(losses)]
    return model, rows


def trained_weights(model) -> dict:
    """What PsychRNN's ``model.get_weights()`` returns (every variable of the model's scope by
    its name in the scope, the effective W_rec, W_in and W_out, ``dale_ratio``), fetched in one
    session run. ``get_weights`` evaluates each of its ~26 tensors in a run of its own, each
    pruning the training graph afresh: 3.9 of a seed's 29 s."""
    tf = import_tensorflow()
    prefix = model.name + "/"
    fetches = {variable.name[len(prefix):-2]: variable
               for variable in tf.compat.v1.get_collection(
                   tf.compat.v1.GraphKeys.GLOBAL_VARIABLES, scope=model.name)
               if variable.name.startswith(prefix) and variable.name.endswith(":0")}
    fetches.update(W_rec=model.get_effective_W_rec(), W_in=model.get_effective_W_in(),
                   W_out=model.get_effective_W_out())
    return dict(model.sess.run(fetches), dale_ratio=model.dale_ratio)


def noise_free_copy(model, params: dict):
    """A PsychRNN ``Basic`` model with the trained ``model``'s weights and no recurrent noise
    (its graph adds the noise in ``test`` too): both libraries' networks are tested noise-free,
    as the study tests every network. ``model`` is closed (its graph reset)."""
    from psychrnn.backend.models.basic import Basic

    weights = trained_weights(model)
    model.destruct()
    # A graph-level seed for the new graph (op determinism wants one; no op draws with σ 0).
    import_tensorflow().compat.v1.set_random_seed(0)
    return Basic(dict(params, **weights, name=f"{params['name']}_test", rec_noise=0.0))


def psychrnn_job(run_config: dict, training_seed: int, signed_coherences: list[float],
                 trials_per_coherence: int, seed: int) -> dict[str, pd.DataFrame]:
    """Stage of rule two_afc_psychrnn: train, then the psychometric curve, its fit and the PCA
    trajectories on the study's fixed test trials → {"afc_psychometric",
    "afc_psychometric_fit", "afc_trajectories", "psychrnn_train_log"}."""
    import rnnlab.studies.two_afc.tables  # noqa: F401  (registers the study's tables)
    from rnnlab.stages.tagging import tag

    model, rows = train_psychrnn(run_config, training_seed)
    if model.params["rec_noise"]:
        model = noise_free_copy(model, model.params)
    # else the trained graph is already noise-free (its noise term is 0·ξ): the copy would
    # rebuild the same graph (seconds of TensorFlow graph construction) for the same outputs.
    task = make_task(**run_config["task"])
    batch_size = run_config["training"]["batch_size"]
    grid, signed = grid_batch(task, signed_coherences, trials_per_coherence, seed,
                              onset_ms=task.T_ms / 4, duration_ms=task.T_ms / 4)
    outputs, rates = run_in_batches(model, grid.inputs, batch_size)
    model.destruct()
    choices = psychrnn_choices(outputs, grid.loss_mask)
    curve = choice_curve(signed, choices)
    trajectories, _ = mean_trajectories(rates, signed, signed_coherences)
    run = run_config["run"]
    log = pd.DataFrame(rows, columns=["step", "loss"])
    return {
        "afc_psychometric": tag(curve, run, training_seed),
        "afc_psychometric_fit": tag(pd.DataFrame([curve_fit(curve)]), run, training_seed),
        "afc_trajectories": tag(trajectories, run, training_seed),
        "psychrnn_train_log": tag(log, run, training_seed),
    }


def train_and_save(run_config: dict, seed: int, directory: str, log: str) -> None:
    """Train and save the weights (``weights.npz``) and the log (JSON rows with the
    ``train_log`` columns): ``experiment.train_run`` of a psychrnn run, in its own process."""
    model, rows = train_psychrnn(run_config, seed)
    Path(directory).mkdir(parents=True, exist_ok=True)
    model.save(str(Path(directory) / "weights"))
    model.destruct()
    nan = math.nan
    full = [dict(step=row["step"], loss=row["loss"], fixation_mse=nan,
                 decision_cross_entropy=nan, decision_accuracy=nan,
                 learning_rate=run_config.get("optimizer", {}).get("learning_rate", 0.001),
                 grad_norm=nan) for row in rows]
    Path(log).write_text(json.dumps(full))


def time_trainings(runs: list[dict]) -> dict:
    """``train_and_save`` of each of ``runs`` (keyword dicts) in turn in this process:
    {"import": seconds of TensorFlow's import, "trainings": seconds of each run}. How
    ``make plan`` times a run's shortened trainings in one process (one import, and the
    difference of two trainings not buried in two imports' noise)."""
    started = time.perf_counter()
    import_tensorflow()
    imported = time.perf_counter() - started
    seconds = []
    for run in runs:
        started = time.perf_counter()
        train_and_save(**run)
        seconds.append(time.perf_counter() - started)
    return {"import": imported, "trainings": seconds}


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    if "time" in arguments:
        Path(arguments["timings"]).write_text(json.dumps(time_trainings(arguments["time"])))
    else:
        train_and_save(arguments["run_config"], arguments["seed"], arguments["directory"],
                       arguments["log"])
