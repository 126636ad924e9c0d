"""Command line: train a GAN of the series on MNIST, or on your own images, and write a run folder.

    python -m gan_utils.train dcgan --output runs/dcgan --epochs 10
    python -m gan_utils.train dcgan --output runs/dcgan --resume        # continue after a stop
    python -m gan_utils.train dcgan --images my_photos --image-size 64 --channels 3 --output runs/photos
    python -m gan_utils.train dcgan --images my_photos --augment --output runs/few   # DiffAugment, for few images

The run folder receives ``generator.json`` and ``discriminator.json`` with their ``.weights.npz``
(load the generator with ``gan_utils.load_generator(DIR)``, on any supported Keras), ``samples.png`` (the fixed-z grid), ``history.json``,
``run.json`` (the exact settings), ``data.json`` (what it trains on, and the ``--augment`` policy
its discriminator sees it through, so that ``--resume`` reads the same images the same way),
``progress.gif``, ``samples/`` and the resumable ``checkpoint.npz``. This is how the project's
shipped weights are made.

``--images`` reads a folder, a zip, image files or a Keras data set with
:func:`gan_utils.load_images`, into memory. With ``--stream`` a folder too large for memory is
decoded once into a cache file (``--cache-dir``) and read from it a batch at a time
(:func:`gan_utils.image_stream`); the batches, and so the run, are the same either way, and a run
can resume with or without ``--stream``. ``--monitor`` scores MNIST runs with the project's
classifier, and runs on your images against a seeded sample of them in the features ``--features``
names (InceptionV3 by default, random features where its weights cannot be loaded).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import gan_utils
from gan_utils import plotting, pretrained
from gan_utils.augment import DEFAULT_POLICY, TRANSFORMS, augment_setting
from gan_utils.checkpoints import CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME
from gan_utils.features import EXTRACTORS
from gan_utils.data import check_digits, load_mnist, mnist_source
from gan_utils.images import FITS, KERAS_DATASETS, ImageStream, image_stream, load_images
from gan_utils.models import IMAGE_SIZES
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


#: Where a run folder remembers what it trains on (and its ``--augment`` policy, when on), so that
#: ``--resume`` reads the same data and shows it to the discriminator the same way.
DATA_FILE = "data.json"
#: ``--images`` trains these models; ``vanilla`` (the MLP of lesson 02) is for MNIST only.
IMAGE_MODELS = tuple(m for m in MODELS if m != "vanilla")
#: ``--image-size``, ``--channels`` and ``--fit`` default to :func:`load_images`' own defaults.
_IMAGE_DEFAULTS = {name: inspect.signature(load_images).parameters[name].default for name in ("image_size", "channels", "fit")}
_IMAGE_OPTIONS = {"images": "--images", "image_size": "--image-size", "channels": "--channels", "fit": "--fit"}
#: The features ``--monitor`` scores your own images in, unless ``--features`` says otherwise; where
#: InceptionV3's weights cannot be loaded, ``MONITOR_FALLBACK`` stands in (and one line says so).
MONITOR_FEATURES, MONITOR_FALLBACK = "inception", "random"
#: Generated (and real) images per ``--monitor`` score; with your own images at most half the folder.
MONITOR_SAMPLES = 2000


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
    p.add_argument(
        "--augment", nargs="?", const=DEFAULT_POLICY, metavar="POLICY",
        help=f"DiffAugment, for training on few images: the discriminator sees every image, real or generated, "
        f"randomly transformed; POLICY names transforms among {', '.join(TRANSFORMS)} (default {DEFAULT_POLICY}). "
        "A resumed run keeps its policy",
    )
    p.add_argument("--digits", type=int, nargs="+", help="train only on these digit classes, e.g. --digits 0")
    p.add_argument("--time-budget", type=float, metavar="SECONDS", help="stop cleanly after this much training time")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --output")
    p.add_argument("--data", type=Path, help="MNIST .npz (default: $GAN_UTILS_MNIST, else Keras' download)")
    p.add_argument(
        "--images", nargs="+", metavar="SOURCE",
        help="train on your own images instead of MNIST: a folder (with cgan, its sub-folders are the classes), "
        f"a zip, image files, or a Keras data set ({', '.join(KERAS_DATASETS)}); models {', '.join(IMAGE_MODELS)}",
    )
    p.add_argument(
        "--image-size", type=int, choices=sorted(IMAGE_SIZES), metavar="N",
        help=f"with --images: side of the square images, one of {', '.join(str(s) for s in IMAGE_SIZES)} "
        f"(default {_IMAGE_DEFAULTS['image_size']})",
    )
    p.add_argument(
        "--channels", type=int, choices=(1, 3),
        help=f"with --images: 3 for colour, 1 for grey (default {_IMAGE_DEFAULTS['channels']})",
    )
    p.add_argument(
        "--fit", choices=FITS,
        help=f"with --images: make images square by cropping their centre or padding (default {_IMAGE_DEFAULTS['fit']})",
    )
    p.add_argument(
        "--stream", action="store_true",
        help="with --images: keep the images on disk (decoded once into a cache file) instead of in memory, "
        "for folders too large for memory; the run is the same",
    )
    p.add_argument(
        "--cache-dir", type=Path, metavar="DIR",
        help="with --stream: folder for the cache files (default: gan_utils-image-cache in the temporary folder)",
    )
    p.add_argument("--smoke", action="store_true", help="smoke size (as GAN_UTILS_SMOKE=1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--monitor", type=int, metavar="EPOCHS",
        help="print FID, precision and recall (and for digits class KL) of 2,000 samples every EPOCHS epochs "
        "(gan_utils.metrics); with --images, against your images in the features --features names",
    )
    p.add_argument(
        "--features", choices=sorted(EXTRACTORS),
        help=f"with --images --monitor: the network whose features the scores compare (default {MONITOR_FEATURES}: "
        f"InceptionV3, the FID of papers, which downloads its weights once; where it cannot, random features "
        "stand in and a line says so; 'digits' for digit-like images; 'random' offline)",
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
    try:
        args.augment = augment_setting(args.augment)
    except ValueError as err:
        p.error(f"--augment: {err}")
    _settle_data(args, p)
    return args


def _image_source(images: list[str]) -> str | list[str]:
    """What ``--images`` names, as remembered in ``data.json``: a Keras data set's name, or absolute paths."""
    def one(item: str) -> str:
        name = item.strip().lower().replace("-", "_")
        return name if name in KERAS_DATASETS else str(Path(item).expanduser().resolve())

    return one(images[0]) if len(images) == 1 else [one(item) for item in images]


