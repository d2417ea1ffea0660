"""Names: library functions named by path, ``"package.module:function"`` (how a study's plug-in
names its stages, aggregates and figures without importing them while Snakemake parses), and the
names of seed groups (the wildcard ``seed_group``, e.g. ``seeds_1_2_3``)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable


def module_of(path: str) -> str:
    """The module part of ``"module:attribute"``."""
    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"{path!r} is not of the form 'module:attribute'")
    return module


def resolve(path: str):
    """The object named ``"package.module:attribute"``."""
    module = module_of(path)
    name = path.partition(":")[2]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot load {path!r}: {error}") from None


def seed_group_name(seeds: Iterable[int]) -> str:
    """``seeds_1_2_3`` for seeds 1, 2, 3."""
    return "seeds_" + "_".join(map(str, seeds))


def seeds_of_group(name: str) -> list[int]:
    """The seeds a ``seed_group_name`` names."""
    return [int(seed) for seed in name.split("_")[1:]]
