"""What a training run tells its log while it runs: a first line saying what is trained and
whether it starts fresh or resumes, a progress line at most every ``interval_seconds`` of wall
time (step of the total, loss, latest validation, elapsed time and an estimate of the time
left), and a last line with the total time and the final loss and validation.

Lines go to the ``logging`` logger ``rnnlab.training`` at INFO (the workflow's scripts send it
to the rule's log file). When the stream (stderr by default) is a terminal, a one-line
progress bar is also redrawn in place with ``\\r``.

Reporting never changes a result: it reads a clock and numbers training has already computed,
and touches no random generator and no tensor computation.

The time left is extrapolated from this process alone: elapsed time since it began training /
updates it has done × updates remaining (a resumed run's earlier updates took an unknown time).
"""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Callable, NamedTuple, TextIO

logger = logging.getLogger("rnnlab.training")


class ValidationSummary(NamedTuple):
    """The latest validation loss and the best one so far, each with its step."""

    step: int
    loss: float
    best_step: int
    best_loss: float

    def describe(self) -> str:
        text = f"validation loss {self.loss:.4g} at step {self.step}"
        if self.best_step >= 0 and self.best_step != self.step:
            text += f" (best {self.best_loss:.4g} at step {self.best_step})"
        return text


def format_duration(seconds: float) -> str:
    """"12.3 s" under a minute, H:MM:SS above (hours unbounded); "?" if not finite."""
    if not math.isfinite(seconds):
        return "?"
    seconds = max(seconds, 0.0)
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class TrainingProgress:
    """Progress reports of one ``train`` call.

    Args:
        label: names the run (e.g. "ei_modcog/eg seed 3").
        total_steps: the run's number of updates.
        interval_seconds: minimum wall time between two progress lines; 0 logs after every
            update.
        clock: seconds, monotonic (injectable for tests).
        stream: where the terminal progress bar goes, if it is a terminal; default stderr.
    """

    BAR_WIDTH = 30
    BAR_REFRESH_SECONDS = 0.5  # the terminal bar is redrawn more often than lines are logged

    def __init__(
        self,
        label: str,
        total_steps: int,
        interval_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        stream: TextIO | None = None,
    ):
        if not interval_seconds >= 0:
            raise ValueError(f"progress interval_seconds must be ≥ 0, got {interval_seconds}")
        self.label = label or "training"
        self.total_steps = total_steps
        self.interval_seconds = interval_seconds
        self.clock = clock
        self.stream = sys.stderr if stream is None else stream
        self.bar = _is_terminal(self.stream)
        self.first_step = 0
        self.started = self._last_line = self._last_bar = self._now = clock()
        self._bar_shown = False

    # ------------------------------------------------------------------ the three kinds of line

    def start(self, first_step: int, description: str, resumed_from: str | None = None) -> None:
        """Log what is trained and from where; the clock of the time estimate starts now.
        ``resumed_from`` names the resume state continued from (None: a fresh start)."""
        self.first_step = first_step
        self.started = self._last_line = self._last_bar = self._now = self.clock()
        if resumed_from is None:
            origin = "starting fresh at step 0"
        elif first_step >= self.total_steps:
            origin = (
                f"resuming from {resumed_from}, saved after the last update (step "
                f"{first_step} of {self.total_steps}): nothing left to train, the checkpoints "
                "are handed over; results are identical to an uninterrupted run's"
            )
        else:
            origin = (
                f"resuming from {resumed_from} at step {first_step} of {self.total_steps} "
                f"({first_step} updates already done); results are bit-identical to an "
                "uninterrupted run's"
            )
        self._log("%s: %s; %s", self.label, description, origin)

    def due(self) -> bool:
        """Whether a progress line or a bar redraw is due (reads the clock once)."""
        self._now = self.clock()
        since_line = self._now - self._last_line
        if since_line >= self.interval_seconds:
            return True
        return self.bar and self._now - self._last_bar >= self.BAR_REFRESH_SECONDS

    def update(self, steps_done: int, loss: float, validation: ValidationSummary | None) -> None:
        """After ``due()``: log a progress line if one is due, and redraw the terminal bar."""
        now = self._now
        if now - self._last_line >= self.interval_seconds:
            self._last_line = now
            elapsed, left, rate = self._timing(steps_done, now)
            parts = [
                f"step {steps_done}/{self.total_steps} "
                f"({100.0 * steps_done / max(self.total_steps, 1):.1f}%)",
                f"loss {loss:.4g}",
            ]
            if validation is not None:
                parts.append(validation.describe())
            parts.append(f"elapsed {format_duration(elapsed)}")
            parts.append(f"left ~{format_duration(left)} ({rate:.3g} steps/s)")
            self._log("%s: %s", self.label, ", ".join(parts))
        if self.bar:
            self._last_bar = now
            self._draw_bar(steps_done, loss, now)

    def finish(self, steps_done: int, loss: float | None,
               validation: ValidationSummary | None, parameters_step: int) -> None:
        """Log the total time and the final loss / validation."""
        now = self.clock()
        if self.bar:
            self._draw_bar(steps_done, loss, now)
            self.stream.write("\n")
            self.stream.flush()
            self._bar_shown = False
        done_here = steps_done - self.first_step
        elapsed = now - self.started
        text = (
            f"{self.label}: finished {steps_done}/{self.total_steps} steps in "
            f"{format_duration(elapsed)}"
        )
        if self.first_step > 0:
            text += f" ({done_here} of them in this process, after resuming at {self.first_step})"
        if done_here > 0 and elapsed > 0:
            text += f", {done_here / elapsed:.3g} steps/s"
        text += "; final loss " + ("n/a" if loss is None else f"{loss:.4g}")
        if validation is not None:
            text += f", {validation.describe()}"
            if parameters_step != steps_done:
                text += f"; kept the parameters of step {parameters_step} (best validation)"
        self._log("%s", text)

    def close(self) -> None:
        """End the terminal bar's line (training stopped early, e.g. on an error)."""
        if self._bar_shown:
            self.stream.write("\n")
            self.stream.flush()
            self._bar_shown = False

    # ------------------------------------------------------------------ helpers

    def _timing(self, steps_done: int, now: float) -> tuple[float, float, float]:
        """(elapsed seconds, estimated seconds left, updates per second) of this process."""
        elapsed = now - self.started
        done_here = steps_done - self.first_step
        if done_here <= 0:
            return elapsed, math.nan, math.nan
        left = elapsed / done_here * (self.total_steps - steps_done)
        rate = done_here / elapsed if elapsed > 0 else math.inf
        return elapsed, left, rate

    def _draw_bar(self, steps_done: int, loss: float | None, now: float) -> None:
        fraction = steps_done / max(self.total_steps, 1)
        filled = int(self.BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
        elapsed, left, _ = self._timing(steps_done, now)
        loss_text = "" if loss is None else f" loss {loss:.4g}"
        time_text = (
            f" {format_duration(elapsed)}"
            if steps_done >= self.total_steps
            else f" {format_duration(elapsed)} left ~{format_duration(left)}"
        )
        self.stream.write(
            f"\r\x1b[K{self.label} [{bar}] {steps_done}/{self.total_steps}"
            f"{loss_text}{time_text}"
        )
        self.stream.flush()
        self._bar_shown = True

    def _log(self, message: str, *args) -> None:
        """Log at INFO; on a terminal the bar's line is cleared first, so that a log handler
        writing to the same terminal starts on a clean line (the bar is redrawn at its next
        refresh)."""
        if self._bar_shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._bar_shown = False
        logger.info(message, *args)