def read_data_file(directory: Path) -> dict | None:
    """What the run folder ``directory`` trains on (its ``data.json``), or None if it has none."""
    path = directory / DATA_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("kind") not in ("mnist", "images"):
        raise ValueError(f"{path} is damaged (not a data record of gan_utils.train): delete it and resume with the same options.")
    return data


def _settle_data(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """Check the data options together; on ``--resume`` take the remembered ones (``data.json``) or refuse others."""
    try:
        remembered = read_data_file(args.output) if args.resume else None
    except ValueError as err:
        p.error(str(err))
    if remembered is not None:
        kept = remembered.get("augment")  # absent: trained without augmentation
        if args.augment is not None and args.augment != kept:
            was = f"--augment {kept}" if kept else "no --augment"
            p.error(
                f"--augment {args.augment} differs from how {args.output} trains ({was}, in its {DATA_FILE}): "
                "leave --augment out to resume as it trains, or train into a new --output."
            )
        args.augment = kept
    if args.images is not None:
        args.images = _image_source(args.images)
    if remembered is not None and remembered["kind"] == "images":
        for name, option in _IMAGE_OPTIONS.items():
            given, kept = getattr(args, name), remembered.get(name)
            if given is not None and given != kept:
                p.error(
                    f"{option} {given} differs from what {args.output} trains on ({option} {kept}, in its {DATA_FILE}): "
                    f"leave {option} out to resume on the same images, or train into a new --output."
                )
            setattr(args, name, kept)
    elif remembered is not None and args.images is not None:
        p.error(
            f"{args.output} trains on MNIST (its {DATA_FILE}), not on --images: resume without --images, "
            "or train your images into a new --output."
        )
    if args.cache_dir is not None and not args.stream:
        p.error("--cache-dir is where --stream keeps its cache file: add --stream, or leave --cache-dir out.")
    if args.images is None:
        given = [option for name, option in _IMAGE_OPTIONS.items() if name != "images" and getattr(args, name) is not None]
        given += ["--stream"] if args.stream else []
        given += ["--features"] if args.features is not None else []
        if given:
            p.error(
                f"{', '.join(given)} go with --images (your own images); MNIST is 28x28 grey, and --monitor scores it "
                "with the project's classifier. Add --images SOURCE or leave them out."
            )
        return
    if args.model not in IMAGE_MODELS:
        p.error(
            f"--images trains {', '.join(IMAGE_MODELS)}: {args.model} is the MLP of lesson 02, for MNIST's 28x28 digits. "
            "Use dcgan for your own images."
        )
    if args.digits is not None:
        p.error(
            "--digits picks MNIST digit classes and cannot go with --images. To train on some classes of your "
            "images, put their sub-folders in a folder of their own and pass that folder."
        )
    if args.data is not None:
        p.error("--data is the MNIST file; with --images the images come from SOURCE: leave --data out.")
    if args.features is not None and args.monitor is None:
        p.error("--features names what --monitor scores in: add --monitor EPOCHS, or leave --features out.")
    for name, default in _IMAGE_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)


def _error(message: str) -> int:
    print(f"python -m gan_utils.train: error: {message}", file=sys.stderr)
    return 2


