"""Figures of the 2AFC study: tables in, matplotlib Figure out (no torch). One module per idea:
``training`` (loss curves, curriculum), ``psychometric``, ``state_space`` (PCA trajectories,
centroid separation, fixed points), ``perturbations`` (robustness, lesion, clamp), ``library``
(PsychRNN vs rnnlab), ``shared`` (run colours and labels). Imports nothing on purpose."""
