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
    """Save the whole training state atomically at the end of every complete epoch whose losses are finite.

    An epoch cut short (by :class:`TimeBudget`, or any callback that sets ``model.stop_training``)
    is not saved: the checkpoint would claim an epoch that was only partly trained, and a resumed
    run would skip the rest of it. Resuming repeats that epoch from its start instead.
    """

    def __init__(self, directory: str | os.PathLike, history: dict | None = None, run: dict | None = None):
        super().__init__()
        self.directory = Path(directory)
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.run = dict(run or {})
        self.steps_done = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.steps_done = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps_done = batch + 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        steps = (self.params or {}).get("steps")
        if steps is not None and self.steps_done < steps:
            return  # the epoch was cut short: keep the checkpoint of the last complete one
        if not all(math.isfinite(float(v)) for v in logs.values()):
            return  # never overwrite a good checkpoint with a diverged state
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))
        save_checkpoint(self.model, self.directory, epoch + 1, self.history, self.run)


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
        order = {name: i for i, name in enumerate(("d_loss", "g_loss", "d_real", "d_fake"))}
        names = sorted((k for k, v in (logs or {}).items() if np.ndim(v) == 0), key=lambda k: (order.get(k, len(order)), k))
        scores = "  ".join(f"{k} {float(logs[k]):.3f}" for k in names)
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
    """Stop training cleanly (after the current step) once ``seconds`` of training have passed."""

    def __init__(self, seconds: float):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"time budget must be a positive number of seconds, got {seconds!r}.")
        self.seconds = float(seconds)
        self.stopped_early = False
        self.stopped_mid_epoch = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.stopped_early and time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True
            self.stopped_early = True
            steps = (self.params or {}).get("steps")
            self.stopped_mid_epoch = steps is not None and batch + 1 < steps
