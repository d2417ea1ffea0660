"""rnnlab's CTRNN of the PsychRNN comparison: PsychRNN 1.0.0's ``Basic`` model, equation for
equation, in torch — so that the comparison runs one model in two implementations (TensorFlow
graph vs torch autograd), not two different models.

    x_t = (1 − α) x_{t−1} + α (W_rec relu(x_{t−1}) + W_in u_t + b) + √(2α) σ_rec ξ_t
    y_t = W_out relu(x_t) + b_out,          x_0 = a trained initial state,  α = dt/τ

It is current-based (relu acts on the state before the recurrent product, and the noise is on
the current x), unlike ``rnnlab.models.LeakyRNN`` (rate-based: h ← (1 − α) h + α relu(W h + …),
noise on the rate h); the two have different fixed points and noise, so the rate network is not
PsychRNN's experiment.

Effective weights (PsychRNN's ``get_effective_W_*`` with full connectivity and ``dale_ratio``
f): W_rec = |W̃_rec| diag(s), W_in = |W̃_in|, W_out = |W̃_out| diag(s_out), s = +1 for the first
⌊f N⌋ units (excitatory) and −1 for the others. The PyPI release 1.0.0 builds its output Dale
matrix from the recurrent one (``Dale_out`` defaults to ``dale_rec``; murraylab/PsychRNN#35,
fixed on GitHub after the release), so s_out = s: inhibitory units reach the outputs with
negative weights. We reproduce the released behaviour. Dale's law holds by construction (no
projection needed): gradients move W̃, the signs come from s.

Initialisation (PsychRNN's ``GaussianSpectralRadius``): W̃_in, W̃_out ~ N(0, 2/(N_in + N)) (its
``glorot_gauss``: fan-in + fan-out = N_in + N for both matrices), W̃_rec = G diag(v)/‖v‖ with
G ~ N(0, 1) (N, N), v = 1 (E) and f/(1 − f) (I) — its E/I balancing —, then scaled so that the
spectral radius of the *signed* W̃_rec is ``spectral_radius`` (the effective |W̃_rec| diag(s)
has another one: at N = 50 and 1.1, 0.65–1.35 over ten draws, mean 0.92); b = b_out = 0; x_0 = 0.1 + 0.01 N(0, 1), trained. Every
draw from torch's generator (``torch.manual_seed`` of the run's seed); PsychRNN draws the same
distributions from numpy's global generator, so the two start from different draws.

Shapes: B trials, T steps, N units; inputs (B, T, 2) → outputs (B, T, 2), rates relu(x)
(B, T, N).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

Tensor = torch.Tensor


@dataclass(frozen=True)
class BasicConfig:
    """Hyperparameters of ``BasicCTRNN`` (config key ``model``, kinds ctrnn / psychrnn_basic)."""

    hidden_size: int = 50
    excitatory_fraction: float = 0.8
    spectral_radius: float = 1.1
    alpha: float = 0.1  # dt/τ (from the task)
    input_size: int = 2
    output_size: int = 2

    def to_dict(self) -> dict:
        return asdict(self)


def psychrnn_signs(hidden_size: int, excitatory_fraction: float) -> Tensor:
    """(N,) +1 for the first ⌊f N⌋ units, −1 for the rest (PsychRNN's ``int(dale_ratio·N)``)."""
    signs = torch.ones(hidden_size)
    signs[int(excitatory_fraction * hidden_size):] = -1.0
    return signs


def glorot_gauss(rows: int, columns: int) -> Tensor:
    """N(0, 2/(rows + columns)) of shape (rows, columns): PsychRNN's ``glorot_gauss_init`` with
    full connectivity (fan-in = columns, fan-out = rows per entry)."""
    return torch.randn(rows, columns) * math.sqrt(2.0 / (rows + columns))


def gaussian_spectral_radius(signs: Tensor, excitatory_fraction: float, radius: float) -> Tensor:
    """PsychRNN's ``GaussianSpectralRadius`` W̃_rec (N, N) (see the module docstring)."""
    n = len(signs)
    scale = torch.where(signs > 0, torch.tensor(1.0),
                        torch.tensor(excitatory_fraction / (1.0 - excitatory_fraction)))
    weight = torch.randn(n, n) * (scale / torch.linalg.vector_norm(scale))[None, :]
    return weight * (radius / float(torch.linalg.eigvals(weight.double()).abs().max()))


class BasicCTRNN(nn.Module):
    """PsychRNN's Basic model in torch (see the module docstring)."""

    def __init__(self, config: BasicConfig):
        super().__init__()
        if not 0 < config.alpha <= 1:
            raise ValueError(f"alpha = dt/τ must be in (0, 1], got {config.alpha}")
        self.config = config
        n, n_in, n_out = config.hidden_size, config.input_size, config.output_size
        signs = psychrnn_signs(n, config.excitatory_fraction)
        self.register_buffer("unit_signs", signs)
        self.weight_input = nn.Parameter(glorot_gauss(n, n_in))
        self.weight_recurrent = nn.Parameter(
            gaussian_spectral_radius(signs, config.excitatory_fraction, config.spectral_radius))
        self.weight_output = nn.Parameter(glorot_gauss(n_out, n))
        self.bias = nn.Parameter(torch.zeros(n))
        self.bias_output = nn.Parameter(torch.zeros(n_out))
        self.initial_state = nn.Parameter(0.1 + 0.01 * torch.randn(n))

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def effective_weights(self) -> tuple[Tensor, Tensor, Tensor]:
        """(W_in (N, I), W_rec (N, N), W_out (O, N)) as the dynamics use them."""
        signs = self.unit_signs[None, :]
        return (self.weight_input.abs(), self.weight_recurrent.abs() * signs,
                self.weight_output.abs() * signs)

    def _next_state(self, state: Tensor, weight_recurrent: Tensor, current: Tensor) -> Tensor:
        """x_t = (1 − α) x_{t−1} + α (W_rec relu(x_{t−1}) + current); current = W_in u_t + b."""
        return torch.lerp(state, torch.relu(state) @ weight_recurrent.T + current,
                          self.config.alpha)

    def step(self, state: Tensor, inputs: Tensor) -> Tensor:
        """Noise-free map x_{t−1} → x_t, any float dtype: (K, N), (K, I) → (K, N)."""
        weight_input, weight_recurrent, _ = (w.to(state.dtype) for w in self.effective_weights())
        current = inputs @ weight_input.T + self.bias.to(state.dtype)
        return self._next_state(state, weight_recurrent, current)

    def forward(self, inputs: Tensor, noise: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """inputs (B, T, I); ``noise`` (B, T, N) = σ_rec ξ (training only; the step adds
        √(2α) times it, PsychRNN's scaling). Returns outputs (B, T, O) and rates relu(x)
        (B, T, N)."""
        weight_input, weight_recurrent, weight_output = self.effective_weights()
        alpha = self.config.alpha
        batch, steps, _ = inputs.shape
        driven = inputs @ weight_input.T + self.bias  # (B, T, N)
        noise_scale = math.sqrt(2.0 * alpha)
        state = self.initial_state.expand(batch, -1)
        # unbind, not driven[:, t]: the backward of an index fills a zero gradient of the
        # full (B, T, N) size for every step; unbind's stacks the steps' gradients once.
        driven_steps = driven.unbind(1)
        noise_steps = None if noise is None else noise.unbind(1)
        all_rates = []
        for t in range(steps):
            state = self._next_state(state, weight_recurrent, driven_steps[t])
            if noise_steps is not None:
                state = state + noise_scale * noise_steps[t]
            all_rates.append(torch.relu(state))
        rates = torch.stack(all_rates, dim=1)
        return rates @ weight_output.T + self.bias_output, rates


def build_basic(model_config: dict, task) -> BasicCTRNN:
    """The run's ``model`` section (hidden_size, excitatory_fraction, spectral_radius) on the
    task's channels and α = dt/τ."""
    return BasicCTRNN(BasicConfig(
        hidden_size=model_config.get("hidden_size", 50),
        excitatory_fraction=model_config.get("excitatory_fraction", 0.8),
        spectral_radius=model_config.get("spectral_radius", 1.1),
        alpha=task.dt_ms / task.tau_ms, input_size=task.input_size,
        output_size=task.output_size))
