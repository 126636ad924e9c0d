"""gan_utils.lessons: the checks of a model or a loss written on a lesson's page against the library's."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, ops

import gan_utils
from gan_utils import lessons, losses, models


def page_dcgan_generator(latent_dim=16, width=8, kernel_size=4):
    """The DCGAN generator as notebook 03 writes it, with one kernel size that a test can change."""
    return keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(8 * width, use_bias=False), layers.BatchNormalization(), layers.ReLU(),
        layers.Dense(7 * 7 * 2 * width, use_bias=False), layers.BatchNormalization(), layers.ReLU(),
        layers.Reshape((7, 7, 2 * width)),
        layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ])


def page_projection_discriminator(width=8, swap=False):
    """The conditional discriminator as notebook 05 writes it; ``swap`` joins the Dot's inputs the other way."""
    image, label = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
    h = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, padding="same")(image))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, padding="same")(h))
    features = layers.Flatten()(h)
    unconditional = layers.Dense(1)(features)
    class_vector = layers.Embedding(10, features.shape[-1])(label)
    projection = layers.Dot(axes=1)([class_vector, features] if swap else [features, class_vector])
    return keras.Model([image, label], layers.Add()([unconditional, projection]))


def test_the_page_dcgan_generator_matches_the_builder():
    check = lessons.check_model(page_dcgan_generator(), models.build_dcgan_generator(16, (28, 28, 1), 8))
    assert check.matches, check.first_difference
    assert check.page_params == check.library_params and check.largest_output_difference < 1e-5


def test_a_changed_layer_on_the_page_makes_the_check_fail_naming_the_first_difference():
    check = lessons.check_model(page_dcgan_generator(kernel_size=5), models.build_dcgan_generator(16, (28, 28, 1), 8))
    assert not check.matches
    assert check.first_difference == (
        "layer 8: page has Conv2DTranspose(8, 5, strides=2, padding='same', use_bias=False), "
        "library has Conv2DTranspose(8, 4, strides=2, padding='same', use_bias=False)"
    )
    assert "NOT the library's" in str(check) and check.first_difference in str(check)


def test_a_missing_layer_is_named_where_the_page_stops():
    page = keras.Sequential(page_dcgan_generator().layers[:-1])
    page.build((None, 16))
    check = lessons.check_model(page, models.build_dcgan_generator(16, (28, 28, 1), 8))
    assert check.first_difference.startswith("layer 11: page has no more layers, library has Conv2DTranspose(1, 4")


def test_the_page_projection_discriminator_matches_the_builder():
    check = lessons.check_model(page_projection_discriminator(), models.build_conditional_discriminator(10, (28, 28, 1), 8))
    assert check.matches, check.first_difference


def test_a_symmetric_join_in_the_other_order_is_the_same_function():
    check = lessons.check_model(page_projection_discriminator(swap=True), models.build_conditional_discriminator(10, (28, 28, 1), 8))
    assert check.matches, check.first_difference  # a dot product does not care about the order of its inputs


def test_inputs_concatenated_in_another_order_fail_on_the_outputs():
    z, label = keras.Input((16,)), keras.Input((), dtype="int32")
    e = layers.Embedding(10, 32)(label)
    page = keras.Model([z, label], _generator_body(layers.Concatenate()([e, z]), 8))  # the library joins [z, e]
    check = lessons.check_model(page, models.build_conditional_generator(16, 10, (28, 28, 1), 8))
    assert not check.matches and check.first_difference.startswith("outputs: from the same weights")


def _generator_body(h, width):
    h = layers.Dense(7 * 7 * 2 * width, use_bias=False)(h)
    h = layers.ReLU()(layers.BatchNormalization()(h))
    h = layers.Reshape((7, 7, 2 * width))(h)
    h = layers.ReLU()(layers.BatchNormalization()(layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(h)))
    return layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(h)


def test_the_check_leaves_the_page_models_weights_as_they_were():
    page = page_dcgan_generator()
    before = [np.array(w) for w in page.get_weights()]
    lessons.check_model(page, models.build_dcgan_generator(16, (28, 28, 1), 8))
    assert all(np.array_equal(a, b) for a, b in zip(before, page.get_weights()))


def test_a_spectrally_normalised_layer_is_described_with_what_it_wraps():
    described = lessons.describe_layer(layers.SpectralNormalization(layers.Conv2D(32, 4, strides=2, padding="same")))
    assert described == "SpectralNormalization(Conv2D(32, 4, strides=2, padding='same'))"


