"""The E/I Mod-Cog study's plug-in: its runs, aggregates and figures (see
``rnnlab.workflow.study``).

Runs: the named runs of the main comparison (``eg`` and ``gd`` are required: the figures compare
them); with ``fixed_point_sweep.enabled``, one run ``inhibition_<f>`` per inhibitory fraction
f, trained on the sweep's seeds; and the runs of each enabled family (``families``: the
learning-rate sweep ``lr_<optimizer>_<rate>``, the ablations ``ablation_<variant>``, the
network sizes ``size_h<H>``), each on its family's seeds.
"""

from __future__ import annotations

from rnnlab.workflow.study import (
    Aggregate,
    AggregateTable,
    Figure,
    RunSpec,
    RunTable,
    SeedTables,
    Study,
)
from rnnlab.workflow.config import deep_merge
from rnnlab.studies.ei_modcog.families import CONTROL, FAMILIES, ablation_run_name, family_runs

COMPARED_RUNS = ("eg", "gd")
AGGREGATES = "rnnlab.studies.ei_modcog.aggregates"
FIGURES = "rnnlab.studies.ei_modcog.figures"
# The module of each figure function: a figure job's code fingerprint covers only its own module.
FIGURE_MODULES = {
    "learning_curves": "training",
    "checkpoint_accuracy": "training",
    "gradient_credit": "credit",
    "fixed_point_motifs": "fixed_points",
    "weight_signs": "weights",
    "gradient_saliency": "saliency",
    "sweep_accuracy": "sweep_accuracy",
    "fixed_point_rings": "rings",
    "lr_sweep": "families",
    "ablations": "families",
    "size_sweep": "families",
}
PERFORMANCE = "rnnlab.studies.ei_modcog.performance:final_performance"
FAMILY_LABELS = {
    "lr_sweep": "f: learning-rate sweep",
    "ablations": "g: ablations",
    "size_sweep": "h: network size",
}


def fraction_name(fraction: float) -> str:
    """Run name of the sweep network with inhibitory fraction ``fraction``."""
    return f"inhibition_{fraction:g}"


