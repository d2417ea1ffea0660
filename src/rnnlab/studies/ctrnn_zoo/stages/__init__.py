"""The CTRNN zoo's stages: checkpoints in, tidy tables out."""
