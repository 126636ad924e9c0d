"""Feature extractors: the networks whose features FID, precision and recall compare.

FID and k-NN precision/recall do not look at pixels: they compare *features*, the numbers a
fixed network computes from each image. Which network decides what the scores mean, so
:mod:`gan_utils.metrics` takes any of these:

* ``"inception"``, :func:`inception_extractor`: Keras' InceptionV3 trained on ImageNet, its 2,048
  pooled features: the network of the FID in papers, for photos and any colour images. Its
  weights (about 90 MB) are downloaded by Keras the first time; without a connection it raises
  :class:`FeatureWeightsUnavailable`, which says what to do.
* ``"classifier"`` (or ``"digits"``), :func:`digit_extractor`: the project's MNIST classifier, 128
  features; for digits of any size or colour (made grey, dark background, 28x28 first).
* ``"random"``, :func:`random_extractor`: a small convolutional network with fixed, seeded random
  weights. Needs no download: the stand-in of the tests and of offline benchmarks. Features of
  random networks are a known baseline for FID-like comparisons, but its numbers are comparable
  only with each other, never with papers.
* any function ``images (n, h, w, c) in [-1, 1] -> features (n, d)`` you write.

Each is a :class:`FeatureExtractor`: call it on a batch of images to get their features;
:func:`get_extractor` turns a name or a function into one.

Example:
    >>> x = np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    >>> extractor = get_extractor("random", image_shape=(32, 32, 3))
    >>> extractor(x).shape
    (8, 64)
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

#: The names :func:`get_extractor` knows, each with what it means.
EXTRACTORS: dict[str, str] = {
    "inception": "Keras' InceptionV3 with ImageNet weights, 2,048 pool features (the FID of papers; downloads its weights once)",
    "classifier": "the project's MNIST classifier, 128 features (digits: grey, dark background, 28x28)",
    "digits": "the same as 'classifier'",
    "random": "a small fixed, seeded random-weight network (no download; numbers comparable only with each other)",
}
#: The file Keras' ``InceptionV3(include_top=False, weights="imagenet")`` downloads into ``~/.keras/models/``.
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
#: The image side InceptionV3 was trained at; images are resized to it.
INCEPTION_SIZE = 299
#: The MNIST classifier's input shape; :func:`to_digits` brings images to it.
DIGIT_SHAPE = (28, 28, 1)
#: How :func:`to_digits` finds a digit's ink (see there).
INK_MODES = ("auto", "grey", "distance")
#: How far outside [-1, 1] values may stray (rounding) before they are refused.
_RANGE_TOLERANCE = 1e-3
_PACKAGE = str(Path(__file__).resolve().parent)


class FeatureWeightsUnavailable(RuntimeError):
    """A feature extractor's pretrained weights could not be loaded (no network, damaged file, ...).

    ``reason`` holds the underlying error's message. :func:`get_extractor` with ``fallback=`` catches
    it, prints one line saying so, and uses the fallback; nothing else does.

    Example:
        >>> try:                                              # doctest: +SKIP
        ...     extractor = inception_extractor()
        ... except FeatureWeightsUnavailable as err:
        ...     print(err.reason)
        URL fetch failure on https://storage.googleapis.com/...: [Errno -2] Name or service not known
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# ---------------------------------------------------------------------------- checking images
def _warn(message: str) -> None:
    """Warn, pointing at the first caller outside this package (the reader's own line)."""
    frame, level = sys._getframe(0), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def check_images(images: object, name: str = "images", shape: Sequence[int] | None = None, hint: str = "") -> np.ndarray:
    """Validate a batch of images in [-1, 1]; return it as float32 ``(n, height, width, channels)``.

    Accepts ``(n, h, w, c)`` with 1 or 3 channels, or ``(n, h, w)`` for grey images. With ``shape``
    (``(h, w, c)``) the images must have that shape. Raises ``TypeError``/``ValueError`` that say
    what was wrong and how to fix it (a missing batch axis, uint8 pixels, values outside [-1, 1],
    NaN, an empty batch); ``hint`` is added to the message about a wrong shape. Values that are all
    >= 0 give a warning (images in [0, 1] rather than [-1, 1]?).

    Example:
        >>> check_images(np.zeros((2, 32, 32))).shape
        (2, 32, 32, 1)
    """
    want = None if shape is None else tuple(int(s) for s in shape)
    what = "(n, height, width, channels)" if want is None else f"(n, {', '.join(map(str, want))})"
    try:
        x = np.asarray(images)
    except Exception as err:  # noqa: BLE001 - ragged lists and the like
        raise TypeError(f"{name} must be an array of shape {what}, got {type(images).__name__} ({err}).") from None
    if x.dtype == np.uint8:
        raise TypeError(
            f"{name} are uint8 pixels (0-255), but features are computed from images in [-1, 1] like a "
            "generator's output: convert them with gan_utils.scale_images(images)."
        )
    if x.dtype == bool or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"{name} must hold numbers in [-1, 1], got dtype {x.dtype}.")
    if x.ndim == 3 and want is None and x.shape[-1] in (1, 3):
        raise ValueError(f"{name} has shape {x.shape}: one image? Add a batch axis: image[None]." + (f" {hint}" if hint else ""))
    if x.ndim == 3 and (want is None or (want[2] == 1 and x.shape[1:] == want[:2])):
        x = x[..., None]
    if want is not None and (x.ndim != 4 or x.shape[1:] != want):
        grey = f" or (n, {want[0]}, {want[1]})" if want[2] == 1 else ""
        mnist = " (a batch of MNIST-sized images)" if want == DIGIT_SHAPE else ""
        raise ValueError(
            f"{name} must have shape {what}{grey}{mnist}, got {x.shape}. For a single image add a batch axis: image[None]."
            + (f" {hint}" if hint else "")
        )
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(
            f"{name} must be a batch of images of shape (n, height, width, channels) with 1 (grey) or 3 (colour) "
            f"channels, or (n, height, width) for grey images; got {x.shape}. For a single image add a batch axis: image[None]."
            + (f" {hint}" if hint else "")
        )
    if len(x) == 0:
        raise ValueError(f"{name} is empty: pass at least a few images (a few thousand for stable scores).")
    x = x.astype(np.float32, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contain NaN or infinite values: the generator probably diverged.")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1.0 - _RANGE_TOLERANCE or hi > 1.0 + _RANGE_TOLERANCE:
        raise ValueError(
            f"{name} must have values in [-1, 1] (a tanh generator's range), got [{lo:.3g}, {hi:.3g}]. "
            "Pixels 0-255: use gan_utils.scale_images; images in [0, 1]: use 2 * images - 1."
        )
    if lo >= 0.0 and hi > 0.0:
        _warn(
            f"all values of {name} are >= 0 ({lo:.3g} to {hi:.3g}); images in [-1, 1] have negative values "
            "(MNIST's background is -1). If they are in [0, 1], pass 2 * images - 1."
        )
    return np.clip(x, -1.0, 1.0)


# --------------------------------------------------------------------------- the extractor type
@dataclasses.dataclass(frozen=True, eq=False)
class FeatureExtractor:
    """A named function from images ``(n, h, w, c)`` in [-1, 1] to features ``(n, d)``.

    Calling it checks the images (:func:`check_images`), runs ``function`` on batches of
    ``batch_size`` and checks what comes back (2-D, one row per image, finite); the features are
    float32. ``name`` is printed beside every score computed from it; ``comparable_with_papers``
    says whether its FID is the kind papers report (InceptionV3 with ImageNet weights only).
    ``prepare``, when set, is applied to the checked images before ``function`` (the MNIST
    classifier's :func:`to_digits`), so that :func:`gan_utils.metrics.evaluate` can also give the
    classifier's class scores.

    Example:
        >>> mean_colour = FeatureExtractor("mean colour", lambda x: x.mean(axis=(1, 2)))
        >>> mean_colour(np.zeros((5, 8, 8, 3))).shape
        (5, 3)
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    kind: str = "custom"
    comparable_with_papers: bool = False
    batch_size: int = 256
    prepare: Callable[[np.ndarray], np.ndarray] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"a feature extractor needs a name (a non-empty string) to print beside its scores, got {self.name!r}.")
        if not callable(self.function):
            raise TypeError(
                f"function must be callable: images (n, h, w, c) in [-1, 1] -> features (n, d); got {type(self.function).__name__}."
            )
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}.")

    def __call__(self, images: object, name: str = "images") -> np.ndarray:
        """Return the features of ``images`` (checked first), float32 of shape ``(n, d)``."""
        x = check_images(images, name)
        if self.prepare is not None:
            x = self.prepare(x)
        parts = []
        for start in range(0, len(x), self.batch_size):
            batch = x[start : start + self.batch_size]
            f = np.asarray(self.function(batch), dtype=np.float32)
            if f.ndim != 2 or len(f) != len(batch):
                raise ValueError(
                    f"the feature extractor {self.name!r} returned shape {f.shape} for {len(batch)} images; it must return "
                    "(n, d): one row of d features per image."
                )
            parts.append(f)
        feats = np.concatenate(parts)
        if not np.all(np.isfinite(feats)):
            raise ValueError(f"the feature extractor {self.name!r} returned NaN or infinite features for {name}.")
        return feats

    def __repr__(self) -> str:
        return f"FeatureExtractor({self.name!r})"


# -------------------------------------------------------------------------------- InceptionV3
def _unavailable(weights: str | os.PathLike, err: Exception) -> FeatureWeightsUnavailable:
    reason = " ".join(str(err).split()) or type(err).__name__
    others = (
        "Or measure with another extractor: features='random' (a seeded random network: its numbers are "
        "comparable only with each other, not with papers) or, for digits, features='classifier'."
    )
    if weights == "imagenet":
        message = (
            f"InceptionV3's ImageNet weights could not be loaded ({reason}). Keras downloads them once (about 90 MB, "
            f"from storage.googleapis.com) into its cache folder, ~/.keras/models/ (or $KERAS_HOME/models). To use them: "
            f"run this where the internet can be reached (your own machine, or Colab); or copy the file "
            f"{INCEPTION_WEIGHTS_FILE} (exactly that name) into that folder from a machine that has it, or pass "
            f"inception_extractor(weights='path/to/{INCEPTION_WEIGHTS_FILE}'). {others}"
        )
    else:
        message = (
            f"InceptionV3's weights could not be loaded from {weights} ({reason}). It must be Keras' file "
            f"{INCEPTION_WEIGHTS_FILE} (the 'notop' weights): download it again, or use weights='imagenet'. {others}"
        )
    return FeatureWeightsUnavailable(message, reason)


@functools.lru_cache(maxsize=2)
def _inception_network(image_size: int, weights: str | None) -> keras.Model:
    """Build InceptionV3 (no top, average pooling) once per size and weights; wrap weight failures."""
    try:
        return keras.applications.InceptionV3(
            include_top=False, weights=weights, pooling="avg", input_shape=(image_size, image_size, 3)
        )
    except Exception as err:  # Keras raises a bare Exception when the download fails
        if weights is None:
            raise
        raise _unavailable(weights, err) from err


@functools.lru_cache(maxsize=8)
def _inception_graph(size: int, key: str | None, h: int, w: int, c: int) -> Callable[[tf.Tensor], tf.Tensor]:
    """Colour, 0-255, resize, ``preprocess_input``, InceptionV3: one traced graph per input shape."""
    network = _inception_network(size, key)
    shrink = max(h, w) > size  # antialiasing matters only when shrinking

    @tf.function(input_signature=[tf.TensorSpec([None, h, w, c], tf.float32)])
    def features(x: tf.Tensor) -> tf.Tensor:
        if c == 1:
            x = tf.repeat(x, 3, axis=-1)
        pixels = (x + 1.0) * 127.5  # preprocess_input expects pixels 0-255 (and maps them back to [-1, 1])
        if (h, w) != (size, size):
            pixels = keras.ops.image.resize(pixels, (size, size), interpolation="bilinear", antialias=shrink)
        return network(keras.applications.inception_v3.preprocess_input(pixels), training=False)

    return features


def inception_extractor(
    image_size: int = INCEPTION_SIZE, weights: str | os.PathLike | None = "imagenet", batch_size: int = 32
) -> FeatureExtractor:
    """InceptionV3's 2,048 average-pool features: the network of the FID reported in papers.

    ``keras.applications.InceptionV3(include_top=False, weights="imagenet", pooling="avg")``. Images
    in [-1, 1] (any size, grey or colour) are made colour by repeating the grey channel, resized
    bilinearly to ``image_size`` (antialiased when shrinking) and passed through
    ``keras.applications.inception_v3.preprocess_input``, which maps pixels 0-255 to [-1, 1]: the
    range the images already have.

    Comparable in kind with papers, but not identical to the reference TensorFlow 1 implementation
    (``pytorch-fid``, ``TTUR``): those use other InceptionV3 weights (the 2015 graph) and another
    resize, so the same images give somewhat different numbers. Compare numbers computed the same
    way, at the same number of images (FID is biased upwards for small sets; papers use 10,000 or
    50,000 images).

    The weights (about 90 MB) are downloaded by Keras the first time into ``~/.keras/models/``.
    When they cannot be loaded (no internet connection, a damaged file), it raises
    :class:`FeatureWeightsUnavailable` with what to do; ``get_extractor("inception",
    fallback="random")`` falls back instead, and says so.

    Args:
        image_size: the side the images are resized to (InceptionV3 was trained at 299; at least 75).
        weights: ``"imagenet"``, the path of Keras' weights file, or None for random weights (only
            to test the plumbing: such features mean nothing).
        batch_size: images per forward pass.

    Example:
        >>> extractor = inception_extractor()                  # doctest: +SKIP
        >>> extractor(np.zeros((4, 32, 32, 3))).shape          # doctest: +SKIP
        (4, 2048)
    """
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) or image_size < 75:
        raise ValueError(f"image_size must be an integer >= 75 (InceptionV3's smallest input; it was trained at 299), got {image_size!r}.")
    if weights is not None and weights != "imagenet" and not isinstance(weights, (str, os.PathLike)):
        raise TypeError(f"weights must be 'imagenet', the path of Keras' weights file or None, got {type(weights).__name__}.")
    key = None if weights is None else ("imagenet" if weights == "imagenet" else str(Path(weights).expanduser()))
    size = int(image_size)
    _inception_network(size, key)  # built (and its weights loaded) now: a failure shows here, not at the first call

    def features(x: np.ndarray) -> np.ndarray:
        return _inception_graph(size, key, *x.shape[1:])(tf.constant(x)).numpy()

    if key is None:
        name = "InceptionV3 pool features (random weights: meaningless, for tests)"
    elif key == "imagenet":
        name = "InceptionV3 pool features (ImageNet)"
    else:
        name = f"InceptionV3 pool features ({Path(key).name})"
    return FeatureExtractor(
        name, features, kind="inception", comparable_with_papers=key is not None, batch_size=batch_size
    )


# --------------------------------------------------------------------------- the MNIST classifier
def _check_ink(ink: object) -> str:
    if ink not in INK_MODES:
        raise ValueError(f"ink must be one of {', '.join(map(repr, INK_MODES))}, got {ink!r}.")
    return str(ink)


def _border(x: np.ndarray) -> np.ndarray:
    """The pixels of each image's outer ring (width 1/14 of the side, at least 1): ``(n, pixels, c)``."""
    h, w = x.shape[1:3]
    b = max(1, round(min(h, w) / 14))
    mask = np.zeros((h, w), bool)
    mask[:b], mask[-b:], mask[:, :b], mask[:, -b:] = True, True, True, True
    return x[:, mask]


