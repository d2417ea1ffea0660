"""The PsychRNN comparison job (rnnlab.studies.two_afc.psychrnn_library): it imports neither torch
nor TensorFlow at import time, and with PsychRNN installed (the `psychrnn` extra, env
envs/psychrnn.yaml) a tiny job trains PsychRNN's Basic model and writes schema-valid tables,
bit for bit the same twice, in a process without torch."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
RUN = {
    "study": "two_afc", "run": "psychrnn_noisy",
    "task": {"name": "psychrnn_discrimination", "T_ms": 200.0, "dt_ms": 20.0, "tau_ms": 100.0},
    "model": {"kind": "psychrnn_basic", "hidden_size": 8, "excitatory_fraction": 0.8,
              "spectral_radius": 1.1, "recurrent_noise_std": 0.1},
    "training": {"steps": 4, "batch_size": 8, "log_every": 2},
    "optimizer": {"learning_rate": 0.003},
}
JOB = """
import json, sys
from rnnlab.studies.two_afc.psychrnn_library import psychrnn_job
import pandas as pd
from rnnlab.tables import check_frame
arguments = json.loads(sys.argv[1])
first, second = (psychrnn_job(arguments["run"], 1, [-0.08, 0.0, 0.08], 5, 7) for _ in "ab")
for name, frame in first.items():
    check_frame(frame, name, "test")
    pd.testing.assert_frame_equal(frame, second[name], check_exact=True)
    frame.to_parquet(f"{arguments['out']}/{name}.parquet")
# The noise-free copy's weights, read in one session run, are PsychRNN's get_weights (not
# vacuous: trained, and the effective W_rec has columns of both signs).
import numpy as np
from rnnlab.studies.two_afc.psychrnn_library import train_psychrnn, trained_weights
model, _ = train_psychrnn(arguments["run"], 3)
ours, theirs = trained_weights(model), model.get_weights()
assert sorted(ours) == sorted(theirs) and len(theirs) > 10, sorted(ours)
for key, value in theirs.items():
    assert np.array_equal(ours[key], value) if key != "dale_ratio" else ours[key] == value, key
assert (theirs["W_rec"] < 0).any() and (theirs["W_rec"] > 0).any()
print(json.dumps(sorted(sys.modules.keys() & {"torch", "tensorflow"})))
"""


def python(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, timeout=600)


def test_importing_the_job_module_imports_neither_torch_nor_tensorflow():
    result = python("-c", "import sys, rnnlab.studies.two_afc.psychrnn_library; "
                          "print(sorted(sys.modules.keys() & {'torch', 'tensorflow'}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(importlib.util.find_spec("psychrnn") is None,
                    reason="PsychRNN is not installed (extra `psychrnn`, env envs/psychrnn.yaml)")
def test_psychrnn_job_trains_and_is_bit_reproducible(tmp_path):
    # Twice in one process (the job resets TensorFlow's graph and seeds): the same tables.
    # Then trained_weights against PsychRNN's own get_weights (in the same process: one
    # TensorFlow import).
    result = python("-c", JOB, json.dumps({"run": RUN, "out": str(tmp_path)}))
    assert result.returncode == 0, result.stderr[-3000:]
    # TensorFlow ran; torch never entered the process.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["tensorflow"]
    first = {path.stem: pd.read_parquet(path) for path in tmp_path.glob("*.parquet")}
    assert set(first) == {"afc_psychometric", "afc_psychometric_fit", "afc_trajectories",
                          "psychrnn_train_log"}
    curve = first["afc_psychometric"]
    assert curve["signed_coherence"].tolist() == [-0.08, 0.0, 0.08]
    assert curve["n"].tolist() == [5, 5, 5]
    log = first["psychrnn_train_log"]
    assert log["step"].tolist() == [2, 4] and (log["loss"] > 0).all()
    assert set(first["afc_trajectories"]["run"]) == {"psychrnn_noisy"}


TWIN = """
import json, sys
import numpy as np
from rnnlab.studies.two_afc.psychrnn_library import import_tensorflow
tf = import_tensorflow()
tf.compat.v1.set_random_seed(0)
from psychrnn.backend.models.basic import Basic
a = json.loads(sys.argv[1])
w = {k: np.asarray(v, dtype=np.float64) for k, v in a["weights"].items()}
inputs = np.asarray(a["inputs"], dtype=np.float32)
model = Basic(dict(name="twin", N_in=2, N_rec=w["W_rec"].shape[0], N_out=2,
                   N_steps=inputs.shape[1], dt=a["dt"], tau=a["tau"], N_batch=inputs.shape[0],
                   rec_noise=0.0, dale_ratio=0.8, **w))
