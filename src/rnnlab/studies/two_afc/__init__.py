"""2AFC perceptual discrimination (seed 000): Dale + gating, noise, curriculum, ACG, causal
perturbations, and PsychRNN side by side."""
