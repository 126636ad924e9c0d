"""gan_utils.models: builders, their shapes, ranges and argument checks."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from gan_utils import models


def _z(n: int, d: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((n, d)).astype("float32")


@pytest.mark.parametrize(
    "generator",
    [
        lambda: models.build_mlp_generator(latent_dim=16, hidden_units=(32, 64)),
        lambda: models.build_dcgan_generator(latent_dim=16, width=8),
    ],
    ids=["mlp", "dcgan"],
)
def test_generators_make_images_in_tanh_range(generator):
    g = generator()
    out = np.asarray(g(_z(5, 16), training=False))
    assert out.shape == (5, 28, 28, 1) and out.dtype == np.float32
    assert -1.0 <= out.min() and out.max() <= 1.0 and out.std() > 0


@pytest.mark.parametrize(
    "discriminator",
    [
        lambda: models.build_mlp_discriminator(hidden_units=(32,)),
        lambda: models.build_dcgan_discriminator(width=8),
    ],
    ids=["mlp", "dcgan"],
)
def test_discriminators_return_one_logit_per_image(discriminator):
    d = discriminator()
    out = np.asarray(d(np.zeros((4, 28, 28, 1), "float32")))
    assert out.shape == (4, 1)
    assert d.layers[-1].get_config().get("activation") in (None, "linear")  # a logit, not a probability


def test_mlp_works_for_toy_vectors():
    g = models.build_mlp_generator(latent_dim=4, output_shape=(2,), hidden_units=(8,), output_activation=None)
    d = models.build_mlp_discriminator(input_shape=(2,), hidden_units=(8,))
    assert d(g(_z(3, 4))).shape == (3, 1)


def test_dcgan_follows_radford_guidelines():
    g = models.build_dcgan_generator(width=8)
    d = models.build_dcgan_discriminator(width=8)
    g_kinds = {type(layer).__name__ for layer in g.layers}
    d_kinds = {type(layer).__name__ for layer in d.layers}
    assert {"Conv2DTranspose", "BatchNormalization", "ReLU"} <= g_kinds
    assert "Conv2D" in d_kinds and "LeakyReLU" in d_kinds
    assert not any("Pooling" in k for k in g_kinds | d_kinds)
    assert all(layer.strides == (2, 2) for layer in d.layers if type(layer).__name__ == "Conv2D")


def test_latent_size_and_width_change_the_model():
    small = models.build_dcgan_generator(latent_dim=8, width=8)
    big = models.build_dcgan_generator(latent_dim=32, width=16)
    assert small.inputs[0].shape[-1] == 8 and big.inputs[0].shape[-1] == 32
    assert big.count_params() > small.count_params()


def test_conditional_generator_depends_on_the_label():
    g = models.build_conditional_generator(latent_dim=8, width=8)
    z = np.repeat(_z(1, 8), 2, axis=0)
    out = np.asarray(g([z, np.array([1, 7], "int32")]))
    assert out.shape == (2, 28, 28, 1) and not np.allclose(out[0], out[1])


def test_conditional_discriminator_depends_on_the_label():
    d = models.build_conditional_discriminator(width=8)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 28, 28, 1)).astype("float32").repeat(2, axis=0)
    out = np.asarray(d([x, np.array([1, 7], "int32")]))
    assert out.shape == (2, 1) and out[0, 0] != out[1, 0]


@pytest.mark.parametrize("latent_dim", [0, -3, 2.5, True, "64"])
def test_latent_size_must_be_positive_integer(latent_dim):
    with pytest.raises(ValueError, match="latent_dim must be an integer >= 1"):
        models.build_dcgan_generator(latent_dim=latent_dim)


@pytest.mark.parametrize("shape", [(30, 30, 1), (28, 28), (28, 0, 1), "28x28"])
def test_dcgan_refuses_unusable_image_shapes(shape):
    with pytest.raises(ValueError, match="image_shape"):
        models.build_dcgan_discriminator(image_shape=shape)


def test_wrong_image_shape_for_a_model_is_an_error():
    d = models.build_dcgan_discriminator(width=8)
    with pytest.raises(ValueError):
        d(np.zeros((2, 32, 32, 1), "float32"))


def test_builders_use_only_builtin_layers():
    g = models.build_conditional_generator(width=8)
    assert all(type(layer).__module__.startswith("keras.") for layer in g.layers)
    assert isinstance(g, keras.Model)
