"""Callbacks for training a GAN with ``fit``: progress grids and their GIF, checkpoints, a compact
progress line for notebooks, and guards (non-finite losses, a time budget)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import keras
import numpy as np

from gan_utils import plotting
from gan_utils.checkpoints import save_checkpoint


class SampleGrid(keras.callbacks.Callback):
    """Draw the fixed latent batch at epoch ends: progress is always shown on the same z.

    A grid is drawn at the end of every ``every``-th epoch once at least ``min_steps`` training
    steps have passed since the last one, and always at the end of training. On MNIST an epoch is
    hundreds of steps and every epoch is drawn; on a folder of a few hundred images an epoch is a
    few steps, and a grid per epoch would cost more than the training (a grid, its PNG and its GIF
    frame take about as long as one to three steps on a CPU). ``min_steps=None`` takes
    :attr:`DEFAULT_MIN_STEPS`; 0 draws every ``every``-th epoch.

    Frames are kept in ``frames`` (uint8 grids) with their epoch numbers in ``epochs``; with
    ``directory`` each is also saved as ``epoch_0001.png``; ``show=True`` displays it inline.
    """

    #: Steps between two grids unless ``min_steps`` says otherwise: a grid costs about 1 % of them.
    DEFAULT_MIN_STEPS = 200

    def __init__(
        self,
        every: int = 1,
        directory: str | os.PathLike | None = None,
        show: bool = False,
        n: int = 64,
        min_steps: int | None = None,
    ):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer (draw every N epochs), got {every!r}.")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n (images per grid) must be a positive integer, got {n!r}.")
        min_steps = self.DEFAULT_MIN_STEPS if min_steps is None else min_steps
        if isinstance(min_steps, bool) or not isinstance(min_steps, int) or min_steps < 0:
            raise ValueError(f"min_steps must be a whole number of training steps >= 0, got {min_steps!r}.")
        self.every, self.show, self.n, self.min_steps = every, show, n, min_steps
        self.directory = Path(directory) if directory else None
        self.frames: list[np.ndarray] = []
        self.epochs: list[int] = []
        self.steps_since, self.last_epoch = 0, None

    def load_frames(self, up_to_epoch: int) -> None:
        """Read back the grids this run saved before a resume (``epoch_NNNN.png`` up to that epoch)."""
        if self.directory is None:
            return
        from PIL import Image

        for epoch in range(1, up_to_epoch + 1):
            path = self.directory / f"epoch_{epoch:04d}.png"
            if path.is_file():
                with Image.open(path) as img:
                    self.frames.append(np.asarray(img.convert("RGB" if img.mode == "RGB" else "L")))  # colour grids stay colour
                self.epochs.append(epoch)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps_since += 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.last_epoch = epoch + 1
        if (epoch + 1) % self.every == 0 and self.steps_since >= self.min_steps:
            self._draw(epoch + 1)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.last_epoch is not None and (not self.epochs or self.epochs[-1] != self.last_epoch):
            self._draw(self.last_epoch)  # the state training ended in is always shown

    def _draw(self, epoch: int) -> None:
        if len(self.model.sample_shape) not in (2, 3):
            return  # samples are points (toy GANs), not images
        grid = plotting.image_grid(self.model.sample()[: self.n])
        self.frames.append(grid)
        self.epochs.append(epoch)
        self.steps_since = 0
        if self.directory:
            plotting.save_image(grid, self.directory / f"epoch_{epoch:04d}.png")
        if self.show:
            plotting.show_grid(grid, title=f"epoch {epoch}")


class GifWriter(keras.callbacks.Callback):
    """Keep ``path`` an animated GIF of the frames of a :class:`SampleGrid`, at a cost that does not grow with the run.

    Each new frame is encoded once (:func:`gan_utils.plotting.encode_gif_frame`) and the file is
    rewritten from the encoded frames, so adding a frame costs one frame's encoding. At most
    ``max_frames`` frames are kept: when there would be more, every other one is dropped (the first
    always stays) and from then on only every second, fourth, ... grid is kept; the newest grid is
    always the last frame.
    """

    def __init__(self, grid: SampleGrid, path: str | os.PathLike, seconds_per_frame: float = 0.4, max_frames: int = 60):
        super().__init__()
        if not isinstance(grid, SampleGrid):
            raise TypeError(f"GifWriter animates the frames of a SampleGrid callback, got {type(grid).__name__}.")
        if isinstance(seconds_per_frame, bool) or not isinstance(seconds_per_frame, (int, float)) or not seconds_per_frame > 0:
            raise ValueError(f"seconds_per_frame must be a positive number, got {seconds_per_frame!r}.")
        if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
            raise ValueError(f"max_frames must be an integer of at least 2 (the first and the newest frame), got {max_frames!r}.")
        self.grid, self.path, self.seconds_per_frame, self.max_frames = grid, Path(path), seconds_per_frame, max_frames
        self.kept: dict[int, bytes] = {}  # index of a grid frame -> its encoded GIF frame
        self.stride, self.seen = 1, 0
        self.newest: tuple[int, bytes] | None = None

    def _update(self) -> None:
        frames, labels = self.grid.frames, self.grid.epochs
        if len(frames) == self.seen:
            return
        for i in range(self.seen, len(frames)):
            if i % self.stride == 0 or i == len(frames) - 1:
                block = plotting.encode_gif_frame(frames[i], labels[i])
                if i % self.stride == 0:
                    self.kept[i] = block
                self.newest = (i, block)
            while len(self.kept) >= self.max_frames:  # thin: keep every other kept frame (the first included)
                self.stride *= 2
                self.kept = {j: b for j, b in self.kept.items() if j % self.stride == 0}
        self.seen = len(frames)
        blocks = [self.kept[j] for j in sorted(self.kept)]
        if self.newest is not None and self.newest[0] not in self.kept:
            blocks.append(self.newest[1])
        plotting.write_gif(blocks, self.path, self.seconds_per_frame)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._update()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._update()  # the grid drawn when training ended


class Checkpoint(keras.callbacks.Callback):
    """The run's recorder: the history of complete epochs, ``history.csv``, and checkpoints by time and by epoch.

    Counts training steps from ``start_step``; an epoch is ``epoch_steps`` steps (the last one of a
    run of ``steps`` may be shorter), and only complete epochs enter :attr:`history` and the CSV.
    A checkpoint (:func:`save_checkpoint`, atomically) is written at the end of an epoch whose losses
    are finite, unless the last one was written so recently that checkpoints would take more than
    ``max_overhead`` of the training time (a 4-step epoch on 300 images does not pay for a checkpoint
    each), and in the middle of an epoch once ``every_seconds`` have passed since the last.
    :func:`gan_utils.fit_gan` also calls :meth:`save` whenever training stops (budget, Ctrl-C, end),
    so the checkpoint then holds the very step reached; with it go the running means of the
    epoch under way, so that a resumed epoch logs what an uninterrupted one would.
    ``directory=None`` records the history only.
    """

    def __init__(
        self, directory: str | os.PathLike | None, history: dict | None = None, run: dict | None = None, *,
        every_seconds: float | None = 300.0, max_overhead: float | None = 0.05, epoch_steps: int | None = None,
        start_step: int = 0, steps: int | None = None, metric_state: list | None = None,
    ):
        super().__init__()
        for name, value in (("every_seconds", every_seconds), ("max_overhead", max_overhead)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0):
                raise ValueError(f"{name} must be a positive number or None, got {value!r}.")
        self.directory = Path(directory) if directory is not None else None
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.run = dict(run or {})
        self.every_seconds, self.max_overhead = every_seconds, max_overhead
        self.epoch_steps, self.total = epoch_steps, steps
        self.step = self.saved_step = int(start_step)
        self.metric_state = metric_state  # the running means of a resumed epoch, put back at its start
        self.last_save = time.perf_counter()
        self.save_seconds: float | None = None  # what the last save took
        self.checkpoints_written, self.seconds_saving = 0, 0.0

    def _epoch_done(self) -> bool:
        if self.total is not None and self.step >= self.total:
            return True
        return self.epoch_steps is None or self.step % self.epoch_steps == 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.last_save = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.metric_state is not None:  # go on with the running means where the stopped session left them
            for variable, value in zip(_metric_variables(self.model), self.metric_state):
                variable.assign(np.asarray(value, dtype=variable.dtype))
            self.metric_state = None

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.step += 1
        if self.directory is not None and self.every_seconds is not None:
            if time.perf_counter() - self.last_save >= self.every_seconds and not self._epoch_done():
                self.save(self.model, mid_epoch=True)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if not self._epoch_done():
            return  # the epoch was cut short: fit_gan saves the step reached
        finite = all(math.isfinite(float(v)) for v in logs.values() if np.ndim(v) == 0)
        if not finite:
            return  # never record or save a diverged state
        scalars = {k: float(v) for k, v in logs.items() if np.ndim(v) == 0}
        for k, v in scalars.items():
            self.history.setdefault(k, []).append(v)
        if self.directory is None:
            return
        self._append_csv(epoch + 1, scalars)
        waited = time.perf_counter() - self.last_save
        if self.max_overhead is None or self.save_seconds is None or self.save_seconds <= self.max_overhead * waited:
            self.save(self.model)

    @property
    def epochs_completed(self) -> int:
        """Complete epochs recorded in :attr:`history`."""
        return max((len(v) for v in self.history.values()), default=0)

    def save(self, gan: keras.Model, mid_epoch: bool | None = None) -> Path | None:
        """Write the checkpoint of the step reached (with the running means of an epoch under way)."""
        if self.directory is None:
            return None
        if mid_epoch is None:
            mid_epoch = not self._epoch_done()
        started = time.perf_counter()
        extra = {"metrics": [np.asarray(v).tolist() for v in _metric_variables(gan)]} if mid_epoch else {}
        path = save_checkpoint(gan, self.directory, self.epochs_completed, self.history, self.run, step=self.step, extra=extra)
        self.last_save = time.perf_counter()
        self.save_seconds = self.last_save - started
        self.saved_step = self.step
        self.checkpoints_written += 1
        self.seconds_saving += self.save_seconds
        return path

    def _append_csv(self, epoch: int, scalars: dict) -> None:
        from gan_utils.runs import HISTORY_CSV

        path = self.directory / HISTORY_CSV
        names = sorted(scalars)
        new = not path.is_file()
        with open(path, "a") as f:
            if new:
                f.write(",".join(["epoch", "step", *names]) + "\n")
            f.write(",".join([str(epoch), str(self.step), *(f"{scalars[k]:.6g}" for k in names)]) + "\n")


def _metric_variables(model: keras.Model) -> list:
    """The variables of a model's running means (the losses it logs), in a fixed order."""
    return [v for metric in getattr(model, "metrics", []) for v in metric.variables]


