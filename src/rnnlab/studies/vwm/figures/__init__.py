"""The vwm figures: tables in, matplotlib Figure out (no torch, no pyplot)."""
