"""Variants of the ``wgan-gp`` recipe, each scored along its training (how the recipe was chosen).

    python benchmarks/wgan_gp_variants.py --seconds 300 wgan-gp wgan-gp:lazy=4 wgan-gp:penalty_weight=1
    python benchmarks/wgan_gp_variants.py --steps 1500 wgan-gp wgan-gp:d_lr=5e-4:g_lr=5e-4

Each entry is ``wgan-gp`` (or another recipe) with ``field=value`` overrides after colons, as in
``compare_objectives.py``: any :class:`gan_utils.Recipe` field, plus three that are not recipe
fields: ``penalty_weight=W`` (lambda of the gradient penalty, 10 by default), ``lazy=K`` (the
penalty on every K-th critic step only, weighted K times, as StyleGAN2 does with R1) and
``hidden=0`` (the critic without its fully connected hidden layer). With ``--seconds`` every entry
trains for that much wall time and its moving-average generator is scored every 60 s; with
``--steps`` it trains that many generator steps, scored half-way and at the end (a comparison per
step, which another program on the machine does not disturb). Scores: ``gan_utils.metrics.evaluate``
on 5,000 samples (z from seed 1) against the MNIST test digits. One run per entry, seed 0; prints
one JSON line per entry.

Not in CI: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from compare_objectives import parse_entry  # noqa: E402

import gan_utils  # noqa: E402
from gan_utils import losses, metrics, models, pretrained, recipes  # noqa: E402
from gan_utils.gan import GAN  # noqa: E402

#: Overrides of an entry that are not Recipe fields.
EXTRA = ("penalty_weight", "lazy", "hidden")


class Snapshots(keras.callbacks.Callback):
    """Keep the sampler's weights every ``every`` seconds, or at the given generator steps (then stop after the last)."""

    def __init__(self, every: float, steps: tuple[int, ...] = ()):
        super().__init__()
        self.every, self.steps, self.kept = every, set(steps), []

    def on_train_begin(self, logs=None):
        self.start, self.next = time.perf_counter(), self.every

    def on_train_batch_end(self, batch, logs=None):
        seconds, step = time.perf_counter() - self.start, int(self.model.g_optimizer.iterations.numpy())
        if (step in self.steps) if self.steps else seconds >= self.next:
            self.next += self.every
            self.kept.append((round(seconds), step, [np.array(w) for w in self.model.sampler.get_weights()]))
        if self.steps and step >= max(self.steps):
            self.model.stop_training = True


@dataclasses.dataclass(frozen=True)
class LazyPenalty(losses.Objective):
    """An objective whose penalty counts on every ``every``-th critic update only, ``every`` times as heavy."""

    every: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "calls", tf.Variable(0, trainable=False, dtype="int64"))

    def penalty_value(self, discriminator, real, fake, labels=None, seed=None):
        due = tf.equal(self.calls % self.every, 0)
        self.calls.assign_add(1)
        full = losses.Objective.penalty_value
        return tf.cond(due, lambda: self.every * full(self, discriminator, real, fake, labels, seed), lambda: tf.constant(0.0))


def build(entry: str, seed: int) -> tuple[GAN, gan_utils.Recipe]:
    """The compiled GAN of one entry, and its recipe."""
    name, overrides = parse_entry(entry)
    extra = {k: overrides.pop(k) for k in EXTRA if k in overrides}
    recipe = gan_utils.get_recipe(name, smoke=False, epochs=10_000, **overrides)
    gan_utils.set_seed(seed)
    generator, critic = recipes.build_networks(recipe, (28, 28, 1))
    if extra.get("hidden") == 0:
        x = keras.Input((28, 28, 1))
        critic = keras.Model(x, keras.layers.Dense(1)(models._dcgan_discriminator_body(x, recipe.width, 0, "layer")))
    gan = GAN(generator, critic, ema_decay=recipe.ema_decay, seed=seed)
    objective = losses.get_objective(recipe.objective, **({"penalty_weight": float(extra["penalty_weight"])} if "penalty_weight" in extra else {}))
    if int(extra.get("lazy", 1)) > 1:
        objective = LazyPenalty(**{f.name: getattr(objective, f.name) for f in dataclasses.fields(objective)}, every=int(extra["lazy"]))
    gan.compile(
        d_optimizer=keras.optimizers.Adam(recipe.d_lr, beta_1=recipe.beta_1, beta_2=recipe.beta_2),
        g_optimizer=keras.optimizers.Adam(recipe.g_lr, beta_1=recipe.beta_1, beta_2=recipe.beta_2),
        objective=objective, d_steps=recipe.d_steps,
    )
    return gan, recipe


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("entries", nargs="+", help="recipes, each with optional :field=value overrides")
    budget = p.add_mutually_exclusive_group(required=True)
    budget.add_argument("--seconds", type=float, help="train each entry this long, scored every 60 s")
    budget.add_argument("--steps", type=int, help="train each entry this many generator steps, scored half-way and at the end")
    p.add_argument("--samples", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    images, _ = gan_utils.load_mnist(seed=args.seed)
    for entry in args.entries:
        gan, recipe = build(entry, args.seed)
        snapshots = Snapshots(60.0, (args.steps // 2, args.steps) if args.steps else ())
        start = time.perf_counter()
        gan_utils.fit_gan(gan, images, epochs=10_000, batch_size=recipe.batch_size, seed=args.seed,
                          time_budget=args.seconds, verbose=0, sample_every=10_000, callbacks=[snapshots])
        if args.seconds:
            end = (round(time.perf_counter() - start), int(gan.g_optimizer.iterations.numpy()), gan.sampler.get_weights())
            snapshots.kept.append(end)
        curve = []
        for seconds, step, weights in snapshots.kept:
            gan.sampler.set_weights(weights)
            z = pretrained.latent_batch(gan.sampler, args.samples, seed=1)
            s = metrics.evaluate(np.asarray(gan.sampler.predict(z, batch_size=500, verbose=0)))
            curve.append({"seconds": seconds, "steps": step, "fid": round(float(s["fid"]), 2), "recall": round(float(s["recall"]), 3)})
        print(json.dumps({"entry": entry, "curve": curve}), flush=True)
        keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
