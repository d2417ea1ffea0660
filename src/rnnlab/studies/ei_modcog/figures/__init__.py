"""Figures of the E/I-RNN Mod-Cog study (EG vs GD training of sign-constrained RNNs).

Each figure function takes the tables the workflow writes (aggregates are ``statistic`` tables
from ``rnnlab.aggregation``: grouping columns + quantity, mean, ci_low, ci_high, n) and returns a
matplotlib ``Figure``; save it with ``rnnlab.plotting.style.save_figure``. One module per idea:

* ``training``      ``learning_curves`` (loss and decision accuracy vs training step) and
                    ``checkpoint_accuracy`` (test accuracy at each checkpoint, EG vs GD).
* ``credit``        ``gradient_credit``: ∂L/∂h_t over the trial by population; Fisher
                    information and its Gini coefficient.
* ``fixed_points``  ``fixed_point_motifs``: motifs vs inhibitory fraction; one example network.
* ``weights``       ``weight_signs``: Dale-violating updates reflected back; log10|w| histograms.
* ``shared``        what the figures share: the study's runs (EG, GD) and their colours, line
                    styles and markers, motif colours, axis helpers.

The study's figure registry (``rnnlab.studies.ei_modcog.study``) names each function in its own
module, so a figure job's code fingerprint covers only that module (and ``shared``). This package
imports nothing on purpose: importing it must not pull in every figure module.
"""