def _ink_by_distance(x: np.ndarray) -> np.ndarray:
    """Background colour -> -1, colours far from it -> +1 (the 1 % farthest pixels of each image)."""
    background = np.median(_border(x), axis=1)  # (n, c)
    distance = np.linalg.norm(x - background[:, None, None, :], axis=-1)  # (n, h, w)
    scale = np.percentile(distance.reshape(len(x), -1), 99, axis=1)
    scale = np.where(scale > 1e-6, scale, np.inf)  # a blank image stays blank (all -1)
    ink = np.clip(distance / scale[:, None, None], 0.0, 1.0)
    return (2.0 * ink - 1.0).astype(np.float32)[..., None]


@functools.lru_cache(maxsize=16)
def _digit_resizer(h: int, w: int) -> Callable[[np.ndarray], tf.Tensor]:
    shrink = min(h, w) > DIGIT_SHAPE[0]

    @tf.function(input_signature=[tf.TensorSpec([None, h, w, 1], tf.float32)])
    def resize(x: tf.Tensor) -> tf.Tensor:
        return keras.ops.image.resize(
            x, DIGIT_SHAPE[:2], interpolation="bilinear", antialias=shrink, crop_to_aspect_ratio=True
        )

    return resize


def to_digits(images: object, ink: str = "auto") -> np.ndarray:
    """Bring images of any size and colour to what the MNIST classifier reads: ``(n, 28, 28, 1)``, dark background.

    Each image becomes one grey channel, then is resized (bilinear, the centre kept when it is not
    square) to 28x28. ``ink`` says how the grey is made:

    * ``"grey"``: the luminance (``tf.image.rgb_to_grayscale``), nothing else.
    * ``"distance"``: each pixel's colour distance from the image's background colour (the
      median of its outer ring of pixels): the background becomes -1 (black, as in MNIST) and the
      1 % of pixels farthest from it +1. A light background with a dark digit, and a digit whose
      colour is as bright as its background (red on green), both become white on black.
    * ``"auto"`` (default): grey images whose background is dark (the median of their border at
      most their mean, as in MNIST) are kept as they are; colour images and light backgrounds go
      by ``"distance"``. So MNIST-like images pass unchanged.

    Example:
        >>> light = np.ones((2, 32, 32, 3), "float32"); light[:, 10:22, 14:18] = -1.0  # dark bar on white
        >>> d = to_digits(light)
        >>> d.shape, float(d[0, 0, 0, 0]), round(float(d[0, 14, 14, 0]), 3)
        ((2, 28, 28, 1), -1.0, 1.0)
    """
    ink = _check_ink(ink)
    x = check_images(images)
    if ink == "grey":
        grey = x if x.shape[-1] == 1 else tf.image.rgb_to_grayscale(x).numpy()
    elif ink == "distance":
        grey = _ink_by_distance(x)
    else:
        grey = x
        if x.shape[-1] == 3:
            grey = _ink_by_distance(x)
        else:
            light = np.median(_border(x)[..., 0], axis=1) > x.mean(axis=(1, 2, 3))
            if light.any():
                grey = x.copy()
                grey[light] = _ink_by_distance(x[light])
    if grey.shape[1:3] != DIGIT_SHAPE[:2]:
        resize = _digit_resizer(*grey.shape[1:3])
        grey = np.concatenate([resize(grey[i : i + 1024]).numpy() for i in range(0, len(grey), 1024)])
    return np.clip(grey, -1.0, 1.0).astype(np.float32, copy=False)


