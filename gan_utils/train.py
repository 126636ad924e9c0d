"""Command line: train a GAN of the series on MNIST and write a run folder.

    python -m gan_utils.train dcgan --output runs/dcgan --epochs 10
    python -m gan_utils.train dcgan --output runs/dcgan --resume        # continue after a stop

The run folder receives ``generator.json`` and ``discriminator.json`` with their ``.weights.npz``
(load the generator with ``gan_utils.load_generator(DIR)``, on any supported Keras), ``samples.png`` (the fixed-z grid), ``history.json``,
``run.json`` (the exact settings), ``progress.gif``, ``samples/`` and the resumable
``checkpoint.npz``. This is how the project's shipped weights are made.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import gan_utils
from gan_utils import plotting, pretrained
from gan_utils.data import check_digits, load_mnist, mnist_source
from gan_utils.metrics import QualityMonitor
from gan_utils.recipes import MODELS, build_gan, get_recipe
from gan_utils.fit import fit_gan
from gan_utils.losses import OBJECTIVES


def describe_hardware() -> str:
    """One line naming the CPU (model, cores) and any GPUs TensorFlow sees, for run.json and model cards."""
    import os

    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return f"{cpu}, {os.cpu_count()} CPU cores" + (f", GPUs: {', '.join(gpus)}" if gpus else ", no GPU")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line (see ``python -m gan_utils.train --help``)."""
    p = argparse.ArgumentParser(prog="python -m gan_utils.train", description=__doc__.split("\n\n")[0])
    p.add_argument("model", choices=MODELS, help="which GAN to train")
    p.add_argument("--output", required=True, type=Path, help="run folder to write (created if missing)")
    p.add_argument("--epochs", type=int, help="epochs to train (default: the model's recipe)")
    p.add_argument("--batch-size", type=int, help="images per step (default: the model's recipe)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights, noise and data order (default 0)")
    p.add_argument("--subset", type=int, help="train on a random subset of N images")
    p.add_argument(
        "--objective", choices=list(OBJECTIVES),
        help="loss family (default: the recipe's); a critic loss needs a critic without batch norm (recipe wgan-gp)",
    )
    p.add_argument("--d-steps", type=int, help="discriminator updates per generator update (default: the recipe's)")
    p.add_argument("--digits", type=int, nargs="+", help="train only on these digit classes, e.g. --digits 0")
    p.add_argument("--time-budget", type=float, metavar="SECONDS", help="stop cleanly after this much training time")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --output")
    p.add_argument("--data", type=Path, help="MNIST .npz (default: $GAN_UTILS_MNIST, else Keras' download)")
    p.add_argument("--smoke", action="store_true", help="smoke size (as GAN_UTILS_SMOKE=1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--monitor", type=int, metavar="EPOCHS",
        help="print FID, precision, recall and class KL of 2,000 samples every EPOCHS epochs (gan_utils.metrics)",
    )
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size", "subset", "monitor", "d_steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.time_budget is not None and args.time_budget <= 0:
        p.error(f"--time-budget must be a positive number of seconds, got {args.time_budget}")
    if not 0 <= args.seed < 2**32:
        p.error(f"--seed must be an integer from 0 to 2**32 - 1, got {args.seed}")
    if args.data is not None and not args.data.is_file():
        p.error(f"--data {args.data}: no such file (give an MNIST .npz with x_train, y_train, x_test, y_test)")
    if args.output.exists() and not args.output.is_dir():
        p.error(f"--output {args.output} is a file: give a folder for the run")
    if args.digits is not None:
        try:
            check_digits(args.digits)
        except ValueError as err:
            p.error(str(err))
    return args


def main(argv: list[str] | None = None) -> int:
    """Train, then write the run folder. Returns the process exit code."""
    args = parse_args(argv)
    given = (("epochs", args.epochs), ("batch_size", args.batch_size), ("subset", args.subset), ("objective", args.objective), ("d_steps", args.d_steps))
    overrides = {k: v for k, v in given if v is not None}
    recipe = get_recipe(args.model, smoke=args.smoke or None, **overrides)
    gan_utils.set_seed(args.seed)
    images, labels = load_mnist(args.data, digits=args.digits, subset=recipe.subset, seed=args.seed)
    print(f"[gan_utils.train] {args.model}: {len(images)} images from {mnist_source(args.data)}; {recipe}", flush=True)

    try:
        gan = build_gan(recipe, seed=args.seed)
    except ValueError as err:  # e.g. --objective wasserstein-gp with a batch-norm discriminator
        print(f"python -m gan_utils.train: error: {err}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    history = fit_gan(
        gan,
        images,
        labels,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        seed=args.seed,
        output_dir=args.output,
        resume=args.resume,
        time_budget=args.time_budget,
        callbacks=[QualityMonitor(every=args.monitor, n_samples=2000)] if args.monitor else (),
        verbose=0 if args.quiet else "auto",
    )
    seconds = time.perf_counter() - start

    out = args.output
    pretrained.save_network(gan.sampler, out / "generator")
    pretrained.save_network(gan.discriminator, out / "discriminator")
    plotting.save_image(plotting.image_grid(gan.sample()), out / "samples.png")
    pretrained.write_json(history.history, out / "history.json")
    command = "python -m gan_utils.train " + " ".join(sys.argv[1:] if argv is None else argv)
    pretrained.write_json(
        {
            "command": command,
            "recipe": dataclasses.asdict(recipe),
            "seed": args.seed,
            "digits": args.digits,
            "images": len(images),
            "data": mnist_source(args.data),
            "epochs_completed": history.epochs_completed,
            "stopped_by_time_budget": history.stopped_by_time_budget,
            "training_seconds_this_session": round(seconds, 1),
            "hardware": describe_hardware(),
            "versions": {
                "python": platform.python_version(),
                "gan_utils": gan_utils.__version__,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "numpy": np.__version__,
            },
        },
        out / "run.json",
    )
    print(f"[gan_utils.train] wrote {out}/generator.json, samples.png, history.json ({seconds:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
