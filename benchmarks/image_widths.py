"""Widths of the ``dcgan`` recipe at one image size: each trained for the same time, scored alike.

    python benchmarks/image_widths.py --image-size 64 --widths 8 16 32 --seconds 300
    python benchmarks/image_widths.py --image-size 32 --widths 16 32 64 --seconds 240 --checkpoints 60 120
    python benchmarks/image_widths.py --widths 16 --lr 2e-4          # another learning rate for both networks

For each width (the filters next to the image; :func:`gan_utils.models.dcgan_stages`) the ``dcgan``
recipe is built for ``(S, S, 3)`` and trained from the same seed on the same folder (default:
10,000 colour digits made offline, as in ``time_to_quality_images.py``) until its training clock
passes each checkpoint, where the moving-average generator is kept. Every checkpoint is then scored
on ``--samples`` images from one fixed latent batch against as many training images, in the
features ``--features`` names (default ``digits``: the project's MNIST classifier on grey,
dark-background versions, which reads colour digits). One run per width: the table says what this
machine did once. Sample grids and ``results-seed<S>.json`` go to ``build/benchmarks/image_widths/<N>px/`` (N the image size).

Not in CI: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from time_to_quality_images import DEFAULT_COUNT, colour_digit_folder, make_scorer, score_checkpoints, train  # noqa: E402

OUT = HERE.parent / "build" / "benchmarks" / "image_widths"


def table(records: list[dict]) -> str:
    """The Markdown table, one row per width and checkpoint.

    Example:
        >>> print(table([{"model": "width-16", "budget_s": 300, "steps": 900, "images_per_s": 190.0,
        ...               "mflop_per_image": 180.0, "fid": 12.5, "precision": 0.7, "recall": 0.6}]))
        | width | budget | steps | images/s | MFLOP/image | FID | precision | recall |
        |---|---:|---:|---:|---:|---:|---:|---:|
        | 16 | 300 s | 900 | 190.0 | 180 | 12.50 | 0.700 | 0.600 |
    """
    lines = ["| width | budget | steps | images/s | MFLOP/image | FID | precision | recall |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        lines.append(f"| {r['model'].removeprefix('width-')} | {r['budget_s']:g} s | {r['steps']:,} | {r['images_per_s']:.1f} | "
                     f"{r['mflop_per_image']:,.0f} | {r['fid']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} |")
    return "\n".join(lines)


def register_normalization(normalization: str) -> str:
    """Register the ``dcgan`` networks with this discriminator normalization; return the architecture's name."""
    from gan_utils import models
    from gan_utils.recipes import register_architecture

    name = f"dcgan-d-{normalization}"

    @register_architecture(name)
    def build(recipe, image_shape):
        return (models.build_dcgan_generator(recipe.latent_dim, image_shape, recipe.width),
                models.build_dcgan_discriminator(image_shape, recipe.width, normalization=None if normalization == "none" else normalization))

    return name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--image-size", type=int, default=64, help="side of the training images (default 64)")
    p.add_argument("--widths", type=int, nargs="+", default=[8, 16, 32], help="widths to compare (default 8 16 32)")
    p.add_argument("--seconds", type=float, default=300.0, help="training budget per width (default 300)")
    p.add_argument("--checkpoints", type=float, nargs="*", default=[], metavar="SECONDS", help="earlier times to score too")
    p.add_argument("--images", metavar="SRC", help=f"training images (default: {DEFAULT_COUNT:,} colour digits made offline)")
    p.add_argument("--samples", type=int, default=2_000, help="generated (and real) images per score (default 2,000)")
    p.add_argument("--features", default="digits", help="feature space of the scores (default digits)")
    p.add_argument("--normalization", choices=("batch", "layer", "none"),
                   help="the discriminator's normalization (default: the recipe's, recipes.dcgan_normalization)")
    p.add_argument("--lr", type=float, help="Adam learning rate of both networks (default: the recipe's)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    import gan_utils

    shape = (args.image_size, args.image_size, 3)
    scorer = make_scorer(args.features, shape)
    source = args.images if args.images is not None else colour_digit_folder(args.image_size, DEFAULT_COUNT, args.seed)
    images = gan_utils.load_images(source, args.image_size, 3)
    real = images[np.random.default_rng(args.seed).permutation(len(images))[: args.samples]]
    checkpoints = sorted({c for c in args.checkpoints if 0 < c < args.seconds} | {args.seconds})
    out = OUT / f"{args.image_size}px"
    out.mkdir(parents=True, exist_ok=True)
    records: list[dict] = []
    for width in args.widths:
        gan_utils.set_seed(args.seed)
        rates = {"d_lr": args.lr, "g_lr": args.lr} if args.lr else {}
        if args.normalization:
            rates["architecture"] = register_normalization(args.normalization)
        recipe = gan_utils.get_recipe("dcgan", smoke=False, width=width, **rates)
        gan = gan_utils.build_gan(recipe, seed=args.seed, image_shape=shape)
        label = f"width-{width}" + (f"-lr{args.lr:g}" if args.lr else "") + (f"-{args.normalization}" if args.normalization else "")
        label += f"-seed{args.seed}" if args.seed else ""
        rows = train(label, gan, recipe.batch_size, images, checkpoints, args.seed, warmup_steps=3)
        score_checkpoints(rows, gan.sampler, real, scorer, out)
        records += rows
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "load_average"}), flush=True)
        del gan
        keras.backend.clear_session()
    print(f"\n{len(images):,} training images {shape} from {source}; {len(real):,} samples scored against as many "
          f"training images in {scorer.name} features; one run per width, seed {args.seed}:\n")
    print(table(records))
    (out / f"results-seed{args.seed}.json").write_text(json.dumps({"source": str(source), "records": records}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
