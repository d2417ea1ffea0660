"""The conda envs pin exactly the versions pyproject.toml pins."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PYPI = {"pytorch": "torch", "matplotlib-base": "matplotlib"}


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    for requirement in project["dependencies"] + extras:
        name, version = requirement.split("==")
        pins[name.lower()] = version
    return pins


def test_every_env_pins_exact_versions_equal_to_pyproject():
    pins = pyproject_pins()
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert envs
    for env in envs:
        spec = yaml.safe_load(env.read_text())
        assert spec["channels"] == ["conda-forge", "nodefaults"], env.name
        for dependency in spec["dependencies"]:
            if isinstance(dependency, dict):  # a `pip:` section: exact pins of pyproject's
                for requirement in dependency["pip"]:
                    name, version = requirement.split("==")
                    assert pins[name.lower()] == version, f"{env.name}: {name}"
                continue
            match = re.fullmatch(r"([\w.-]+) =([\w.]+)", dependency)
            assert match, f"{env.name}: {dependency!r} is not an exact pin"
            name, version = match.groups()
            if name == "python":
                assert version == "3.11", env.name
                continue
            if name == "pip":  # the installer itself (envs/psychrnn.yaml: the last pip that
                continue  # accepts PsychRNN 1.0.0's metadata)
            assert pins[CONDA_TO_PYPI.get(name, name)] == version, f"{env.name}: {name}"


def test_figure_env_has_no_torch_and_training_env_has_it():
    plot = (ROOT / "envs" / "plot.yaml").read_text()
    assert "pytorch" not in plot
    assert "pytorch =2.13.0" in (ROOT / "envs" / "torch.yaml").read_text()
