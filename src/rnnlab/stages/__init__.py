"""One module per workflow stage: checkpoints or tables in, tidy DataFrames out.

The workflow scripts only read their Snakemake inputs and params, call these, and write the
returned frames with ``rnnlab.tables.write_table``. Everything here is testable without
Snakemake. One module per stage keeps each job's code fingerprint (rules/common.smk) to the
modules that stage really imports, so an edit reruns only the stages it can affect.
"""
