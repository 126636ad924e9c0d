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


# ------------------------------------------------------------------- DCGANs at any supported size
SIZES = [(side, channels) for side in (28, 32, 64, 128) for channels in (1, 3)]
SIZE_IDS = [f"{side}x{side}x{channels}" for side, channels in SIZES]


@pytest.mark.parametrize(("side", "channels"), SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("builder", [models.build_dcgan_generator, models.build_conditional_generator], ids=["dcgan", "cgan"])
def test_generators_make_images_of_every_supported_size(builder, side, channels):
    shape = (side, side, channels)
    g = builder(latent_dim=8, image_shape=shape, width=4) if builder is models.build_dcgan_generator else builder(8, 3, shape, width=4)
    inputs = _z(3, 8) if builder is models.build_dcgan_generator else [_z(3, 8), np.array([0, 1, 2], "int32")]
    out = np.asarray(g(inputs, training=False))
    assert out.shape == (3, side, side, channels)
    assert -1.0 <= out.min() and out.max() <= 1.0 and out.std() > 0


@pytest.mark.parametrize(("side", "channels"), SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize(
    "make",
    [
        lambda shape: models.build_dcgan_discriminator(shape, width=4),
        lambda shape: models.build_dcgan_discriminator(shape, width=4, normalization="layer"),
        lambda shape: models.build_dcgan_discriminator(shape, width=4, normalization=None, spectral_norm=True),
        lambda shape: models.build_conditional_discriminator(3, shape, width=4),
    ],
    ids=["dcgan", "critic", "spectral", "cgan"],
)
def test_discriminators_score_images_of_every_supported_size(make, side, channels):
    d = make((side, side, channels))
    x = np.random.default_rng(0).uniform(-1, 1, (3, side, side, channels)).astype("float32")
    out = np.asarray(d([x, np.array([0, 1, 2], "int32")] if len(d.inputs) == 2 else x))
    assert out.shape == (3, 1) and np.all(np.isfinite(out))


@pytest.mark.parametrize(("side", "stages", "first"), [(28, 2, 7), (32, 3, 4), (64, 4, 4), (128, 5, 4)])
def test_the_number_of_stages_follows_the_image_size(side, stages, first):
    g = models.build_dcgan_generator(8, (side, side, 3), width=4)
    d = models.build_dcgan_discriminator((side, side, 3), width=4)
    transposed = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    convolutions = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(transposed) == len(convolutions) == stages
    assert tuple(transposed[0].input.shape[1:3]) == (first, first)
    assert tuple(convolutions[-1].output.shape[1:3]) == (first, first)


def test_filters_double_towards_the_low_resolution_end_up_to_the_cap():
    assert models.dcgan_stages(28, 32) == [(7, 64), (14, 32)]
    assert models.dcgan_stages(32, 32) == [(4, 128), (8, 64), (16, 32)]
    assert models.dcgan_stages(64, 32) == [(4, 256), (8, 128), (16, 64), (32, 32)]
    assert models.dcgan_stages(128, 32) == [(4, 256), (8, 256), (16, 128), (32, 64), (64, 32)]
    d = models.build_dcgan_discriminator((128, 128, 3), width=4)
    widest = max(layer.filters for layer in d.layers if isinstance(layer, keras.layers.Conv2D))
    assert widest == models.MAX_FILTERS_PER_WIDTH * 4


# The 28x28 networks' parameter counts as they were before other sizes were added: the shipped
# weights (files/pretrained) load only into exactly these networks.
MNIST_PARAMETERS = {
    "dcgan generator, width 32": (lambda: models.build_dcgan_generator(64, (28, 28, 1), 32), 866_177),
    "dcgan discriminator, width 32": (lambda: models.build_dcgan_discriminator((28, 28, 1), 32), 837_665),
    "dcgan critic, width 32": (lambda: models.build_dcgan_discriminator((28, 28, 1), 32, normalization="layer"), 837_025),
    "dcgan spectral, width 32": (lambda: models.build_dcgan_discriminator((28, 28, 1), 32, normalization=None, spectral_norm=True), 837_058),
    "cgan generator, width 32": (lambda: models.build_conditional_generator(64, 10, (28, 28, 1), 32), 347_329),
    "cgan discriminator, width 32": (lambda: models.build_conditional_discriminator(10, (28, 28, 1), 32), 67_873),
    "dcgan generator, defaults": (models.build_dcgan_generator, 3_403_521),
    "dcgan discriminator, defaults": (models.build_dcgan_discriminator, 3_346_497),
    "cgan generator, defaults": (models.build_conditional_generator, 759_873),
    "cgan discriminator, defaults": (models.build_conditional_discriminator, 201_281),
}


@pytest.mark.parametrize("name", list(MNIST_PARAMETERS))
def test_mnist_networks_keep_their_parameter_counts(name):
    build, expected = MNIST_PARAMETERS[name]
    assert build().count_params() == expected


@pytest.mark.parametrize(
    "shape", [(30, 30, 1), (16, 16, 3), (256, 256, 3), (32, 64, 3), (56, 56, 1)], ids=["30", "16", "256", "not square", "56"]
)
@pytest.mark.parametrize(
    "builder",
    [models.build_dcgan_generator, models.build_dcgan_discriminator, models.build_conditional_generator, models.build_conditional_discriminator],
    ids=["dcgan G", "dcgan D", "cgan G", "cgan D"],
)
def test_sizes_that_do_not_fit_are_refused_with_the_sizes_that_do(builder, shape):
    with pytest.raises(ValueError, match=r"square images of 28, 32, 64, 128 pixels a side"):
        builder(image_shape=shape)


def test_stages_of_an_unsupported_size_are_refused():
    with pytest.raises(ValueError, match="image_size must be one of 28, 32, 64, 128"):
        models.dcgan_stages(48, 32)


def test_wrong_image_shape_for_a_model_is_an_error():
    d = models.build_dcgan_discriminator(width=8)
    with pytest.raises(ValueError):
        d(np.zeros((2, 32, 32, 1), "float32"))


def test_builders_use_only_builtin_layers():
    g = models.build_conditional_generator(width=8)
    assert all(type(layer).__module__.startswith("keras.") for layer in g.layers)
    assert isinstance(g, keras.Model)