def _classifier_features(digits: np.ndarray) -> np.ndarray:
    # The classifier, its checksums and its cache live in metrics, with the scores it was made for.
    # Imported when called, not at import time: metrics imports this module.
    from gan_utils.metrics import classifier_features

    return classifier_features(digits)


def digit_extractor(ink: str = "auto") -> FeatureExtractor:
    """The project's MNIST classifier's 128 ``features`` (today's default in :mod:`gan_utils.metrics`).

    Made for MNIST: ``(n, 28, 28, 1)`` images with a black background. Other digits (other sizes,
    colour, light backgrounds) are first brought to that by :func:`to_digits` (``ink`` as there);
    MNIST-like images pass unchanged. Its FID is the *FID (MNIST classifier features)*, not the
    Inception FID of papers.

    Example:
        >>> extractor = digit_extractor()                              # doctest: +SKIP
        >>> extractor(np.full((4, 32, 32, 3), -1.0)).shape             # doctest: +SKIP
        (4, 128)
    """
    ink = _check_ink(ink)
    return FeatureExtractor(
        "MNIST classifier features",
        _classifier_features,
        kind="classifier",
        batch_size=1000,
        prepare=functools.partial(to_digits, ink=ink),
    )


# -------------------------------------------------------------------------- the random stand-in
def _check_shape(image_shape: object) -> tuple[int, int, int]:
    try:
        shape = tuple(int(s) for s in image_shape)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        shape = ()
    if len(shape) == 2:
        shape = (*shape, 1)
    if len(shape) != 3 or min(shape[:2]) < 1 or shape[2] not in (1, 3) or isinstance(image_shape, str):
        raise ValueError(f"image_shape must be (height, width, channels) with 1 or 3 channels, like (32, 32, 3); got {image_shape!r}.")
    return shape


