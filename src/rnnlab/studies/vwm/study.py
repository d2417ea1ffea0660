"""The vwm study's plug-in (see ``rnnlab.workflow.study``): its runs are the section's ``runs``,
each trained on the vwm task; its aggregates summarise the report errors over seeds; its figures
are error distributions beside the human data, mixture fits, SNR, the population code and the
fixed points of the noise-free network."""

from __future__ import annotations

from rnnlab.workflow.study import Aggregate, AggregateTable, Figure, SeedTables, Study

FIGURES = "rnnlab.studies.vwm.figures"
AGGREGATES = "rnnlab.studies.vwm.aggregates"
# The module of each figure function: a figure job's code fingerprint covers only its own module.
FIGURE_MODULES = {
    "error_distributions": "errors",
    "circular_statistics": "errors",
    "mixture_fits": "errors",
    "snr": "population",
    "population_code": "population",
    "fixed_points": "dynamics",
}


class VisualWorkingMemory(Study):
    name = "vwm"
    title = "Visual working memory (seed 002)"

    def check(self, section, resolved_runs):
        problems = [
            f"studies.{self.name}.runs.{run}: a vwm run trains the vwm task, not "
            f"{resolved['task']['name']!r}"
            for run, resolved in resolved_runs.items()
            if resolved["task"]["name"] != "vwm"
        ]
        for run, resolved in resolved_runs.items():
            max_items = resolved["task"].get("max_items", 10)
            sizes = set(section["behaviour"]["set_sizes"]) | set(section["behaviour"]["snr_set_sizes"])
            if max(sizes) > max_items:
                problems.append(f"studies.{self.name}.behaviour: set sizes {sorted(sizes)} exceed "
                                f"run {run}'s max_items {max_items}")
        return problems

    def aggregates(self, section, runs):
        runs = tuple(runs)
        return {
            "vwm_error_statistics": Aggregate(f"{AGGREGATES}:error_statistics",
                                              ("error_statistics",), runs),
            "vwm_mixture_fits": Aggregate(f"{AGGREGATES}:mixture_fits", ("mixture_fits",), runs),
            "vwm_snr": Aggregate(f"{AGGREGATES}:snr", ("snr",), runs),
        }

    def figures(self, section, runs):
        runs = tuple(runs)

        def figure(name, label, **inputs):
            return Figure(name, f"{FIGURES}.{FIGURE_MODULES[name]}:{name}", inputs, label)

        def first_seed(table):
            return SeedTables(table, runs, first_seed_only=True)

        return [
            figure("error_distributions", "report-error distributions per set size",
                   histograms=first_seed("error_histograms"),
                   densities=first_seed("mixture_densities"),
                   statistics=first_seed("error_statistics")),
            figure("circular_statistics", "circular variance and kurtosis against human data",
                   statistics=AggregateTable("vwm_error_statistics")),
            figure("mixture_fits", "mixture-model guess rate and SD per set size",
                   fits=AggregateTable("vwm_mixture_fits")),
            figure("snr", "signal-to-noise ratio of the decoded item",
                   snr=AggregateTable("vwm_snr")),
            figure("population_code", "E/I inputs, mixed selectivity and normalisation",
                   inputs=first_seed("input_statistics"),
                   units=first_seed("selectivity_units"),
                   normalisation=first_seed("normalisation"),
                   dale=SeedTables("dale_signs", runs)),
            figure("fixed_points", "fixed points of the noise-free network",
                   points=first_seed("vwm_fixed_points"),
                   trajectories=first_seed("vwm_trajectories"),
                   searches=first_seed("vwm_fixed_point_search")),
        ]


STUDY = VisualWorkingMemory()
