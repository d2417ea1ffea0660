"""Every report caption renders to clean reStructuredText with the workflow's configurations.

Each ``report/**/*.rst`` goes through ``render_caption`` (the Jinja step of Snakemake's report)
against the default configuration and the test configuration (``config/test.yaml`` merged over
``config/config.yaml``, as Snakemake merges ``--configfile``), both with the schema defaults
filled in by the workflow's own checker, then through docutils (``caption_problems``): a caption
with a problem shows a "Docutils System Messages" block in the report.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rnnlab.plotting.captions import caption_problems, render_caption
from rnnlab.workflow.config import deep_merge, load_yaml
from rnnlab.workflow.pipeline import Pipeline, included_studies, load_study

ROOT = Path(__file__).resolve().parents[1]
CAPTIONS = sorted((ROOT / "report").rglob("*.rst"))
STUDIES = tuple(included_studies(ROOT))


def _resolved(*files: str) -> dict:
    """The configuration of ``files`` merged in order, defaults filled in (as the jobs see it)."""
    config: dict = {}
    for name in files:
        config = deep_merge(config, load_yaml(ROOT / "config" / name))
    Pipeline(config, [load_study(s) for s in STUDIES], ROOT)  # fills defaults in place
    return config


CONFIGS = {
    "default": _resolved("config.yaml"),
    "test": _resolved("config.yaml", "test.yaml"),
}


def test_every_caption_is_found():
    names = {path.relative_to(ROOT / "report").as_posix() for path in CAPTIONS}
    assert {"ei_modcog/fixed_point_motifs.rst", "ctrnn_zoo/validation_table.rst"} <= names


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("caption", CAPTIONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_caption_renders_without_problems(caption, config):
    text = render_caption(caption.read_text(), copy.deepcopy(CONFIGS[config]))
    assert caption_problems(text) == []
    assert "{{" not in text and "{%" not in text
