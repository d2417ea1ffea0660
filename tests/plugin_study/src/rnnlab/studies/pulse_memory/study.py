"""pulse_memory's plug-in: one run, one aggregate, one figure."""

from __future__ import annotations

from rnnlab.workflow.study import Aggregate, AggregateTable, Figure, Study


class PulseMemory(Study):
    name = "pulse_memory"
    title = "Pulse memory (a study plugged in by the tests)"

    def aggregates(self, section, runs):
        return {
            "recall_curve": Aggregate(
                "rnnlab.studies.pulse_memory.aggregates:recall_curve", ("recall_errors",),
                tuple(runs),
            )
        }

    def figures(self, section, runs):
        return [
            Figure(
                "recall_curve",
                "rnnlab.studies.pulse_memory.figures:recall_curve",
                {"curve": AggregateTable("recall_curve")},
                "recall error",
            )
        ]


STUDY = PulseMemory()
