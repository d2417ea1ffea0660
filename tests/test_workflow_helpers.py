"""The workflow's plain-Python helpers (rnnlab.workflow) without Snakemake: config checks,
run resolution, the paths and targets of every study, code fingerprints, stale locks."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rnnlab.workflow import locks
from rnnlab.workflow.config import ConfigError, deep_merge, partial, problems, validator
from rnnlab.workflow.fingerprint import CodeFingerprints
from rnnlab.workflow.names import seed_group_name, seeds_of_group
from rnnlab.workflow.pipeline import Pipeline, included_studies, load_study
from rnnlab.workflow.study import Figure, RunTable, SeedTables, Study

ROOT = Path(__file__).resolve().parents[1]
STUDIES = tuple(included_studies(ROOT))


def shipped(name: str) -> dict:
    return yaml.safe_load((ROOT / "config" / name).read_text())


def merged_test_config():
    """config/test.yaml over config/config.yaml, as Snakemake merges --configfile."""
    return deep_merge(shipped("config.yaml"), shipped("test.yaml"))


def pipeline(config=None, studies=STUDIES, root=ROOT) -> Pipeline:
    return Pipeline(config if config is not None else merged_test_config(),
                    [load_study(name) for name in studies], root)


# ------------------------------------------------------------------ config checks


def test_problems_name_every_bad_key_at_its_path_with_a_suggestion():
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "model": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"hidden_size": {"type": "integer", "minimum": 2}},
            },
            "seeds": {"type": "array"},
        },
    }
    found = problems(validator(schema), {"model": {"hiden_size": 3}, "seeds": "x"}, "studies.s")
    assert found == [
        "studies.s.model.hiden_size: unknown key (did you mean 'hidden_size'?)",
        "studies.s.seeds: 'x' is not of type 'array'",
    ]
    assert str(ConfigError(found)).startswith("the configuration has 2 problems:\n  studies.s")


def test_defaults_are_filled_as_fresh_copies():
    schema = {"type": "object", "properties": {"a": {"type": "object", "default": {}},
                                               "b": {"type": "object", "default": {}}}}
    instance = {}
    assert problems(validator(schema), instance) == []
    assert instance == {"a": {}, "b": {}}
    instance["a"]["x"] = 1
    assert instance["b"] == {} and schema["properties"]["a"]["default"] == {}


def test_partial_schema_drops_every_required():
    schema = {"type": "object", "required": ["task"],
              "properties": {"task": {"type": "object", "required": ["name"]}}}
    assert problems(validator(partial(schema)), {"task": {}}) == []
    assert problems(validator(schema), {"task": {}}) == ["task: 'name' is a required property"]


def test_deep_merge_merges_dicts_and_replaces_lists_without_aliasing():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    merged = deep_merge(base, {"a": {"y": [3]}, "c": {"z": 1}})
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 2, "c": {"z": 1}}
    merged["a"]["x"] = 9
    assert base["a"]["x"] == 1


# ------------------------------------------------------------------ the pipeline


def test_every_shipped_config_is_accepted_and_resolves_its_runs():
    for name in ("config.yaml", "thesis.yaml", "test.yaml"):
        config = deep_merge(shipped("config.yaml"), shipped(name))
        resolved = pipeline(config)
        assert set(resolved.runs) == set(STUDIES), name
    assert STUDIES[:2] == ("ei_modcog", "ctrnn_zoo")
    test = pipeline()
    assert sorted(test.runs["ei_modcog"]) == [
        "ablation_control", "ablation_readout_e_only", "eg", "gd", "inhibition_0.2",
        "inhibition_0.4", "lr_eg_0.1", "lr_gd_0.1", "size_t_1_h8",
    ]
    assert test.seeds["ei_modcog"]["eg"] == (1, 2)
    assert test.seeds["ei_modcog"]["inhibition_0.2"] == (1,)  # the sweep's own seeds
    sweep = test.runs["ei_modcog"]["inhibition_0.4"]
    assert sweep["model"]["excitatory_fraction"] == 0.6 and sweep["task"] == {"name": "dlygo"}
    assert sweep["study"] == "ei_modcog" and sweep["run"] == "inhibition_0.4"
    assert test.runs["ctrnn_zoo"]["cddm"]["model"]["dale"] is True  # the run's override wins


def test_a_disabled_study_has_no_runs_no_targets_and_its_runs_are_not_checked():
    config = merged_test_config()
    config["studies"]["ctrnn_zoo"]["enabled"] = False
    config["studies"]["ctrnn_zoo"]["runs"]["cddm"]["model"] = {"not_a_key": 1}
    resolved = pipeline(config)
    assert "ctrnn_zoo" not in resolved.enabled and "ei_modcog" in resolved.enabled
    assert all("ctrnn_zoo" not in path for path in resolved.all_figures())


def test_files_of_aggregates_and_figures():
    test = pipeline()
    assert test.aggregate_inputs("ei_modcog", "learning_curves") == [
        f"results/ei_modcog/runs/{run}/seed{seed}/train_log.parquet"
        for run in ("eg", "gd") for seed in (1, 2)
    ]
    inputs = test.figure_inputs("ei_modcog", "fixed_point_motifs")
    assert inputs == {
        "counts": "results/ei_modcog/aggregate/fixed_point_counts.parquet",
        "points": "results/ei_modcog/runs/inhibition_0.2/seed1/fixed_points.parquet",
        "trajectories": "results/ei_modcog/runs/inhibition_0.2/seed1/fixed_point_trajectories.parquet",
    }
    rings = test.figure_inputs("ei_modcog", "fixed_point_rings")
    assert rings["delays"] == [
        f"results/ei_modcog/runs/inhibition_{f}/seed1/delay_trajectories.parquet"
        for f in (0.2, 0.4)
    ]
    zoo = test.figure_inputs("ctrnn_zoo", "cddm_analysis")
    assert zoo["psychometric"] == ["results/ctrnn_zoo/runs/cddm/seed1/psychometric.parquet"]
    assert len(test.figure_inputs("ctrnn_zoo", "example_trials")["trials"]) == 5  # first seeds
    assert test.all_figures()[0] == "results/figures/ei_modcog/learning_curves.png"
    assert len([f for f in test.all_figures() if f.split("/")[2] in ("ei_modcog", "ctrnn_zoo")]) == 19
    with pytest.raises(ConfigError, match="no aggregate 'nope'"):
        test.aggregate("ei_modcog", "nope")


def test_seed_groups_cut_the_sorted_seeds():
    config = merged_test_config()
    config["studies"]["ei_modcog"]["seeds"] = [5, 1, 3]
    test = pipeline(config)
    assert test.seed_groups("ei_modcog", "eg", 2) == [(1, 3), (5,)]
    assert test.seed_group_directory("ei_modcog", "eg", 3, 2).endswith("seed_groups/seeds_1_3")
    assert test.seed_group_directory("ei_modcog", "eg", 9, 2).endswith("seed_groups/seeds_9")


def test_wildcard_patterns_escape_run_names():
    patterns = pipeline()
    assert r"inhibition_0\.2" in patterns.run_pattern().split("|")
    assert patterns.study_pattern().split("|")[:2] == ["ei_modcog", "ctrnn_zoo"]


class _Broken(Study):
    name = "ei_modcog"  # reuses that study's schema and caption directory
    title = "broken"

    def runs(self, section):
        return load_study("ei_modcog").runs(section)

    def figures(self, section, runs):
        return [
            Figure("learning_curves", "m:f", {"t": SeedTables("train_log", ("eg", "nope"))}, "x"),
            Figure("no_caption", "m:f", {"t": RunTable("train_log", "eg", 1)}, "x"),
        ]


def test_a_registry_naming_unknown_runs_or_missing_captions_is_refused():
    config = merged_test_config()
    config["studies"] = {s: config["studies"][s] for s in ("ei_modcog", "ctrnn_zoo")}
    with pytest.raises(ConfigError) as error:
        Pipeline(config, [_Broken(), load_study("ctrnn_zoo")], ROOT)
    assert "figure learning_curves input t reads unknown runs ['nope']" in str(error.value)
    assert "figure no_caption has no caption file report/ei_modcog/no_caption.rst" in str(error.value)


def test_an_unknown_study_module_is_a_config_error():
    with pytest.raises(ConfigError, match="no plug-in module rnnlab.studies.nope.study"):
        load_study("nope")


# ------------------------------------------------------------------ code fingerprints


def test_fingerprint_follows_imports_transitively_and_only_them(tmp_path):
    package = tmp_path / "rnnlab"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from rnnlab.sub.b import f\n")
    (package / "sub" / "b.py").write_text("import numpy\nimport rnnlab.sub.c\n")
    (package / "sub" / "c.py").write_text("x = 1\n")
    (package / "d.py").write_text("y = 1\n")
    fingerprints = CodeFingerprints(tmp_path)
    assert set(fingerprints.modules("rnnlab.a")) == {
        "rnnlab", "rnnlab.a", "rnnlab.sub", "rnnlab.sub.b", "rnnlab.sub.c"
    }
    before = fingerprints("rnnlab.a")
    (package / "d.py").write_text("y = 2\n")
    assert CodeFingerprints(tmp_path)("rnnlab.a") == before  # not imported
    (package / "sub" / "c.py").write_text("x = 2\n")
    assert CodeFingerprints(tmp_path)("rnnlab.a") != before  # imported two levels down


def test_study_modules_read_at_parse_time_import_no_heavy_library():
    """Snakemake imports the workflow helpers and every study's plug-in while parsing: they
    must not pull in torch, numpy, pandas or matplotlib (slow, and absent from Snakemake's own
    environment under --sdm conda)."""
    code = (
        "import sys\n"
        "import rnnlab.workflow.pipeline, rnnlab.workflow.fingerprint, rnnlab.workflow.locks\n"
        "from rnnlab.workflow.pipeline import load_study\n"
        f"for name in {list(STUDIES)!r}: load_study(name)\n"
        "heavy = [m for m in ('torch', 'numpy', 'pandas', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("study", STUDIES)
def test_figure_and_aggregate_modules_import_no_torch_or_pyplot(study):
    """Figure and aggregate jobs read Parquet only and run in envs without torch
    (envs/plot.yaml, envs/tables.yaml)."""
    resolved = pipeline()
    modules = {figure.draw.partition(":")[0] for figure in resolved.figures[study].values()}
    modules |= {a.function.partition(":")[0] for a in resolved.aggregates[study].values()}
    modules |= {"rnnlab.aggregation", "rnnlab.tables", "rnnlab.plotting.style"}
    code = (
        "import importlib, sys\n"
        f"for name in {sorted(modules)!r}: importlib.import_module(name)\n"
        "import rnnlab.tables; rnnlab.tables.all_schemas()\n"
        "assert 'torch' not in sys.modules, 'a figure or aggregate module imported torch'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'a figure module imported pyplot'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ stale locks


def test_a_lock_of_a_dead_owner_on_this_host_is_removed_and_a_live_one_kept(tmp_path):
    lock_directory, owner = tmp_path / "locks", tmp_path / "owner.json"
    lock_directory.mkdir()
    locks.record_lock_owner(lock_directory, owner)  # this process: alive
    assert locks.remove_stale_lock(lock_directory, owner) is None
    assert lock_directory.is_dir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    recorded = json.loads(owner.read_text())
    owner.write_text(json.dumps(dict(recorded, pid=dead.pid)))
    message = locks.remove_stale_lock(lock_directory, owner)
    assert message and str(dead.pid) in message
    assert not lock_directory.exists() and not owner.exists()


def test_a_lock_of_another_host_is_left_alone(tmp_path):
    lock_directory, owner = tmp_path / "locks", tmp_path / "owner.json"
    lock_directory.mkdir()
    owner.write_text(json.dumps(dict(host=socket.gethostname() + "-other", pid=1, start=1.0)))
    assert locks.remove_stale_lock(lock_directory, owner) is None
    assert lock_directory.is_dir()


# ------------------------------------------------------------------ module size


def test_no_module_is_over_500_lines():
    """A module per idea: none over ~500 lines (split by idea, not by line count)."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "src").rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert long == {}


def test_a_seed_groups_name_gives_back_its_seeds():
    assert seed_group_name([1, 2, 13]) == "seeds_1_2_13"
    assert seeds_of_group("seeds_1_2_13") == [1, 2, 13]
    assert seeds_of_group(seed_group_name([4])) == [4]
