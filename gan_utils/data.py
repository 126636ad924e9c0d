"""MNIST loading, scaling, digit filters and the ``tf.data`` training pipeline."""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import tensorflow as tf

from gan_utils import config

MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
IMAGE_SHAPE = (28, 28, 1)


@functools.lru_cache(maxsize=2)
def _read_npz(path: str) -> dict[str, np.ndarray]:
    """Read and check an MNIST ``.npz`` file once per process."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(
            f"MNIST file not found: {p}. Pass path= to an .npz with keys {', '.join(MNIST_KEYS)}, "
            "set GAN_UTILS_MNIST to one, or leave both unset to download MNIST with Keras."
        )

    def unreadable(err: Exception) -> ValueError:
        return ValueError(
            f"{p} is not a readable .npz file ({err}). It may be truncated or corrupt: "
            "download it again, or unset GAN_UTILS_MNIST to let Keras fetch MNIST."
        )

    try:  # ValueError: not NumPy data at all (NumPy then suspects a pickle, which it refuses to load)
        f = np.load(p, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise unreadable(err) from err
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{p} holds a single array (an .npy file), not an .npz archive with the keys "
            f"{', '.join(MNIST_KEYS)}, like Keras' mnist.npz."
        )
    with f:
        missing = [k for k in MNIST_KEYS if k not in f.files]
        if missing:
            raise ValueError(
                f"{p} has no {', '.join(missing)} (found: {', '.join(f.files) or 'nothing'}). "
                f"An MNIST file needs the keys {', '.join(MNIST_KEYS)}, like Keras' mnist.npz."
            )
        try:  # ValueError: an object array, which would need unpickling
            arrays = {k: f[k] for k in MNIST_KEYS}
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise unreadable(err) from err
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise ValueError(
                f"{p}: x_{split} has shape {x.shape} and y_{split} {y.shape}; expected "
                "(n, 28, 28) images and (n,) labels."
            )
    return arrays


def _keras_mnist() -> dict[str, np.ndarray]:
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def mnist_source(path: str | os.PathLike | None = None) -> str:
    """Say where :func:`load_mnist` reads MNIST from: the path, ``GAN_UTILS_MNIST``, or Keras.

    Example:
        >>> mnist_source("/data/mnist.npz")
        '/data/mnist.npz'
    """
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or pathlib.Path) to an MNIST .npz, got {type(path).__name__} {path!r}.")
        return str(Path(path).expanduser())
    if config.MNIST_PATH is not None:
        return str(config.MNIST_PATH)
    return "keras.datasets.mnist"


def scale_images(images: np.ndarray, value_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """Scale uint8 pixels (0-255) to float32 in ``value_range`` and add a channel axis if missing.

    Example:
        >>> scale_images(np.array([[0, 255]], dtype=np.uint8)).tolist()
        [[[-1.0], [1.0]]]
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"scale_images expects uint8 pixels 0-255, got dtype {images.dtype}.")
    x = _to_range(images, value_range)
    return x[..., None] if x.shape[-1] != 1 else x


def _to_range(pixels: np.ndarray, value_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """uint8 pixels 0-255 to float32 in ``value_range``, shape unchanged (grey or colour)."""
    lo, hi = _check_range(value_range)
    x = pixels.astype(np.float32)
    x /= 255.0  # in place: the same float32 arithmetic as ``x / 255.0 * (hi - lo) + lo``, without three temporary copies
    x *= hi - lo
    x += lo
    return x


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1, got {seed!r}.")
    return int(seed)


def _check_subset(subset: object) -> int:
    if isinstance(subset, bool) or not isinstance(subset, (int, np.integer)) or subset <= 0:
        raise ValueError(f"subset must be a positive number of images, got {subset!r}.")
    return int(subset)


def _subset_rows(n: int, subset: int, seed: int) -> np.ndarray:
    """The rows a ``subset`` of ``n`` keeps: a sorted random sample fixed by ``seed`` (all rows if n <= subset)."""
    if subset >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=subset, replace=False))


