#!/usr/bin/env bash
# Run every benchmark in turn (about 20–24 minutes on an idle 2-core machine). Extra arguments
# are ignored; run a script directly for its options (see benchmarks/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

"$PYTHON" benchmarks/training_step.py
echo
"$PYTHON" benchmarks/optimizer.py
echo
"$PYTHON" benchmarks/job_exit.py
echo
"$PYTHON" benchmarks/zoo_sampling.py
echo
"$PYTHON" benchmarks/fixed_points.py
echo
"$PYTHON" benchmarks/pipeline.py --shape-only
echo
"$PYTHON" benchmarks/pipeline.py --shape-only --seeds-per-job 3