def write_history_csv(directory: str | os.PathLike, history: dict, epoch_steps: int, steps: int | None = None) -> None:
    """Write ``history.csv`` afresh from ``history`` (one row per epoch), atomically: a resumed run's rows
    are then those of its checkpoint, never rows of epochs trained after it and lost."""
    from gan_utils import atomic
    from gan_utils.runs import HISTORY_CSV

    names = sorted(history)
    rows = [",".join(["epoch", "step", *names])]
    for i in range(max((len(v) for v in history.values()), default=0)):
        step = (i + 1) * epoch_steps if steps is None else min((i + 1) * epoch_steps, steps)
        rows.append(",".join([str(i + 1), str(step), *(f"{history[k][i]:.6g}" if i < len(history[k]) else "" for k in names)]))
    atomic.write_bytes(Path(directory) / HISTORY_CSV, ("\n".join(rows) + "\n").encode())


class StopOnSignal(keras.callbacks.Callback):
    """Stop training after the current step once a :class:`gan_utils.runs.StopSignals` has caught Ctrl-C or SIGTERM."""

    def __init__(self, signals: object) -> None:
        super().__init__()
        self.signals = signals

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.signals.received is not None:
            self.model.stop_training = True


class ProgressLog(keras.callbacks.Callback):
    """One line per epoch, or per ``interval`` seconds in a long epoch, for a log file (no bar, no carriage returns).

    ``step 1,874/9,370 (20 %)  epoch 2/10  d_loss 0.612  g_loss 0.951  31.2 steps/s  ETA 4 min``;
    the ETA is for the whole run (to the end of its steps, or of its time budget if that comes first).
    """

    def __init__(self, start_step: int, steps: int | None, epoch_steps: int, budget: "TimeBudget | None" = None,
                 interval: float = 60.0, print_fn=print) -> None:
        super().__init__()
        self.step, self.total, self.epoch_steps, self.budget = start_step, steps, epoch_steps, budget
        self.interval, self.print_fn = interval, print_fn
        self.begun: float | None = None
        self.first_step = start_step

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.begun is None:
            self.begun = self.last = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.step += 1
        if time.perf_counter() - self.last >= self.interval:
            self._line(logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._line(logs)

    def _line(self, logs: dict | None) -> None:
        if self.step == getattr(self, "printed_step", None):
            return  # said already (a stop at the minute's line)
        self.printed_step = self.step
        now = time.perf_counter()
        self.last = now
        seconds = now - self.begun
        rate = (self.step - self.first_step) / seconds if seconds > 0 else 0.0
        total = f"/{self.total:,} ({100 * self.step / self.total:.0f} %)" if self.total else ""
        epochs = f"/{-(-self.total // self.epoch_steps)}" if self.total else ""
        epoch = -(-self.step // self.epoch_steps)
        scores = "  ".join(f"{k} {float(logs[k]):.3f}" for k in _loss_order(logs))
        left = []
        if self.total and rate > 0:
            left.append((self.total - self.step) / rate)
        if self.budget is not None and self.budget.start is not None:
            left.append(max(0.0, self.budget.seconds - (now - self.budget.start)))
        eta = f"  ETA {_duration(min(left))}" if left else ""
        self.print_fn(f"step {self.step:,}{total}  epoch {epoch}{epochs}  {scores}  {rate:.1f} steps/s{eta}", flush=True)


def _loss_order(logs: dict | None) -> list[str]:
    """The scalar logs in reading order: the two losses first, then the discriminator's outputs, then the rest."""
    order = {name: i for i, name in enumerate(("d_loss", "g_loss", "d_real", "d_fake"))}
    return sorted((k for k, v in (logs or {}).items() if np.ndim(v) == 0), key=lambda k: (order.get(k, len(order)), k))


def _duration(seconds: float) -> str:
    """``42 s``, ``7 min``, ``2 h 05 min``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


class EpochProgress(keras.callbacks.Callback):
    """A compact progress line per epoch for notebooks: live while the epoch runs, one line after.

    Keras' progress bar redraws itself with carriage returns; a live notebook shows the last state,
    but a saved or rendered notebook (nbconvert's HTML, GitHub) keeps every redraw, hundreds of lines
    per epoch. This callback shows each epoch as one output that it updates in place (an IPython
    display with an id, at most every ``interval`` seconds), so the saved notebook holds exactly one
    line per epoch: ``Epoch 3/10  938/938  12 s  d_loss 0.612  g_loss 0.951 ...``.
    :func:`fit_gan` uses it in notebooks; in a terminal Keras' own bar stays.
    """

    def __init__(self, epochs: int, steps: int | None = None, interval: float = 0.5) -> None:
        super().__init__()
        self.epochs, self.steps, self.interval = epochs, steps, interval
        self.handle = None
        self.lines: list[str] = []

    def _line(self, epoch: int, step: int, logs: dict | None, done: bool) -> str:
        steps = f"{step}/{self.steps}" if self.steps else str(step)
        width = len(str(self.steps)) * 2 + 1 if self.steps else 0
        seconds = time.perf_counter() - self.start
        scores = "  ".join(f"{k} {float(logs[k]):.3f}" for k in _loss_order(logs))
        bar = ""
        if self.steps and not done:
            filled = int(20 * step / self.steps)
            bar = "[" + "=" * filled + ">" + " " * (20 - filled) + "]  "
        return f"Epoch {epoch + 1}/{self.epochs}  {steps:>{width}}  {bar}{seconds:.0f} s  {scores}".rstrip()

    def _show(self, text: str) -> None:
        from IPython.display import display

        if self.handle is None:
            self.handle = display({"text/plain": text}, raw=True, display_id=True)
        else:
            self.handle.update({"text/plain": text}, raw=True)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch, self.start, self.last, self.handle = epoch, time.perf_counter(), 0.0, None
        self._show(self._line(epoch, 0, None, done=False))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        now = time.perf_counter()
        if now - self.last >= self.interval:
            self.last = now
            self._show(self._line(self.epoch, batch + 1, logs, done=False))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        line = self._line(epoch, self.steps or 0, logs, done=True)
        self.lines.append(line)
        self._show(line)


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop training with :class:`NonFiniteLossError` as soon as a loss is NaN or infinite.

    The message names the epoch and step. Because it is raised before the epoch ends, the
    :class:`Checkpoint` of the last good epoch stays untouched.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for key in ("d_loss", "g_loss"):
            value = float((logs or {}).get(key, 0.0))
            if not math.isfinite(value):
                raise NonFiniteLossError(
                    f"{key} became {value} at epoch {self.epoch + 1}, step {batch + 1}; training "
                    "stopped. The last good checkpoint (if any) is kept: lower the learning rates, "
                    "check the data is scaled to [-1, 1], then resume."
                )


class TimeBudget(keras.callbacks.Callback):
    """Stop training cleanly (after the current step) once ``seconds`` of training have passed.

    The clock starts at the first ``fit`` it sees and runs on through later ones (``fit_gan`` may
    call ``fit`` more than once to resume mid-epoch); :meth:`reset` starts it again.
    """

    def __init__(self, seconds: float):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"time budget must be a positive number of seconds, got {seconds!r}.")
        self.seconds = float(seconds)
        self.reset()

    def reset(self) -> None:
        """Forget the clock: the next ``fit`` starts the budget again."""
        self.start: float | None = None
        self.stopped_early = False
        self.stopped_mid_epoch = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.start is None:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.stopped_early and time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True
            self.stopped_early = True
            steps = (self.params or {}).get("steps")
            self.stopped_mid_epoch = steps is not None and batch + 1 < steps
