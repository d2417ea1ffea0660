"""The CTRNN zoo's plug-in: one run per task, named after it, its aggregate and figures (see
``rnnlab.workflow.study``)."""

from __future__ import annotations

from rnnlab.workflow.study import AggregateTable, Aggregate, Figure, SeedTables, Study

FIGURES = "rnnlab.studies.ctrnn_zoo.figures"
# The module of each figure function: a figure job's code fingerprint covers only its own module.
FIGURE_MODULES = {
    "example_trials": "trials",
    "validation_table": "trials",
    "fixed_point_structure": "structure",
    "eigenvalue_spectra": "structure",
    "cddm_analysis": "cddm",
    "attractor_verdicts": "verdicts",
    "output_geometry": "verdicts",
    "ring_closure": "closure",
}


class CTRNNZoo(Study):
    name = "ctrnn_zoo"
    title = "CTRNN task zoo (seed 004)"

    def check(self, section, resolved_runs):
        from rnnlab.studies.ctrnn_zoo.curriculum import curriculum_problems, phases_of
        from rnnlab.studies.ctrnn_zoo.flow_slowness import flow_slowness_problems
        from rnnlab.studies.ctrnn_zoo.slowness import slowness_problems
        from rnnlab.studies.ctrnn_zoo.tasks import build_task

        found = []
        for run, resolved in resolved_runs.items():
            where = f"studies.{self.name}.runs.{run}"
            if resolved["task"]["name"] != run:
                found.append(f"{where}: the run trains task {resolved['task']['name']!r}; "
                             "a zoo run is named after its task")
            problems = curriculum_problems(resolved)
            found += [f"{where}: {problem}" for problem in problems]
            found += [f"{where}: {problem}" for problem in slowness_problems(resolved)]
            found += [f"{where}: {problem}" for problem in flow_slowness_problems(resolved)]
            if problems or not resolved.get("curriculum"):
                continue
            for phase in phases_of(resolved):
                try:
                    build_task(phase.task_config)
                except (TypeError, ValueError) as error:
                    found.append(f"{where}: curriculum phase {phase.index}'s task: {error}")
        return found

    def aggregates(self, section, runs):
        return {
            "zoo_performance": Aggregate(
                "rnnlab.studies.ctrnn_zoo.aggregates:zoo_performance",
                ("task_performance",),
                tuple(runs),
            ),
            "zoo_attractors": Aggregate(
                "rnnlab.studies.ctrnn_zoo.aggregates:zoo_attractors",
                ("attractor_analytics",),
                tuple(runs),
            ),
        }

    def figures(self, section, runs):
        runs = tuple(runs)

        def figure(name, label, **inputs):
            return Figure(name, f"{FIGURES}.{FIGURE_MODULES[name]}:{name}", inputs, label)

        def first_seed(table, runs=runs):
            return SeedTables(table, runs, first_seed_only=True)

        figures = [
            figure(
                "example_trials",
                "outputs against targets on random test trials",
                trials=first_seed("example_trials"),
            ),
            figure(
                "fixed_point_structure",
                "fixed-point structure",
                points=first_seed("equilibria"),
                trajectories=first_seed("equilibrium_trajectories"),
            ),
            figure("eigenvalue_spectra", "eigenvalue spectra", points=first_seed("equilibria")),
            figure(
                "validation_table",
                "validation scores",
                performance=AggregateTable("zoo_performance"),
            ),
            figure(
                "attractor_verdicts",
                "attractor verdicts across seeds",
                analytics=SeedTables("attractor_analytics", runs),
                performance=SeedTables("task_performance", runs),
                summary=AggregateTable("zoo_attractors"),
                trained=AggregateTable("zoo_performance"),
            ),
            figure(
                "output_geometry",
                "how much of each line and ring the readout sees",
                summary=AggregateTable("zoo_attractors"),
                analytics=SeedTables("attractor_analytics", runs),
            ),
        ]
        if "cddm" in runs:
            figures.append(
                figure(
                    "cddm_analysis",
                    "psychometric curves and line attractors",
                    psychometric=SeedTables("psychometric", ("cddm",)),
                    fits=SeedTables("psychometric_fits", ("cddm",)),
                    analytics=first_seed("attractor_analytics", ("cddm",)),
                    points=first_seed("equilibria", ("cddm",)),
                )
            )
        if "memory_anti_angle" in runs:
            figures.append(
                figure(
                    "ring_closure",
                    "is the ring closed?",
                    analytics=SeedTables("attractor_analytics", ("memory_anti_angle",)),
                    points=first_seed("equilibria", ("memory_anti_angle",)),
                )
            )
        return figures


STUDY = CTRNNZoo()
