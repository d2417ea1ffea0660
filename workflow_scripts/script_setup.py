"""Shared start of every workflow script: log to the rule's log file, make ``rnnlab`` importable
(also inside a conda env where it is not installed), and give torch the rule's threads."""

import logging
import sys
from pathlib import Path


def start(snakemake, uses_torch: bool = False) -> None:
    log_file = open(snakemake.log[0], "w")
    sys.stderr = sys.stdout = log_file
    logging.basicConfig(stream=log_file, level=logging.INFO, format="%(asctime)s %(message)s")
    source = Path(snakemake.scriptdir).resolve().parent / "src"
    if str(source) not in sys.path:
        sys.path.insert(0, str(source))
    if uses_torch:
        import torch  # noqa: F401  (configure_torch sets it up)
    configure_torch(snakemake)


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
