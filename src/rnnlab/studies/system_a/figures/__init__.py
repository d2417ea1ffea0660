"""System A's figures: tables in, matplotlib Figure out (no torch, no pyplot), one module per figure family."""
