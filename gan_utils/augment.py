"""DiffAugment: random, differentiable augmentations of every image the discriminator sees.

With few training images a discriminator soon memorises them, its verdicts stop meaning anything
and the generator's quality falls. Zhao et al. (2020, "Differentiable Augmentation for
Data-Efficient GAN Training") augment *every* image the discriminator sees, real and generated, in
both players' steps, with transforms that are differentiable, so the generator still learns
through them. Their three transforms, on images in [-1, 1] (``(batch, height, width, channels)``),
each drawn anew for each image:

===============  ========================================================================================
``color``        brightness: add ``U(-0.5, 0.5)``; saturation: scale each pixel's distance to its mean over
                 the channels by ``U(0, 2)`` (nothing to do for grey images); contrast: scale each pixel's
                 distance to the image's mean by ``U(0.5, 1.5)``. In that order.
``translation``  shift by a whole number of pixels, up to 1/8 of the side (:func:`max_shift`), along each
                 axis independently; what comes in from outside is 0 (the middle of [-1, 1]).
``cutout``       set to 0 a square of half the side (:func:`cutout_side`) centred on a random pixel; near a
                 border part of it falls outside the image (as in DeVries & Taylor's cutout).
===============  ========================================================================================

A policy names the transforms to apply, in order, separated by commas: ``"color,translation,cutout"``
(:data:`DEFAULT_POLICY`, the paper's choice with little data) or e.g. ``"translation"``. Values are
not clipped back into [-1, 1] (the paper does not: clipping would stop the gradient wherever it
bites), so colour can leave that range; translation and cutout only move values and write zeros.

:class:`gan_utils.GAN` applies it with ``gan.compile(augment=True)`` (or a policy string), the
command line with ``python -m gan_utils.train dcgan --augment``.

Example:
    >>> images = ops.zeros((4, 32, 32, 3))
    >>> tuple(diff_augment(images, "translation,cutout", seed=0).shape)
    (4, 32, 32, 3)
"""

from __future__ import annotations

import typing
from collections.abc import Callable

import keras
import tensorflow as tf
from keras import ops

#: Anything keras.ops accepts: a NumPy array, a tf.Tensor, a keras tensor.
TensorLike = typing.Any
#: What a transform's randomness comes from: a SeedGenerator (each call draws anew), an integer
#: (the same draws each call) or None (a fresh random seed).
Seed = typing.Union[keras.random.SeedGenerator, int, None]

#: The policy of the paper's experiments with little data (used by ``augment=True``).
DEFAULT_POLICY = "color,translation,cutout"
#: Translation moves an image by at most this fraction of its side, along each axis.
TRANSLATION_RATIO = 1 / 8
#: Cutout blanks a square of this fraction of the image's side.
CUTOUT_RATIO = 1 / 2
#: Ranges of the colour transform's factors, drawn uniformly per image.
BRIGHTNESS_RANGE = (-0.5, 0.5)
SATURATION_RANGE = (0.0, 2.0)
CONTRAST_RANGE = (0.5, 1.5)


def max_shift(side: int) -> int:
    """The largest translation, in pixels, of an image ``side`` pixels long: 1/8 of it, rounded down.

    Example:
        >>> max_shift(28), max_shift(32), max_shift(64)
        (3, 4, 8)
    """
    return int(side * TRANSLATION_RATIO)


def cutout_side(side: int) -> int:
    """The side, in pixels, of the square cutout blanks in an image ``side`` pixels long: half of it.

    Example:
        >>> cutout_side(28), cutout_side(32)
        (14, 16)
    """
    return int(side * CUTOUT_RATIO)


def _generator(seed: Seed) -> keras.random.SeedGenerator:
    if isinstance(seed, keras.random.SeedGenerator):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return keras.random.SeedGenerator(seed)
    raise TypeError(f"seed must be a keras.random.SeedGenerator, an integer or None; got {type(seed).__name__} {seed!r}.")


def _images(images: TensorLike) -> TensorLike:
    x = tf.convert_to_tensor(images)  # a tensor, also from a tf.Variable (which keras.ops would pass through)
    if len(x.shape) != 4 or x.shape[1] is None or x.shape[2] is None:
        raise ValueError(
            f"DiffAugment works on a batch of images of shape (batch, height, width, channels) with a known "
            f"height and width; got shape {tuple(x.shape)}."
        )
    if not _dtype(x).startswith("float"):
        raise TypeError(f"DiffAugment works on float images scaled to [-1, 1]; got dtype {_dtype(x)}.")
    return x


