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


# --------------------------------------------------------------------- critics and toy GANs (notebook 06)
RING = toy.ring_2d(8, 2.0, 0.1)


def shifted_ring(shift: float) -> tuple[np.ndarray, np.ndarray]:
    """The ring and a second sample of it moved right by ``shift``: W1 between them is ``shift``."""
    return RING.sample(4000, seed=0), RING.sample(4000, seed=1) + np.array([shift, 0.0], "float32")


def test_a_critic_with_the_gradient_penalty_estimates_a_known_distance():
    fit = toy.fit_critic(*shifted_ring(1.0), lipschitz="gradient-penalty", steps=300, seed=0)
    assert 0.8 < fit.estimates[-1] < 1.3
    assert 0.8 < np.median(fit.gradient_norms) < 1.2
    assert fit.steps[0] == 0 and fit.steps[-1] == 300 and len(fit.steps) == len(fit.estimates)


def test_an_unconstrained_critic_inflates_its_estimate_far_past_the_distance():
    fit = toy.fit_critic(*shifted_ring(1.0), lipschitz=None, steps=300, seed=0)
    assert fit.estimates[-1] > 5.0
    assert fit.estimates[-1] > fit.estimates[-2], "and it is still growing"


def test_a_weight_clipped_critic_is_nearly_flat():
    fit = toy.fit_critic(*shifted_ring(1.0), lipschitz="weight-clipping", weight_clip=0.01, steps=300, seed=0)
    assert 0 < fit.estimates[-1] < 0.05
    assert np.median(fit.gradient_norms) < 0.05


def test_a_spectrally_normalized_critic_stays_below_slope_one_and_finds_the_direction():
    fit = toy.fit_critic(*shifted_ring(1.0), lipschitz="spectral-norm", steps=300, seed=0)
    assert 0.3 < fit.estimates[-1] < 1.2
    assert fit.gradient_norms.max() < 1.05


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lipschitz": "clip"}, "lipschitz must be one of"),
        ({"steps": 0}, "steps must be a positive integer"),
        ({"record_every": 1.5}, "record_every must be a positive integer"),
    ],
)
def test_fit_critic_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        toy.fit_critic(*shifted_ring(1.0), **kwargs)


def test_fit_critic_refuses_point_sets_of_different_dimensions():
    with pytest.raises(ValueError, match=r"shape \(n, dim\)"):
        toy.fit_critic(np.zeros((10, 2)), np.zeros((10, 3)))


def test_a_toy_gan_is_built_from_its_seed_with_the_objective_asked_for():
    a, b = toy.build_toy_gan(2, "hinge", hidden=(16,), seed=3), toy.build_toy_gan(2, "hinge", hidden=(16,), seed=3)
    assert a.objective.name == "hinge"
    assert all(np.array_equal(x, y) for x, y in zip(a.generator.get_weights(), b.generator.get_weights()))
    c = toy.build_toy_gan(2, "hinge", hidden=(16,), seed=4)
    assert not np.array_equal(a.generator.get_weights()[0], c.generator.get_weights()[0])


def test_a_toy_gan_can_drop_the_generators_batch_norm():
    import keras

    gan = toy.build_toy_gan(1, hidden=(8, 8), generator_batch_norm=False)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in gan.generator.layers)
    with pytest.raises(ValueError, match="dim must be a positive integer"):
        toy.build_toy_gan(0)


def test_snapshots_of_a_critic_record_raw_scores_and_its_distance_estimate():
    gan = toy.build_toy_gan(2, "wasserstein-gp", hidden=(16, 16), seed=0)
    x = RING.sample(1280, seed=0)
    z = np.random.default_rng(0).standard_normal((500, 8)).astype("float32")
    grid = np.array([[0.0, 0.0], [5.0, 5.0]], "float32")
    snaps = toy.ToySnapshots(z, grid=grid, real=x[:500])
    gan.fit(gan_utils.make_dataset(x, batch_size=128, seed=0), epochs=2, callbacks=[snaps], verbose=0)
    last = snaps.snapshots[-1]
    critic = gan.discriminator
    assert last["d"] == pytest.approx(np.asarray(critic(grid)).ravel(), abs=1e-5), "raw scores, no sigmoid"
    expected = float(np.mean(critic(x[:500])) - np.mean(critic(last["samples"])))
    assert last["w_estimate"] == pytest.approx(expected, abs=1e-4)