def _load_your_images(args: argparse.Namespace, subset: int | None) -> tuple[np.ndarray | ImageStream, np.ndarray | None, list[str]]:
    """``--images`` through :func:`load_images` (or :func:`image_stream` with ``--stream``): images, labels (cgan) and class names."""
    options = dict(fit=args.fit, subset=subset, seed=args.seed, with_labels=args.model == "cgan")
    try:
        if args.stream:
            stream = image_stream(args.images, args.image_size, args.channels, cache_dir=args.cache_dir, **options)
            return stream, None, stream.class_names  # the stream carries the labels fit_gan trains a cgan on
        if args.model != "cgan":
            return load_images(args.images, args.image_size, args.channels, **options), None, []
        return load_images(args.images, args.image_size, args.channels, **options)
    except ValueError as err:
        if "with_labels=True" not in str(err):
            raise
        raise ValueError(f"cgan draws the class you ask for, so it needs classes: {err} (From the command line: train dcgan on unlabelled images.)") from None


def _monitor(args: argparse.Namespace, images: np.ndarray | ImageStream) -> QualityMonitor:
    """``--monitor``: MNIST against its test images with the classifier; your images against a seeded sample of themselves."""
    if args.images is None:
        return QualityMonitor(every=args.monitor, n_samples=MONITOR_SAMPLES)
    # Two disjoint samples of your images: the first is scored against, the second gives the real-vs-real floor.
    n = min(MONITOR_SAMPLES, len(images) // 2)
    index = np.random.default_rng(args.seed).permutation(len(images))[: 2 * n]
    reference = images.images(index) if isinstance(images, ImageStream) else images[index]
    features = args.features or MONITOR_FEATURES
    fallback = MONITOR_FALLBACK if features == MONITOR_FEATURES else None
    return QualityMonitor(every=args.monitor, n_samples=n, reference=reference, features=features, fallback=fallback)


def main(argv: list[str] | None = None) -> int:
    """Train, then write the run folder. Returns the process exit code."""
    args = parse_args(argv)
    given = (
        ("epochs", args.epochs), ("batch_size", args.batch_size), ("subset", args.subset), ("objective", args.objective),
        ("d_steps", args.d_steps), ("augment", args.augment),
    )
    overrides = {k: v for k, v in given if v is not None}
    image_size = None if args.images is None else args.image_size  # MNIST's recipe, or the one for the images' size
    recipe = get_recipe(args.model, smoke=args.smoke or None, image_size=image_size, **overrides)
    gan_utils.set_seed(args.seed)
    class_names: list[str] = []
    if args.images is None:
        images, labels = load_mnist(args.data, digits=args.digits, subset=recipe.subset, seed=args.seed)
        source, image_shape = mnist_source(args.data), (28, 28, 1)
        data = {"kind": "mnist", "data": source, "digits": args.digits}
    else:
        try:
            images, labels, class_names = _load_your_images(args, recipe.subset)
        except (ValueError, TypeError, OSError) as err:  # no such folder, no images in it, no classes for cgan, ...
            return _error(str(err))
        source = args.images if isinstance(args.images, str) else f"{len(args.images)} files"
        image_shape = (args.image_size, args.image_size, args.channels)
        data = {"kind": "images", **{name: getattr(args, name) for name in _IMAGE_OPTIONS}}
        if class_names:
            recipe = dataclasses.replace(recipe, num_classes=len(class_names))
        if len(images) < recipe.batch_size:
            return _error(
                f"--images {source} gave {len(images)} images, fewer than one batch of {recipe.batch_size}: "
                f"pass --batch-size {len(images)} or less, or add images."
            )
    if recipe.augment is not None:
        data["augment"] = recipe.augment
    print(f"[gan_utils.train] {args.model}: {len(images)} images {image_shape} from {source}; {recipe}", flush=True)

    try:
        gan = build_gan(recipe, seed=args.seed, image_shape=image_shape)
    except ValueError as err:  # e.g. --objective wasserstein-gp with a batch-norm discriminator
        return _error(str(err))
    out = args.output
    if not any((out / name).exists() for name in (CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME)):
        out.mkdir(parents=True, exist_ok=True)  # a new run: remember its data before the first epoch
        pretrained.write_json(data, out / DATA_FILE)
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
        callbacks=[_monitor(args, images)] if args.monitor else (),
        verbose=0 if args.quiet else "auto",
    )
    seconds = time.perf_counter() - start

    pretrained.save_network(gan.sampler, out / "generator")
    pretrained.save_network(gan.discriminator, out / "discriminator")
    plotting.save_image(plotting.image_grid(gan.sample()), out / "samples.png")
    pretrained.write_json(history.history, out / "history.json")
    pretrained.write_json(data, out / DATA_FILE)  # a folder from before data.json gets one once its run resumed
    command = "python -m gan_utils.train " + " ".join(sys.argv[1:] if argv is None else argv)
    pretrained.write_json(
        {
            "command": command,
            "recipe": dataclasses.asdict(recipe),
            "seed": args.seed,
            "digits": args.digits,
            "images": len(images),
            "data": source if args.images is None else args.images,
            "image_shape": list(image_shape),
            **({"fit": args.fit} if args.images is not None else {}),
            **({"class_names": class_names} if class_names else {}),
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
    if history.stopped_by_time_budget:
        print(
            f"[gan_utils.train] the time budget ({args.time_budget:g} s) stopped training after "
            f"{history.epochs_completed} of {recipe.epochs} epochs; to go on: "
            f"python -m gan_utils.train {args.model} --output {out} --resume [--time-budget SECONDS]",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
