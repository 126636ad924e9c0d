"""DiffAugment on few images: FID with and without it, on MNIST subsets, at equal steps, over seeds.

    python benchmarks/diffaugment.py --steps 3000                       # 500 and 5,000 images, seeds 0 1 2
    python benchmarks/diffaugment.py --steps 20 --sizes 100 --seeds 0 --samples 500   # does it run?

For each training-set size, each seed and each arm (without, then with ``--policy``), the ``dcgan``
recipe (full size, not smoke) is trained with ``gan_utils.fit_gan`` for exactly ``--steps``
generator steps on ``load_mnist(subset=size, seed=seed)`` (so the subset changes with the seed, and
both arms of a seed train on the same images, from the same initial weights, with the same data
order), then ``--samples`` images drawn from its sampler (z from seed 1) are scored by
``gan_utils.metrics.evaluate`` against the 10,000 MNIST test images. The two arms of a seed run
one after the other, so a machine shared with other work slows both alike. Equal steps, not equal
time: the augmentation itself costs some time per step, reported in the table.

Prints one Markdown row per size and arm: FID and recall (and precision) as the mean over seeds
with the range (min-max) beside it, and training steps per second (start-up and tracing included);
then the total time. The raw runs go to ``build/benchmarks/diffaugment.json``. Not in CI: the
figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import metrics, pretrained  # noqa: E402
from gan_utils.augment import DEFAULT_POLICY, augment_setting  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "build" / "benchmarks"
RECIPE = "dcgan"


class StopAfterSteps(keras.callbacks.Callback):
    """Stop training after exactly ``steps`` training steps, mid-epoch if need be."""

    def __init__(self, steps: int):
        super().__init__()
        self.steps, self.done = steps, 0

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= self.steps:
            self.model.stop_training = True


def run(size: int, seed: int, policy: str | None, steps: int, samples: int) -> dict:
    """Train the recipe on ``size`` MNIST images for ``steps`` steps, with augmentation ``policy`` (None: off), and score it."""
    images, _ = gan_utils.load_mnist(subset=size, seed=seed)
    recipe = gan_utils.get_recipe(RECIPE, smoke=False, augment=policy)
    epochs = math.ceil(steps / (size // recipe.batch_size))
    gan_utils.set_seed(seed)
    gan = gan_utils.build_gan(recipe, seed=seed)
    stop = StopAfterSteps(steps)
    start = time.perf_counter()
    gan_utils.fit_gan(gan, images, epochs=epochs, batch_size=recipe.batch_size, seed=seed, callbacks=[stop],
                      sample_every=10**9, verbose=0)
    train_seconds = time.perf_counter() - start
    z = pretrained.latent_batch(gan.sampler, samples, seed=1)
    scores = metrics.evaluate(np.asarray(gan.sampler.predict(z, batch_size=500, verbose=0)))
    return {
        "images": size, "seed": seed, "augment": policy, "steps": int(gan.g_optimizer.iterations.numpy()),
        "train_seconds": round(train_seconds, 1), "steps_per_s": round(stop.done / train_seconds, 2),
        **{k: round(float(scores[k]), 4) for k in ("fid", "precision", "recall", "class_kl")},
    }


def spread(values: list[float], digits: int) -> str:
    """``mean (min-max)`` of ``values``, or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def table(rows: list[dict], policy: str) -> str:
    lines = [
        "| training images | DiffAugment | seeds | steps | FID | recall | precision | steps/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    cells: dict[tuple, list[dict]] = {}
    for r in rows:
        cells.setdefault((r["images"], r["augment"] is not None), []).append(r)
    for (size, on), runs in sorted(cells.items()):
        lines.append(
            f"| {size:,} | {'`' + policy + '`' if on else 'off'} | {len(runs)} | {runs[0]['steps']:,} | "
            f"{spread([r['fid'] for r in runs], 2)} | {spread([r['recall'] for r in runs], 3)} | "
            f"{spread([r['precision'] for r in runs], 3)} | {np.mean([r['steps_per_s'] for r in runs]):.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, required=True, help="generator steps per run, the same for every run")
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 5000], help="training images (MNIST subsets; default 500 5000)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds: weights, noise, data order and subset (default 0 1 2)")
    p.add_argument("--samples", type=int, default=10_000, help="generated images scored per run (default 10,000)")
    p.add_argument("--policy", default=DEFAULT_POLICY, help=f"the DiffAugment policy of the augmented arm (default {DEFAULT_POLICY})")
    args = p.parse_args(argv)
    try:
        policy = augment_setting(args.policy)
    except ValueError as err:
        p.error(str(err))
    batch_size = gan_utils.get_recipe(RECIPE, smoke=False).batch_size
    if args.steps < 1 or args.samples < 2:
        p.error("--steps must be at least 1 and --samples at least 2")
    if min(args.sizes) < batch_size:
        p.error(f"every size must hold at least one batch of the {RECIPE} recipe ({batch_size} images)")

    start = time.perf_counter()
    rows = []
    for size in args.sizes:
        for seed in args.seeds:
            for arm in (None, policy):
                rows.append(run(size, seed, arm, args.steps, args.samples))
                print(json.dumps(rows[-1]), flush=True)
    total = time.perf_counter() - start
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "diffaugment.json").write_text(json.dumps({"args": vars(args), "total_seconds": round(total, 1), "runs": rows}, indent=2) + "\n")
    print(f"\n{RECIPE} recipe, {args.steps:,} steps per run, {args.samples:,} samples per run scored against the "
          f"10,000 MNIST test images; mean (min-max) over seeds {', '.join(map(str, args.seeds))}:\n")
    print(table(rows, policy))
    print(f"\nTotal time {total / 60:.1f} min on this machine (training, sampling and scoring).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
