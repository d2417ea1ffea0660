"""Dale's law: every unit is excitatory or inhibitory, so every column of W_rec is single-signed.

Convention: W_rec[i, j] is the weight from presynaptic unit j to postsynaptic unit i, so the
sign of unit j lives on column j: W_rec = |W| · diag(sign).
"""

from __future__ import annotations

import torch

Tensor = torch.Tensor


def excitatory_count(hidden_size: int, excitatory_fraction: float) -> int:
    """Number of excitatory units: round(f·N), the first units of the population."""
    return int(round(excitatory_fraction * hidden_size))


def unit_signs(hidden_size: int, excitatory_fraction: float) -> Tensor:
    """(N,) float tensor: +1 for the round(f·N) excitatory units (first), −1 for the rest."""
    n_excitatory = excitatory_count(hidden_size, excitatory_fraction)
    signs = torch.ones(hidden_size)
    signs[n_excitatory:] = -1.0
    return signs


def project_columns(weight: Tensor, signs: Tensor) -> Tensor:
    """|W| · diag(signs): the sign-keeping projection (a weight that crossed zero is reflected)."""
    return weight.abs() * signs[None, :]


def mixed_sign_columns(weight: Tensor, signs: Tensor) -> int:
    """How many columns hold a weight whose sign disagrees with its presynaptic unit."""
    wrong = (weight * signs[None, :]) < 0
    return int(wrong.any(dim=0).sum())


def balance_inhibition(weight: Tensor, signs: Tensor) -> Tensor:
    """Scale inhibitory columns so that the mean input to a unit is zero: μ_I·N_I = μ_E·N_E."""
    excitatory = signs > 0
    total_excitatory = weight[:, excitatory].abs().sum()
    total_inhibitory = weight[:, ~excitatory].abs().sum()
    if total_inhibitory == 0:
        return weight
    scaled = weight.clone()
    scaled[:, ~excitatory] *= total_excitatory / total_inhibitory
    return scaled
