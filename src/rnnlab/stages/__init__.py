"""Stages shared by every study: checkpoints or tables in, tidy DataFrames out.

A stage is a function ``f(<input name>=path, ..., **settings) -> {table name: DataFrame}``; the
workflow's generic script (workflow_scripts/stage.py) calls it with a job's named inputs and
its ``settings`` param and writes each table to the output of the same name. A study's own
stages live in ``rnnlab.studies.<study>.stages``. One module per stage keeps each job's code
fingerprint to the modules that stage really imports, so an edit reruns only the stages it can
affect.
"""
