#!/usr/bin/env bash
# Snakemake runs this once in the new env (see envs/psychrnn.yaml): PsychRNN without its bogus
# dependency (it needs only TensorFlow and numpy, installed by the env).
set -euo pipefail
python -m pip install --no-deps psychrnn==1.0.0