def _check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(f"value_range must be two numbers like (-1, 1) or (0, 1), got {value_range!r}.") from None
    if not lo < hi:
        raise ValueError(f"value_range must be increasing, like (-1, 1) or (0, 1); got {value_range!r}.")
    return lo, hi


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    split: str = "train",
    digits: Iterable[int] | int | None = None,
    value_range: tuple[float, float] | None = (-1.0, 1.0),
    subset: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return real MNIST images and labels, scaled for a GAN.

    Where the data comes from, in order: ``path``; the ``GAN_UTILS_MNIST`` environment variable;
    otherwise ``keras.datasets.mnist.load_data()`` (downloads once, then cached).

    Args:
        path: an ``.npz`` with ``x_train``, ``y_train``, ``x_test``, ``y_test``.
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000).
        digits: keep only these classes, e.g. ``0`` or ``[0, 1]``; None keeps all ten.
        value_range: scale pixels to this range, ``(-1, 1)`` for a tanh generator or ``(0, 1)``;
            None returns the raw uint8 pixels.
        subset: keep a random sample of this many images (after the digit filter).
        seed: seeds the subset sample.

    Returns:
        ``(images, labels)``: images of shape ``(n, 28, 28, 1)`` (float32, or uint8 when
        ``value_range`` is None) and int64 labels of shape ``(n,)``.

    Example:
        >>> x, y = load_mnist(digits=0, subset=100)  # doctest: +SKIP
        >>> x.shape, float(x.min()), float(x.max()), set(y.tolist())  # doctest: +SKIP
        ((100, 28, 28, 1), -1.0, 1.0, {0})
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    _check_seed(seed)
    source = mnist_source(path)
    arrays = _keras_mnist() if source == "keras.datasets.mnist" else _read_npz(source)
    x, y = arrays[f"x_{split}"], arrays[f"y_{split}"].astype(np.int64)

    if digits is not None:
        wanted = check_digits(digits)
        keep = np.isin(y, wanted)
        x, y = x[keep], y[keep]
    if subset is not None and _check_subset(subset) < len(x):
        pick = _subset_rows(len(x), subset, seed)
        x, y = x[pick], y[pick]
    if value_range is None:
        return x[..., None], y
    return scale_images(x, value_range), y


def check_digits(digits: Iterable[int] | int) -> list[int]:
    """Validate digit classes and return them as a sorted list; each must be an integer 0-9.

    Example:
        >>> check_digits(7), check_digits([3, 1])
        ([7], [1, 3])
    """
    if isinstance(digits, (str, bytes)) or not isinstance(digits, (int, np.integer, Iterable)):
        raise ValueError(f"digits must be an integer 0-9 or a list of them, got {digits!r}.")
    values = [digits] if isinstance(digits, (int, np.integer)) else list(digits)
    if not values:
        raise ValueError("digits is empty: give at least one class from 0 to 9, e.g. digits=0.")
    for d in values:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d <= 9:
            raise ValueError(f"digits must be integers from 0 to 9, got {d!r} in {digits!r}.")
    return sorted({int(d) for d in values})


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    batch_size: int = 128,
    seed: int = 0,
    epochs: int | None = None,
    start_epoch: int = 0,
    skip: int = 0,
) -> tf.data.Dataset:
    """Build the ``tf.data`` pipeline that feeds ``GAN.fit``: shuffled full batches, prefetched.

    The images are held once in memory as a tensor (the "cache": nothing is decoded or copied per
    epoch) and each batch is one ``tf.gather`` of random rows, which on a CPU is several times faster
    than shuffling single examples. The last incomplete batch is dropped so that every step has the
    same shape (no retracing, XLA-friendly).

    Two ways to iterate:
        * ``epochs=None``: one epoch per pass, reshuffled on every pass (plain ``fit(ds, epochs=...)``).
        * ``epochs=E, start_epoch=k``: epochs ``k .. E-1`` back to back, epoch ``e`` in the order
          fixed by ``(seed, e)``. Training resumed at epoch ``k`` therefore sees exactly the batches
          an uninterrupted run would. Use with ``fit(..., steps_per_epoch=len(images)//batch_size)``.
          ``skip=s`` starts at step ``s`` of epoch ``k``: a run stopped mid-epoch goes on from that step.

    Args:
        images: array ``(n, ...)`` of training images.
        labels: optional ``(n,)`` integer labels; elements are then ``(images, labels)``.
        batch_size: images per step; at most ``len(images)``.
        seed: fixes the shuffling.

    Example:
        >>> ds = make_dataset(np.zeros((10, 28, 28, 1), "float32"), batch_size=4)
        >>> [tuple(b.shape) for b in ds]
        [(4, 28, 28, 1), (4, 28, 28, 1)]
    """
    given, images = images, np.asarray(images)
    if images.ndim == 0 or images.dtype.kind not in "fiu":
        raise TypeError(f"images must be an array of numbers of shape (n, ...), got {type(given).__name__} {given!r:.60}.")
    n = len(images)
    if n == 0:
        raise ValueError("make_dataset got no images: the data (after digit/subset filters) is empty.")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},) to match the images, got {labels.shape}.")
    batches = index_batches(n, batch_size=batch_size, seed=seed, epochs=epochs, start_epoch=start_epoch, skip=skip)
    x = tf.constant(images)
    if labels is None:
        return batches.map(lambda idx: tf.gather(x, idx)).prefetch(tf.data.AUTOTUNE)
    y = tf.constant(labels.astype(np.int32))
    return batches.map(lambda idx: (tf.gather(x, idx), tf.gather(y, idx))).prefetch(tf.data.AUTOTUNE)


