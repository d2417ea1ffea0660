import json

import pandas as pd

from rnnlab.provenance import software_versions, write_configuration, write_software_versions


def test_software_versions_name_every_package_and_absent_ones(tmp_path):
    versions = software_versions(("torch", "numpy", "no-such-package-rnnlab"))
    assert versions["torch"].startswith("2.13.0")
    assert versions["no-such-package-rnnlab"] == "not installed"
    assert versions["python"].startswith("3.")
    write_software_versions(versions, tmp_path / "versions.tsv")
    table = pd.read_csv(tmp_path / "versions.tsv", sep="\t")
    assert list(table.columns) == ["component", "version"]
    assert dict(zip(table.component, table.version)) == versions


def test_configuration_is_written_as_it_is_given(tmp_path):
    configuration = {"studies": {"b": {"seeds": [1, 2]}, "a": {"enabled": False}}}
    write_configuration(configuration, tmp_path / "configuration.json")
    text = (tmp_path / "configuration.json").read_text()
    assert json.loads(text) == configuration
    assert text.index('"b"') < text.index('"a"')  # the configuration's own order
