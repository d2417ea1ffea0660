"""The run schema's defaults are the library's defaults, and every shipped config is valid."""

from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

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
        documented = properties[name]["default"]
        if isinstance(default, tuple):
            default = list(default)
        assert documented == default, f"{section}.{name}"


@pytest.mark.parametrize("config_file", ["config.yaml", "thesis.yaml", "test.yaml"])
def test_shipped_configs_are_valid(config_file):
    config = yaml.safe_load((ROOT / "config" / config_file).read_text())
    validate(config, str(ROOT / "config" / "schema.yaml"))


def test_run_schema_lists_every_zoo_task_setting():
    """Every field of the CTRNN-zoo task dataclasses can be set from a run config."""
    from dataclasses import fields as dataclass_fields

    from rnnlab.tasks import zoo

    properties = schema("run.schema.yaml")["properties"]["task"]["properties"]
    for task in (zoo.CDDMTask, zoo.DMTSTask, zoo.ThreeBitFlipFlopTask,
                 zoo.MemoryAntiNumberTask, zoo.MemoryAntiAngleTask):
        missing = {f.name for f in dataclass_fields(task)} - set(properties)
        assert not missing, f"{task.name}: {sorted(missing)} not in run.schema.yaml"
