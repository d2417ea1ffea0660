"""Every study's runs, files and targets, from the configuration and the included plug-ins.

:class:`Pipeline` checks the whole configuration (every problem at once, see
``rnnlab.workflow.config``), resolves each training run of each enabled study (its study's
``training_defaults`` merged with the run's override, run-schema defaults filled in) and answers
the questions the rules ask: which files an aggregate or a figure reads, which figures a study
has, where a (run, seed) lives. It names no study; studies reach it through their plug-ins.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from rnnlab.workflow.config import (
    ConfigError,
    deep_merge,
    load_yaml,
    partial,
    problems,
    validator,
)
from rnnlab.workflow.names import seed_group_name
from rnnlab.workflow.study import (
    Aggregate,
    AggregateTable,
    Figure,
    FigureInput,
    RunSpec,
    RunTable,
    SeedTables,
    Study,
)

RUN_DIRECTORY = "results/{study}/runs/{run}/seed{seed}"
# Outside every output: Snakemake deletes a killed job's outputs before rerunning it.
RESUME_DIRECTORY = "results/resume/{study}/{run}/seed{seed}"
# Several seeds of a run per training job (training_jobs.seeds_per_job): a group's job writes
# every member's outputs here, and a local job per seed copies them to RUN_DIRECTORY.
SEED_GROUP_DIRECTORY = "results/{study}/runs/{run}/seed_groups/{seed_group}"
AGGREGATE_FILE = "results/{study}/aggregate/{aggregate}.parquet"
FIGURE_FILE = "results/figures/{study}/{figure}.png"

CONFIG_SCHEMA = "config/schema.yaml"
STUDY_SCHEMA = "config/study.schema.yaml"
RUN_SCHEMA = "config/run.schema.yaml"
STUDY_SCHEMA_DIRECTORY = "config/studies"


def load_study(name: str) -> Study:
    """The plug-in of study ``name``: ``STUDY`` of module ``rnnlab.studies.<name>.study``."""
    try:
        module = importlib.import_module(f"rnnlab.studies.{name}.study")
    except ModuleNotFoundError as error:
        raise ConfigError(
            [f"study {name!r}: no plug-in module rnnlab.studies.{name}.study ({error})"]
        ) from None
    study = getattr(module, "STUDY", None)
    if not isinstance(study, Study) or study.name != name:
        raise ConfigError(
            [f"study {name!r}: rnnlab.studies.{name}.study.STUDY must be a Study named {name!r}"]
        )
    return study


INCLUDE = re.compile(r'^include:\s*"(rules/[\w.-]+\.smk)"', re.M)
REGISTER = re.compile(r'^register_study\("(\w+)"\)', re.M)


def included_studies(root: str | Path) -> list[str]:
    """The studies the workflow at ``root`` includes (each ``include:`` of the Snakefile whose
    rules file registers a study), in include order: for tools that read the workflow without
    Snakemake (tests, the plan)."""
    root = Path(root)
    studies = []
    for rules in INCLUDE.findall((root / "Snakefile").read_text()):
        studies += REGISTER.findall((root / rules).read_text())
    return studies


class Pipeline:
    """The checked configuration of a workflow whose included studies are ``studies``.

    Raises:
        ConfigError: listing every problem of the configuration, each at its key path.
    """

    def __init__(self, config: dict, studies: Sequence[Study], root: str | Path):
        self.root = Path(root)
        self.config = config
        self.studies: dict[str, Study] = {study.name: study for study in studies}
        found = problems(validator(self._load(CONFIG_SCHEMA)), config)
        sections = config.get("studies") if isinstance(config.get("studies"), dict) else {}
        for name in sections:
            if name not in self.studies:
                found.append(
                    f"studies.{name}: no such study is included in the workflow (included: "
                    f"{', '.join(self.studies) or 'none'}); include its rules file or remove "
                    "the section"
                )
        for name in self.studies:
            if name not in sections:
                found.append(
                    f"studies.{name}: missing section (every included study needs one; "
                    "`enabled: false` skips it)"
                )
        self.runs: dict[str, dict[str, dict]] = {}  # study -> run -> resolved configuration
        self.seeds: dict[str, dict[str, tuple[int, ...]]] = {}
        for name, study in self.studies.items():
            if isinstance(sections.get(name), dict):
                found += self._check_study(study, sections[name])
        if not found:
            found += self._check_runtimes()
        if found:
            raise ConfigError(found)
        self.aggregates: dict[str, dict[str, Aggregate]] = {}
        self.figures: dict[str, dict[str, Figure]] = {}
        for name in self.runs:
            study, section, runs = self.studies[name], self.section(name), list(self.runs[name])
            self.aggregates[name] = dict(study.aggregates(section, runs))
            self.figures[name] = {f.name: f for f in study.figures(section, runs)}
        found = [p for name in self.runs for p in self._check_registry(name)]
        if found:
            raise ConfigError(found)

    # ------------------------------------------------------------------ checking

    def _load(self, relative: str) -> dict:
        return load_yaml(self.root / relative)

    def study_schema_file(self, name: str) -> Path:
        return self.root / STUDY_SCHEMA_DIRECTORY / f"{name}.schema.yaml"

    def section_schema(self, name: str) -> dict:
        """The keys every study has (study.schema.yaml) with the study's own over them."""
        own = {k: v for k, v in self._study_schema(name).items() if k != "$defs"}
        return deep_merge(self._load(STUDY_SCHEMA), own)

    def _study_schema(self, name: str) -> dict:
        path = self.study_schema_file(name)
        if not path.is_file():
            raise ConfigError([f"studies.{name}: no schema file {path.relative_to(self.root)}"])
        return load_yaml(path)

    def run_schema(self, name: str) -> dict:
        """run.schema.yaml with the study's ``$defs.run`` properties in place of its own."""
        schema = copy.deepcopy(self._load(RUN_SCHEMA))
        for key, replacement in self._study_schema(name).get("$defs", {}).get("run", {}).items():
            schema["properties"][key] = replacement
        return schema

    def _check_study(self, study: Study, section: dict) -> list[str]:
        name = study.name
        prefix = f"studies.{name}"
        found = problems(validator(self.section_schema(name)), section, prefix)
        if not section.get("enabled", True):
            return found
        # The runs are checked even when other keys of the section are wrong, as far as they
        # can be read, so that one pass reports every problem.
        run_schema = self.run_schema(name)
        fragment = validator(partial(run_schema), fill_defaults=False)
        defaults = section.get("training_defaults")
        if isinstance(defaults, dict):
            found += problems(fragment, defaults, f"{prefix}.training_defaults")
        try:
            specs = study.runs(section)
        except (KeyError, TypeError, AttributeError, ValueError):
            return found  # the section's own problems say why its runs cannot be read
        for spec in specs.values():
            if isinstance(spec.override, dict):
                found += problems(fragment, spec.override, spec.where)
        if found:
            return found
        complete = validator(run_schema)
        runs = {}
        for run, spec in specs.items():
            resolved = deep_merge(defaults, spec.override)
            resolved.update(study=name, run=run)
            where = f"{spec.where} (merged with {prefix}.training_defaults)"
            found += problems(complete, resolved, where)
            runs[run] = resolved
        if found:
            return found
        found += study.check(section, runs)
        self.runs[name] = runs
        self.seeds[name] = {run: tuple(spec.seeds) for run, spec in specs.items()}
        return found

    def _check_runtimes(self) -> list[str]:
        """Every key of training_jobs.runtime_minutes but `default` names a study or a run."""
        found = []
        for key in self.config.get("training_jobs", {}).get("runtime_minutes", {}):
            study, _, run = key.partition("/")
            if key != "default" and (study not in self.runs or (run and run not in self.runs[study])):
                found.append(f"training_jobs.runtime_minutes.{key}: no such study or run "
                             "(keys: default, <study> or <study>/<run> of an enabled study)")
        return found

    def training_runtime(self, study: str, run: str) -> int:
        """Minutes a training job of one seed of ``run`` asks for (training_jobs.runtime_minutes)."""
        minutes = self.config["training_jobs"]["runtime_minutes"]
        return minutes.get(f"{study}/{run}", minutes.get(study, minutes["default"]))

    def _check_registry(self, name: str) -> list[str]:
        """Aggregates and figures may only name runs, aggregates and caption files that exist."""
        found = []
        for aggregate, spec in self.aggregates[name].items():
            unknown = [run for run in spec.runs if run not in self.runs[name]]
            if unknown:
                found.append(f"study {name}: aggregate {aggregate} reads unknown runs {unknown}")
        for figure in self.figures[name].values():
            for keyword, source in figure.inputs.items():
                if isinstance(source, AggregateTable) and source.name not in self.aggregates[name]:
                    found.append(
                        f"study {name}: figure {figure.name} input {keyword} names unknown "
                        f"aggregate {source.name!r}"
                    )
                runs = (source.run,) if isinstance(source, RunTable) else getattr(source, "runs", ())
                unknown = [run for run in runs if run not in self.runs[name]]
                if unknown:
                    found.append(
                        f"study {name}: figure {figure.name} input {keyword} reads unknown runs "
                        f"{unknown}"
                    )
            if not (self.root / self.caption(name, figure.name)).is_file():
                found.append(
                    f"study {name}: figure {figure.name} has no caption file "
                    f"{self.caption(name, figure.name)}"
                )
        return found

    # ------------------------------------------------------------------ configuration

    def section(self, study: str) -> dict:
        return self.config["studies"][study]

    @property
    def enabled(self) -> list[str]:
        """Enabled studies, in the order they were included."""
        return list(self.runs)

    def stage_settings(self, study: str, stage: str, run: str) -> dict:
        """What the study's plug-in gives stage ``stage`` of ``run`` as settings."""
        return self.studies[study].stage_settings(stage, self.section(study), self.runs[study][run])

    def resolved_configuration(self) -> dict:
        """The configuration as the jobs see it, with every resolved run."""
        return {**self.config, "resolved_runs": self.runs}

    # ------------------------------------------------------------------ runs and seeds

    def seeds_of(self, study: str, run: str) -> tuple[int, ...]:
        return self.seeds[study][run]

    def run_directory(self, study: str, run: str, seed: int) -> str:
        return RUN_DIRECTORY.format(study=study, run=run, seed=seed)

    def per_seed(self, study: str, table: str, runs: Iterable[str]) -> list[str]:
        """``<table>.parquet`` of every (run, seed) of ``runs``."""
        return [
            f"{self.run_directory(study, run, seed)}/{table}.parquet"
            for run in runs
            for seed in self.seeds_of(study, run)
        ]

    def first_seed(self, study: str, table: str, runs: Iterable[str]) -> list[str]:
        """``<table>.parquet`` of the first seed of each run: a figure's example networks."""
        return [
            f"{self.run_directory(study, run, self.seeds_of(study, run)[0])}/{table}.parquet"
            for run in runs
        ]

    def seed_groups(self, study: str, run: str, seeds_per_job: int) -> list[tuple[int, ...]]:
        """The run's sorted seeds cut into groups of ``seeds_per_job`` consecutive seeds."""
        seeds = sorted(self.seeds_of(study, run))
        return [tuple(seeds[i : i + seeds_per_job]) for i in range(0, len(seeds), seeds_per_job)]

    def seed_group_of(self, study: str, run: str, seed: int, seeds_per_job: int) -> str:
        """The name of the seed group holding ``seed`` (for training or a stage); a seed outside
        the run's list (asked for by its file) forms a group of its own."""
        groups = self.seed_groups(study, run, seeds_per_job)
        return seed_group_name(next((group for group in groups if seed in group), (seed,)))

    def seed_group_directory(self, study: str, run: str, seed: int, seeds_per_job: int) -> str:
        """The group directory holding this seed's training."""
        return SEED_GROUP_DIRECTORY.format(
            study=study, run=run, seed_group=self.seed_group_of(study, run, seed, seeds_per_job))

    # ------------------------------------------------------------------ aggregates

    def aggregate_file(self, study: str, aggregate: str) -> str:
        return AGGREGATE_FILE.format(study=study, aggregate=aggregate)

    def aggregate(self, study: str, aggregate: str) -> Aggregate:
        try:
            return self.aggregates[study][aggregate]
        except KeyError:
            raise ConfigError(
                [f"study {study} has no aggregate {aggregate!r}; it has: "
                 f"{', '.join(self.aggregates.get(study, {})) or 'none (is it enabled?)'}"]
            ) from None

    def aggregate_inputs(self, study: str, aggregate: str) -> list[str]:
        spec = self.aggregate(study, aggregate)
        return [path for table in spec.tables for path in self.per_seed(study, table, spec.runs)]

    # ------------------------------------------------------------------ figures

    def figure_file(self, study: str, figure: str) -> str:
        return FIGURE_FILE.format(study=study, figure=figure)

    def caption(self, study: str, figure: str) -> str:
        """The figure's caption file, relative to the workflow root."""
        return self.figures[study][figure].caption or f"report/{study}/{figure}.rst"

    def input_files(self, study: str, source: FigureInput) -> str | list[str]:
        if isinstance(source, AggregateTable):
            return self.aggregate_file(study, source.name)
        if isinstance(source, RunTable):
            return f"{self.run_directory(study, source.run, source.seed)}/{source.table}.parquet"
        if isinstance(source, SeedTables):
            if source.first_seed_only:
                return self.first_seed(study, source.table, source.runs)
            return self.per_seed(study, source.table, source.runs)
        raise TypeError(f"not a figure input: {source!r}")

    def figure_inputs(self, study: str, figure: str) -> dict[str, str | list[str]]:
        return {
            keyword: self.input_files(study, source)
            for keyword, source in self.figures[study][figure].inputs.items()
        }

    def study_figures(self, study: str) -> list[str]:
        return [self.figure_file(study, name) for name in self.figures[study]]

    def all_figures(self) -> list[str]:
        """Every figure of every enabled study."""
        return [path for study in self.enabled for path in self.study_figures(study)]

    # ------------------------------------------------------------------ wildcard constraints

    def study_pattern(self) -> str:
        return "|".join(map(re.escape, self.enabled)) or "no_study_enabled"

    def run_pattern(self) -> str:
        runs = sorted({run for runs in self.runs.values() for run in runs})
        return "|".join(map(re.escape, runs)) or "no_run"

    def aggregate_pattern(self) -> str:
        names = sorted({name for aggregates in self.aggregates.values() for name in aggregates})
        return "|".join(map(re.escape, names)) or "no_aggregate"