def page_hinge_d_loss(real_scores, fake_scores):
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def page_gradient_penalty(critic, real, fake, seed=None):
    alpha = keras.random.uniform([ops.shape(real)[0], 1, 1, 1], 0.0, 1.0, seed=seed)
    between = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(between)
        scores = critic(between)
    grads = tape.gradient(scores, between)
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=[1, 2, 3]) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def test_the_page_hinge_losses_match_the_library():
    assert lessons.check_loss(page_hinge_d_loss, losses.hinge_discriminator_loss).matches
    assert lessons.check_loss(lambda fake: -ops.mean(fake), losses.critic_generator_loss).matches


def test_a_hinge_without_its_margin_fails_on_the_first_trial():
    check = lessons.check_loss(lambda real, fake: ops.mean(ops.relu(-real)) + ops.mean(ops.relu(fake)), losses.hinge_discriminator_loss)
    assert not check.matches and check.first_difference.startswith("trial 1: page ")


def test_the_page_gradient_penalty_matches_the_library():
    check = lessons.check_loss(page_gradient_penalty, losses.gradient_penalty)
    assert check.matches, check.first_difference


def test_a_penalty_that_mixes_per_pixel_does_not_match():
    def per_pixel(critic, real, fake, seed=None):
        alpha = keras.random.uniform(ops.shape(real), 0.0, 1.0, seed=seed)  # one weight per pixel: not WGAN-GP's
        return ops.mean(ops.square(losses.input_gradient_norms(critic, alpha * real + (1.0 - alpha) * fake) - 1.0))

    assert not lessons.check_loss(per_pixel, losses.gradient_penalty).matches


def test_the_checks_are_public():
    assert {"check_model", "check_loss", "check_train_step"} <= set(gan_utils.__all__)
    assert gan_utils.check_train_step is lessons.check_train_step


@pytest.mark.parametrize("bad", ["a model", None])
def test_check_model_refuses_what_is_not_a_model(bad):
    with pytest.raises(TypeError, match="check_model compares two keras.Model objects; page is a"):
        lessons.check_model(bad, models.build_dcgan_generator(16, (28, 28, 1), 8))


# ----------------------------------------------------------------------------- the lessons' own pages
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: The cells of each lesson that write its subject on the page, and the recipe they are checked against.
PAGE_MODELS = {
    "02_vanilla_gan.ipynb": ("vanilla", ["cell-11", "cell-12"]),
    "03_dcgan.ipynb": ("dcgan", ["cell-13", "cell-14"]),
    "05_conditional_gan.ipynb": ("cgan", ["page-generator", "page-discriminator"]),
}


def page_cells(notebook: str, ids: list[str]) -> str:
    cells = {c.get("id"): "".join(c["source"]) for c in json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]}
    return "\n".join(cells[i] for i in ids)


@pytest.mark.parametrize("notebook", sorted(PAGE_MODELS))
def test_the_networks_written_on_the_lessons_page_are_the_librarys(notebook):
    recipe_name, ids = PAGE_MODELS[notebook]
    recipe = gan_utils.get_recipe(recipe_name)
    namespace = {"keras": keras, "layers": layers, "RECIPE": recipe}
    exec(page_cells(notebook, ids), namespace)
    for page, library in zip((namespace["generator"], namespace["discriminator"]), gan_utils.recipes.build_networks(recipe)):
        check = lessons.check_model(page, library)
        assert check.matches, f"{notebook}, {page.name}: {check.first_difference}"


def test_the_losses_written_on_notebook_06s_page_are_the_librarys():
    namespace = {"keras": keras, "ops": ops, "tf": tf}
    exec(page_cells("06_stable_training.ipynb", ["page-losses"]), namespace)
    exec(page_cells("06_stable_training.ipynb", ["page-hinge"]).split("\n\ncheck =")[0], namespace)
    pairs = [("critic_loss", losses.wasserstein_critic_loss), ("generator_loss", losses.critic_generator_loss),
             ("gradient_penalty", losses.gradient_penalty), ("hinge_loss", losses.hinge_discriminator_loss)]
    for name, library in pairs:
        check = lessons.check_loss(namespace[name], library)
        assert check.matches, f"notebook 06's {name}: {check.first_difference}"
