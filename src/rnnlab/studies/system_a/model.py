"""System A's network (the thesis's ``Net1``) on the engine's current-based form.

    h_t = h_{t−1} + (dt/τ)(−h_{t−1} + g·G·tanh(h_{t−1}) + I·u_t),      z_t = tanh(h_t)·w

G (N, N) ~ N(0, 1/N) is frozen (a buffer, never a parameter: no optimiser can touch it);
I (N, 1) ~ N(0, 1) and w (N, 1) ~ N(0, 1/N) are trained; h_0 = 0.

Initial weights, as the thesis's code draws them (``weight_init``):

* ``shared_stream`` (the thesis): w from a torch generator seeded with the model seed, G from
  one seeded with ``connectivity_seed``, I from a generator seeded with the model seed *again*,
  so I and w are the same standard normals: I = √N·w and cosine(I, w) = 1 before training
  (bit-identical to the thesis's ``Net1``: ``x.normal_(generator=torch.manual_seed(seed))``).
* ``independent``: I and w from two independent streams of the model seed, cosine ≈ 0 ± 1/√N.

``connectivity_seed``: the thesis draws G with seed 1 for every model (only I and w differ
between its 20 "seeds"); null draws G from the model seed's own stream instead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from rnnlab.models.current_recurrence import (
    current_rnn_sequence,
    current_rnn_sequence_reference,
)
from rnnlab.models.nonlinearities import make_nonlinearity

WEIGHT_INITS = ("shared_stream", "independent")
# Streams of a model seed (SeedSequence([seed, stream])) where the thesis has none.
INPUT_STREAM, OUTPUT_STREAM, CONNECTIVITY_STREAM = 11, 12, 13


@dataclass(frozen=True)
class SystemAConfig:
    hidden_size: int = 500
    tau_ms: float = 100.0
    dt_ms: float = 1.0
    gain: float = 1.5
    connectivity_seed: int | None = 1
    weight_init: str = "shared_stream"

    def __post_init__(self):
        if self.weight_init not in WEIGHT_INITS:
            raise ValueError(f"weight_init must be one of {WEIGHT_INITS}, not {self.weight_init!r}")
        if not 0 < self.dt_ms <= self.tau_ms:
            raise ValueError("need 0 < dt_ms ≤ tau_ms")

    @property
    def alpha(self) -> float:
        return self.dt_ms / self.tau_ms

    def to_dict(self) -> dict:
        return asdict(self)


def torch_generator(seed: int, stream: int | None = None) -> torch.Generator:
    """A torch generator seeded with ``seed`` (as ``torch.manual_seed(seed)``), or with a state
    drawn from SeedSequence([seed, stream])."""
    if stream is not None:
        seed = int(np.random.SeedSequence([seed, stream]).generate_state(1, dtype=np.uint64)[0])
    return torch.Generator().manual_seed(seed)


def connectivity(config: SystemAConfig, seed: int) -> torch.Tensor:
    """G (N, N), float32, entries N(0, 1/N)."""
    n_units = config.hidden_size
    generator = (torch_generator(config.connectivity_seed) if config.connectivity_seed is not None
                 else torch_generator(seed, CONNECTIVITY_STREAM))
    return torch.empty(n_units, n_units).normal_(std=1.0 / math.sqrt(n_units),
                                                 generator=generator)


class SystemANetwork(nn.Module):
    """Forward: inputs (B, T, 1) → outputs (B, T, 1) and states h (B, T, N) (or None)."""

    def __init__(self, config: SystemAConfig, seed: int):
        super().__init__()
        self.config = config
        n_units = config.hidden_size
        self.input_weights = nn.Parameter(torch.empty(n_units, 1))  # I
        self.output_weights = nn.Parameter(torch.empty(n_units, 1))  # w
        self.register_buffer("connectivity", connectivity(config, seed))  # G, frozen
        self.register_buffer("initial_state", torch.zeros(n_units))  # h_0
        self.nonlinearity = make_nonlinearity("tanh")
        with torch.no_grad():
            if config.weight_init == "shared_stream":
                self.output_weights.normal_(std=1.0 / math.sqrt(n_units),
                                            generator=torch_generator(seed))
                self.input_weights.normal_(generator=torch_generator(seed))
            else:
                self.output_weights.normal_(std=1.0 / math.sqrt(n_units),
                                            generator=torch_generator(seed, OUTPUT_STREAM))
                self.input_weights.normal_(generator=torch_generator(seed, INPUT_STREAM))

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def recurrent_weight(self) -> torch.Tensor:
        """g·G (N, N)."""
        return self.config.gain * self.connectivity

    def forward(self, inputs: torch.Tensor, initial_state: torch.Tensor | None = None,
                return_states: bool = True):
        """inputs (B, T, 1); initial_state (B, N) or (N,) (default h_0 = the buffer)."""
        start = self.initial_state if initial_state is None else initial_state
        return current_rnn_sequence(
            inputs, self.input_weights, None, self.recurrent_weight(),
            torch.tensor(self.config.alpha, dtype=inputs.dtype), self.nonlinearity, start,
            self.output_weights.T, None, return_states=return_states,
        )

    def forward_reference(self, inputs: torch.Tensor, initial_state: torch.Tensor | None = None):
        """The same network as a plain autograd loop (tests, benchmarks)."""
        start = self.initial_state if initial_state is None else initial_state
        return current_rnn_sequence_reference(
            inputs, self.input_weights, None, self.recurrent_weight(),
            torch.tensor(self.config.alpha, dtype=inputs.dtype), self.nonlinearity, start,
            self.output_weights.T, None,
        )

    def rates(self, inputs: torch.Tensor, initial_state: torch.Tensor | None = None):
        """(outputs (B, T, 1), firing rates tanh(h) (B, T, N)) without gradients."""
        with torch.no_grad():
            outputs, states = self.forward(inputs, initial_state)
            return outputs, torch.tanh(states)