def _dtype(x: TensorLike) -> str:
    return keras.backend.standardize_dtype(x.dtype)


def _per_image(x: TensorLike) -> tuple:
    """The shape of one factor per image, broadcast over its pixels."""
    return (ops.shape(x)[0], 1, 1, 1)


def random_brightness(images: TensorLike, seed: Seed = None) -> TensorLike:
    """Add ``U(-0.5, 0.5)`` (:data:`BRIGHTNESS_RANGE`) to every pixel of each image, one draw per image.

    Example:
        >>> x = ops.zeros((2, 8, 8, 1))
        >>> y = ops.convert_to_numpy(random_brightness(x, seed=0))
        >>> bool((y == y[:, :1, :1, :1]).all())  # one shift for the whole image
        True
    """
    x = _images(images)
    shift = keras.random.uniform(_per_image(x), *BRIGHTNESS_RANGE, dtype=_dtype(x), seed=_generator(seed))
    return x + shift


def random_saturation(images: TensorLike, seed: Seed = None) -> TensorLike:
    """Scale each pixel's distance to its mean over the channels by ``U(0, 2)`` (:data:`SATURATION_RANGE`), per image.

    Grey images (one channel) are their own mean and come back unchanged.

    Example:
        >>> x = ops.ones((2, 8, 8, 1))
        >>> bool(ops.all(random_saturation(x, seed=0) == x))
        True
    """
    x = _images(images)
    factor = keras.random.uniform(_per_image(x), *SATURATION_RANGE, dtype=_dtype(x), seed=_generator(seed))
    mean = ops.mean(x, axis=3, keepdims=True)
    return (x - mean) * factor + mean


def random_contrast(images: TensorLike, seed: Seed = None) -> TensorLike:
    """Scale each pixel's distance to its image's mean by ``U(0.5, 1.5)`` (:data:`CONTRAST_RANGE`), per image.

    Example:
        >>> x = ops.ones((2, 8, 8, 1))
        >>> bool(ops.all(random_contrast(x, seed=0) == x))  # a flat image has no contrast to change
        True
    """
    x = _images(images)
    factor = keras.random.uniform(_per_image(x), *CONTRAST_RANGE, dtype=_dtype(x), seed=_generator(seed))
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * factor + mean


def random_color(images: TensorLike, seed: Seed = None) -> TensorLike:
    """The ``color`` transform: :func:`random_brightness`, then :func:`random_saturation`, then :func:`random_contrast`.

    Example:
        >>> tuple(random_color(ops.zeros((2, 8, 8, 3)), seed=0).shape)
        (2, 8, 8, 3)
    """
    seed = _generator(seed)
    return random_contrast(random_saturation(random_brightness(images, seed), seed), seed)


def random_translation(images: TensorLike, seed: Seed = None) -> TensorLike:
    """Shift each image by up to :func:`max_shift` pixels along each axis, filling with 0 what comes in.

    The shifts are whole pixels, drawn uniformly from ``-max_shift .. max_shift`` for each image and
    axis; a pixel that moves out of the image is lost. The result is the input's pixels, moved,
    and zeros, so the gradient reaches every pixel that stays in view.

    Example:
        >>> x = ops.ones((2, 16, 16, 1))
        >>> y = ops.convert_to_numpy(random_translation(x, seed=0))
        >>> sorted(set(y.ravel().tolist())) in ([0.0, 1.0], [1.0])  # ones moved, zeros came in
        True
    """
    x = _images(images)
    seed = _generator(seed)
    batch = ops.shape(x)[0]
    for axis in (1, 2):
        side = x.shape[axis]
        limit = max_shift(side)
        if limit == 0:
            continue
        shift = keras.random.randint((batch, 1), -limit, limit + 1, seed=seed)
        source = ops.arange(side, dtype="int32")[None, :] - shift  # pixel i shows pixel i - shift
        shape = (batch, side, 1, 1) if axis == 1 else (batch, 1, side, 1)
        inside = ops.reshape(ops.cast((source >= 0) & (source < side), _dtype(x)), shape)
        moved = ops.take_along_axis(x, ops.reshape(ops.clip(source, 0, side - 1), shape), axis=axis)
        x = moved * inside
    return x


