"""Analyses of trained networks: evaluation, gradients, weights, fixed points, statistics."""
