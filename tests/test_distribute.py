"""Scale out: the GAN trains under a tf.distribute strategy (here MirroredStrategy over two logical
CPU devices, which is what two GPUs look like to the code) and gives the same result as one device.

TensorFlow fixes its devices when it first starts, so the two logical CPUs are made in a fresh
``python`` process; it trains, prints its findings as JSON, and the tests below read them.

Tolerance. With the same global batch, two replicas see the same images (each gets one half of
every batch) and the same latent vectors (each draws the global batch's noise and keeps its half),
so they compute the same gradients as one device up to float32 rounding: the losses are averaged
in another order (per replica, then summed across replicas). Losses must therefore agree to a
relative 1e-4 (observed: about 1e-7). Weights must agree to ``2 * lr * steps``: Adam's first steps
move each weight by about ``lr`` whatever the size of its gradient, so a near-zero gradient whose
sign flips under rounding may move a weight by up to ``2 * lr`` per step (observed: about 1e-8).
The model compared has no batch normalization: BatchNormalization normalizes each replica's half
batch with that half's statistics (unless ``synchronized=True``), which legitimately differs from
one device normalizing the whole batch. The DCGAN (batch norm, moving average) is trained under the
strategy too, and is only required to train to finite losses and checkpoint correctly.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
LR, STEPS, GLOBAL_BATCH = 2e-4, 4, 64

SCRIPT = r"""
import json, sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
import numpy as np
import gan_utils
from gan_utils import GAN, fit_gan, models
from gan_utils.training import read_checkpoint, restore_checkpoint

LR, STEPS, GLOBAL_BATCH, OUT = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x, _ = gan_utils.load_mnist(subset=GLOBAL_BATCH * STEPS, seed=0)


class Losses(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append([float(logs["d_loss"]), float(logs["g_loss"])])


def no_batch_norm_gan():
    generator = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(28 * 28, activation="tanh"), keras.layers.Reshape((28, 28, 1))])
    discriminator = models.build_mlp_discriminator(hidden_units=(64,), dropout=0.0)
    gan = GAN(generator, discriminator, seed=0, sample_count=8)
    gan.compile(keras.optimizers.Adam(LR, beta_1=0.5), keras.optimizers.Adam(LR, beta_1=0.5))
    return gan


def train(strategy):
    gan_utils.set_seed(0)
    with strategy.scope():  # build and compile inside the scope: variables become mirrored
        gan = no_batch_norm_gan()
    losses = Losses()
    fit_gan(gan, x, epochs=1, batch_size=GLOBAL_BATCH, verbose=0, callbacks=[losses])
    return gan, losses.seen


mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
one_gan, one = train(tf.distribute.get_strategy())  # the default: one device, no distribution
two_gan, two = train(mirrored)
weight_gap = max(float(np.max(np.abs(a - b))) for a, b in
                 zip(one_gan.generator.get_weights() + one_gan.discriminator.get_weights(),
                     two_gan.generator.get_weights() + two_gan.discriminator.get_weights()))

# The DCGAN of the series (batch norm, moving average), checkpointed under the strategy.
gan_utils.set_seed(0)
with mirrored.scope():
    dcgan = GAN(models.build_dcgan_generator(16, width=8), models.build_dcgan_discriminator(width=8),
                ema_decay=0.9, seed=0, sample_count=8)
    dcgan.compile()
history = fit_gan(dcgan, x, epochs=2, batch_size=GLOBAL_BATCH, output_dir=OUT, verbose=0)
single = GAN(models.build_dcgan_generator(16, width=8), models.build_dcgan_discriminator(width=8),
             ema_decay=0.9, seed=1, sample_count=8)
single.compile()
meta = restore_checkpoint(single, OUT)

print("RESULT " + json.dumps({
    "replicas": mirrored.num_replicas_in_sync,
    "variable_type": type(two_gan.generator.weights[0].value).__name__,
    "one_device": one, "two_replicas": two, "weight_gap": weight_gap,
    "dcgan_history": history.history, "checkpoint_epoch": meta["epoch"],
    "restored_samples_equal": bool(np.array_equal(single.sample(), dcgan.sample())),
}))
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("mirrored")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(LR), str(STEPS), str(GLOBAL_BATCH), str(out)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_mirrored_strategy_runs_on_two_replicas_with_mirrored_variables(result):
    assert result["replicas"] == 2
    assert result["variable_type"] == "MirroredVariable"


def test_losses_under_the_strategy_are_finite(result):
    assert len(result["two_replicas"]) == STEPS
    assert all(math.isfinite(v) for step in result["two_replicas"] for v in step)


def test_losses_match_one_device_with_the_same_global_batch(result):
    np.testing.assert_allclose(result["two_replicas"], result["one_device"], rtol=1e-4)


def test_weights_match_one_device_within_adams_rounding_bound(result):
    assert result["weight_gap"] <= 2 * LR * STEPS


def test_dcgan_with_batch_norm_and_moving_average_trains_under_the_strategy(result):
    history = result["dcgan_history"]
    assert len(history["d_loss"]) == 2
    assert all(math.isfinite(v) for values in history.values() for v in values)


def test_checkpoint_written_under_the_strategy_restores_on_one_device(result):
    assert result["checkpoint_epoch"] == 2
    assert result["restored_samples_equal"]
