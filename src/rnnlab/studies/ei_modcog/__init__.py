"""E/I RNNs on Mod-Cog tasks (seed 003): EG vs GD training, credit assignment to excitatory
and inhibitory units, weight signs, and fixed points across inhibitory fractions."""
