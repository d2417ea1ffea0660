"""The cluster bill of a configuration, before asking a cluster for time:
``python -m rnnlab.workflow.plan --configfile config/thesis.yaml --cores 16 64`` (``make plan``).

* Jobs (``rnnlab.workflow.dag``): Snakemake's own DAG of the configuration from scratch
  (``--forceall``), built through its Python API, so the bill lists exactly the jobs
  ``snakemake -n --forceall`` would run.
* Seconds per job, measured on this machine once per job class (``rnnlab.workflow.costs``, from
  ``rnnlab.workflow.measure``): training = a fresh interpreter's start-up and imports + the
  run's measured build, updates × its steps, validations, checkpoint writes and resume saves;
  an analysis (stage) job = start-up + its stage function run once on untrained networks of the
  run's shape, at the run's number of checkpoints; a local job (submit host) = its start-up
  only; a target job = nothing.
* Wall time on N cores (``rnnlab.workflow.schedule``): a list schedule of the DAG (each job on
  one core, the job with the longest chain of work still ahead first), next to its lower bound
  max(core-hours / N, the longest chain).

Measurements are cached per machine (``results/plan/measurements.json``), keyed by what was
measured, so that a second plan is quick and a changed run is measured again. torch and
Snakemake are imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from rnnlab.workflow import measure, schedule
from rnnlab.workflow.costs import JobCosts, JobEstimate
from rnnlab.workflow.dag import PlannedJob, rule_counts, workflow_jobs

CACHE = "results/plan/measurements.json"


# ------------------------------------------------------------------ the plan


@dataclass
class Plan:
    """Every job of a configuration's DAG with its estimate, and what the estimates rest on."""

    configfile: str
    jobs: list[PlannedJob]
    estimates: dict[int, JobEstimate]
    costs: JobCosts
    machine: dict

    def durations(self) -> dict[int, float]:
        return {job.jobid: self.estimates[job.jobid].seconds for job in self.jobs}

    def dependencies(self) -> dict[int, tuple[int, ...]]:
        return {job.jobid: job.dependencies for job in self.jobs}

    def wall_time(self, cores: int) -> tuple[float, float]:
        """(list schedule, lower bound) in seconds on ``cores`` cores."""
        durations, dependencies = self.durations(), self.dependencies()
        return (schedule.list_schedule(durations, dependencies, cores),
                schedule.lower_bound(durations, dependencies, cores))


