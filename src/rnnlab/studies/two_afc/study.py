"""The 2AFC study's plug-in (seed 000; see ``rnnlab.workflow.study``): its runs, aggregates and
figures.

Runs (the names are fixed, the figures compare them): the gated Dale network's regimes
``gated`` (the baseline: cross-entropy only), ``noisy`` (recurrent noise), ``curriculum``;
the ACG comparison ``ungated`` (the same network with the gate fixed), ``gated`` (gating only)
and ``acg``; the vanilla ``causal`` network; and, with ``library_comparison.enabled``, the
PsychRNN comparison: ``psychrnn_baseline`` / ``psychrnn_noisy`` (the real PsychRNN Basic model,
its own rule and env) and ``ctrnn_baseline`` / ``ctrnn_noisy`` (rnnlab's CTRNN on the same
task statistics), made from ``library_comparison.run``.
"""

from __future__ import annotations

from rnnlab.workflow.config import deep_merge
from rnnlab.workflow.study import (
    Aggregate,
    AggregateTable,
    Figure,
    RunSpec,
    SeedTables,
    Study,
)

REGIMES = ("gated", "noisy", "curriculum")
ACG_COMPARISON = ("ungated", "gated", "acg")
DALE_RUNS = ("ungated", "gated", "noisy", "curriculum", "acg")
CAUSAL = "causal"
REQUIRED_RUNS = DALE_RUNS + (CAUSAL,)
LIBRARY_RUNS = ("psychrnn_baseline", "psychrnn_noisy", "ctrnn_baseline", "ctrnn_noisy")
PSYCHRNN_RUNS = LIBRARY_RUNS[:2]
AGGREGATES = "rnnlab.studies.two_afc.aggregates"
FIGURES = "rnnlab.studies.two_afc.figures"
# The module of each figure function: a figure job's code fingerprint covers only its own module.
FIGURE_MODULES = {
    "loss_curves": "training",
    "curriculum": "training",
    "psychometric": "psychometric",
    "pca_trajectories": "state_space",
    "centroid_separation": "state_space",
    "fixed_points": "state_space",
    "robustness": "perturbations",
    "lesion": "perturbations",
    "clamp": "perturbations",
    "library_comparison": "library",
}


def curriculum_threshold(section) -> float:
    """The curriculum run's accuracy threshold (its override over training_defaults)."""
    merged = deep_merge(section["training_defaults"], section["runs"].get("curriculum", {}))
    return float(merged.get("training", {}).get("curriculum", {}).get("threshold", 0.8))


