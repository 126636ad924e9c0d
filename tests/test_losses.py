"""gan_utils.losses: each loss family's numbers on fixed inputs, the penalties on critics with a known
gradient, the objective's wiring into GAN (logs, d_steps, refusals) and a short run of each family."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_utils
from gan_utils import losses, toy
from gan_utils.models import build_dcgan_discriminator, build_mlp_discriminator, build_mlp_generator

REAL = np.array([2.0, -1.0], "float32")
FAKE = np.array([0.0, 1.0], "float32")


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def value(x) -> float:
    return float(np.asarray(x))


# ------------------------------------------------------------------------ each family at known outputs
def test_non_saturating_losses_at_known_logits():
    objective = gan_utils.get_objective("non-saturating")
    expected_d = (softplus(-2) + softplus(1)) / 2 + (softplus(0) + softplus(1)) / 2
    assert value(objective.discriminator_loss(REAL, FAKE)) == pytest.approx(expected_d, rel=1e-6)
    assert value(objective.generator_loss(FAKE)) == pytest.approx((softplus(0) + softplus(-1)) / 2, rel=1e-6)


def test_minimax_generator_loss_is_log_one_minus_d():
    objective = gan_utils.get_objective("minimax")
    d = 1 / (1 + math.exp(-1.0))
    assert value(objective.generator_loss(np.array([1.0], "float32"))) == pytest.approx(math.log(1 - d), rel=1e-6)
    assert value(objective.discriminator_loss(REAL, FAKE)) == value(gan_utils.get_objective("non-saturating").discriminator_loss(REAL, FAKE))


def test_wasserstein_losses_are_score_differences_and_may_be_negative():
    objective = gan_utils.get_objective("wasserstein-gp")
    assert value(objective.discriminator_loss(REAL, FAKE)) == pytest.approx(0.5 - 0.5)
    assert value(objective.discriminator_loss(np.array([3.0, 5.0], "float32"), FAKE)) == pytest.approx(0.5 - 4.0)
    assert value(objective.generator_loss(FAKE)) == pytest.approx(-0.5)
    logs = objective.logs(np.array([3.0, 5.0], "float32"), FAKE)
    assert value(logs["w_estimate"]) == pytest.approx(3.5) and "d_real" not in logs


def test_hinge_losses_stop_at_a_margin_of_one():
    objective = gan_utils.get_objective("hinge")
    real, fake = np.array([0.5, 2.0], "float32"), np.array([-2.0, 0.5], "float32")
    assert value(objective.discriminator_loss(real, fake)) == pytest.approx((0.5 + 0.0) / 2 + (0.0 + 1.5) / 2)
    assert value(objective.generator_loss(fake)) == pytest.approx(0.75)


def test_relativistic_losses_pair_each_real_score_with_its_own_fake_one():
    objective = gan_utils.get_objective("relativistic")
    real, fake = np.array([2.0, -1.0], "float32"), np.array([0.0, 0.5], "float32")  # differences 2 and -1.5
    assert value(objective.discriminator_loss(real, fake)) == pytest.approx((softplus(-2.0) + softplus(1.5)) / 2, rel=1e-6)
    assert value(objective.generator_loss(fake, real)) == pytest.approx((softplus(2.0) + softplus(-1.5)) / 2, rel=1e-6)
    # Paired, not compared as means: the same scores in another pairing give another loss.
    assert value(objective.discriminator_loss(real, fake[::-1])) != pytest.approx(value(objective.discriminator_loss(real, fake)))
    with pytest.raises(ValueError, match="pairs D\\(fake\\) with D\\(real\\): pass real_outputs"):
        objective.generator_loss(fake)
    assert objective.penalty == "r1+r2" and objective.gamma == pytest.approx(2 * objective.penalty_weight)


def test_label_smoothing_applies_to_the_cross_entropy_families_only():
    smoothed = gan_utils.get_objective("non-saturating", label_smoothing=0.1)
    expected = 0.9 * softplus(-2) + 0.1 * softplus(2)
    assert value(smoothed.discriminator_loss(np.array([2.0], "float32"), np.array([-50.0], "float32"))) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="label smoothing applies to the cross-entropy families"):
        gan_utils.get_objective("hinge", label_smoothing=0.1)


def test_unknown_objective_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown objective 'wgan': choose one of non-saturating, minimax, wasserstein, wasserstein-gp, hinge, relativistic"):
        gan_utils.get_objective("wgan")


# ------------------------------------------------------------------------------------ the penalties
def linear_critic(weights: list[float]) -> keras.Model:
    """D(x) = <w, x> on 2x2x1 images: its gradient is w everywhere."""
    x = keras.Input((2, 2, 1))
    dense = keras.layers.Dense(1, use_bias=False)
    model = keras.Model(x, dense(keras.layers.Flatten()(x)))
    dense.kernel.assign(np.array(weights, "float32").reshape(4, 1))
    return model


@pytest.mark.parametrize("weights, norm", [([1, 2, 2, 0], 3.0), ([0.6, 0.8, 0, 0], 1.0), ([0.5, 0, 0, 0], 0.5)])
def test_gradient_penalty_of_a_linear_critic_is_its_norm_minus_one_squared(weights, norm):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(16, 2, 2, 1)).astype("float32"), rng.normal(size=(16, 2, 2, 1)).astype("float32")
    assert value(losses.gradient_penalty(linear_critic(weights), real, fake, seed=0)) == pytest.approx((norm - 1) ** 2, abs=1e-5)


def test_gradient_penalty_interpolates_with_one_uniform_alpha_per_sample():
    seen = []

    def recording_critic(x):
        seen.append(np.asarray(x))
        return keras.ops.sum(x, axis=(1, 2, 3))

    losses.gradient_penalty(recording_critic, np.ones((4000, 2, 2, 1), "float32"), np.zeros((4000, 2, 2, 1), "float32"), seed=1)
    alphas = seen[0].reshape(4000, 4)
    assert np.all(alphas == alphas[:, :1]), "one alpha per sample, shared by its pixels"
    assert alphas.min() >= 0 and alphas.max() <= 1
    assert alphas[:, 0].mean() == pytest.approx(0.5, abs=0.02) and alphas[:, 0].std() == pytest.approx(1 / math.sqrt(12), abs=0.01)


def test_gradient_penalty_has_finite_gradients_where_the_critic_is_flat():
    critic = linear_critic([0, 0, 0, 0])  # gradient 0: the norm's square root sits at 0
    real = np.ones((8, 2, 2, 1), "float32")
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, real, real * 0, seed=0)
    grads = tape.gradient(penalty, critic.trainable_weights)
    assert value(penalty) == pytest.approx(1.0, abs=1e-5)
    assert all(np.isfinite(np.asarray(g)).all() for g in grads)


def test_r1_penalty_of_a_linear_critic_is_its_squared_norm():
    assert value(losses.r1_penalty(linear_critic([1, 2, 2, 0]), np.zeros((5, 2, 2, 1), "float32"))) == pytest.approx(9.0)


def test_r1_and_r2_take_the_squared_gradient_at_real_and_at_generated_points():
    def critic(x):  # D(x) = sum x^2: gradient 2x, squared norm 4 |x|^2, different at every point
        return keras.ops.sum(keras.ops.square(x), axis=(1, 2, 3))

    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(6, 2, 2, 1)).astype("float32"), 3 * rng.normal(size=(6, 2, 2, 1)).astype("float32")
    r1, r2 = 4 * np.mean(np.sum(real**2, axis=(1, 2, 3))), 4 * np.mean(np.sum(fake**2, axis=(1, 2, 3)))
    assert value(losses.r1_penalty(critic, real)) == pytest.approx(r1, rel=1e-5)
    assert value(losses.r2_penalty(critic, fake)) == pytest.approx(r2, rel=1e-5)
    for penalty, expected in (("r1", r1), ("r2", r2), ("r1+r2", r1 + r2)):
        objective = gan_utils.get_objective("non-saturating", penalty=penalty, gamma=4.0)
        assert objective.penalty_weight == 2.0 and objective.gamma == 4.0  # gamma / 2 E||grad||^2
        assert value(objective.penalty_value(critic, real, fake)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("penalty", [losses.r1_penalty, losses.r2_penalty])
def test_the_gradient_of_r1_and_r2_shrinks_the_critics_slope(penalty):
    critic = linear_critic([1, 2, 2, 0])  # penalty |w|^2, so its gradient with respect to w is 2w
    with tf.GradientTape() as tape:
        value_ = penalty(critic, np.random.default_rng(1).normal(size=(4, 2, 2, 1)).astype("float32"))
    (grad,) = tape.gradient(value_, critic.trainable_weights)
    np.testing.assert_allclose(np.ravel(grad), [2, 4, 4, 0], rtol=1e-5)


def test_gamma_is_refused_where_it_weighs_nothing_or_is_not_positive():
    with pytest.raises(ValueError, match="gamma weighs the R1 / R2 penalties.*penalty='r1'"):
        gan_utils.get_objective("hinge", gamma=1.0)
    with pytest.raises(ValueError, match="gamma must be a positive number"):
        gan_utils.get_objective("relativistic", gamma=0)
    assert not gan_utils.get_objective("hinge", penalty="r1", gamma=1.0).batch_norm_allowed


# ----------------------------------------------------------------------------- wired into the GAN
def ring_gan(**compile_args) -> gan_utils.GAN:
    gan_utils.set_seed(0)
    generator = build_mlp_generator(2, (2,), (32, 32), output_activation=None)
    constrained = gan_utils.get_objective(compile_args.get("objective", "non-saturating")).needs_constrained_weights
    discriminator = build_mlp_discriminator((2,), (32, 32), dropout=0.0, spectral_norm=constrained)
    gan = gan_utils.GAN(generator, discriminator, seed=0)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5), **compile_args)
    return gan


@pytest.mark.parametrize("name", list(gan_utils.OBJECTIVES))
def test_each_objective_trains_on_toy_data_with_finite_losses_and_its_own_logs(name):
    gan = ring_gan(objective=name)
    x = toy.ring_2d().sample(2048, seed=0)
    history = gan.fit(gan_utils.make_dataset(x, batch_size=64, seed=0), epochs=2, verbose=0).history
    objective = gan_utils.get_objective(name)
    assert set(history) == {"d_loss", "g_loss", *objective.log_names}
    assert all(np.isfinite(v).all() for v in history.values())


def test_each_of_d_steps_critic_updates_sees_a_real_batch_of_its_own():
    gan = ring_gan(objective="wasserstein-gp", d_steps=3, run_eagerly=True)
    seen = []  # the real batches handed to the discriminator's update, in order
    step = gan.discriminator_step

    def recording_step(real, labels=None):
        seen.append(np.asarray(real)[:, 0].astype(int).tolist())
        return step(real, labels)

    gan.discriminator_step = recording_step
    x = np.stack([np.arange(96), np.zeros(96)], axis=1).astype("float32")  # point i is (i, 0): its own id
    gan_utils.fit_gan(gan, x, epochs=1, batch_size=8, seed=0, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 4 and int(gan.d_optimizer.iterations.numpy()) == 12
    assert len(seen) == 12 and all(len(batch) == 8 for batch in seen)
    for g_step in range(4):  # the three critic updates before each generator update: three different batches
        ids = [i for batch in seen[3 * g_step:3 * g_step + 3] for i in batch]
        assert len(set(ids)) == 24
    assert sorted(i for batch in seen for i in batch) == list(range(96)), "one epoch: every point once"


def test_a_batch_that_does_not_split_into_d_steps_batches_is_refused_with_what_to_do():
    gan = ring_gan(d_steps=3)
    with pytest.raises(ValueError, match="multiple of 3.*batch_size=3 \\* 64"):
        gan.fit(gan_utils.make_dataset(toy.ring_2d().sample(640, seed=0), batch_size=64, seed=0), epochs=1, verbose=0)


def test_the_relativistic_generator_step_needs_a_real_batch():
    gan = ring_gan(objective="relativistic")
    with pytest.raises(ValueError, match="generator_step\\(batch, labels, real\\)"):
        gan.generator_step(8)
    gan.generator_step(8, None, toy.ring_2d().sample(8, seed=0))


def test_a_critic_with_batch_norm_is_refused_for_the_gradient_penalty():
    generator = gan_utils.build_dcgan_generator(8, width=4)
    gan = gan_utils.GAN(generator, build_dcgan_discriminator(width=4))
    with pytest.raises(ValueError, match="batch normalization .* normalization='layer'"):
        gan.compile(objective="wasserstein-gp")
    gan_utils.GAN(generator, build_dcgan_discriminator(width=4, normalization="layer")).compile(objective="wasserstein-gp")


def test_the_plain_wasserstein_loss_refuses_a_critic_nothing_keeps_lipschitz():
    generator = build_mlp_generator(2, (2,), (8,), output_activation=None)
    with pytest.raises(ValueError, match="no penalty.*unconstrained layers.*weight_clip=0.01.*spectral_norm=True"):
        gan_utils.GAN(generator, build_mlp_discriminator((2,), (8,))).compile(objective="wasserstein")
    for constrained in ({"weight_clip": 0.01}, {"spectral_norm": True}):
        gan_utils.GAN(generator, build_mlp_discriminator((2,), (8,), **constrained)).compile(objective="wasserstein")


def test_weight_clipping_holds_every_critic_weight_within_its_limit_while_training():
    gan_utils.set_seed(0)
    generator = build_mlp_generator(2, (2,), (16,), output_activation=None)
    critic = build_mlp_discriminator((2,), (16, 16), dropout=0.0, weight_clip=0.05)
    gan = gan_utils.GAN(generator, critic, seed=0)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), objective="wasserstein")
    gan.fit(gan_utils.make_dataset(toy.ring_2d().sample(640, seed=0), batch_size=64, seed=0), epochs=1, verbose=0)
    weights = np.concatenate([np.ravel(w) for w in critic.get_weights()])
    assert np.abs(weights).max() <= 0.05 + 1e-7
    assert (np.abs(weights) > 0.049).mean() > 0.1, "an Adam step of 1e-2 must have pushed some weights to the limit"


@pytest.mark.parametrize("bad", [0, -0.01, True, "0.01"])
def test_a_bad_weight_clip_is_refused(bad):
    with pytest.raises(ValueError, match="weight_clip must be a positive number"):
        build_mlp_discriminator((2,), (8,), weight_clip=bad)


def test_clipping_and_spectral_norm_together_are_refused():
    with pytest.raises(ValueError, match="weight_clip or spectral_norm, not both"):
        build_mlp_discriminator((2,), (8,), weight_clip=0.01, spectral_norm=True)


def test_input_gradient_norms_of_a_linear_critic_are_its_weight_norm():
    norms = losses.input_gradient_norms(linear_critic([3, 4, 0, 0]), np.random.default_rng(0).normal(size=(6, 2, 2, 1)).astype("float32"))
    assert np.asarray(norms) == pytest.approx(np.full(6, 5.0), abs=1e-5)


def test_spectral_norm_wraps_every_weight_layer_of_the_discriminator():
    d = build_dcgan_discriminator(width=4, spectral_norm=True, normalization=None)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 4  # two convolutions, the hidden dense layer, the logit
    assert tuple(d(np.zeros((2, 28, 28, 1), "float32")).shape) == (2, 1)


def test_old_generator_loss_argument_still_selects_the_minimax_objective():
    assert ring_gan(generator_loss="saturating").objective.name == "minimax"


def test_plot_losses_draws_a_critic_on_its_own_scale():
    history = {"d_loss": [-1.0, -2.0], "g_loss": [0.5, 1.0], "score_real": [1.0, 2.0], "score_fake": [0.0, -0.5], "w_estimate": [1.0, 2.5]}
    fig = gan_utils.plot_losses(history)
    ax = fig.axes[1]
    assert ax.get_title() == "Critic's scores" and len(ax.get_lines()) == 4  # real, fake, W1 estimate, zero line


# ------------------------------------------------------------------------ recipes and the command line
@pytest.mark.parametrize("name", ["wgan-gp", "hinge", "relativistic"])
def test_objective_recipes_build_a_gan_their_objective_accepts(name):
    recipe = gan_utils.get_recipe(name, smoke=True)
    gan = gan_utils.build_gan(recipe)
    assert gan.objective.name == recipe.objective and gan.d_steps == recipe.d_steps
    assert float(gan.d_optimizer.beta_2) == recipe.beta_2


def test_architectures_are_registered_by_name():
    from gan_utils import recipes

    @recipes.register_architecture("test-narrow-critic")
    def narrow(recipe, image_shape):
        return (gan_utils.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
                build_dcgan_discriminator(image_shape, 4, normalization=None))

    try:
        gan = gan_utils.build_gan(gan_utils.get_recipe("wgan-gp", smoke=True, architecture="test-narrow-critic"))
        assert gan.discriminator.layers[1].filters == 4
    finally:
        del recipes.ARCHITECTURES["test-narrow-critic"]
    with pytest.raises(ValueError, match="unknown architecture 'test-narrow-critic'.*register_architecture"):
        gan_utils.get_recipe("dcgan", architecture="test-narrow-critic")


def test_cli_refuses_a_critic_loss_on_a_batch_norm_discriminator(tmp_path, capsys):
    from gan_utils.train import main

    assert main(["dcgan", "--output", str(tmp_path / "run"), "--objective", "wasserstein-gp", "--smoke"]) == 2
    assert "batch normalization" in capsys.readouterr().err


def test_cli_trains_the_relativistic_recipe_and_its_generator_loads(tmp_path):
    from gan_utils.train import main

    out = tmp_path / "run"
    assert main(["relativistic", "--output", str(out), "--smoke", "--epochs", "1", "--subset", "256"]) == 0
    generator = gan_utils.load_generator(out)
    assert np.isfinite(generator.predict(np.zeros((2, 64), "float32"), verbose=0)).all()


def test_a_run_with_d_steps_resumes_exactly_and_refuses_another_d_steps(tmp_path):
    x = toy.ring_2d().sample(256, seed=0)
    straight = ring_gan(objective="wasserstein-gp", d_steps=2)
    gan_utils.fit_gan(straight, x, epochs=2, batch_size=32, seed=0, verbose=0)
    gan_utils.fit_gan(ring_gan(objective="wasserstein-gp", d_steps=2), x, epochs=1, batch_size=32, seed=0, output_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match=r"d_steps: recorded 2, now 1"):
        gan_utils.fit_gan(ring_gan(objective="wasserstein-gp"), x, epochs=2, batch_size=32, seed=0, output_dir=tmp_path, resume=True, verbose=0)
    resumed = ring_gan(objective="wasserstein-gp", d_steps=2)
    gan_utils.fit_gan(resumed, x, epochs=2, batch_size=32, seed=0, output_dir=tmp_path, resume=True, verbose=0)
    for a, b in zip(straight.discriminator.get_weights() + straight.generator.get_weights(),
                    resumed.discriminator.get_weights() + resumed.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
