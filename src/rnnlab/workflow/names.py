"""Library functions named by path, ``"package.module:function"``: how a study's plug-in names
its stages, aggregates and figures without importing them while Snakemake parses."""

from __future__ import annotations

import importlib


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
