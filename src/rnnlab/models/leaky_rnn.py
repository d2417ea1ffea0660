"""Leaky recurrent network with optional Dale's law.

    h_{t+1} = (1 − α) ⊙ h_t + α ⊙ φ(W_in x_t + W_rec h_t + b) + ξ_t
    y_t     = W_out h_{t+1} + b_out

α is the leak: a scalar in (0, 1] for a discrete leaky RNN (α = 1 is the plain RNN), or dt/τ,
scalar or per unit, for the Euler discretisation of a continuous-time rate network. ξ_t is an
additive state perturbation passed in by the caller: recurrent noise during training (see
``state_noise``), or a zero tensor whose gradient is ∂L/∂h_t in gradient analyses.

Continuous-time view (for equilibrium analysis): with τ = dt/α per unit the step is the Euler
discretisation of the rate network τ ⊙ dh/dt = −h + φ(W_in x + W_rec h + b), see ``flow`` and
``flow_jacobian``; step(h) − h = dt · flow(h), so equilibria of the flow are fixed points of the
step. Constraints (Dale columns, no autapses, non-negative W_in / W_out) are set at init and
restored after every optimiser step by ``apply_constraints_``.

Shapes: B = trials, T = steps, I = inputs, N = units, O = outputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from rnnlab.models import dale
from rnnlab.models.nonlinearities import make_nonlinearity
from rnnlab.models.recurrence import leaky_rnn_sequence

Tensor = torch.Tensor


@dataclass(frozen=True)
class ModelConfig:
    """Every hyperparameter of the network, with the EI-RNN thesis defaults.

    spectral_scaling: "spectral_norm" scales W_rec at init so its largest singular value equals
    ``spectral_value`` (what the EI-RNN thesis code computes although it names it "radius");
    "spectral_radius" scales the largest |eigenvalue|; "none" leaves the init alone.
    leak / time_constants_ms: a scalar leak α, or per-unit τ with α = dt/τ when
    ``time_constants_ms`` is given (one value per unit).
    initialization: W_rec before the spectral scaling. "uniform_columns" (EI-RNN thesis):
    U(±1/√N), Dale-projected, every column rescaled to mean |w| = 1. "balanced_gaussian"
    (engellab): with Dale, E columns |N(μ_E, σ)| and I columns −|N(μ_I, σ)|, μ_E = 1/√N,
    μ_I = (N_E/N_I)/√N, σ = 1/N, then the I columns rescaled so that Σ W_rec = 0 exactly
    (mean input zero: μ_I·N_I = μ_E·N_E); without Dale, N(0, 1/N).
    autapses: False zeroes the diagonal of W_rec at init and after every optimiser step.
    nonnegative_input_output: W_in, W_out ≥ 0 (|·| at init, clamped at 0 after every step).
    input_noise_std: σ_in; training adds ξ_in = √(2/α)·σ_in·N(0, 1) to the inputs, i.e. an
    extra drive W_in ξ_in inside φ (see ``input_noise``).
    """

    input_size: int
    output_size: int
    hidden_size: int = 128
    nonlinearity: str = "softplus"
    softplus_beta: float = 8.0
    leak: float = 1.0
    dt_ms: float = 100.0
    time_constants_ms: tuple[float, ...] | None = None
    dale: bool = True
    excitatory_fraction: float = 0.8
    balance_inhibition: bool = False
    readout: str = "all"  # "all" or "excitatory"
    spectral_scaling: str = "spectral_norm"  # "spectral_norm", "spectral_radius" or "none"
    spectral_value: float = 1.2
    recurrent_noise_std: float = 0.0
    initialization: str = "uniform_columns"  # "uniform_columns" or "balanced_gaussian"
    autapses: bool = True
    nonnegative_input_output: bool = False
    input_noise_std: float = 0.0
    trainable: tuple[str, ...] = field(
        default=("input", "recurrent", "bias", "output")
    )

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown model setting(s): {sorted(unknown)}")
        values = dict(values)
        for key in ("time_constants_ms", "trainable"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)


def spectral_radius(weight: Tensor) -> float:
    return float(torch.linalg.eigvals(weight.double()).abs().max())


def spectral_norm(weight: Tensor) -> float:
    return float(torch.linalg.matrix_norm(weight.double(), ord=2))


DALE_PROJECTIONS = ("reflect", "clip")
INITIALIZATIONS = ("uniform_columns", "balanced_gaussian")


def balanced_init_std(hidden_size: int) -> float:
    """σ of the balanced Gaussian init: 1/N (engellab's value, which it calls "var")."""
    return 1.0 / hidden_size


def project_signed_columns(weight: Tensor, signs: Tensor, mode: str = "reflect") -> Tensor:
    """Single-signed columns: "reflect" |W|·diag(s) (EI-RNN thesis) or "clip" max(W·s, 0)·s
    (engellab: a weight that crossed zero is set to 0). weight (N, N), signs (N,)."""
    if mode == "reflect":
        return dale.project_columns(weight, signs)
    if mode == "clip":
        return (weight * signs[None, :]).clamp_min(0.0) * signs[None, :]
    raise ValueError(f"dale_projection must be one of {DALE_PROJECTIONS}, not {mode!r}")


class LeakyRNN(nn.Module):
    """Leaky RNN (see module docstring). Parameters hold the effective, signed weights; under
    Dale's law the optimiser keeps each column of ``weight_recurrent`` single-signed."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        n, n_in, n_out = config.hidden_size, config.input_size, config.output_size
        self.nonlinearity = make_nonlinearity(config.nonlinearity, config.softplus_beta)
        signs = (
            dale.unit_signs(n, config.excitatory_fraction) if config.dale else torch.ones(n)
        )
        self.register_buffer("unit_signs", signs)
        readout_mask = torch.ones(n)
        if config.readout == "excitatory":
            readout_mask = (signs > 0).float()
        elif config.readout != "all":
            raise ValueError(f"readout must be 'all' or 'excitatory', not {config.readout!r}")
        self.register_buffer("readout_mask", readout_mask)
        self.register_buffer("alpha", self._leak_vector(config))

        self.weight_input = nn.Parameter(self._input_output_init(n, n_in))
        self.weight_recurrent = nn.Parameter(self._initial_recurrent())
        self.bias = nn.Parameter(torch.zeros(n))
        self.weight_output = nn.Parameter(self._input_output_init(n_out, n))
        self.bias_output = nn.Parameter(torch.zeros(n_out))
        trained = {
            "input": self.weight_input,
            "recurrent": self.weight_recurrent,
            "bias": self.bias,
            "output": self.weight_output,
        }
        for name, parameter in trained.items():
            parameter.requires_grad_(name in config.trainable)
        self.bias_output.requires_grad_("output" in config.trainable)

    @staticmethod
    def _leak_vector(config: ModelConfig) -> Tensor:
        if config.time_constants_ms is not None:
            tau = torch.tensor(config.time_constants_ms, dtype=torch.float32)
            if tau.shape != (config.hidden_size,):
                raise ValueError("time_constants_ms needs one value per hidden unit")
            return config.dt_ms / tau
        if not 0 < config.leak <= 1:
            raise ValueError(f"leak must be in (0, 1], got {config.leak}")
        return torch.full((config.hidden_size,), float(config.leak))

    @staticmethod
    def _uniform(rows: int, columns: int) -> Tensor:
        bound = 1.0 / math.sqrt(columns)
        return torch.empty(rows, columns).uniform_(-bound, bound)

    def _input_output_init(self, rows: int, columns: int) -> Tensor:
        """U(±1/√columns), made non-negative by |·| when W_in / W_out must be ≥ 0."""
        weight = self._uniform(rows, columns)
        return weight.abs() if self.config.nonnegative_input_output else weight

    def _without_autapses(self, weight: Tensor) -> Tensor:
        """weight (N, N) with a zero diagonal unless autapses are allowed."""
        if self.config.autapses:
            return weight
        return weight * (1.0 - torch.eye(len(weight), dtype=weight.dtype))

    def _uniform_columns_recurrent(self) -> Tensor:
        """EI-RNN thesis init (before spectral scaling), (N, N)."""
        config = self.config
        weight = self._without_autapses(self._uniform(config.hidden_size, config.hidden_size))
        if config.dale:
            weight = dale.project_columns(weight, self.unit_signs)
            # Equal mean |w| per column before the global scaling (EI-RNN thesis init).
            weight = weight / weight.abs().mean(dim=0, keepdim=True)
            if config.balance_inhibition:
                weight = dale.balance_inhibition(weight, self.unit_signs)
        return weight

    def _balanced_gaussian_recurrent(self) -> Tensor:
        """engellab init (before spectral scaling), (N, N): see ``ModelConfig``."""
        n = self.config.hidden_size
        std = balanced_init_std(n)
        if not self.config.dale:
            return self._without_autapses(torch.randn(n, n) / math.sqrt(n))
        excitatory = self.unit_signs > 0
        n_excitatory = int(excitatory.sum())
        n_inhibitory = n - n_excitatory
        # Mean |w| per column so that μ_I·N_I = μ_E·N_E (zero mean input in expectation).
        mean = torch.where(
            excitatory,
            torch.tensor(1.0 / math.sqrt(n)),
            torch.tensor(n_excitatory / max(n_inhibitory, 1) / math.sqrt(n)),
        )
        magnitude = (mean[None, :] + std * torch.randn(n, n)).abs()
        weight = self._without_autapses(magnitude * self.unit_signs[None, :])
        # The draw balances only in expectation; make the realised mean input exactly zero.
        return dale.balance_inhibition(weight, self.unit_signs)

    def _initial_recurrent(self) -> Tensor:
        config = self.config
        if config.initialization == "uniform_columns":
            weight = self._uniform_columns_recurrent()
        elif config.initialization == "balanced_gaussian":
            weight = self._balanced_gaussian_recurrent()
        else:
            raise ValueError(
                f"initialization must be one of {INITIALIZATIONS}, not {config.initialization!r}"
            )
        if config.spectral_scaling == "spectral_norm":
            weight = weight * (config.spectral_value / spectral_norm(weight))
        elif config.spectral_scaling == "spectral_radius":
            weight = weight * (config.spectral_value / spectral_radius(weight))
        elif config.spectral_scaling != "none":
            raise ValueError(
                "spectral_scaling must be 'spectral_norm', 'spectral_radius' or 'none', "
                f"not {config.spectral_scaling!r}"
            )
        return weight

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    @property
    def excitatory(self) -> Tensor:
        """(N,) bool: True for excitatory units (all True without Dale's law)."""
        return self.unit_signs > 0

    def effective_output_weight(self) -> Tensor:
        return self.weight_output * self.readout_mask[None, :]

    def project_dale_(self, mode: str = "reflect") -> Tensor | None:
        """Restore single-signed columns after an unconstrained update ("reflect" or "clip",
        see ``project_signed_columns``). Returns (N,) int64, per presynaptic unit the number of
        weights that had the wrong sign, or None without Dale's law."""
        if not self.config.dale:
            return None
        with torch.no_grad():
            wrong = (self.weight_recurrent * self.unit_signs[None, :]) < 0
            self.weight_recurrent.copy_(
                project_signed_columns(self.weight_recurrent, self.unit_signs, mode)
            )
        return wrong.sum(dim=0)

    def enforce_connectivity_(self) -> None:
        """Zero the autapses (diagonal of W_rec) and clamp W_in, W_out at 0, as configured."""
        with torch.no_grad():
            if not self.config.autapses:
                self.weight_recurrent.fill_diagonal_(0.0)
            if self.config.nonnegative_input_output:
                self.weight_input.clamp_(min=0.0)
                self.weight_output.clamp_(min=0.0)

    def apply_constraints_(self, dale_projection: str = "reflect") -> Tensor | None:
        """Dale projection, then no autapses and non-negative W_in / W_out: call after every
        optimiser step. Returns the Dale sign corrections of ``project_dale_``."""
        corrections = self.project_dale_(dale_projection)
        self.enforce_connectivity_()
        return corrections

    @property
    def has_connectivity_constraints(self) -> bool:
        """True when ``enforce_connectivity_`` can change a weight."""
        return (not self.config.autapses) or self.config.nonnegative_input_output

    def preactivation(self, state: Tensor, inputs: Tensor) -> Tensor:
        """z = W_in x + W_rec h + b. state (..., N), inputs (..., I) → (..., N)."""
        return (
            inputs @ self.weight_input.T.to(state.dtype)
            + state @ self.weight_recurrent.T.to(state.dtype)
            + self.bias.to(state.dtype)
        )

    def step(self, state: Tensor, inputs: Tensor) -> Tensor:
        """One noise-free step F(h, x). state (K, N), inputs (K, I) → (K, N), any float dtype."""
        alpha = self.alpha.to(state.dtype)
        drive = self.nonlinearity.function(self.preactivation(state, inputs))
        return (1 - alpha) * state + alpha * drive

    def step_jacobian(self, state: Tensor, inputs: Tensor) -> Tensor:
        """∂F/∂h = diag(1 − α) + diag(α φ′(z)) W_rec. state (K, N), inputs (K, I) → (K, N, N)."""
        alpha = self.alpha.to(state.dtype)
        slope = self.nonlinearity.derivative(self.preactivation(state, inputs))
        weight = self.weight_recurrent.to(state.dtype)
        jacobian = (alpha * slope)[:, :, None] * weight[None, :, :]
        return jacobian + torch.diag_embed((1 - alpha).expand_as(state))

    def time_constants(self, dtype: torch.dtype = torch.float32) -> Tensor:
        """(N,) τ = dt/α per unit, in ms."""
        return self.config.dt_ms / self.alpha.to(dtype)

    def flow(self, state: Tensor, inputs: Tensor) -> Tensor:
        """dh/dt = (−h + φ(W_in u + W_rec h + b)) / τ, in 1/ms. state (K, N), inputs (K, I)
        → (K, N), any float dtype. Zero exactly where ``step`` has a fixed point."""
        drive = self.nonlinearity.function(self.preactivation(state, inputs))
        return (drive - state) / self.time_constants(state.dtype)

    def flow_jacobian(self, state: Tensor, inputs: Tensor) -> Tensor:
        """∂flow/∂h = diag(1/τ)(−I + diag(φ′(z)) W_rec). state (K, N), inputs (K, I)
        → (K, N, N); equals (step_jacobian − I)/dt."""
        rate = 1.0 / self.time_constants(state.dtype)
        slope = self.nonlinearity.derivative(self.preactivation(state, inputs))
        weight = self.weight_recurrent.to(state.dtype)
        jacobian = (rate * slope)[:, :, None] * weight[None, :, :]
        return jacobian - torch.diag_embed(rate.expand_as(state))

    def readout(self, states: Tensor) -> Tensor:
        """y = W_out h + b_out. states (..., N) → (..., O)."""
        return states @ self.effective_output_weight().T + self.bias_output

    def state_noise(self, batch_size: int, n_steps: int, generator: torch.Generator) -> Tensor:
        """Recurrent noise ξ (B, T, N) with std √(2α)·σ_rec, so its effect is dt-invariant."""
        noise = torch.randn(batch_size, n_steps, self.hidden_size, generator=generator)
        return noise * torch.sqrt(2 * self.alpha) * self.config.recurrent_noise_std

    def input_noise(self, batch_size: int, n_steps: int, generator: torch.Generator) -> Tensor:
        """Input noise ξ_in (B, T, I) with std √(2/α)·σ_in, added to the inputs u so that it
        enters as the drive W_in ξ_in inside φ (engellab). Inputs have no time constant of their
        own: α is the mean over units (exact for a scalar leak). Always draws, even if σ_in = 0."""
        noise = torch.randn(batch_size, n_steps, self.config.input_size, generator=generator)
        alpha = float(self.alpha.mean())
        return noise * (math.sqrt(2.0 / alpha) * self.config.input_noise_std)

    def forward(
        self,
        inputs: Tensor,
        initial_state: Tensor | None = None,
        state_perturbation: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Run the network.

        Args:
            inputs: (B, T, I).
            initial_state: (B, N); zeros when None.
            state_perturbation: (B, T, N) added to each new state (noise, or a gradient probe).
        Returns:
            outputs (B, T, O) and states (B, T, N), where states[:, t] = h_{t+1}; both are
            views of time-major buffers, not contiguous (``.reshape`` copies, ``.view`` fails).
        """
        # One engine call: the input projection is folded into the per-step products and the
        # readout into their backward (see rnnlab.models.recurrence); both results are
        # (B, T, ·) views of time-major buffers, returned without layout copies.
        return leaky_rnn_sequence(
            inputs,
            self.weight_input,
            self.bias,
            self.weight_recurrent,
            self.alpha,
            self.nonlinearity,
            initial_state,
            state_perturbation,
            self.effective_output_weight(),
            self.bias_output,
        )

    def forward_reference(
        self,
        inputs: Tensor,
        initial_state: Tensor | None = None,
        state_perturbation: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``forward`` as a plain Python loop differentiated by autograd (the implementation
        before the fused recurrence; kept for tests and benchmarks). Same arguments and
        results."""
        batch_size, n_steps, _ = inputs.shape
        state = (
            inputs.new_zeros(batch_size, self.hidden_size)
            if initial_state is None
            else initial_state
        )
        driven = inputs @ self.weight_input.T + self.bias
        alpha = self.alpha
        phi = self.nonlinearity.function
        states = []
        for t in range(n_steps):
            state = (1 - alpha) * state + alpha * phi(
                driven[:, t] + state @ self.weight_recurrent.T
            )
            if state_perturbation is not None:
                state = state + state_perturbation[:, t]
            states.append(state)
        states_tensor = torch.stack(states, dim=1)
        return self.readout(states_tensor), states_tensor


def build_leaky_rnn(model_config: dict, task) -> LeakyRNN:
    """The network of a run's ``model`` section, sized for ``task`` (its input and output
    channels and time step)."""
    config = ModelConfig.from_dict(
        {
            **model_config,
            "input_size": task.input_size,
            "output_size": task.output_size,
            "dt_ms": task.dt_ms,
        }
    )
    return LeakyRNN(config)
