"""What the progress callbacks cost, as a share of training time (issue 27).

    python benchmarks/fetch_image_folders.py                      # the colour folders, once
    python benchmarks/callback_overhead.py                        # 290 colour images, 3,786 colour images, MNIST
    python benchmarks/callback_overhead.py --seconds 60 --data build/image_folders/animals_food

Each data set trains the ``dcgan`` recipe for ``--seconds`` of training (``fit`` with the
recipe's batch size, as ``fit_gan`` feeds it) with the callbacks ``fit_gan`` uses for a run
folder: :class:`gan_utils.SampleGrid` (grids to ``samples/``), :class:`gan_utils.GifWriter`
(``progress.gif``) and :class:`gan_utils.Checkpoint` (``checkpoint.npz`` at every epoch end).
Every hook of every callback is timed where it runs, so the table splits the time between them
without a second, noisy run: the overhead of each is its time as a % of the training time (the
time of ``fit`` less the callbacks'). Issue 27's target is under 5 % for the grids and the GIF
(``SampleGrid`` + ``GifWriter``); the checkpoint's column says what checkpoints at every epoch
add today (their cadence belongs to the run-record issue).

``--data`` takes folders (read with ``gan_utils.load_images`` at ``--image-size``, colour) or the
word ``mnist`` (``GAN_UTILS_MNIST`` or Keras' download). Not in CI: the figures depend on the
machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils.callbacks import Checkpoint, GifWriter, SampleGrid, TimeBudget  # noqa: E402
from gan_utils.data import make_dataset  # noqa: E402

FOLDERS = Path("build/image_folders")
HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end")


class Timed(keras.callbacks.Callback):
    """Run another callback and add up the seconds spent in its hooks."""

    def __init__(self, inner: keras.callbacks.Callback) -> None:
        super().__init__()
        self.inner, self.seconds = inner, 0.0
        for hook in HOOKS:
            setattr(self, hook, self._timed(getattr(inner, hook)))

    def _timed(self, method):
        def run(*args, **kwargs):
            start = time.perf_counter()
            method(*args, **kwargs)
            self.seconds += time.perf_counter() - start
        return run

    def set_model(self, model) -> None:
        super().set_model(model)
        self.inner.set_model(model)

    def set_params(self, params) -> None:
        super().set_params(params)
        self.inner.set_params(params)


def load(data: str, image_size: int) -> tuple[str, np.ndarray]:
    if data == "mnist":
        return "MNIST (60,000, 28x28 grey)", gan_utils.load_mnist()[0]
    x = gan_utils.load_images(data, image_size, 3)
    return f"{Path(data).name} ({len(x):,}, {image_size}x{image_size} colour)", x


def measure(name: str, x: np.ndarray, seconds: float, seed: int = 0) -> dict:
    recipe = gan_utils.get_recipe("dcgan", image_size=x.shape[1])
    gan = gan_utils.build_gan(recipe, seed=seed, image_shape=x.shape[1:])
    out = Path(tempfile.mkdtemp(prefix="callback_overhead_"))
    steps = len(x) // recipe.batch_size
    grid = SampleGrid(directory=out / "samples")
    timed = {"SampleGrid": Timed(grid), "GifWriter": Timed(GifWriter(grid, out / "progress.gif")), "Checkpoint": Timed(Checkpoint(out))}
    epochs = 100_000  # the budget stops it
    dataset = make_dataset(x, batch_size=recipe.batch_size, seed=seed, epochs=epochs)
    counter = keras.callbacks.LambdaCallback()
    counter.steps = 0
    counter.on_train_batch_end = lambda batch, logs=None: setattr(counter, "steps", counter.steps + 1)
    start = time.perf_counter()
    gan.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=0,
            callbacks=[counter, timed["SampleGrid"], TimeBudget(seconds), timed["GifWriter"], timed["Checkpoint"]])
    total = time.perf_counter() - start
    training = total - sum(t.seconds for t in timed.values())
    row = {"data": name, "steps per epoch": steps, "steps": counter.steps, "grids": len(grid.frames), "training s": training}
    row.update({f"{k} %": 100 * t.seconds / training for k, t in timed.items()})
    row["grids + GIF %"] = row["SampleGrid %"] + row["GifWriter %"]
    return row


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", nargs="+", default=[str(FOLDERS / "animals_food"), str(FOLDERS / "google_all"), "mnist"])
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--seconds", type=float, default=120.0, help="training seconds per data set (default 120)")
    args = p.parse_args(argv)
    rows = [measure(*load(d, args.image_size), args.seconds) for d in args.data]
    cols = list(rows[0])
    print(f"{os.cpu_count()} CPU cores, load average at the end {os.getloadavg()[0]:.1f}; SampleGrid.DEFAULT_MIN_STEPS = {SampleGrid.DEFAULT_MIN_STEPS}")
    print("| " + " | ".join(cols) + " |\n|" + "---|" + "---:|" * (len(cols) - 1))
    for r in rows:
        print("| " + " | ".join(f"{v:.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v) for v in r.values()) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
