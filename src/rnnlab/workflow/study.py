"""The study plug-in interface: what one thesis adds to the workflow.

A study named ``<name>`` is

* a package ``rnnlab.studies.<name>`` holding its science (tasks or models only it uses, its
  stages, aggregates, figure functions and Parquet schemas) with a module ``study`` that defines
  ``STUDY``, an instance of a :class:`Study` subclass: its runs, aggregates and figures;
* a rules file ``rules/<name>.smk`` that registers it (``register_study("<name>")``) and holds
  the rules of its own stages; the shared stages (training, checkpoint evaluation, aggregation,
  figures, provenance) come from the generic rules;
* a config section ``studies.<name>`` checked against ``config/studies/<name>.schema.yaml``
  (merged over ``config/study.schema.yaml``, the keys every study has), whose ``$defs.run`` may
  replace properties of ``config/run.schema.yaml`` for its runs (e.g. its tasks' parameters);
* report captions ``report/<name>/<figure>.rst``;
* one ``include: "rules/<name>.smk"`` line in the Snakefile.

The workflow reads ``STUDY`` while Snakemake parses, so a ``study`` module imports only the
standard library and this module. Library functions are named by path, ``"module:function"``,
and imported only inside the jobs that call them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class RunSpec:
    """A training run before it is merged with the study's ``training_defaults``.

    Attributes:
        override: the run's settings over ``training_defaults`` (run.schema.yaml's sections).
        seeds: its training seeds.
        where: config key path of the written override, for error messages.
    """

    override: dict
    seeds: tuple[int, ...]
    where: str


@dataclass(frozen=True)
class Aggregate:
    """An across-seed summary ``results/<study>/aggregate/<name>.parquet``.

    Attributes:
        function: ``"module:function"``, called as ``function(tables, seed, n_resamples,
            **settings)`` with ``tables`` = {table name: every seed's rows of it}; returns a
            ``statistic`` table.
        tables: per-seed tables it reads (``<run dir>/<table>.parquet``).
        runs: the runs whose seeds it reads.
        settings: further keyword arguments of ``function`` (config values it depends on; JSON
            values); they reach the job through its params, so changing one reruns it.
    """

    function: str
    tables: tuple[str, ...]
    runs: tuple[str, ...]
    settings: Mapping = field(default_factory=dict)


# ------------------------------------------------------------------ figure inputs


@dataclass(frozen=True)
class AggregateTable:
    """A figure input: the study's aggregate ``name``."""

    name: str


@dataclass(frozen=True)
class SeedTables:
    """A figure input: per-seed table ``table`` of ``runs`` – every seed, or only each run's
    first seed (``first_seed_only``: the example network a figure draws)."""

    table: str
    runs: tuple[str, ...]
    first_seed_only: bool = False


@dataclass(frozen=True)
class RunTable:
    """A figure input: table ``table`` of one (run, seed)."""

    table: str
    run: str
    seed: int


FigureInput = AggregateTable | SeedTables | RunTable


@dataclass(frozen=True)
class Figure:
    """A figure ``results/figures/<study>/<name>.png``: one registry entry, no rule body.

    Attributes:
        name: file stem and target ``<study>_<name>``.
        draw: ``"module:function"``, called with one keyword argument per input (a DataFrame)
            and ``options``; returns a matplotlib Figure. It reads tables only: no torch.
        inputs: {keyword: table(s)}.
        label: the figure's label in the report.
        options: further keyword arguments of ``draw`` (config values a figure depends on).
        caption: caption file, relative to the workflow root (default
            ``report/<study>/<name>.rst``).
    """

    name: str
    draw: str
    inputs: Mapping[str, FigureInput]
    label: str
    options: Mapping = field(default_factory=dict)
    caption: str | None = None


class Study:
    """Base class of a study plug-in; a subclass sets ``name`` and ``title`` and overrides the
    methods below. Each method receives the study's validated config section (defaults filled
    in); ``runs`` are the run names of :meth:`runs`."""

    name: ClassVar[str]
    title: ClassVar[str]  # the report category of its figures

    def runs(self, section: dict) -> dict[str, RunSpec]:
        """Training runs: by default the section's ``runs``, each with the section's ``seeds``."""
        seeds = tuple(section["seeds"])
        return {
            run: RunSpec(override, seeds, f"studies.{self.name}.runs.{run}")
            for run, override in section["runs"].items()
        }

    def check(self, section: dict, resolved_runs: dict[str, dict]) -> list[str]:
        """Problems the schema cannot express, as "<key path>: <message>"."""
        return []

    def stage_settings(self, stage: str, section: dict, resolved_run: dict) -> dict:
        """The settings a stage job of ``resolved_run`` gets (keyword arguments of the stage
        function): by default the section's key ``stage``."""
        return section[stage]

    def aggregates(self, section: dict, runs: list[str]) -> dict[str, Aggregate]:
        return {}

    def figures(self, section: dict, runs: list[str]) -> list[Figure]:
        return []

    def training_modules(self) -> tuple[str, ...]:
        """Modules that build this study's tasks and networks for training (part of the training
        jobs' code fingerprint): by convention ``rnnlab.studies.<name>.experiment``."""
        return (f"rnnlab.studies.{self.name}.experiment",)
