"""System A's plug-in: its runs (the thesis's model A, optionally other initialisations), its
aggregates and figures (see ``rnnlab.workflow.study``)."""

from __future__ import annotations

from rnnlab.workflow.study import Aggregate, AggregateTable, Figure, SeedTables, Study

FIGURES = "rnnlab.studies.system_a.figures"
AGGREGATES = "rnnlab.studies.system_a.aggregates"
# The module of each figure function: a figure job's code fingerprint covers only its own module.
FIGURE_MODULES = {
    "training_histories": "training",
    "example_trials": "trials",
    "precision": "trials",
    "weight_alignment": "weights",
    "participation_ratios": "ratios",
    "performance_scatter": "performance",
    "connectivity_spectrum": "spectrum",
}
PER_NETWORK = ("duration_precision", "weight_alignment", "participation_ratios")


class SystemA(Study):
    name = "system_a"
    title = "System A: integration and memory (seed 001)"

    def check(self, section, resolved_runs):
        problems = []
        for run, resolved in resolved_runs.items():
            task = resolved["task"]
            dt = task.get("dt_ms", 1.0)
            where = f"studies.{self.name}.runs.{run} (merged with training_defaults)"
            times = {key: task[key] for key in ("trial_ms", "onset_ms", "onset_jitter_ms",
                                                "duration_mean_ms", "duration_jitter_ms",
                                                "cost_onset_ms", "precision_onset_ms")
                     if key in task}
            times.update({f"precision_durations_ms[{i}]": d
                          for i, d in enumerate(task.get("precision_durations_ms", []))})
            settings = section.get("dimensionality", {})
            for key in ("spontaneous_ms", "spontaneous_window_ms", "memory_durations_ms",
                        "memory_onset_ms", "memory_trial_ms", "memory_window_ms"):
                values = settings.get(key, [])
                for index, value in enumerate(values if isinstance(values, list) else [values]):
                    times[f"dimensionality.{key}[{index}]"] = value
            for key, value in times.items():
                if abs(value / dt - round(value / dt)) > 1e-9 * max(1.0, abs(value / dt)):
                    problems.append(f"{where}: task.{key} = {value} ms is not a multiple of "
                                    f"dt_ms = {dt}")
        return problems

    def aggregates(self, section, runs):
        runs = tuple(runs)
        return {
            "precision_by_duration": Aggregate(f"{AGGREGATES}:precision_by_duration",
                                               ("duration_precision",), runs),
            "network_summary": Aggregate(f"{AGGREGATES}:network_summary", PER_NETWORK, runs),
            "performance_correlations": Aggregate(f"{AGGREGATES}:performance_correlations",
                                                  PER_NETWORK, runs),
        }

    def figures(self, section, runs):
        runs = tuple(runs)

        def figure(name, label, **inputs):
            return Figure(name, f"{FIGURES}.{FIGURE_MODULES[name]}:{name}", inputs, label)

        def every_seed(table):
            return SeedTables(table, runs)

        def first_seed(table):
            return SeedTables(table, runs, first_seed_only=True)

        return [
            figure("training_histories", "loss and gradient histories",
                   log=every_seed("train_log")),
            figure("example_trials", "example trials", trials=first_seed("pulse_trials")),
            figure("precision", "precision per duration",
                   precision=every_seed("duration_precision"),
                   summary=AggregateTable("precision_by_duration"),
                   network=AggregateTable("network_summary")),
            figure("weight_alignment", "input and output weights",
                   alignment=every_seed("weight_alignment")),
            figure("participation_ratios", "participation ratios",
                   ratios=every_seed("participation_ratios"),
                   flips=first_seed("sign_flip_ratios"),
                   projections=first_seed("pc_projections")),
            figure("performance_scatter", "performance scatter",
                   precision=every_seed("duration_precision"),
                   alignment=every_seed("weight_alignment"),
                   ratios=every_seed("participation_ratios"),
                   correlations=AggregateTable("performance_correlations")),
            figure("connectivity_spectrum", "spectrum of g·G",
                   spectrum=first_seed("connectivity_spectrum")),
        ]


STUDY = SystemA()
