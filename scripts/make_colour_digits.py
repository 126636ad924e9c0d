"""Make a folder of colour images offline: MNIST digits tinted with random colours on random backgrounds.

    GAN_UTILS_MNIST=/path/to/mnist.npz python scripts/make_colour_digits.py --output colour_digits
    python -m gan_utils.train dcgan --images colour_digits --image-size 32 --channels 3 --output runs/colour

A stand-in for "your own images" that needs no download and no photos: ``--count`` training digits
(2,000 by default, a seeded sample), each padded from 28x28 to ``--size`` (32) pixels (or, with
``--fit resize``, enlarged to it, so that at 64 pixels the digit still fills the frame) and coloured:
the stroke in one random colour, the background in another at least ``MIN_CONTRAST`` apart (so
that every digit stays legible), written as PNGs into one sub-folder per digit
(``colour_digits/0/00042.png`` ...). ``load_images`` reads the folder as unlabelled colour images,
and with ``with_labels=True`` (``train cgan --images``) the sub-folders are the ten classes.

The colours are drawn independently of the digit, so a generator has to learn two things: digit
shapes, and that a stroke and its background are each one flat colour.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from gan_utils.data import load_mnist, mnist_source

#: Smallest distance between the stroke's and the background's colour, in RGB units (0-255 per channel).
MIN_CONTRAST = 160.0
#: How a 28x28 digit becomes ``size`` pixels: black margins added around it, or the digit enlarged.
FITS = ("pad", "resize")


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


def colour_digits(digits: np.ndarray, size: int, rng: np.random.Generator, fit: str = "pad") -> np.ndarray:
    """Colour uint8 MNIST digits ``(n, 28, 28, 1)``: uint8 RGB images ``(n, size, size, 3)``.

    The digit is brought to ``size`` pixels, by padding it with background (``fit="pad"``: the
    digit keeps its 28 pixels, so at 64 it covers the middle fifth of the picture) or by enlarging
    it (``fit="resize"``: bicubic, the digit fills the frame as it fills MNIST's 28x28), and used
    as the mix between two random colours: ``pixel = background * (1 - ink) + stroke * ink``, with
    ``ink`` the digit's grey level in [0, 1].

    Example:
        >>> digits = np.zeros((2, 28, 28, 1), np.uint8)
        >>> colour_digits(digits, 64, np.random.default_rng(0), fit="resize").shape
        (2, 64, 64, 3)
    """
    if size < 28:
        raise ValueError(f"--size must be at least 28 (MNIST's side), got {size}.")
    if fit not in FITS:
        raise ValueError(f"--fit must be 'pad' (margins around the 28x28 digit) or 'resize' (the digit enlarged), got {fit!r}.")
    if fit == "resize":
        big = [np.asarray(Image.fromarray(d).resize((size, size), Image.Resampling.BICUBIC)) for d in digits[..., 0]]
        ink = np.stack(big).astype(np.float32) / 255.0
    else:
        before = (size - 28) // 2
        ink = np.pad(digits[..., 0].astype(np.float32) / 255.0, ((0, 0), (before, size - 28 - before), (before, size - 28 - before)))
    stroke, background = random_colour_pairs(len(digits), rng)
    ink = ink[..., None]
    pixels = background[:, None, None, :] * (1.0 - ink) + stroke[:, None, None, :] * ink
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


def write_colour_digits(
    output: Path, count: int = 2000, size: int = 32, seed: int = 0, fit: str = "pad", data: Path | None = None
) -> int:
    """Write ``count`` colour digits as PNGs into ``output/<digit>/NNNNN.png``; return how many.

    The digits are a seeded sample of MNIST's training set (``data``, else ``$GAN_UTILS_MNIST``,
    else Keras' download), coloured by :func:`colour_digits`.

    Example:
        >>> write_colour_digits(Path("colour_digits_64"), 10_000, size=64, fit="resize")   # doctest: +SKIP
        10000
    """
    digits, labels = load_mnist(data, value_range=None, subset=count, seed=seed)
    images = colour_digits(digits, size, np.random.default_rng(seed), fit=fit)
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = Path(output) / str(int(label))
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:05d}.png")
    return len(images)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--output", type=Path, required=True, help="folder to write (one sub-folder per digit)")
    p.add_argument("--count", type=int, default=2000, help="how many images (default 2000)")
    p.add_argument("--size", type=int, default=32, help="side of the images in pixels, >= 28 (default 32)")
    p.add_argument("--fit", choices=FITS, default="pad",
                   help="pad: margins around the 28x28 digit (default); resize: the digit enlarged to fill --size")
    p.add_argument("--seed", type=int, default=0, help="seeds the digits picked and their colours (default 0)")
    p.add_argument("--data", type=Path, help="MNIST .npz (default: $GAN_UTILS_MNIST, else Keras' download)")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error(f"--count must be a positive number of images, got {args.count}")
    if args.output.exists() and any(args.output.iterdir()):
        p.error(f"--output {args.output} is not empty: choose a new folder (nothing was written)")
    n = write_colour_digits(args.output, args.count, args.size, args.seed, args.fit, args.data)
    how = ", digits enlarged" if args.fit == "resize" else ""
    print(f"wrote {n} colour digits of {args.size}x{args.size}{how} to {args.output} (from {mnist_source(args.data)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