def random_cutout(images: TensorLike, seed: Seed = None) -> TensorLike:
    """Set to 0 a square of :func:`cutout_side` pixels in each image, centred on a random pixel.

    The centre is drawn uniformly over the whole image, so near a border part of the square falls
    outside it and a smaller rectangle is blanked (DeVries & Taylor 2017, whom the paper follows).

    Example:
        >>> y = ops.convert_to_numpy(random_cutout(ops.ones((2, 16, 16, 1)), seed=0))
        >>> bool(((y == 0).sum(axis=(1, 2, 3)) <= 8 * 8).all())  # at most an 8 x 8 square per image
        True
    """
    x = _images(images)
    seed = _generator(seed)
    batch = ops.shape(x)[0]
    blanked = None
    for axis in (1, 2):
        side, cut = x.shape[axis], cutout_side(x.shape[axis])
        start = keras.random.randint((batch, 1), 0, side, seed=seed) - cut // 2
        position = ops.arange(side, dtype="int32")[None, :]
        shape = (batch, side, 1, 1) if axis == 1 else (batch, 1, side, 1)
        inside = ops.reshape(ops.cast((position >= start) & (position < start + cut), _dtype(x)), shape)
        blanked = inside if blanked is None else blanked * inside
    return x * (1.0 - blanked)


#: The transforms a policy can name, in the paper's words.
TRANSFORMS: dict[str, Callable[[TensorLike, Seed], TensorLike]] = {
    "color": random_color,
    "translation": random_translation,
    "cutout": random_cutout,
}


def parse_policy(policy: str) -> tuple[str, ...]:
    """The transforms a policy string names, in order; unknown or repeated names are refused.

    Example:
        >>> parse_policy("color, translation")
        ('color', 'translation')
    """
    if not isinstance(policy, str):
        raise TypeError(f"a DiffAugment policy is a string such as {DEFAULT_POLICY!r}; got {type(policy).__name__} {policy!r}.")
    names = tuple(name.strip().lower() for name in policy.split(","))
    unknown = [name for name in names if name not in TRANSFORMS]
    if unknown:
        raise ValueError(
            f"unknown DiffAugment transform{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in policy "
            f"{policy!r}: name some of {', '.join(TRANSFORMS)}, separated by commas (e.g. {DEFAULT_POLICY!r})."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"policy {policy!r} names {', '.join(repeated)} more than once: name each transform once.")
    return names


def augment_setting(augment: bool | str | None) -> str | None:
    """The DiffAugment policy of an ``augment=`` option, written one way: None (off), or the policy's names.

    ``True`` means :data:`DEFAULT_POLICY`; ``False`` and ``None`` mean no augmentation.
    :class:`gan_utils.GAN`, :class:`gan_utils.Recipe` and the command line all read it through here.

    Example:
        >>> augment_setting(True), augment_setting(None), augment_setting(" Translation,cutout ")
        ('color,translation,cutout', None, 'translation,cutout')
    """
    if augment is None or augment is False:
        return None
    if augment is True:
        return DEFAULT_POLICY
    return ",".join(parse_policy(augment))


def diff_augment(images: TensorLike, policy: str = DEFAULT_POLICY, seed: Seed = None) -> TensorLike:
    """Apply the transforms of ``policy`` to a batch of images, each image drawing its own.

    ``images`` has shape ``(batch, height, width, channels)``, any size and number of channels,
    scaled to [-1, 1]; the result has the same shape and dtype. Every transform is made of
    differentiable operations (additions, products, moves of pixels), so gradients flow through it
    to whatever made the images: the generator, in a GAN. It runs eagerly or inside a
    ``tf.function``, with or without XLA (``jit_compile=True``); there, pass a
    ``keras.random.SeedGenerator`` (the GAN passes its own) so that each call draws anew.

    Args:
        images: the batch to augment.
        policy: transform names separated by commas (:data:`TRANSFORMS`), applied in that order.
        seed: a ``keras.random.SeedGenerator``, whose state advances with each draw; an integer, for
            the same augmentation at every call; or None.

    Example:
        >>> x = ops.zeros((4, 28, 28, 1))
        >>> a, b = diff_augment(x, seed=1), diff_augment(x, seed=1)
        >>> bool(ops.all(a == b))  # same seed, same augmentation
        True
    """
    names = parse_policy(policy)
    x = _images(images)
    seed = _generator(seed)
    for name in names:
        x = TRANSFORMS[name](x, seed)
    return x
