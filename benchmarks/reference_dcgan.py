"""The reference model of the benchmarks: the DCGAN of TensorFlow's tutorial, rebuilt for ``gan_utils.GAN``.

Source: https://www.tensorflow.org/tutorials/generative/dcgan ("Deep Convolutional Generative
Adversarial Network"). Same layers, same batch size (256), same optimizers (``Adam(1e-4)`` for both
networks, Keras' default ``beta_1=0.9``), same latent length (100). Only the training loop is ours
(``gan_utils.GAN``, the same one the project's recipes use), so that a comparison against the
project's DCGAN differs in the recipe and nothing else.

Not part of ``gan_utils``: the benchmarks import it, the package never does.

Example:
    >>> from benchmarks.reference_dcgan import build_reference_gan, REFERENCE_BATCH_SIZE
    >>> gan = build_reference_gan(seed=0)                      # doctest: +SKIP
    >>> gan.generator.count_params() > 2_000_000                # doctest: +SKIP
    True
"""

from __future__ import annotations

import keras
from keras import layers

from gan_utils.training import GAN

REFERENCE_LATENT_DIM = 100
REFERENCE_BATCH_SIZE = 256
REFERENCE_LR = 1e-4


def build_reference_generator(latent_dim: int = REFERENCE_LATENT_DIM) -> keras.Model:
    """The tutorial's ``make_generator_model``: Dense 7x7x256, then three 5x5 transposed convolutions."""
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(7 * 7 * 256, use_bias=False)(z)
    h = layers.BatchNormalization()(h)
    h = layers.LeakyReLU()(h)
    h = layers.Reshape((7, 7, 256))(h)
    h = layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.LeakyReLU()(h)
    h = layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.LeakyReLU()(h)
    image = layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh")(h)
    return keras.Model(z, image, name="reference_generator")


def build_reference_discriminator() -> keras.Model:
    """The tutorial's ``make_discriminator_model``: two 5x5 strided convolutions with dropout, one logit."""
    x = keras.Input((28, 28, 1), name="image")
    h = layers.Conv2D(64, 5, strides=2, padding="same")(x)
    h = layers.LeakyReLU()(h)
    h = layers.Dropout(0.3)(h)
    h = layers.Conv2D(128, 5, strides=2, padding="same")(h)
    h = layers.LeakyReLU()(h)
    h = layers.Dropout(0.3)(h)
    h = layers.Flatten()(h)
    logit = layers.Dense(1)(h)
    return keras.Model(x, logit, name="reference_discriminator")


def build_reference_gan(seed: int = 0, jit_compile: bool = False) -> GAN:
    """Build and compile the reference DCGAN (Adam 1e-4 for both networks, as in the tutorial)."""
    gan = GAN(build_reference_generator(), build_reference_discriminator(), seed=seed, name="reference_gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(REFERENCE_LR),
        g_optimizer=keras.optimizers.Adam(REFERENCE_LR),
        jit_compile=jit_compile,
    )
    return gan
