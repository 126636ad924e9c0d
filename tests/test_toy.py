"""gan_utils.toy: the mixtures and measures behind notebook 01's experiments."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gan_utils
from gan_utils import models, toy


def test_mixture_density_integrates_to_one():
    m = toy.mixture_1d((-2.0, 1.5), 0.5)
    x = np.linspace(-8, 8, 4001)[:, None]
    trapezoid = getattr(np, "trapezoid", None) or np.trapz  # NumPy 2 renamed it; 1.24 (the oldest stage) has trapz
    assert trapezoid(m.pdf(x), x[:, 0]) == pytest.approx(1.0, abs=1e-4)


def test_samples_follow_the_mixture_weights():
    m = toy.mixture_1d((-2.0, 2.0), 0.3, weights=(0.25, 0.75))
    x = m.sample(20000, seed=0)
    assert (x[:, 0] > 0).mean() == pytest.approx(0.75, abs=0.02)


def test_optimal_discriminator_is_one_half_where_densities_agree():
    p = np.array([0.2, 0.5, 0.0])
    q = np.array([0.2, 0.0, 0.5])
    assert toy.optimal_discriminator(p, q).tolist() == pytest.approx([0.5, 1.0, 0.0])


def test_jensen_shannon_is_zero_for_equal_and_log_two_for_disjoint():
    x = np.linspace(-10, 10, 20001)
    dx = x[1] - x[0]
    a = toy.mixture_1d((-5.0,), 0.3).pdf(x[:, None])
    b = toy.mixture_1d((5.0,), 0.3).pdf(x[:, None])
    assert toy.jensen_shannon(a, a, dx) == pytest.approx(0.0, abs=1e-6)
    assert toy.jensen_shannon(a, b, dx) == pytest.approx(math.log(2), abs=1e-3)


def test_mode_coverage_counts_the_modes_a_sample_reaches():
    ring = toy.ring_2d(8)
    assert toy.mode_coverage(ring.sample(4000), ring).modes == 8
    assert toy.mode_coverage(np.repeat(ring.means[:2], 50, axis=0), ring).modes == 2


def test_fit_gan_trains_a_toy_gan_on_points(seeded):
    data = toy.mixture_1d().sample(1024).astype("float32")
    gan = gan_utils.GAN(models.build_mlp_generator(4, (1,), (16,), None), models.build_mlp_discriminator((1,), (16,)))
    gan.compile()
    history = gan_utils.fit_gan(gan, data, epochs=2, batch_size=128, verbose=0)
    assert len(history.history["d_loss"]) == 2 and history.sample_grid.frames == []


def test_the_saturating_loss_can_be_trained_for_comparison(seeded):
    data = toy.mixture_1d().sample(512).astype("float32")
    gan = gan_utils.GAN(models.build_mlp_generator(4, (1,), (16,), None), models.build_mlp_discriminator((1,), (16,)))
    gan.compile(generator_loss="saturating")
    history = gan.fit(gan_utils.make_dataset(data, batch_size=128), epochs=1, verbose=0)
    assert history.history["g_loss"][0] < 0  # E[log(1 - D(G(z)))] is negative


def test_unknown_generator_loss_in_compile_is_refused():
    gan = gan_utils.GAN(models.build_mlp_generator(4, (1,), (8,), None), models.build_mlp_discriminator((1,), (8,)))
    with pytest.raises(ValueError, match="generator_loss must be"):
        gan.compile(generator_loss="wasserstein")
