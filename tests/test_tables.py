from pathlib import Path

import pandas as pd
import pytest

from rnnlab import tables
from rnnlab.tables import Provenance, TableError, read_provenance, read_table, write_table

SOURCE = Provenance(study="s", run="eg", seed=1, config_hash="abc")


def train_log(**overrides):
    frame = pd.DataFrame(
        dict(run=["eg"] * 2, seed=[1, 1], step=[0, 10], loss=[2.0, 1.0], fixation_mse=[0.1, 0.1],
             decision_cross_entropy=[1.9, 0.9], decision_accuracy=[0.1, 0.5],
             learning_rate=[0.2, 0.2], grad_norm=[1.0, 0.5])
    )
    return frame.assign(**overrides)


def test_round_trip_keeps_values_types_and_provenance(tmp_path):
    path = tmp_path / "train_log.parquet"
    write_table(train_log(), path, "train_log", SOURCE)
    frame = read_table(path, "train_log")
    pd.testing.assert_frame_equal(frame, train_log(), check_dtype=False)
    assert read_provenance(path) == dict(SOURCE.__dict__)
    assert tables.read_table_name(path) == "train_log"
    assert not list(tmp_path.glob(".*partial"))


def test_missing_and_unexpected_columns_are_named(tmp_path, monkeypatch):
    with pytest.raises(TableError, match="lacks column.*grad_norm"):
        write_table(train_log().drop(columns="grad_norm"), tmp_path / "a.parquet", "train_log", SOURCE)
    monkeypatch.setitem(tables.SCHEMAS, "closed_for_test", tables.TableSchema(
        "closed_for_test", "no extra columns", (tables.column("step", "int64", "a step"),)))
    with pytest.raises(TableError, match="unexpected column.*extra"):
        write_table(pd.DataFrame(dict(step=[1], extra=[1])), tmp_path / "a.parquet",
                    "closed_for_test", SOURCE)
    assert not (tmp_path / "a.parquet").exists()


def test_a_study_trainer_may_log_extra_columns_after_the_shared_ones(tmp_path):
    write_table(train_log(ratio=[0.5, 0.25]), tmp_path / "log.parquet", "train_log", SOURCE)
    frame = read_table(tmp_path / "log.parquet", "train_log")
    assert list(frame.columns)[-1] == "ratio" and list(frame.columns)[:2] == ["run", "seed"]


def test_two_different_tables_of_one_name_are_refused():
    schema = tables.TableSchema("train_log", "another", (tables.column("x", "int64", "x"),))
    with pytest.raises(ValueError, match="two different tables are named 'train_log'"):
        tables.register(schema)


def test_prefixed_extra_columns_are_allowed_only_with_their_prefix(tmp_path):
    frame = pd.DataFrame(dict(run=["eg"], seed=[1], checkpoint_step=[0], task=["dm1"], trial=[0],
                              label=[3], choice=[3], correct=[True], condition_coherence=[0.1]))
    write_table(frame, tmp_path / "e.parquet", "evaluation", SOURCE)
    with pytest.raises(TableError, match="coherence"):
        write_table(frame.rename(columns={"condition_coherence": "coherence"}),
                    tmp_path / "f.parquet", "evaluation", SOURCE)


def test_wrong_type_in_a_file_is_named(tmp_path):
    path = tmp_path / "train_log.parquet"
    train_log(step=["0", "10"]).to_parquet(path)
    with pytest.raises(TableError, match=r"train_log.parquet: column 'step'"):
        read_table(path, "train_log")


def test_corrupt_and_missing_files_are_named(tmp_path):
    path = tmp_path / "broken.parquet"
    write_table(train_log(), path, "train_log", SOURCE)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(TableError, match="broken.parquet"):
        read_table(path, "train_log")
    with pytest.raises(TableError, match="nothing.parquet"):
        read_table(tmp_path / "nothing.parquet")


def test_same_frame_gives_identical_bytes(tmp_path):
    write_table(train_log(), tmp_path / "a.parquet", "train_log", SOURCE)
    write_table(train_log(), tmp_path / "b.parquet", "train_log", SOURCE)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_schema_documentation_is_current():
    documented = Path(__file__).parents[1] / "docs" / "tables.md"
    assert documented.read_text() == tables.documentation_markdown(), (
        "docs/tables.md is stale: regenerate it with "
        "python -c 'import rnnlab.tables as t; print(t.documentation_markdown(), end=\"\")' > docs/tables.md"
    )
