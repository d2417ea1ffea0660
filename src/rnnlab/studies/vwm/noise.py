"""Spike noise of the vwm rate network: the rates a neuron's targets (and the readout) see.

A rate unit stands for a small pool of spiking neurons; what its targets receive in one time
step of ``dt_ms`` is the pool's spike count / dt, a noisy version of the rate r (Hz). Every type
here is mean-preserving (E[r̃] = r, up to the rectification of the Gaussian types at r ≈ 0) and
reparameterised — r̃ is a differentiable function of r and of noise drawn independently of r —
so that gradients flow through the noisy rates (Gamma: implicit reparameterisation of
``torch._standard_gamma``, whose derivative w.r.t. the shape torch provides).

k = ``factor`` (the seed's ``spike_noise_factor``, ≈ 1/√(neurons per pool)), Δ = dt/1000 s:

- ``gamma``:     r̃ ~ Gamma(shape r·λ, rate λ), λ = Δ/k²      E = r, Var = r·k²/Δ (Poisson-like:
                 k = 1 is the variance of a Poisson count of one neuron, divided by Δ²)
- ``gauss``:     r̃ = [r + k·√(r/Δ)·ε]₊                      E ≈ r, Var ≈ r·k²/Δ
- ``puregauss``: r̃ = [r + 15·k·ε]₊                          E ≈ r, Var ≈ (15k)², rate-independent
- ``csnr``:      r̃ ~ Gamma(shape κ, rate κ/r), κ = r₀·Δ/k²   E = r, Var = r²/κ (constant SNR κ,
                 Poisson-like at the reference rate r₀ = 5 Hz)

ε ~ N(0, 1). Shapes are clamped at 1e-10 (a rate of 0 gives r̃ ≈ 0, with a finite gradient).
All randomness comes from the caller's ``torch.Generator``.
"""

from __future__ import annotations

import math

import torch

NOISE_TYPES = ("gamma", "gauss", "puregauss", "csnr")
PUREGAUSS_SCALE_HZ = 15.0  # std of puregauss at k = 1 (seed value)
CSNR_REFERENCE_RATE_HZ = 5.0  # r₀ of csnr (seed value)
MIN_SHAPE = 1e-10
MIN_RATE_HZ = 1e-10


def noisy_rates(rates: torch.Tensor, kind: str, factor: float, dt_ms: float,
                generator: torch.Generator | None) -> torch.Tensor:
    """r̃ of ``rates`` (any shape, Hz) under noise ``kind`` with factor k = ``factor``.

    ``factor`` 0 or ``generator`` None returns ``rates`` unchanged (the noise-free network).
    """
    if kind not in NOISE_TYPES:
        raise ValueError(f"unknown spike noise type {kind!r}; expected one of {NOISE_TYPES}")
    if factor <= 0 or generator is None:
        return rates
    seconds = dt_ms / 1000.0
    if kind == "gamma":
        lam = seconds / factor**2
        shape = torch.clamp(rates * lam, min=MIN_SHAPE)
        return torch._standard_gamma(shape, generator=generator) / lam
    if kind == "csnr":
        kappa = CSNR_REFERENCE_RATE_HZ * seconds / factor**2
        shape = torch.full_like(rates, kappa)
        draw = torch._standard_gamma(shape, generator=generator)
        return draw * torch.clamp(rates, min=MIN_RATE_HZ) / kappa
    noise = torch.randn(rates.shape, generator=generator, dtype=rates.dtype)
    if kind == "gauss":
        scale = factor * torch.sqrt(rates / seconds + MIN_RATE_HZ)
    else:  # puregauss
        scale = PUREGAUSS_SCALE_HZ * factor
    return torch.relu(rates + scale * noise)


def moments(rate_hz: float, kind: str, factor: float, dt_ms: float) -> tuple[float, float]:
    """(mean, variance) of r̃ at rate ``rate_hz`` before any rectification: the design values
    the samples are tested against."""
    seconds = dt_ms / 1000.0
    if kind in ("gamma", "gauss"):
        return rate_hz, rate_hz * factor**2 / seconds
    if kind == "puregauss":
        return rate_hz, (PUREGAUSS_SCALE_HZ * factor) ** 2
    if kind == "csnr":
        kappa = CSNR_REFERENCE_RATE_HZ * seconds / factor**2
        return rate_hz, rate_hz**2 / kappa
    raise ValueError(f"unknown spike noise type {kind!r}")


def rectified_normal_moments(mean: float, std: float) -> tuple[float, float]:
    """(mean, variance) of max(X, 0) for X ~ N(mean, std²): what ``gauss`` and ``puregauss``
    give near r = 0, where the rectification biases the mean upwards."""
    if std == 0:
        value = max(mean, 0.0)
        return value, 0.0
    a = mean / std
    pdf = math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + math.erf(a / math.sqrt(2)))
    first = mean * cdf + std * pdf
    second = (mean**2 + std**2) * cdf + mean * std * pdf
    return first, second - first**2