def index_batches(
    n: int,
    *,
    batch_size: int = 128,
    seed: int = 0,
    epochs: int | None = None,
    start_epoch: int = 0,
    skip: int = 0,
) -> tf.data.Dataset:
    """The order behind :func:`make_dataset`: batches of row numbers ``0 .. n-1``, one epoch after another.

    Epoch ``e`` is a permutation fixed by ``(seed, e)``, cut into ``n // batch_size`` full batches
    (the rest is dropped). ``make_dataset`` gathers these rows from an array in memory;
    :func:`gan_utils.image_dataset` reads them from a cache file on disk, so both give the same
    batches and resume the same way. Arguments and the two ways to iterate are those of
    :func:`make_dataset`.

    Example:
        >>> [b.numpy().tolist() for b in index_batches(5, batch_size=2, seed=0, epochs=1)]
        [[0, 4], [1, 3]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if batch_size > n:
        raise ValueError(
            f"batch_size {batch_size} is larger than the data ({n} images): use batch_size <= {n} "
            "or more data (a larger subset; for MNIST, more digit classes)."
        )
    _check_seed(seed)
    for name, value in (("epochs", epochs), ("start_epoch", start_epoch)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))):
            raise ValueError(f"{name} must be an integer, got {value!r}.")
    if epochs is not None and (epochs <= start_epoch or start_epoch < 0):
        raise ValueError(f"need 0 <= start_epoch < epochs, got start_epoch={start_epoch}, epochs={epochs}.")

    steps = n // batch_size
    seed_t = tf.constant(int(seed), tf.int64)

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        key = tf.stack([seed_t, tf.cast(epoch, tf.int64)])
        order = tf.argsort(tf.random.stateless_uniform([n], seed=key))
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order[: steps * batch_size], [steps, batch_size]))

    if epochs is None:
        keys = tf.data.Dataset.random(seed=int(seed), rerandomize_each_iteration=True).take(1)
    else:
        keys = tf.data.Dataset.range(start_epoch, epochs)
    if isinstance(skip, bool) or not isinstance(skip, (int, np.integer)) or not 0 <= skip < steps:
        raise ValueError(f"skip must be a step of the first epoch, from 0 to {steps - 1}, got {skip!r}.")
    length = steps * (1 if epochs is None else epochs - start_epoch) - skip
    return keys.flat_map(one_epoch).skip(skip).apply(tf.data.experimental.assert_cardinality(length))
