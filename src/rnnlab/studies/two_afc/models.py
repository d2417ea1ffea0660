"""The study's networks (plain PyTorch, differentiated by autograd): the gated Dale RNN of the
Dale / ACG notebooks and the vanilla RNN of the causal-perturbation notebook.

``RNNWithGateDale`` (2 inputs, N units, 2 logits). The seed names "multiplicative gating" of
the state update but not its equation; we use an update gate that multiplies the Euler step of
a current-based rate network::

    g_t = σ(W_gu u_t + W_gr r_{t−1} + b_g)                    gate, per unit, in (0, 1)
    h_t = (1 − g_t) ⊙ h_{t−1} + g_t ⊙ (W_in u_t + W_rec r_{t−1} + b) + σ_rec ξ_t
    r_t = relu(h_t)                                            rates (what other units see)
    y_t = W_out r_t + b_out                                    2 logits

Why this form: with g ≡ α it is exactly the leaky (Euler, α = dt/τ) current-based CTRNN that
PsychRNN's Basic model runs, so the gate's effect is isolated by the ungated twin
(``gated=False``: g ≡ ``leak``); the gate is a learned, input- and state-dependent integration
time constant τ_eff = dt/g_t per unit (a GRU-like update gate without reset gate), which lets a
unit hold evidence (g → 0) or follow its input (g → 1); and the rates r = relu(h) stay
non-negative, so the sign of a unit's output is the sign Dale's law gives it. Dale's law holds
on W_rec (column j single-signed by presynaptic unit j: the first round(0.8 N) units
excitatory): W_rec is stored signed and put back to |W|·diag(s) after every optimiser step
(``rnnlab.models.dale.project_columns``; ``project_dale_`` counts the weights that had crossed
zero). The gate's weights are modulatory, not synaptic, and unconstrained. ``readout``
"excitatory" reads the logits from excitatory units only (long-range projections are
excitatory), "all" from every unit.

``RNNCausal``: h_t = tanh(W_in u_t + W h_{t−1} + b), r_t = h_t, y_t = W_out r_t + b_out.

Perturbation hooks (both models): a :class:`UnitPerturbation` replaces the rates of the units
it names by given values on every step, after the update — a lesion silences them (r_i ← 0),
a clamp holds them (r_i ← c). Everything downstream (recurrence, gate, readout) sees the
replaced rates; the other units are untouched. The ungated/gated state h of a perturbed unit is
set to the same value, so a clamped unit stays clamped.

Shapes: B trials, T steps, N units; inputs (B, T, 2) → logits (B, T, 2), rates (B, T, N).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from rnnlab.models import dale

Tensor = torch.Tensor


@dataclass(frozen=True)
class UnitPerturbation:
    """Rates of ``units`` replaced by ``values`` on every step (lesion: values 0)."""

    units: tuple[int, ...]
    values: tuple[float, ...]

    @classmethod
    def lesion(cls, units) -> "UnitPerturbation":
        units = tuple(int(u) for u in units)
        return cls(units, (0.0,) * len(units))

    @classmethod
    def clamp(cls, units, value: float) -> "UnitPerturbation":
        units = tuple(int(u) for u in units)
        return cls(units, (float(value),) * len(units))

    def tensors(self, size: int, dtype=torch.float32) -> tuple[Tensor, Tensor]:
        """(mask (N,) bool, values (N,)) for a network of ``size`` units."""
        mask = torch.zeros(size, dtype=torch.bool)
        values = torch.zeros(size, dtype=dtype)
        if self.units:
            index = torch.tensor(self.units, dtype=torch.long)
            mask[index] = True
            values[index] = torch.tensor(self.values, dtype=dtype)
        return mask, values


def _apply(rates: Tensor, perturbation) -> Tensor:
    if perturbation is None:
        return rates
    mask, values = perturbation
    return torch.where(mask, values.to(rates.dtype), rates)


@dataclass(frozen=True)
class GatedDaleConfig:
    """Hyperparameters of ``RNNWithGateDale`` (config key ``model``, kind gated_dale)."""

    hidden_size: int = 128
    excitatory_fraction: float = 0.8
    gated: bool = True
    leak: float = 0.2  # g of the ungated twin, and the gate's initial mean
    spectral_radius: float = 1.0
    readout: str = "excitatory"  # or "all"
    input_size: int = 2
    output_size: int = 2

    def to_dict(self) -> dict:
        return asdict(self)


class RNNWithGateDale(nn.Module):
    """The gated E/I network (see the module docstring)."""

    def __init__(self, config: GatedDaleConfig):
        super().__init__()
        if config.readout not in ("excitatory", "all"):
            raise ValueError(f"readout must be 'excitatory' or 'all', not {config.readout!r}")
        if not 0 < config.leak < 1:
            raise ValueError(f"leak must be in (0, 1), got {config.leak}")
        self.config = config
        n, n_in, n_out = config.hidden_size, config.input_size, config.output_size
        signs = dale.unit_signs(n, config.excitatory_fraction)
        self.register_buffer("unit_signs", signs)
        readout_mask = (signs > 0).float() if config.readout == "excitatory" else torch.ones(n)
        self.register_buffer("readout_mask", readout_mask)
        bound_in = 1.0 / math.sqrt(n_in)
        self.weight_input = nn.Parameter(torch.empty(n, n_in).uniform_(-bound_in, bound_in))
        self.weight_recurrent = nn.Parameter(self._initial_recurrent(signs))
        self.bias = nn.Parameter(torch.zeros(n))
        bound_out = 1.0 / math.sqrt(n)
        self.weight_output = nn.Parameter(torch.empty(n_out, n).uniform_(-bound_out, bound_out))
        self.bias_output = nn.Parameter(torch.zeros(n_out))
        if config.gated:
            self.gate_input = nn.Parameter(torch.empty(n, n_in).uniform_(-bound_in, bound_in))
            self.gate_recurrent = nn.Parameter(
                torch.empty(n, n).uniform_(-bound_out, bound_out))
            # σ(b_g) = leak at init: the gated network starts as its ungated twin on average.
            self.gate_bias = nn.Parameter(
                torch.full((n,), math.log(config.leak / (1 - config.leak))))

    def _initial_recurrent(self, signs: Tensor) -> Tensor:
        """Balanced Dale init: |N(0, 1)| magnitudes, single-signed columns, inhibitory columns
        scaled so the mean input is zero, then scaled to ``spectral_radius``."""
        n = self.config.hidden_size
        weight = dale.project_columns(torch.randn(n, n) / math.sqrt(n), signs)
        weight = dale.balance_inhibition(weight, signs)
        radius = float(torch.linalg.eigvals(weight.double()).abs().max())
        return weight * (self.config.spectral_radius / radius)

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def project_dale_(self) -> Tensor:
        """Put W_rec back to single-signed columns; returns (N,) int64, per presynaptic unit the
        number of weights that had crossed zero (and were reflected back)."""
        with torch.no_grad():
            wrong = (self.weight_recurrent * self.unit_signs[None, :]) < 0
            self.weight_recurrent.copy_(
                dale.project_columns(self.weight_recurrent, self.unit_signs))
        return wrong.sum(dim=0)

    def gate(self, rates: Tensor, inputs: Tensor) -> Tensor:
        """g (K, N) from rates (K, N) and inputs (K, I); the constant leak when ungated."""
        if not self.config.gated:
            return rates.new_full(rates.shape, self.config.leak)
        return torch.sigmoid(inputs @ self.gate_input.T.to(rates.dtype)
                             + rates @ self.gate_recurrent.T.to(rates.dtype)
                             + self.gate_bias.to(rates.dtype))

    def drive_and_gate(self, state: Tensor, inputs: Tensor) -> tuple[Tensor, Tensor]:
        """(d, g), (K, N) each, of the map at state h (K, N) and inputs u (K, I):
        d = W relu(h) + W_in u + b, g the gate."""
        rates = torch.relu(state)
        drive = (inputs @ self.weight_input.T.to(state.dtype)
                 + rates @ self.weight_recurrent.T.to(state.dtype) + self.bias.to(state.dtype))
        return drive, self.gate(rates, inputs).to(state.dtype)

    def step(self, state: Tensor, inputs: Tensor) -> Tensor:
        """Noise-free map h_{t−1} → h_t (no perturbation), any float dtype: (K, N), (K, I)."""
        drive, gate = self.drive_and_gate(state, inputs)
        return (1 - gate) * state + gate * drive

    @torch.no_grad()
    def step_jacobian(self, state: Tensor, inputs: Tensor) -> Tensor:
        """∂step(h, u)/∂h, (K, N, N), in closed form (the fixed-point finder's Jacobian; the
        batched autograd one cost half of the search):

            J = diag(1 − g) + [g ⊙ W + ((d − h) ⊙ g ⊙ (1 − g)) ⊙ W_gr] · diag(relu′(h))

        with d the drive and g the gate of ``step`` (ungated: g ≡ leak, no W_gr term);
        relu′(h) = 1 where h > 0, else 0 (autograd's convention at 0)."""
        dtype = state.dtype
        active = (state > 0).to(dtype)  # (K, N)
        drive, gate = self.drive_and_gate(state, inputs)
        jacobian = gate[:, :, None] * self.weight_recurrent.to(dtype)[None]
        if self.config.gated:
            slope = (drive - state) * gate * (1 - gate)
            jacobian = jacobian + slope[:, :, None] * self.gate_recurrent.to(dtype)[None]
        jacobian = jacobian * active[:, None, :]
        jacobian.diagonal(dim1=-2, dim2=-1).add_(1 - gate)
        return jacobian

    def readout(self, rates: Tensor) -> Tensor:
        return rates @ (self.weight_output * self.readout_mask[None, :]).T + self.bias_output

    def forward(self, inputs: Tensor, noise: Tensor | None = None,
                perturbation: UnitPerturbation | None = None,
                rate_probe: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """inputs (B, T, I); noise (B, T, N) added to h_t (σ_rec ξ, training only);
        ``rate_probe`` (B, T, N) is added to r_t (a zero tensor whose gradient is ∂/∂r_t).
        Returns logits (B, T, O) and rates (B, T, N).

        Speed: the drive and the gate's pre-activation come from one product per step with
        the stacked weights [W_rec; W_gr] (and one product over all steps for the inputs), and
        the update is one ``lerp``: h + g (drive − h)."""
        batch, steps, _ = inputs.shape
        n = self.hidden_size
        gated = self.config.gated
        if gated:
            input_weight = torch.cat([self.weight_input, self.gate_input])
            input_bias = torch.cat([self.bias, self.gate_bias])
            recurrent_weight = torch.cat([self.weight_recurrent, self.gate_recurrent]).T
        else:
            input_weight, input_bias = self.weight_input, self.bias
            recurrent_weight = self.weight_recurrent.T
        driven = inputs @ input_weight.T + input_bias  # (B, T, N or 2N)
        state = inputs.new_zeros(batch, n)
        rates = state
        hook = None if perturbation is None else perturbation.tensors(n, inputs.dtype)
        # Per-step views by unbind, not by indexing: the backward of x[:, t] fills a zero
        # gradient of x's full size for every step (most of a training step's time at 128
        # units); unbind's backward stacks the steps' gradients once. Same values.
        driven_steps = driven.unbind(1)
        noise_steps = None if noise is None else noise.unbind(1)
        probe_steps = None if rate_probe is None else rate_probe.unbind(1)
        all_rates = []
        for t in range(steps):
            total = driven_steps[t] + rates @ recurrent_weight
            if gated:
                drive, gate = total.split(n, dim=1)
                state = torch.lerp(state, drive, torch.sigmoid(gate))
            else:
                state = torch.lerp(state, total, self.config.leak)
            if noise_steps is not None:
                state = state + noise_steps[t]
            rates = torch.relu(state)
            if hook is not None:
                rates = _apply(rates, hook)
                state = torch.where(hook[0], rates, state)
            if probe_steps is not None:
                rates = rates + probe_steps[t]
            all_rates.append(rates)
        stacked = torch.stack(all_rates, dim=1)
        return self.readout(stacked), stacked


@dataclass(frozen=True)
class CausalConfig:
    """Hyperparameters of ``RNNCausal`` (config key ``model``, kind vanilla)."""

    hidden_size: int = 80
    recurrent_init: str = "orthogonal"  # or "uniform" (PyTorch nn.RNN's U(±1/√N))
    input_size: int = 2
    output_size: int = 2

    def to_dict(self) -> dict:
        return asdict(self)


RECURRENT_INITS = ("orthogonal", "uniform")


class RNNCausal(nn.Module):
    """Vanilla tanh RNN of the causal notebook (see the module docstring)."""

    def __init__(self, config: CausalConfig):
        super().__init__()
        self.config = config
        n, n_in, n_out = config.hidden_size, config.input_size, config.output_size
        bound = 1.0 / math.sqrt(n)
        if config.recurrent_init not in RECURRENT_INITS:
            raise ValueError(f"recurrent_init must be one of {RECURRENT_INITS}, "
                             f"not {config.recurrent_init!r}")
        self.weight_input = nn.Parameter(torch.empty(n, n_in).uniform_(-bound, bound))
        if config.recurrent_init == "orthogonal":
            # Orthogonal (gain 1): every eigenvalue on the unit circle, integrates from the start.
            recurrent = nn.init.orthogonal_(torch.empty(n, n))
        else:
            # PyTorch nn.RNN's default: U(±1/√N), spectral radius ≈ 1/√3 (contracting).
            recurrent = torch.empty(n, n).uniform_(-bound, bound)
        self.weight_recurrent = nn.Parameter(recurrent)
        self.bias = nn.Parameter(torch.zeros(n))
        self.weight_output = nn.Parameter(torch.empty(n_out, n).uniform_(-bound, bound))
        self.bias_output = nn.Parameter(torch.zeros(n_out))

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def step(self, state: Tensor, inputs: Tensor) -> Tensor:
        return torch.tanh(inputs @ self.weight_input.T.to(state.dtype)
                          + state @ self.weight_recurrent.T.to(state.dtype)
                          + self.bias.to(state.dtype))

    def readout(self, rates: Tensor) -> Tensor:
        return rates @ self.weight_output.T + self.bias_output

    def forward(self, inputs: Tensor, noise: Tensor | None = None,
                perturbation: UnitPerturbation | None = None,
                rate_probe: Tensor | None = None) -> tuple[Tensor, Tensor]:
        batch, steps, _ = inputs.shape
        state = inputs.new_zeros(batch, self.hidden_size)
        hook = None if perturbation is None else perturbation.tensors(self.hidden_size,
                                                                      inputs.dtype)
        input_steps = inputs.unbind(1)  # see RNNWithGateDale.forward: unbind, not x[:, t]
        noise_steps = None if noise is None else noise.unbind(1)
        probe_steps = None if rate_probe is None else rate_probe.unbind(1)
        all_rates = []
        for t in range(steps):
            state = self.step(state, input_steps[t])
            if noise_steps is not None:
                state = state + noise_steps[t]
            state = _apply(state, hook)
            rates = state if probe_steps is None else state + probe_steps[t]
            all_rates.append(rates)
            state = rates
        stacked = torch.stack(all_rates, dim=1)
        return self.readout(stacked), stacked


def mixed_sign_columns(model: RNNWithGateDale) -> int:
    """Columns of W_rec holding a weight of the wrong sign (0 under Dale's law)."""
    return dale.mixed_sign_columns(model.weight_recurrent.detach(), model.unit_signs)


def numpy_rates(model, inputs: np.ndarray, perturbation=None) -> tuple[np.ndarray, np.ndarray]:
    """(logits (B, T, 2), rates (B, T, N)) as float64 numpy, noise off, no gradient."""
    with torch.no_grad():
        logits, rates = model(torch.from_numpy(np.asarray(inputs, dtype=np.float32)),
                              perturbation=perturbation)
    return logits.double().numpy(), rates.double().numpy()
