"""Recurrent network models."""

from rnnlab.models.leaky_rnn import LeakyRNN, ModelConfig, spectral_norm, spectral_radius

__all__ = ["LeakyRNN", "ModelConfig", "spectral_norm", "spectral_radius"]
