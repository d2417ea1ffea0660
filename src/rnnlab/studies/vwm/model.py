"""The vwm rate network (seed 002, derek1909/vwm_rnn ``RNNMemoryModel``), written anew.

Rates r (B, N) in Hz, Euler steps of dt with per-neuron time constants τ (N,):

    r ← r + (dt/τ) ⊙ (−r + Φ(W_eff r̃ + B u_t)),     W_eff = W ⊙ s[None, :]

- r̃ = spike-noisy rates (``rnnlab.studies.vwm.noise``), a fresh draw at every step; the readout
  sees its own draw: y_t = F r̃'_t. Without a generator (or with noise factor 0) r̃ = r: the
  noise-free network, whose map the fixed-point analysis studies.
- τ ~ log-uniform[τ_min, τ_max] (50, 300 ms), sorted within E and within I.
- Dale's law: s = +1 for the first ``excitatory_fraction`` (0.5) of the units, −1 for the rest;
  column j of W_eff (presynaptic unit j) has the sign s_j as long as W ≥ 0. W is initialised
  |N(0, 1)|/√(0.682 N). The seed never projects W, so a weight pushed below zero flips its
  synapse's sign; ``rnnlab.studies.vwm.training`` keeps W ≥ 0 (see ``dale_projection``).
- Φ: saturating (r_sat/2)(1 + tanh(0.14x − 4.2)), r_sat 60 Hz, or the power law
  0.18·max(x − 10, 0)^1.7 (``activation: power_law``).
- B ≥ 0 (|N(0, 1)|·0.418) with the positive input encoding, kept ≥ 0 by training; F ~
  N(0, 2/(N + 2M)) (2M outputs: cos and sin of each of the M item slots).

Shapes: B = trials, T = steps, N = units, I = input channels, O = 2M outputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from rnnlab.studies.vwm.noise import NOISE_TYPES, noisy_rates

W_INIT_SCALE = 0.682  # W ~ |N(0,1)| / √(0.682 N) (seed)
B_INIT_STD = 0.418  # B ~ |N(0,1)| · 0.418 (seed)
SLOPE, OFFSET = 0.14, 4.2  # saturating Φ (seed)
POWER_GAIN, POWER_THRESHOLD, POWER_EXPONENT = 0.18, 10.0, 1.7  # power-law Φ (seed)
POWER_FLOOR = 1e-10


@dataclass(frozen=True)
class NetworkConfig:
    """The network's settings (a run's ``model`` section)."""

    hidden_size: int = 256
    tau_min_ms: float = 50.0
    tau_max_ms: float = 300.0
    dale: bool = True
    excitatory_fraction: float = 0.5
    activation: str = "saturating"
    saturation_rate_hz: float = 60.0
    noise_type: str = "gamma"
    noise_factor: float = 0.05

    @classmethod
    def from_dict(cls, values: dict) -> "NetworkConfig":
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown vwm model setting(s): {sorted(unknown)}")
        config = cls(**values)
        if config.activation not in ("saturating", "power_law"):
            raise ValueError(f"activation must be saturating or power_law, not {config.activation!r}")
        if config.noise_type not in NOISE_TYPES:
            raise ValueError(f"noise_type must be one of {NOISE_TYPES}")
        if not 0 < config.tau_min_ms <= config.tau_max_ms:
            raise ValueError("need 0 < tau_min_ms ≤ tau_max_ms")
        return config

    def to_dict(self) -> dict:
        return asdict(self)


class VWMNetwork(nn.Module):
    """The rate network; ``forward`` simulates trials, ``step`` is the noise-free map."""

    def __init__(self, config: NetworkConfig, input_size: int, output_size: int, dt_ms: float,
                 positive_input: bool = True):
        super().__init__()
        self.config = config
        self.dt_ms = float(dt_ms)
        self.positive_input = bool(positive_input)
        n = config.hidden_size
        n_excitatory = int(n * config.excitatory_fraction) if config.dale else n
        self.n_excitatory = n_excitatory
        sign = torch.ones(n)
        sign[n_excitatory:] = -1.0
        self.register_buffer("sign", sign)
        tau = config.tau_min_ms * torch.exp(
            torch.rand(n) * math.log(config.tau_max_ms / config.tau_min_ms))
        tau = torch.cat([torch.sort(tau[:n_excitatory]).values,
                         torch.sort(tau[n_excitatory:]).values])
        self.register_buffer("tau", tau)
        if config.dale:
            recurrent = torch.randn(n, n).abs() / math.sqrt(W_INIT_SCALE * n)
        else:
            recurrent = torch.randn(n, n) / math.sqrt(n)
        self.W = nn.Parameter(recurrent)
        inputs = torch.randn(n, input_size) * B_INIT_STD
        self.B = nn.Parameter(inputs.abs() if positive_input else inputs)
        self.F = nn.Parameter(torch.randn(output_size, n) * math.sqrt(2.0 / (n + output_size)))

    # ------------------------------------------------------------------ pieces

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    @property
    def alpha(self) -> torch.Tensor:
        """dt/τ (N,)."""
        return self.dt_ms / self.tau

    def effective_recurrent(self) -> torch.Tensor:
        """W_eff = W ⊙ s[None, :] (N, N): column j carries presynaptic unit j's sign."""
        return self.W * self.sign[None, :]

    def activation(self, x: torch.Tensor) -> torch.Tensor:
        """Φ(x), Hz."""
        if self.config.activation == "power_law":
            return POWER_GAIN * torch.clamp(x - POWER_THRESHOLD, min=POWER_FLOOR) ** POWER_EXPONENT
        return self.config.saturation_rate_hz / 2 * (1 + torch.tanh(SLOPE * x - OFFSET))

    def activation_derivative(self, x: torch.Tensor) -> torch.Tensor:
        """Φ'(x)."""
        if self.config.activation == "power_law":
            above = x - POWER_THRESHOLD > POWER_FLOOR
            base = torch.clamp(x - POWER_THRESHOLD, min=POWER_FLOOR)
            return torch.where(above, POWER_GAIN * POWER_EXPONENT * base ** (POWER_EXPONENT - 1),
                               torch.zeros_like(x))
        t = torch.tanh(SLOPE * x - OFFSET)
        return self.config.saturation_rate_hz / 2 * SLOPE * (1 - t * t)

    def noisy(self, rates: torch.Tensor, generator: torch.Generator | None,
              noise_factor: float | None = None) -> torch.Tensor:
        """r̃ of ``rates`` (a fresh draw); ``noise_factor`` defaults to the config's."""
        factor = self.config.noise_factor if noise_factor is None else noise_factor
        return noisy_rates(rates, self.config.noise_type, factor, self.dt_ms, generator)

    # ------------------------------------------------------------------ simulation

    def forward(self, inputs: torch.Tensor, generator: torch.Generator | None = None,
                noise_factor: float | None = None, initial: torch.Tensor | None = None,
                record_from: int = 0) -> torch.Tensor:
        """Rates (B, T − record_from, N) after each step t ≥ ``record_from`` of the T steps of
        ``inputs`` (B, T, I), from r = 0 (or ``initial`` (B, N)); spike noise drawn from
        ``generator`` (None: noise-free). ``record_from`` saves memory when only the end of
        the trials is needed."""
        batch, steps, _ = inputs.shape
        dtype = self.W.dtype
        # unbind, not external[:, t]: the backward of T slices would build T full-size zeros
        external = (inputs.to(dtype) @ self.B.T).unbind(dim=1)  # T × (B, N)
        weights = self.effective_recurrent().T
        alpha = self.alpha.to(dtype)
        r = torch.zeros(batch, self.hidden_size, dtype=dtype) if initial is None else initial
        rates = []
        for t in range(steps):
            drive = self.noisy(r, generator, noise_factor) @ weights + external[t]
            r = r + alpha * (self.activation(drive) - r)
            if t >= record_from:
                rates.append(r)
        return torch.stack(rates, dim=1)

    def readout(self, rates: torch.Tensor, generator: torch.Generator | None = None,
                noise_factor: float | None = None) -> torch.Tensor:
        """y = F r̃ (…, O) of rates (…, N), with its own noise draw."""
        return self.noisy(rates, generator, noise_factor) @ self.F.T

    def step(self, h: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """The noise-free map h' = h + (dt/τ)(−h + Φ(W_eff h + B u)); h (K, N), u (K, I)."""
        drive = h @ self.effective_recurrent().T + u @ self.B.T
        return h + self.alpha.to(h.dtype) * (self.activation(drive) - h)

    def step_jacobian(self, h: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """∂step/∂h (K, N, N) = I − diag(α) + diag(α Φ'(z)) W_eff."""
        drive = h @ self.effective_recurrent().T + u @ self.B.T
        alpha = self.alpha.to(h.dtype)
        gain = alpha * self.activation_derivative(drive)  # (K, N)
        jacobian = gain[:, :, None] * self.effective_recurrent().to(h.dtype)[None]
        diagonal = torch.diagonal(jacobian, dim1=1, dim2=2)
        diagonal += 1 - alpha
        return jacobian


def decode_angles(readout: torch.Tensor, window: tuple[int, int]) -> torch.Tensor:
    """θ̂ (B, M): atan2 of the decode-window mean of the readout (B, T, 2M), pairs (cos, sin)."""
    start, stop = window
    mean = readout[:, start:stop].mean(dim=1)
    pairs = mean.reshape(mean.shape[0], -1, 2)
    return torch.atan2(pairs[..., 1], pairs[..., 0])


def sign_violations(model: VWMNetwork) -> dict[str, int]:
    """Synapses of W_eff whose sign differs from their presynaptic unit's, per population
    (strictly: a zero weight is no violation)."""
    effective = model.effective_recurrent().detach()
    wrong = (effective * model.sign[None, :]) < 0
    n_e = model.n_excitatory
    return {"E": int(wrong[:, :n_e].sum()), "I": int(wrong[:, n_e:].sum())}
