"""System A's own stages: checkpoints in, {table name: DataFrame} out."""
