"""System A (seed 001): integration and memory of a pulse duration, 20 seeds, precision, weight correlation, participation ratios."""
