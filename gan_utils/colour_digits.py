"""Colour digits: a folder of colour images made offline from MNIST, for trying "your own images".

Each digit is tinted: its stroke in one random colour, its background in another at least
``MIN_CONTRAST`` apart (so that every digit stays legible), written as PNGs into one sub-folder per
digit (``colour_digits/0/00042.png`` ...). :func:`gan_utils.load_images` reads the folder as
unlabelled colour images, and with ``with_labels=True`` (``train cgan --images``) the sub-folders are
the ten classes. The colours are drawn independently of the digit, so a generator has to learn two
things: digit shapes, and that a stroke and its background are each one flat colour.

Notebook 07 trains on such a folder in smoke mode (no download needed), the benchmarks on a larger
one; ``scripts/make_colour_digits.py`` writes one from the command line.

Example:
    >>> folder = write_colour_digits("colour_digits", count=2000, size=32)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from gan_utils.data import load_mnist

#: Smallest distance between the stroke's and the background's colour, in RGB units (0-255 per channel).
MIN_CONTRAST = 160.0
#: How a 28x28 digit becomes ``size`` pixels: black margins added around it, or the digit enlarged.
FITS = ("pad", "resize")
#: The default fit: the digit enlarged to fill the frame. At 32 pixels the ``dcgan`` recipe drew readable
#: digits in 4 minutes more often on such folders than on padded ones (benchmarks/README.md, "Your own images").
DEFAULT_FIT = "resize"


def random_colour_pairs(n: int, rng: np.random.Generator, min_contrast: float = MIN_CONTRAST) -> tuple[np.ndarray, np.ndarray]:
    """``n`` (stroke, background) RGB colours, uniform in the cube, each pair at least ``min_contrast`` apart.

    Example:
        >>> stroke, background = random_colour_pairs(5, np.random.default_rng(0))
        >>> stroke.shape, bool((np.linalg.norm(stroke - background, axis=1) >= MIN_CONTRAST).all())
        ((5, 3), True)
    """
    stroke, background = np.empty((n, 3)), np.empty((n, 3))
    filled = 0
    while filled < n:  # rejection sampling: about half of uniform pairs are far enough apart
        a, b = rng.uniform(0, 255, (2, 2 * (n - filled), 3))
        keep = np.linalg.norm(a - b, axis=1) >= min_contrast
        take = min(int(keep.sum()), n - filled)
        stroke[filled : filled + take], background[filled : filled + take] = a[keep][:take], b[keep][:take]
        filled += take
    return stroke, background


def colour_digits(digits: np.ndarray, size: int, rng: np.random.Generator, fit: str = DEFAULT_FIT) -> np.ndarray:
    """Colour uint8 MNIST digits ``(n, 28, 28, 1)``: uint8 RGB images ``(n, size, size, 3)``.

    The digit is brought to ``size`` pixels, by enlarging it (``fit="resize"``, the default: bicubic,
    the digit fills the frame as it fills MNIST's 28x28) or by padding it with background
    (``fit="pad"``: the digit keeps its 28 pixels, so at 64 it covers the middle fifth of the picture), and used
    as the mix between two random colours: ``pixel = background * (1 - ink) + stroke * ink``, with
    ``ink`` the digit's grey level in [0, 1].

    Example:
        >>> digits = np.zeros((2, 28, 28, 1), np.uint8)
        >>> colour_digits(digits, 64, np.random.default_rng(0), fit="resize").shape
        (2, 64, 64, 3)
    """
    if size < 28:
        raise ValueError(f"size must be at least 28 (MNIST's side), got {size}.")
    if fit not in FITS:
        raise ValueError(f"fit must be 'pad' (margins around the 28x28 digit) or 'resize' (the digit enlarged), got {fit!r}.")
    if fit == "resize":
        big = [np.asarray(Image.fromarray(d).resize((size, size), Image.BICUBIC)) for d in digits[..., 0]]
        ink = np.stack(big).astype(np.float32) / 255.0
    else:
        before = (size - 28) // 2
        ink = np.pad(digits[..., 0].astype(np.float32) / 255.0, ((0, 0), (before, size - 28 - before), (before, size - 28 - before)))
    stroke, background = random_colour_pairs(len(digits), rng)
    ink = ink[..., None]
    pixels = background[:, None, None, :] * (1.0 - ink) + stroke[:, None, None, :] * ink
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


def write_colour_digits(
    output: str | os.PathLike, count: int = 2000, size: int = 32, seed: int = 0, fit: str = DEFAULT_FIT, data: str | os.PathLike | None = None
) -> Path:
    """Write ``count`` colour digits as PNGs into ``output/<digit>/NNNNN.png``; return the folder.

    The digits are a seeded sample of MNIST's training set (``data``, else ``$GAN_UTILS_MNIST``,
    else Keras' download), coloured by :func:`colour_digits`.

    Example:
        >>> folder = write_colour_digits("colour_digits_64", 10_000, size=64)  # doctest: +SKIP
        >>> len(load_images(folder, 64))                                                  # doctest: +SKIP
        10000
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive number of images, got {count!r}.")
    digits, labels = load_mnist(data, value_range=None, subset=count, seed=seed)
    images = colour_digits(digits, size, np.random.default_rng(seed), fit=fit)
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = Path(output) / str(int(label))
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:05d}.png")
    return Path(output)
