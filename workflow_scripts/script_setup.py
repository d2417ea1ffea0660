"""Shared start and end of every workflow script: log to the rule's log file, make ``rnnlab``
importable (also inside a conda env where it is not installed), give torch the rule's threads,
and end the job without the interpreter's teardown."""

import logging
import os
import sys
from pathlib import Path


def start(snakemake, uses_torch: bool = False) -> None:
    log_file = open(snakemake.log[0], "w")
    sys.stderr = sys.stdout = log_file
    logging.basicConfig(stream=log_file, level=logging.INFO, format="%(asctime)s %(message)s")
    # The workflow's own src/ first: before an installed rnnlab, and before the copy of the
    # parent's sys.path that Snakemake's script preamble appends (which holds src/ too, at the
    # end, since rules/common.smk imports rnnlab from it while parsing).
    source = str(Path(snakemake.scriptdir).resolve().parent / "src")
    sys.path[:] = [source] + [path for path in sys.path if path != source]
    if uses_torch:
        import torch  # noqa: F401  (configure_torch sets it up)
    configure_torch(snakemake)


def finish() -> None:
    """End a job that succeeded: flush the log, then leave without Python's teardown.

    Why: with torch imported, the interpreter's finalisation (freeing every module's objects
    one by one) costs ≈ 1 CPU-s per job, more than many jobs' own work, and nothing in it
    matters to a finished job: its outputs are written and closed (Parquet, ``torch.save``
    and ``savefig`` close their files), and the kernel closes the rest. Measured by
    ``benchmarks/job_exit.py``. A job that fails raises before this and exits normally, with
    its traceback in the log."""
    logging.shutdown()  # flushes the log's handler
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()  # what was printed after the last log record
    os._exit(0)


def configure_torch(snakemake) -> None:
    """The rule's threads and deterministic kernels, if torch is in use by now."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(snakemake.threads)
        torch.use_deterministic_algorithms(True)


def provenance(snakemake, run_config: dict | None = None, run: str = "", seed="all"):
    from rnnlab.tables import Provenance, config_hash

    wildcards = snakemake.wildcards
    return Provenance(
        study=getattr(wildcards, "study", ""),
        run=getattr(wildcards, "run", run),
        seed=int(wildcards.seed) if hasattr(wildcards, "seed") else seed,
        config_hash=config_hash(run_config if run_config is not None else dict(snakemake.params)),
    )
