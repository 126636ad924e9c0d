"""The ``cgan`` recipe on a labelled folder of colour images: learning rates compared at equal steps.

    python benchmarks/cgan_images.py --image-size 32 --lrs 2e-4 1e-3 --seeds 0 1 2
    python benchmarks/cgan_images.py --image-size 64 --lrs 1e-3 --widths 16 32 --epochs 5 --seeds 0

A folder of sub-folders gives ``python -m gan_utils.train cgan --images DIR`` its classes. Here the
folder is 10,000 colour digits made offline (``time_to_quality_images.colour_digit_folder``: one
sub-folder per digit, each seed its own draw), so the classes are digits and the project's MNIST
classifier can read what the generator drew. For each learning rate (both networks) and width, the
``cgan`` recipe for the size is built for ``(S, S, 3)`` and trained from the same seed for the same
number of epochs, then its moving-average generator draws ``--samples`` images, an equal number of
each class from one fixed latent batch, scored two ways:

* **FID** against as many training images in the ``digits`` features (the MNIST classifier on grey,
  dark-background versions: ``gan_utils.features.digit_extractor``), as in ``image_widths.py``;
* **class accuracy**: how often the classifier reads the digit asked for (on those grey versions).
  The same reading of the training images themselves is printed beside it: the ceiling.

A grid per run (one row per class) goes to ``build/benchmarks/cgan_images/<N>px/``, with the
table's records in ``results-<settings>.json``. Not in CI: what a run learns in a few epochs
depends on the machine's numerics.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from time_to_quality_images import DEFAULT_COUNT, colour_digit_folder  # noqa: E402

OUT = HERE.parent / "build" / "benchmarks" / "cgan_images"


def balanced_labels(n: int, num_classes: int) -> np.ndarray:
    """``n`` labels, each class as often as the others (to within one), in class order.

    Example:
        >>> balanced_labels(7, 3).tolist()
        [0, 0, 0, 1, 1, 2, 2]
    """
    return np.sort(np.arange(n) % num_classes).astype("int32")


def read_digits(images: np.ndarray) -> np.ndarray:
    """The MNIST classifier's digit for each colour image, read on its grey, dark-background version."""
    from gan_utils import features, metrics

    return metrics.predict_classes(features.to_digits(images))


def table(records: list[dict]) -> str:
    """The Markdown table, one row per run.

    Example:
        >>> print(table([{"lr": 1e-3, "width": 32, "seed": 0, "epochs": 10, "steps": 1560, "train_s": 80.2,
        ...               "fid": 312.5, "accuracy": 0.91}]))
        | learning rate | width | seed | epochs | steps | seconds | FID | class accuracy |
        |---:|---:|---:|---:|---:|---:|---:|---:|
        | 0.001 | 32 | 0 | 10 | 1,560 | 80 | 312.50 | 0.910 |
    """
    lines = ["| learning rate | width | seed | epochs | steps | seconds | FID | class accuracy |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        lines.append(f"| {r['lr']:g} | {r['width']} | {r['seed']} | {r['epochs']} | {r['steps']:,} | {r['train_s']:.0f} | "
                     f"{r['fid']:.2f} | {r['accuracy']:.3f} |")
    return "\n".join(lines)


def run_one(images: np.ndarray, labels: np.ndarray, classes: int, size: int, lr: float, width: int | None,
            epochs: int, seed: int, real: np.ndarray, extractor, out: Path) -> dict:
    """Train the ``cgan`` recipe once and score its moving-average generator; save its grid."""
    import gan_utils
    from gan_utils import metrics, plotting

    overrides = {"width": width} if width else {}
    recipe = gan_utils.get_recipe("cgan", smoke=False, image_size=size, epochs=epochs, d_lr=lr, g_lr=lr,
                                  num_classes=classes, **overrides)
    gan_utils.set_seed(seed)
    gan = gan_utils.build_gan(recipe, seed=seed, image_shape=(size, size, 3))
    start = time.perf_counter()
    gan_utils.fit_gan(gan, images, labels, epochs=recipe.epochs, batch_size=recipe.batch_size, seed=seed, verbose=0)
    train_s = time.perf_counter() - start
    z = np.random.default_rng(1234).normal(size=(len(real), recipe.latent_dim)).astype("float32")
    asked = balanced_labels(len(real), classes)
    fake = np.concatenate([gan.sample(z[i:i + 500], asked[i:i + 500]) for i in range(0, len(z), 500)])
    record = {"lr": lr, "width": recipe.width, "seed": seed, "epochs": epochs,
              "steps": epochs * (len(images) // recipe.batch_size), "train_s": train_s,
              "fid": float(metrics.compare(real, fake, features=extractor)["fid"]),
              "accuracy": float((read_digits(fake) == asked).mean())}
    rows = np.concatenate([np.flatnonzero(asked == c)[:8] for c in range(classes)])
    grid = out / f"lr{lr:g}-width{recipe.width}-{epochs}epochs-seed{seed}.png"
    plotting.save_image(plotting.image_grid(fake[rows], ncols=8), grid)
    record["grid"] = str(grid)
    print(json.dumps(record), flush=True)
    del gan
    keras.backend.clear_session()
    return record


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--image-size", type=int, default=32, help="side of the training images (default 32)")
    p.add_argument("--lrs", type=float, nargs="+", default=[2e-4, 1e-3], help="Adam learning rates, both networks (default 2e-4 1e-3)")
    p.add_argument("--widths", type=int, nargs="+", default=[0], help="widths (default: the recipe's)")
    p.add_argument("--epochs", type=int, default=10, help="epochs per run (default 10, the recipe's)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--samples", type=int, default=2_000, help="generated (and real) images per score (default 2,000)")
    args = p.parse_args(argv)

    import gan_utils
    from gan_utils import features

    size = args.image_size
    out = OUT / f"{size}px"
    out.mkdir(parents=True, exist_ok=True)
    extractor = features.get_extractor("digits", (size, size, 3))
    records, ceilings = [], {}
    for seed in args.seeds:
        folder = colour_digit_folder(size, DEFAULT_COUNT, seed)
        images, labels, names = gan_utils.load_images(folder, size, 3, with_labels=True, seed=seed)
        if names != [str(d) for d in range(10)]:
            raise SystemExit(f"{folder} should hold one sub-folder per digit 0-9, found {names}")
        pick = np.random.default_rng(seed).permutation(len(images))[: args.samples]
        real = images[pick]
        ceilings[seed] = float((read_digits(real) == labels[pick]).mean())
        print(f"[cgan_images] seed {seed}: the classifier reads {ceilings[seed]:.3f} of the training images right", flush=True)
        for lr in args.lrs:
            for width in args.widths:
                records.append(run_one(images, labels, len(names), size, lr, width or None, args.epochs, seed, real, extractor, out))
    print(f"\n{DEFAULT_COUNT:,} colour digits {size}x{size} per seed; {args.samples:,} samples per score, "
          f"the classes in equal numbers; class accuracy of the training images: "
          + ", ".join(f"{v:.3f} (seed {s})" for s, v in ceilings.items()) + "\n")
    print(table(records))
    name = "-".join([f"lr{'+'.join(f'{lr:g}' for lr in args.lrs)}", f"width{'+'.join(str(w or 'recipe') for w in args.widths)}",
                     f"{args.epochs}epochs", f"seed{'+'.join(str(s) for s in args.seeds)}"])
    (out / f"results-{name}.json").write_text(json.dumps({"ceilings": ceilings, "records": records}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
