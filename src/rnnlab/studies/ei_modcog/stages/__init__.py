"""The E/I Mod-Cog study's stages: checkpoints in, tidy tables out."""
