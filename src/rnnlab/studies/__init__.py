"""Study plug-ins, one package per thesis (see ``rnnlab.workflow.study`` for what a study
provides). Nothing here is imported by the shared library except by name, through a run's
``study`` key or the workflow's includes."""