class TwoAFC(Study):
    name = "two_afc"
    title = "2AFC perceptual discrimination (seed 000)"

    def runs(self, section):
        # The section's `task` (the seed's two-channel task) is every named run's task unless
        # the run overrides it; the library comparison has its own (PsychRNN's statistics).
        runs = {
            run: RunSpec(deep_merge({"task": section["task"]}, spec.override), spec.seeds,
                         spec.where)
            for run, spec in super().runs(section).items()
        }
        comparison = section["library_comparison"]
        if comparison["enabled"]:
            seeds = tuple(comparison["seeds"])
            for run in LIBRARY_RUNS:
                library, condition = run.split("_")
                model = {"kind": "psychrnn_basic" if library == "psychrnn" else "ctrnn",
                         "recurrent_noise_std": comparison["recurrent_noise_std"]
                         if condition == "noisy" else 0.0}
                override = deep_merge(comparison["run"], {"model": model})
                runs[run] = RunSpec(override, seeds,
                                    f"studies.{self.name}.library_comparison.run ({run})")
        return runs

    def check(self, section, resolved_runs):
        found = [
            f"studies.{self.name}.runs: must define a run named {run!r} (the figures compare "
            f"the runs {', '.join(REQUIRED_RUNS)})"
            for run in REQUIRED_RUNS if run not in section["runs"]
        ]
        for run, resolved in resolved_runs.items():
            kind = resolved["model"]["kind"]
            task = resolved["task"]["name"]
            expected = "psychrnn_discrimination" if kind in ("ctrnn", "psychrnn_basic") \
                else "two_channel"
            if task != expected:
                found.append(f"studies.{self.name}.runs.{run}: a {kind} network trains on "
                             f"{expected}, not {task}")
            if run.startswith("psychrnn_") and run not in PSYCHRNN_RUNS:
                found.append(f"studies.{self.name}.runs.{run}: names starting psychrnn_ are "
                             "the library comparison's")
        return found

    def stage_settings(self, stage, section, resolved_run):
        if stage == "psychrnn":
            analysis = section["analysis"]
            return dict(signed_coherences=analysis["library_signed_coherences"],
                        trials_per_coherence=analysis["trials_per_coherence"],
                        seed=analysis["seed"])
        settings = dict(section[stage])
        analyses = []
        run = resolved_run["run"]
        if run in ACG_COMPARISON:
            analyses += ["centroids", "robustness"]
        if run in settings.pop("fixed_point_runs"):
            analyses.append("fixed_points")
        # "first": only the run's first seed (the network the figure draws) is searched;
        # "all": every seed. The stage gets the seeds as a list.
        which = settings.pop("fixed_point_seeds")
        seeds = list(self.runs(section)[run].seeds) if run in self.runs(section) else []
        settings["fixed_point_seeds"] = seeds[:1] if which == "first" else sorted(seeds)
        if resolved_run["model"]["kind"] == "vanilla":
            analyses.append("causal")
        if resolved_run["task"]["name"] == "psychrnn_discrimination":
            settings["signed_coherences"] = settings["library_signed_coherences"]
        settings.pop("library_signed_coherences")
        return dict(settings, analyses=analyses)

    def aggregates(self, section, runs):
        library = tuple(r for r in LIBRARY_RUNS if r in runs)

        def summary(function, tables, runs):
            return Aggregate(f"{AGGREGATES}:{function}", tuple(tables), tuple(runs))

        return {
            "loss_curves": summary("loss_curves", ["train_log"], DALE_RUNS + (CAUSAL,)),
            "psychometric": summary("psychometric", ["afc_psychometric"],
                                    REQUIRED_RUNS + library),
            "psychometric_fits": summary("psychometric_fits", ["afc_psychometric_fit"],
                                         REQUIRED_RUNS + library),
            "centroids": summary("centroids", ["afc_centroids"], ACG_COMPARISON),
            "robustness": summary("robustness", ["afc_robustness"], ACG_COMPARISON),
            "lesion": summary("lesion", ["afc_lesion"], (CAUSAL,)),
            "clamp": summary("clamp", ["afc_clamp"], (CAUSAL,)),
        }

    def figures(self, section, runs):
        def figure(name, label, options=None, **inputs):
            return Figure(name, f"{FIGURES}.{FIGURE_MODULES[name]}:{name}", inputs, label,
                          options=options or {})

        def first_seed(table, runs):
            return SeedTables(table, tuple(runs), first_seed_only=True)

        analysis = section["analysis"]
        figures = [
            figure("loss_curves", "loss curves per regime", curves=AggregateTable("loss_curves")),
            figure("curriculum", "the curriculum's coherence schedule",
                   logs=SeedTables("train_log", ("curriculum",)),
                   options={"threshold": curriculum_threshold(section)}),
            figure("psychometric", "psychometric curves and logistic fits per regime",
                   curves=AggregateTable("psychometric"),
                   fits=AggregateTable("psychometric_fits")),
            figure("pca_trajectories", "PCA trajectories: baseline, gating, ACG, noise",
                   trajectories=first_seed("afc_trajectories", ("ungated", "gated", "acg",
                                                                "noisy"))),
            figure("centroid_separation", "class-centroid separation over training",
                   centroids=AggregateTable("centroids")),
            figure("fixed_points", "fixed points of the ACG network",
                   points=first_seed("afc_fixed_points", analysis["fixed_point_runs"]),
                   trajectories=first_seed("afc_trajectories", analysis["fixed_point_runs"])),
            figure("robustness", "accuracy vs fraction of silenced units",
                   robustness=AggregateTable("robustness")),
            figure("lesion", "saliency and lesions of the top-k vs random k units",
                   saliency=first_seed("afc_saliency", (CAUSAL,)),
                   lesion=AggregateTable("lesion"),
                   options={"top_k": analysis["top_k"]}),
            figure("clamp", "clamping units to constant rates", clamp=AggregateTable("clamp"),
                   options={"top_k": analysis["top_k"]}),
        ]
        if section["library_comparison"]["enabled"]:
            figures.append(figure(
                "library_comparison", "PsychRNN vs rnnlab CTRNN, baseline vs recurrent noise",
                curves=AggregateTable("psychometric"), fits=AggregateTable("psychometric_fits"),
                trajectories=first_seed("afc_trajectories", LIBRARY_RUNS)))
        return figures


STUDY = TwoAFC()