outputs, states = model.test(inputs)
print(json.dumps({"outputs": np.asarray(outputs).tolist(), "states": np.asarray(states).tolist()}))
"""


@pytest.mark.skipif(importlib.util.find_spec("psychrnn") is None,
                    reason="PsychRNN is not installed (extra `psychrnn`, env envs/psychrnn.yaml)")
def test_rnnlabs_ctrnn_is_psychrnns_basic_model_on_the_same_weights():
    # The same raw weights in both: PsychRNN's forward pass (TensorFlow, its own effective
    # weights and Dale matrices) and rnnlab's BasicCTRNN give the same outputs and rates.
    import numpy as np
    import torch

    from rnnlab.studies.two_afc.basic_ctrnn import BasicConfig, BasicCTRNN

    torch.manual_seed(4)
    model = BasicCTRNN(BasicConfig(hidden_size=10, alpha=0.2))
    with torch.no_grad():
        model.bias.normal_(0, 0.3)
        model.bias_output.normal_(0, 0.3)
    inputs = np.random.default_rng(0).normal(0.5, 0.5, size=(4, 12, 2)).astype(np.float32)
    weights = {"W_in": model.weight_input, "W_rec": model.weight_recurrent,
               "W_out": model.weight_output, "b_rec": model.bias, "b_out": model.bias_output,
               "init_state": model.initial_state[None, :]}  # PsychRNN's (1, N)
    weights = {k: v.detach().double().numpy().tolist() for k, v in weights.items()}
    result = python("-c", TWIN, json.dumps(dict(weights=weights, inputs=inputs.tolist(),
                                                dt=20.0, tau=100.0)))
    assert result.returncode == 0, result.stderr[-3000:]
    theirs = json.loads(result.stdout.strip().splitlines()[-1])
    with torch.no_grad():
        outputs, rates = model(torch.from_numpy(inputs))
    np.testing.assert_allclose(outputs.numpy(), theirs["outputs"], atol=2e-5)
    np.testing.assert_allclose(rates.numpy(), np.maximum(theirs["states"], 0.0), atol=2e-5)
    # PsychRNN 1.0.0 reads inhibitory units out negatively: an excitatory-only readout (what
    # its documentation intends, and rnnlab's LeakyRNN "excitatory" readout) would differ.
    excitatory_only = (rates[..., :8] @ model.weight_output.detach().abs()[:, :8].T
                       + model.bias_output.detach()).numpy()
    assert np.abs(excitatory_only - np.asarray(theirs["outputs"])).max() > 1e-3


TRIALS = """
import json, sys
import numpy as np
from psychrnn.tasks.perceptual_discrimination import PerceptualDiscrimination
from rnnlab.studies.two_afc.psychrnn_library import vectorised_trials
found = []
for dt, tau, T in [(20.0, 100.0, 1000.0), (10.0, 100.0, 2000.0), (20.0, 100.0, 200.0)]:
    batches = []
    for task_class in (PerceptualDiscrimination, vectorised_trials(PerceptualDiscrimination)):
        np.random.seed(5)
        generator = task_class(dt=dt, tau=tau, T=T, N_batch=16).batch_generator()
        batches.append([next(generator)[:3] for _ in range(4)] + [np.random.random()])
    (*original, after_a), (*vectorised, after_b) = batches
    found.append(after_a == after_b and all(
        a.dtype == b.dtype and np.array_equal(a, b)
        for x, y in zip(original, vectorised) for a, b in zip(x, y)))
    # Not vacuous: the batches hold stimuli, targets and both mask values.
    x, y, mask = original[0]
    found.append(bool((x > 0.5).any() and (y == 1.0).any() and (mask == 0).any()
                      and (mask == 1).any()))
print(json.dumps(found))
"""


@pytest.mark.skipif(importlib.util.find_spec("psychrnn") is None,
                    reason="PsychRNN is not installed (extra `psychrnn`, env envs/psychrnn.yaml)")
def test_vectorised_trials_are_psychrnns_trials_bit_for_bit():
    """The job's PerceptualDiscrimination trials without the per-step loop: the same inputs,
    targets and masks from the same global-generator draws, and the generator left in the
    same state."""
    result = python("-c", TRIALS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True] * 6


@pytest.mark.skipif(importlib.util.find_spec("psychrnn") is None,
                    reason="PsychRNN is not installed (extra `psychrnn`, env envs/psychrnn.yaml)")
def test_make_plan_times_a_psychrnn_runs_trainings_in_one_tensorflow_process(tmp_path, monkeypatch):
    from rnnlab.studies.two_afc import experiment
    from rnnlab.workflow import measure

    processes = []
    start = experiment._psychrnn_process
    monkeypatch.setattr(experiment, "_psychrnn_process",
                        lambda arguments: processes.append(arguments) or start(arguments))
    cost = measure.measure_own_training(RUN, 1, tmp_path, short=2, long=6)
    assert len(processes) == 1  # not one per shortened run (a warm-up, short, long)
    trained = [run["run_config"]["training"]["steps"] for run in processes[0]["time"]]
    assert trained == [2, 2, 6]
    # Each training really ran: PsychRNN's log of 2 / 2 / 6 updates (loss every 2).
    logs = [json.loads(Path(run["log"]).read_text()) for run in processes[0]["time"]]
    assert [[row["step"] for row in log] for log in logs] == [[2], [2], [2, 4, 6]]
    # The cost is the in-process seconds' (the warm-up left out), TensorFlow's import in the build.
    timings = json.loads((tmp_path / "timings.json").read_text())
    imported, (_, short, long) = timings["import"], timings["trainings"]
    assert imported > 0.5
    assert cost.update == pytest.approx(max(long - short, 0.0) / 4)
    assert cost.build == pytest.approx(max(imported + short - 2 * cost.update, 0.0))