def this_machine() -> dict:
    """What measurements depend on besides the workflow: they are valid on this machine only."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = names[0] if names else cpu
    return dict(host=platform.node(), cpu=cpu, cores=os.cpu_count(),
                python=platform.python_version(), torch=version("torch"))


def make_plan(configfile, root=".", cache=None, quick=False, refresh=False, log=None) -> Plan:
    """Build the DAG of ``configfile`` and estimate every job (measuring what the cache lacks).
    ``quick``: one window of 3 timed updates per run instead of three of 5, and each analysis
    rule timed on one run per study (its first job's)."""
    jobs = workflow_jobs(configfile, root)
    machine = this_machine()
    store = measure.MeasurementCache(cache or Path(root) / CACHE, machine, refresh)
    log = log or (lambda message: print(f"plan: {message}", file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="rnnlab-plan-") as scratch:
        costs = JobCosts(jobs, root, store, scratch, quick, log)
        estimates = {job.jobid: costs.estimate(job) for job in jobs}
    return Plan(str(configfile), jobs, estimates, costs, machine)


# ------------------------------------------------------------------ the report


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h"


def clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def where_it_runs(job: PlannedJob) -> str:
    return {"target": "-", "local": "submit host"}.get(job.kind, "cluster")


def rule_table(plan: Plan) -> list[str]:
    """Jobs, core-hours and longest job per rule, most core-hours first, with totals."""
    by_rule: dict[str, list[PlannedJob]] = defaultdict(list)
    for job in plan.jobs:
        by_rule[job.rule].append(job)
    seconds = {rule: sum(plan.estimates[j.jobid].seconds for j in jobs)
               for rule, jobs in by_rule.items()}
    lines = [f"{'rule':<33}{'jobs':>5}  {'runs on':<12}{'core-hours':>11}{'longest job':>13}"
             f"{'asks for':>14}"]
    for rule in sorted(by_rule, key=lambda rule: (-seconds[rule], rule)):
        jobs = by_rule[rule]
        longest = max(plan.estimates[job.jobid].seconds for job in jobs)
        asked = sorted({job.resources["runtime"] for job in jobs if job.resources.get("runtime")})
        asks = "-" if not asked else f"{asked[0]}" if len(asked) == 1 else f"{asked[0]}-{asked[-1]}"
        lines.append(f"{rule:<33}{len(jobs):>5}  {where_it_runs(jobs[0]):<12}"
                     f"{seconds[rule] / 3600:>11.3f}{clock(longest):>13}"
                     f"{asks + (' min' if asked else ''):>14}")
    for label, chosen in (("cluster", lambda job: where_it_runs(job) == "cluster"),
                          ("submit host", lambda job: job.kind == "local")):
        jobs = [job for job in plan.jobs if chosen(job)]
        total = sum(plan.estimates[job.jobid].seconds for job in jobs)
        lines.append(f"{'total on the ' + label:<33}{len(jobs):>5}  {'':<12}{total / 3600:>11.3f}")
    return lines


def longest_job_lines(plan: Plan) -> list[str]:
    job = max(plan.jobs, key=lambda job: plan.estimates[job.jobid].seconds)
    seconds = plan.estimates[job.jobid].seconds
    asked = job.resources.get("runtime")
    return textwrap.wrap(
        f"Longest job: {job.label}: {clock(seconds)} ({hours(seconds)}), the least a SLURM "
        f"runtime request of a {job.rule} job can ask for; it asks for "
        f"{f'{asked} min' if asked else 'no runtime'} (profiles/slurm may set more).", 100)


def short_request_lines(plan: Plan) -> list[str]:
    """The cluster jobs estimated to take longer than the runtime they ask for."""
    short = sorted((job for job in plan.jobs if where_it_runs(job) == "cluster"
                    and job.resources.get("runtime")
                    and plan.estimates[job.jobid].seconds > 60 * job.resources["runtime"]),
                   key=lambda job: -plan.estimates[job.jobid].seconds)
    if not short:
        return ["Every cluster job asks for more time than its estimate."]
    return textwrap.wrap(
        f"{len(short)} cluster jobs are estimated longer than the time they ask for (a training "
        "job's is training_jobs.runtime_minutes; a killed training job resumes on its retry): "
        + "; ".join(f"{job.label} {clock(plan.estimates[job.jobid].seconds)} > "
                    f"{job.resources['runtime']} min" for job in short[:5])
        + ("; ..." if len(short) > 5 else "") + ".", 100)


def wall_time_lines(plan: Plan, cores: list[int]) -> list[str]:
    length, chain = schedule.critical_path(plan.durations(), plan.dependencies())
    by_id = {job.jobid: job for job in plan.jobs}
    lines = ["Wall time, every job on one core (local jobs too), SLURM queueing not included:",
             f"{'cores':>7}{'list schedule':>24}{'lower bound':>24}"]
    for count in cores:
        scheduled, bound = plan.wall_time(count)
        lines.append(f"{count:>7}{hours(scheduled) + f' ({clock(scheduled)})':>24}"
                     f"{hours(bound) + f' ({clock(bound)})':>24}")
    lines += ["list schedule: a free core takes the ready job with the longest chain of work "
              "ahead (a schedule",
              "that exists); lower bound: max(total core-hours / cores, longest chain). "
              f"Longest chain, {hours(length)}:",
              *packed([f"{by_id[j].label} ({clock(plan.estimates[j].seconds)})"
                       for j in chain if plan.estimates[j].seconds > 0], " -> ")]
    return lines


def packed(items: list[str], separator: str, width: int = 98) -> list[str]:
    """``items`` joined by ``separator`` in indented lines of at most ``width`` characters,
    never breaking an item."""
    lines = ["  " + items[0]] if items else []
    for item in items[1:]:
        if len(lines[-1]) + len(separator) + len(item) > width:
            lines[-1] += separator.rstrip()
            lines.append("  " + item)
        else:
            lines[-1] += separator + item
    return lines


def measurement_lines(plan: Plan) -> list[str]:
    costs = plan.costs
    startups = ", ".join(
        f"{rule} {min(values):.2f}" + (f"-{max(values):.2f}" if len(values) > 1 else "")
        for rule, values in sorted(costs.startups.items()))
    lines = ["Measurements (seconds on this machine):",
             *textwrap.wrap("start-up and imports of a job's process: " + startups, 96,
                            initial_indent="  ", subsequent_indent="    "),
             "  training, one seed = steps x update + validations x validation + checkpoints x "
             "write",
             "    + resume saves x save + build",
             f"  (update: the median of {costs.windows} windows of {costs.timed_updates} updates "
             f"of the trainer's loop after {measure.WARM_UP_UPDATES} warm-up):"]
    for run, seed in sorted(costs.training.items()):
        cost = seed.cost
        lines.append(
            f"    {run}: {seed.steps} x {cost.update:.4f} + {seed.validations} x "
            f"{cost.validation:.4f} + {seed.checkpoints} x {cost.checkpoint_write:.4f} + "
            f"{seed.resume_saves} x {cost.resume_save:.4f} + {cost.build:.3f} = "
            f"{seed.seconds:.1f}")
    lines.append("  analysis stages, measured on untrained networks of the run's shape at its "
                 "number of checkpoints\n  (a trained network may take longer or shorter, in "
                 "fixed-point searches most):")
    for job, seconds, runs in sorted(costs.analysis.values(), key=lambda item: item[0].label):
        shared = sorted(runs - {job.wildcards["run"]})
        lines.append(f"    {job.label}: {seconds:.2f}"
                     + (f" (also for {', '.join(shared)}: same shape)" if shared else ""))
    lines.append("  local jobs (aggregates, figures, provenance, copies) run on the submit host: "
                 "counted as their\n  start-up and imports only, their work is not measured")
    unmeasured = sorted({job.rule for job in plan.jobs if job.kind == "other"})
    if unmeasured:
        lines.append(f"  NOT MEASURED, billed their start-up only (neither training nor a stage): "
                     f"{', '.join(unmeasured)}")
    return lines


def report(plan: Plan, cores: list[int]) -> str:
    machine = plan.machine
    counts = rule_counts(plan.jobs)
    dates = sorted(plan.costs.dates)
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}" if dates else "-"
    header = [
        f"rnnlab plan of {plan.configfile}: {len(plan.jobs)} jobs of {len(counts)} rules, the "
        "jobs of `snakemake -n --forceall`",
        f"measured on {machine['host']} ({machine['cpu']}, {machine['cores']} cores; Python "
        f"{machine['python']}, torch {machine['torch']}, 1 thread per job) on {when}"
        + (" [quick]" if plan.costs.quick else ""),
    ]
    sections = [header, rule_table(plan), longest_job_lines(plan), short_request_lines(plan),
                wall_time_lines(plan, cores), measurement_lines(plan)]
    return "\n\n".join("\n".join(section) for section in sections)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m rnnlab.workflow.plan",
        description="Jobs, core-hours per rule, longest job and wall time of a configuration, "
                    "from times measured on this machine.")
    parser.add_argument("--configfile", default="config/thesis.yaml",
                        help="merged over config/config.yaml, as snakemake --configfile")
    parser.add_argument("--cores", type=int, nargs="+", default=[16, 64],
                        help="core counts to give the wall time for")
    parser.add_argument("--quick", action="store_true",
                        help="fewer timed updates; each analysis rule timed on one run per study")
    parser.add_argument("--remeasure", action="store_true", help="ignore cached measurements")
    parser.add_argument("--cache", default=None, help=f"measurement cache (default {CACHE})")
    parser.add_argument("--root", default=".", help="the workflow's directory")
    arguments = parser.parse_args(argv)
    plan = make_plan(arguments.configfile, arguments.root, arguments.cache, arguments.quick,
                     arguments.remeasure)
    print(report(plan, arguments.cores))


if __name__ == "__main__":
    main()
