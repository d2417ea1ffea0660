"""The 2AFC study's stages: checkpoints in, {table: DataFrame} out."""
