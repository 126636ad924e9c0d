"""The keras-io DCGAN of benchmarks/keras_io_dcgan.py is the example's, and the 64x64 benchmark's arithmetic is right."""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # benchmarks/ is not a package
import cgan_images
import keras_io_dcgan as kio
import time_to_quality_images as tti


@pytest.fixture(scope="module")
def generator() -> keras.Model:
    return kio.build_keras_io_generator()


def test_the_keras_io_networks_have_the_examples_parameter_counts(generator):
    # the counts printed by the example's generator.summary() and discriminator.summary()
    assert generator.count_params() == 3_979_651
    assert kio.build_keras_io_discriminator().count_params() == 404_801
    assert kio.build_keras_io_discriminator(dropout=True).count_params() == 404_801


def test_the_keras_io_generator_makes_64x64_colour_images_in_minus_one_to_one(generator):
    z = np.random.default_rng(0).normal(0, 30, (3, kio.KERAS_IO_LATENT_DIM)).astype("float32")
    x = ops.convert_to_numpy(generator(z))
    assert x.shape == (3, 64, 64, 3)
    assert x.min() >= -1.0 and x.max() <= 1.0


def test_the_keras_io_discriminator_sees_the_examples_zero_to_one_pixels_and_says_one_logit():
    d = kio.build_keras_io_discriminator()
    to_01 = d.get_layer("image_0_1")
    assert ops.convert_to_numpy(to_01(np.array([-1.0, 0.0, 1.0], "float32"))).tolist() == [0.0, 0.5, 1.0]
    assert tuple(d(np.zeros((2, 64, 64, 3), "float32")).shape) == (2, 1)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in d.layers)
    assert any(isinstance(layer, keras.layers.Dropout) for layer in kio.build_keras_io_discriminator(dropout=True).layers)


def test_the_discriminator_loss_is_kerass_cross_entropy_on_the_examples_labels():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(0, 3, (2, 16, 1)).astype("float32")
    real_noise, fake_noise = (kio.LABEL_NOISE * rng.uniform(size=(2, 16, 1))).astype("float32")
    # the example: fakes then reals in one batch, labels 1 (fake) and 0 (real) plus noise; its sigmoid says "fake"
    labels = np.concatenate([1.0 + fake_noise, 0.0 + real_noise])
    their_logits = np.concatenate([-fake, -real])
    expected = keras.losses.BinaryCrossentropy(from_logits=True)(labels, their_logits)
    got = kio.noisy_label_bce(real, fake, real_noise, fake_noise)
    assert float(got) == pytest.approx(float(expected), rel=1e-5)


def test_steady_images_per_second_leaves_the_warm_up_steps_out():
    # a slow first step (tracing), then one step a second
    assert tti.steady_images_per_second([30.0, 31.0, 32.0, 33.0, 34.0], batch_size=32, warmup_steps=1) == 32.0


def test_the_targets_fail_when_the_numbers_miss_them():
    rows = [{"model": "ours", "budget_s": 300, "fid": 60.0, "images_per_s": 30.0},
            {"model": "keras_io", "budget_s": 300, "fid": 90.0, "images_per_s": 18.0},
            {"model": "keras_io", "budget_s": 900, "fid": 50.0, "images_per_s": 20.0}]
    fid_line, speed_line = tti.targets(rows, 300, 900)
    assert "60.00 against 50.00" in fid_line and fid_line.endswith("FAIL")
    assert "(1.5x)" in speed_line and speed_line.endswith("FAIL")


def test_a_keras_io_training_step_updates_both_networks_with_finite_losses():
    gan = kio.build_keras_io_gan(seed=0)
    before = [w.copy() for w in (gan.generator.get_weights()[0], gan.discriminator.get_weights()[-2])]
    z = np.random.default_rng(0).standard_normal((2, 2, kio.KERAS_IO_LATENT_DIM)).astype("float32")
    logs = gan.train_step_with_noise(np.zeros((2, 64, 64, 3), "float32"), list(z))
    assert all(np.isfinite(v) for v in logs.values())
    after = (gan.generator.get_weights()[0], gan.discriminator.get_weights()[-2])
    assert all(not np.array_equal(b, a) for b, a in zip(before, after))


def test_the_shared_training_clock_keeps_each_checkpoint_and_stops_after_the_last():
    """time_to_quality's TrainingClock, which both time-to-quality benchmarks train with."""
    import time_to_quality as ttq

    import gan_utils

    gan = gan_utils.GAN(gan_utils.build_mlp_generator(4, (28, 28, 1), (8,)), gan_utils.build_mlp_discriminator((28, 28, 1), (8,)), sample_count=4)
    gan.compile()
    clock = ttq.train_until(gan, np.zeros((64, 28, 28, 1), "float32"), 8, [1e-6, 2e-6], seed=0, label="test")
    assert [s["budget_s"] for s in clock.snapshots] == [1e-6, 2e-6] and not clock.pending
    assert clock.snapshots[0]["steps"] < clock.snapshots[1]["steps"] == len(clock.step_ends), "stopped at the last checkpoint"
    assert int(gan.g_optimizer.iterations.numpy()) == len(clock.step_ends)
    assert all(np.array_equal(a, b) for a, b in zip(clock.snapshots[1]["weights"], gan.sampler.get_weights()))


def test_the_cgan_benchmark_asks_for_every_class_equally_and_tabulates_each_run():
    labels = cgan_images.balanced_labels(2000, 10)
    assert np.bincount(labels).tolist() == [200] * 10 and np.all(np.diff(labels) >= 0)
    assert np.bincount(cgan_images.balanced_labels(7, 3)).tolist() == [3, 2, 2]
    record = {"lr": 2e-4, "width": 16, "seed": 1, "epochs": 22, "steps": 3432, "train_s": 325.4, "fid": 80.123, "accuracy": 0.9615}
    assert cgan_images.table([record]).splitlines()[-1] == "| 0.0002 | 16 | 1 | 22 | 3,432 | 325 | 80.12 | 0.962 |"


def test_the_cgan_benchmark_reads_colour_digits_as_the_digits_they_are(mnist_small):
    from gan_utils.colour_digits import colour_digits

    x, y = mnist_small
    digits = ((x[:200] + 1) * 127.5).round().astype(np.uint8)
    colour = colour_digits(digits, 32, np.random.default_rng(0)).astype("float32") / 127.5 - 1
    assert colour.shape == (200, 32, 32, 3)
    assert (cgan_images.read_digits(colour) == y[:200]).mean() > 0.9
