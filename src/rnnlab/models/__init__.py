"""Recurrent network models."""

from rnnlab.models.leaky_rnn import (
    LeakyRNN,
    ModelConfig,
    build_leaky_rnn,
    spectral_norm,
    spectral_radius,
)

__all__ = ["LeakyRNN", "ModelConfig", "build_leaky_rnn", "spectral_norm", "spectral_radius"]