class EIModCog(Study):
    name = "ei_modcog"
    title = "E/I RNNs on Mod-Cog (seed 003)"

    def runs(self, section):
        runs = super().runs(section)
        sweep = section["fixed_point_sweep"]
        if sweep["enabled"]:
            for fraction in sweep["inhibitory_fractions"]:
                override = deep_merge(
                    sweep["run"], {"model": {"excitatory_fraction": round(1 - fraction, 10)}}
                )
                where = f"studies.{self.name}.fixed_point_sweep.run (fraction {fraction})"
                runs[fraction_name(fraction)] = RunSpec(override, tuple(sweep["seeds"]), where)
        for family in FAMILIES:
            overrides, _ = family_runs(section, family)
            seeds = tuple(section[family]["seeds"])
            for run, override in overrides.items():
                where = f"studies.{self.name}.{family} (run {run})"
                runs[run] = RunSpec(override, seeds, where)
        return runs

    def check(self, section, resolved_runs):
        found = [
            f"studies.{self.name}.runs: must define a run named {run!r} (the figures compare "
            "the eg and gd runs)"
            for run in COMPARED_RUNS
            if run not in section["runs"]
        ]
        for family in FAMILIES:
            clashes = sorted(set(family_runs(section, family)[0]) & set(section["runs"]))
            if clashes:
                found.append(
                    f"studies.{self.name}.runs: {clashes} are names of the {family} family's "
                    "runs; rename them"
                )
        sweep = section["fixed_point_sweep"]
        example = sweep["example_inhibitory_fraction"]
        if sweep["enabled"] and example not in sweep["inhibitory_fractions"]:
            found.append(
                f"studies.{self.name}.fixed_point_sweep.example_inhibitory_fraction: {example} is "
                f"not one of inhibitory_fractions {sweep['inhibitory_fractions']}"
            )
        return found

    def stage_settings(self, stage, section, resolved_run):
        if stage != "fixed_points":
            return section[stage]
        # The sweep's search settings, and the network's inhibitory fraction for its tables.
        not_for_the_job = (
            "run", "seeds", "enabled", "inhibitory_fractions", "example_inhibitory_fraction",
            "accuracy_criterion",
        )  # memory_period is the stage's own keyword
        sweep = section["fixed_point_sweep"]
        settings = {k: v for k, v in sweep.items() if k not in not_for_the_job}
        excitatory = resolved_run["model"]["excitatory_fraction"]
        settings["inhibitory_fraction"] = round(1 - excitatory, 10)
        settings["ring_seed"] = sweep["seeds"][0]  # the network the ring panels draw
        return settings

    @staticmethod
    def _sweep_runs(section) -> tuple[str, ...]:
        sweep = section["fixed_point_sweep"]
        if not sweep["enabled"]:
            return ()
        return tuple(fraction_name(f) for f in sweep["inhibitory_fractions"])

    def aggregates(self, section, runs):
        main = tuple(section["runs"])
        sweep = self._sweep_runs(section)

        def summary(function, tables, runs):
            return Aggregate(f"{AGGREGATES}:{function}", tuple(tables), runs)

        aggregates = {
            "learning_curves": summary("learning_curves", ["train_log"], main),
            "checkpoint_accuracy": summary("checkpoint_accuracy", ["evaluation"], main + sweep),
            "gradient_timecourse": summary("gradient_timecourse", ["gradients"], main),
            "gradient_metrics": summary("gradient_metrics", ["gradient_metrics"], main),
            "weight_statistics": summary("weight_statistics", ["weight_statistics"], main),
            "weight_histograms": summary("weight_histograms", ["weight_histograms"], main),
        }
        for family in FAMILIES:
            _, labels = family_runs(section, family)
            if not labels:
                continue
            settings = {"runs": labels}
            if family == "lr_sweep":
                plateau = section[family]["plateau"]
                settings.update(
                    plateau_window=plateau["window"], plateau_tolerance=plateau["tolerance"]
                )
            if family == "ablations":
                settings["control"] = ablation_run_name(CONTROL)
            aggregates[family] = Aggregate(PERFORMANCE, ("evaluation",), tuple(labels), settings)
        if sweep:
            # Counted on every network: the input_conditions (not the ring panels' own).
            aggregates["fixed_point_counts"] = Aggregate(
                f"{AGGREGATES}:fixed_point_counts", ("fixed_points", "fixed_point_search"), sweep,
                {"conditions": list(section["fixed_point_sweep"]["input_conditions"])},
            )
            fractions = section["fixed_point_sweep"]["inhibitory_fractions"]
            labels = {
                fraction_name(f): {"inhibitory_fraction": float(f)} for f in fractions
            }
            for name, per_network in (("sweep_accuracy", False), ("sweep_network_accuracy", True)):
                settings = {"runs": labels}
                if per_network:
                    settings["per_network"] = True
                aggregates[name] = Aggregate(PERFORMANCE, ("evaluation",), sweep, settings)
        return aggregates

    def figures(self, section, runs):
        def figure(name, label, **inputs):
            return Figure(name, f"{FIGURES}.{FIGURE_MODULES[name]}:{name}", inputs, label)

        figures = [
            figure(
                "learning_curves",
                "a: learning curves",
                curves=AggregateTable("learning_curves"),
            ),
            figure(
                "checkpoint_accuracy",
                "b: checkpoint accuracy",
                accuracy=AggregateTable("checkpoint_accuracy"),
            ),
            figure(
                "gradient_credit",
                "c: E vs I credit assignment",
                timecourse=AggregateTable("gradient_timecourse"),
                metrics=AggregateTable("gradient_metrics"),
            ),
            figure(
                "gradient_saliency",
                "c2: gradient alignment, gating, cumulative credit, saliency",
                timecourse=AggregateTable("gradient_timecourse"),
                metrics=AggregateTable("gradient_metrics"),
                eg_saliency=RunTable("gradient_saliency", "eg", section["seeds"][0]),
                gd_saliency=RunTable("gradient_saliency", "gd", section["seeds"][0]),
            ),
            figure(
                "weight_signs",
                "e: weight signs and magnitudes",
                statistics=AggregateTable("weight_statistics"),
                histograms=AggregateTable("weight_histograms"),
            ),
        ]
        for family in FAMILIES:
            if section[family]["enabled"]:
                figures.append(
                    figure(family, FAMILY_LABELS[family], performance=AggregateTable(family))
                )
        sweep = section["fixed_point_sweep"]
        if sweep["enabled"]:
            example = fraction_name(sweep["example_inhibitory_fraction"])
            seed = sweep["seeds"][0]
            figures.append(
                Figure(
                    "sweep_accuracy",
                    f"{FIGURES}.{FIGURE_MODULES['sweep_accuracy']}:sweep_accuracy",
                    {
                        "accuracy": AggregateTable("sweep_accuracy"),
                        "networks": AggregateTable("sweep_network_accuracy"),
                    },
                    "d2: accuracy of the fixed-point sweep's networks",
                    options={"criterion": sweep["accuracy_criterion"]},
                )
            )
            figures.append(
                Figure(
                    "fixed_point_rings",
                    f"{FIGURES}.{FIGURE_MODULES['fixed_point_rings']}:fixed_point_rings",
                    {
                        "points": SeedTables("fixed_points", self._sweep_runs(section), True),
                        "delays": SeedTables("delay_trajectories", self._sweep_runs(section),
                                             True),
                        "networks": AggregateTable("sweep_network_accuracy"),
                    },
                    "d3: ring panels — fixed points and delay trajectories by stimulus direction",
                    options={"criterion": sweep["accuracy_criterion"]},
                )
            )
            figures.append(
                figure(
                    "fixed_point_motifs",
                    "d: fixed points vs inhibition",
                    counts=AggregateTable("fixed_point_counts"),
                    points=RunTable("fixed_points", example, seed),
                    trajectories=RunTable("fixed_point_trajectories", example, seed),
                )
            )
        return figures


STUDY = EIModCog()
