"""Run one stage of a study: ``params.stage["function"]`` ("module:function") is called with the
job's named inputs (paths) and ``params.settings`` as keyword arguments, and returns
{table name: DataFrame}; each table is written to the job's output of the same name.

A seed group's job (stage_jobs.seeds_per_job > 1: wildcard ``seed_group``, inputs named
``<name>_seed<seed>``) calls the stage once per seed, exactly as a job of its own would, and
writes ``<output directory>/seed<seed>/<table>.parquet``.

A stage that needs its seed as an argument (one that trains, e.g. a library's own training: no
per-seed input names the seed) names the keyword in ``params.seed_argument``; it is called with
each seed of its group (or the job's seed)."""

import re
from pathlib import Path

from script_setup import configure_torch, finish, provenance, start

start(snakemake)

from rnnlab.tables import write_table  # noqa: E402
from rnnlab.workflow.names import resolve, seeds_of_group  # noqa: E402

function = snakemake.params.stage["function"]
stage = resolve(function)
configure_torch(snakemake)  # only where the stage's modules brought torch in
seed_argument = getattr(snakemake.params, "seed_argument", None)


def run_stage(inputs: dict, outputs, seed: int | None = None) -> None:
    """``outputs``: {table: path}, or a directory for every table the stage returns (a seed
    group's; its copy jobs fail on a missing table)."""
    arguments = dict(inputs, **snakemake.params.settings)
    if seed_argument:
        arguments[seed_argument] = seed if seed is not None else int(snakemake.wildcards.seed)
    tables = stage(**arguments)
    if isinstance(outputs, Path):
        outputs = {name: outputs / f"{name}.parquet" for name in tables}
    unwritten = set(outputs) - set(tables)
    if unwritten:
        raise RuntimeError(f"stage {function} returned no {sorted(unwritten)}")
    # The same provenance as the seed's job of its own would give (the params are the same).
    source = provenance(snakemake) if seed is None else provenance(snakemake, seed=seed)
    for name, frame in tables.items():
        write_table(frame, outputs[name], name, source)


if "seed_group" in snakemake.wildcards.keys():
    # "seeds_1_2_3": every seed of the group, also those of a stage without inputs
    by_seed = {seed: {} for seed in seeds_of_group(snakemake.wildcards.seed_group)}
    for name, path in snakemake.input.items():
        match = re.fullmatch(r"(.+)_seed(\d+)", name)
        by_seed.setdefault(int(match.group(2)), {})[match.group(1)] = path
    for seed, inputs in sorted(by_seed.items()):
        directory = Path(snakemake.output.seed_group) / f"seed{seed}"
        directory.mkdir(parents=True, exist_ok=True)
        run_stage(inputs, directory, seed)
else:
    run_stage(dict(snakemake.input.items()), dict(snakemake.output.items()))
finish()
