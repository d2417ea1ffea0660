"""Figures of the CTRNN task-zoo study (one network per task: cddm, dmts, 3-bit flip-flop,
memory-anti number, memory-anti angle).

Each figure function takes the tables the workflow writes (``rnnlab.tables`` schemas, or the
``zoo_performance`` aggregate) and returns a matplotlib ``Figure``; save it with
``rnnlab.plotting.style.save_figure``. Tables may hold several runs (run name = task name) and
seeds: structure figures show the first seed of each run. One module per idea:

* ``trials``     ``example_trials`` (outputs vs targets, masked-out steps shaded) and
                 ``validation_table`` (validation score and MSE per task, interval where n ≥ 2).
* ``structure``  ``fixed_point_structure`` (equilibria and trajectories in PC1–PC2 and in 3-D)
                 and ``eigenvalue_spectra`` (eigenvalues of the flow Jacobian at the equilibria).
* ``cddm``       ``cddm_analysis``: psychometric curves per context; line attractors with their
                 selection vectors.
* ``shared``     the tasks' order and names, the equilibria's stability colours and markers.

The study's figure registry (``rnnlab.studies.ctrnn_zoo.study``) names each function in its own
module, so a figure job's code fingerprint covers only that module (and ``shared``). This package
imports nothing on purpose: importing it must not pull in every figure module.
"""
