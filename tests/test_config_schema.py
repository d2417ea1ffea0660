"""The run schema's defaults are the library's defaults, and every shipped config is valid."""

from dataclasses import asdict, fields, is_dataclass
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from rnnlab.workflow.pipeline import included_studies

from rnnlab.models import ModelConfig
from rnnlab.training.optimizers import OptimizerConfig
from rnnlab.training.trainer import TrainingConfig

ROOT = Path(__file__).resolve().parents[1]


def schema(name):
    return yaml.safe_load((ROOT / "config" / name).read_text())


@pytest.mark.parametrize(
    "section, dataclass",
    [("model", ModelConfig), ("optimizer", OptimizerConfig), ("training", TrainingConfig)],
)
def test_run_schema_defaults_equal_dataclass_defaults(section, dataclass):
    properties = schema("run.schema.yaml")["properties"][section]["properties"]
    defaults = {f.name: f.default for f in fields(dataclass) if f.name in properties}
    assert set(properties) == set(defaults), "schema and dataclass list different settings"
    for name, default in defaults.items():
        # Opt-in settings have no default (it would enter every study's resolved runs and their
        # hashes); `x-when-absent` documents the library's value when a run leaves them out.
        documented = properties[name].get("default", properties[name].get("x-when-absent"))
        assert "default" in properties[name] or "x-when-absent" in properties[name], name
        if isinstance(default, tuple):
            default = list(default)
        if is_dataclass(default):  # a nested setting, e.g. training.learning_rate_decay
            default = asdict(default)
        assert documented == default, f"{section}.{name}"


@pytest.mark.parametrize("config_file", ["config.yaml", "thesis.yaml", "test.yaml"])
def test_shipped_configs_are_valid(config_file):
    config = yaml.safe_load((ROOT / "config" / config_file).read_text())
    validate(config, str(ROOT / "config" / "schema.yaml"))


@pytest.mark.parametrize("study", included_studies(ROOT))
def test_study_schema_lists_every_setting_of_its_tasks(study):
    """Every field of a study's task dataclasses can be set from a run config, and the task
    names the schema allows are exactly the study's tasks."""
    import importlib
    from dataclasses import fields as dataclass_fields

    tasks = importlib.import_module(f"rnnlab.studies.{study}.tasks").TASKS
    task_schema = schema(f"studies/{study}.schema.yaml")["$defs"]["run"]["task"]
    properties = task_schema["properties"]
    assert sorted(properties["name"]["enum"]) == tasks.names()
    for name in tasks.names():
        missing = {f.name for f in dataclass_fields(tasks[name])} - set(properties)
        assert not missing, f"{name}: {sorted(missing)} not in {study}.schema.yaml"