#: The random stand-in's layers: (filters, kernel size, stride); the last has ``dim`` filters.
_RANDOM_LAYERS = ((32, 4, 2), (64, 4, 2))


@functools.lru_cache(maxsize=8)
def _random_network(image_shape: tuple[int, int, int], dim: int, seed: int) -> keras.Model:
    """Conv -> ReLU (x3, stride 2) -> global average pool, He-normal weights drawn by NumPy from ``seed``."""
    rng = np.random.default_rng(seed)
    image = keras.Input(image_shape)
    h, channels = image, image_shape[-1]
    convs = []
    for filters, kernel, stride in (*_RANDOM_LAYERS, (dim, 3, 2)):
        conv = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", activation="relu")
        h = conv(h)
        fan_in = kernel * kernel * channels
        convs.append((conv, rng.normal(0.0, np.sqrt(2.0 / fan_in), (kernel, kernel, channels, filters)).astype("float32")))
        channels = filters
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(image, h, name=f"random_features_{dim}_seed{seed}")
    for conv, kernel in convs:
        conv.set_weights([kernel, np.zeros(kernel.shape[-1], "float32")])
    return model


def random_extractor(image_shape: Sequence[int], dim: int = 64, seed: int = 0) -> FeatureExtractor:
    """A fixed random-weight convolutional network: features without a download, the same for every seed.

    Three 'same' convolutions with stride 2 and ReLU (32, 64 and ``dim`` filters), then the average
    over positions: ``dim`` features. The weights are He-normal numbers drawn by NumPy from ``seed``,
    so the same seed gives the same features on every machine and every call. Features of random
    networks are a known baseline for FID-like comparisons: they separate noise, blur and missing
    variety well. But its numbers are comparable only with other numbers from the same
    ``(image_shape, dim, seed)`` at the same number of images, never with papers. Used by the tests
    and by benchmarks that must run offline.

    Example:
        >>> extractor = random_extractor((32, 32, 3))
        >>> x = np.zeros((4, 32, 32, 3), "float32")
        >>> extractor(x).shape, bool((extractor(x) == random_extractor((32, 32, 3))(x)).all())
        ((4, 64), True)
    """
    shape = _check_shape(image_shape)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
        raise ValueError(f"dim must be an integer >= 2 (the number of features), got {dim!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    network = _random_network(shape, int(dim), int(seed))

    def features(x: np.ndarray) -> np.ndarray:
        if x.shape[1:] != shape:
            raise ValueError(f"this random extractor was built for images of shape {shape}, got {x.shape[1:]}: build one for that shape.")
        return network(x, training=False)

    return FeatureExtractor(f"random features (stand-in, dim {int(dim)}, seed {int(seed)})", features, kind="random")


# ---------------------------------------------------------------------------------- by name
def get_extractor(
    features: str | Callable[[np.ndarray], np.ndarray] | FeatureExtractor = "inception",
    image_shape: Sequence[int] | None = None,
    fallback: str | Callable[[np.ndarray], np.ndarray] | FeatureExtractor | None = None,
) -> FeatureExtractor:
    """Turn a name or a function into a :class:`FeatureExtractor`.

    Names: ``"inception"`` (:func:`inception_extractor`), ``"classifier"`` or ``"digits"``
    (:func:`digit_extractor`), ``"random"`` (:func:`random_extractor`, which needs ``image_shape``).
    A function ``images (n, h, w, c) in [-1, 1] -> features (n, d)`` is wrapped, named after its
    ``name`` attribute or its ``__name__``.

    ``fallback`` (a name or a function) is used only when InceptionV3's weights cannot be loaded,
    and then one line says so::

        InceptionV3's ImageNet weights could not be loaded (...); using random features
        (stand-in, dim 64, seed 0) instead: its FID numbers are not comparable with papers.

    Without ``fallback`` that case raises :class:`FeatureWeightsUnavailable`, which says what to do.

    Example:
        >>> get_extractor("random", image_shape=(28, 28, 1)).name
        'random features (stand-in, dim 64, seed 0)'
        >>> get_extractor("inception", fallback="random", image_shape=(32, 32, 3))  # doctest: +SKIP
    """
    if isinstance(features, FeatureExtractor):
        return features
    if callable(features) and not isinstance(features, str):
        name = getattr(features, "name", None) or getattr(features, "__name__", None) or type(features).__name__
        return FeatureExtractor(str(name), features)
    if not isinstance(features, str) or features.strip().lower() not in EXTRACTORS:
        known = "; ".join(f"{n!r}: {what}" for n, what in EXTRACTORS.items())
        raise ValueError(f"unknown feature extractor {features!r}. Known names: {known}. Or pass a function images -> features.")
    name = features.strip().lower()
    if name == "random":
        if image_shape is None:
            raise ValueError("the 'random' extractor is built for one image shape: pass image_shape=(height, width, channels).")
        return random_extractor(image_shape)
    if name in ("classifier", "digits"):
        return digit_extractor()
    if fallback is None:
        return inception_extractor()
    if isinstance(fallback, str) and fallback.strip().lower() == "inception":
        raise ValueError("fallback='inception' cannot stand in for InceptionV3: use 'random', 'classifier' or a function.")
    substitute = get_extractor(fallback, image_shape)  # checked before InceptionV3 is tried: a bad fallback fails early
    try:
        return inception_extractor()
    except FeatureWeightsUnavailable as err:
        print(
            f"InceptionV3's ImageNet weights could not be loaded ({err.reason}); using {substitute.name} instead: "
            "its FID numbers are not comparable with papers.",
            flush=True,
        )
        return substitute
