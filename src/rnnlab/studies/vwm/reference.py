"""Reference values the vwm figures compare the trained networks with (seed 002's analysis,
``analysis/behavior_summary.yaml`` and its two reported models; kept here as package data
instead of the seed's hard-coded absolute path).

``HUMAN``: human delayed-estimation data, set size → (−2 ln R̄ mean, SE; circular kurtosis mean,
SE). ``THESIS_MODELS``: the thesis's own networks, set size → −2 ln R̄ (no kurtosis reported).
"""

from __future__ import annotations

HUMAN = {
    1: (0.117, 0.018, 4.39, 1.29),
    2: (0.258, 0.057, 3.98, 1.09),
    4: (0.728, 0.187, 2.61, 0.47),
    8: (1.80, 0.41, 1.04, 0.45),
}
THESIS_MODELS = {
    "thesis: 256 units, gamma 0.1, rad": {1: 0.0045, 2: 0.0168, 4: 0.0751, 8: 0.279},
    "thesis: 64 units, gamma 0.2, l2": {1: 0.049, 2: 0.131, 4: 0.378, 8: 0.845},
}
