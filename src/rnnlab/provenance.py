"""What produced a run's figures: software versions and the resolved configuration, written as
report items so that a reader of the figures can see both."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

# pandas is imported where used: the workflow imports this module while parsing.

# The packages a figure's numbers depend on, and the workflow engine that ran them.
PACKAGES = (
    "rnnlab",
    "torch",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "snakemake",
    "snakemake-executor-plugin-slurm",
)


def software_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """{component: version} of Python, the platform and ``packages`` ("not installed" if absent)."""
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def write_software_versions(versions: dict[str, str], path: str | Path) -> None:
    """A two-column TSV (component, version), which the HTML report shows as a table."""
    import pandas as pd

    frame = pd.DataFrame({"component": list(versions), "version": list(versions.values())})
    frame.to_csv(path, sep="\t", index=False)


def write_configuration(configuration: dict, path: str | Path) -> None:
    """The configuration as indented JSON, keys in their given order."""
    Path(path).write_text(json.dumps(configuration, indent=2) + "\n")
