"""The workflow's plain-Python helpers: config validation and run resolution (``config``), the
study plug-in interface (``study``), paths and target lists of every study (``pipeline``), code
fingerprints (``fingerprint``), stale Snakemake locks (``locks``) and the cluster bill
(``plan``, with the DAG's jobs in ``dag``, their measured costs in ``costs`` and ``measure``,
and wall times in ``schedule``).

``rules/common.smk`` imports these while Snakemake parses the workflow, so they import only the
standard library, PyYAML, jsonschema and psutil (what Snakemake itself needs) at module level –
never torch, pandas or matplotlib (the bill's measurements import torch inside the functions
that measure) – and they name no study: every study reaches them through its plug-in
(``rnnlab.studies.<name>.study``).
"""
