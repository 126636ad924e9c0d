"""Make a folder of colour images offline: MNIST digits tinted with random colours on random backgrounds.

    GAN_UTILS_MNIST=/path/to/mnist.npz python scripts/make_colour_digits.py --output colour_digits
    python -m gan_utils.train dcgan --images colour_digits --image-size 32 --channels 3 --output runs/colour

The command line of :mod:`gan_utils.colour_digits`: a stand-in for "your own images" that needs no
download and no photos. ``--count`` training digits (2,000 by default, a seeded sample), each enlarged
from 28x28 to ``--size`` (32) pixels so that it fills the frame as in MNIST (or, with ``--fit pad``,
padded with background around its 28 pixels), the stroke in one random colour and the background in another,
written as PNGs into one sub-folder per digit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gan_utils.colour_digits import (  # noqa: F401 (the script's names)
    DEFAULT_FIT,
    FITS,
    MIN_CONTRAST,
    colour_digits,
    random_colour_pairs,
    write_colour_digits,
)
from gan_utils.data import mnist_source


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--output", type=Path, required=True, help="folder to write (one sub-folder per digit)")
    p.add_argument("--count", type=int, default=2000, help="how many images (default 2000)")
    p.add_argument("--size", type=int, default=32, help="side of the images in pixels, >= 28 (default 32)")
    p.add_argument("--fit", choices=FITS, default=DEFAULT_FIT,
                   help=f"resize: the digit enlarged to fill --size; pad: margins around the 28x28 digit (default {DEFAULT_FIT})")
    p.add_argument("--seed", type=int, default=0, help="seeds the digits picked and their colours (default 0)")
    p.add_argument("--data", type=Path, help="MNIST .npz (default: $GAN_UTILS_MNIST, else Keras' download)")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error(f"--count must be a positive number of images, got {args.count}")
    if args.output.exists() and any(args.output.iterdir()):
        p.error(f"--output {args.output} is not empty: choose a new folder (nothing was written)")
    try:
        write_colour_digits(args.output, args.count, args.size, args.seed, args.fit, args.data)
    except ValueError as err:
        p.error(str(err))
    n = args.count
    how = ", digits enlarged" if args.fit == "resize" else ""
    print(f"wrote {n} colour digits of {args.size}x{args.size}{how} to {args.output} (from {mnist_source(args.data)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
