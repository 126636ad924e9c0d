"""Command line: train a GAN of the series on MNIST, or on your own images, into a run folder.

    python -m gan_utils.train dcgan --output runs/dcgan                  # the recipe's length: 10 x 60,000 images
    python -m gan_utils.train --resume --output runs/dcgan               # continue after a stop, whatever the run
    python -m gan_utils.train dcgan --images my_photos --image-size 64 --channels 3 --output runs/photos --time-budget 3600
    python -m gan_utils.train dcgan --images my_photos --augment --output runs/few   # DiffAugment, for few images

The length is counted in images shown, not in passes over the data: by default the recipe's
``epochs`` times MNIST's 60,000 images, so 200 images train as long as 60,000 (``--steps``,
``--images-shown`` or ``--epochs``, in passes over your data, set it; ``--time-budget`` alone trains
until the budget). The run folder is the run's alone (:mod:`gan_utils.runs`): ``run.json`` records
the run before its first step, and ``--resume --output DIR`` reads it back (an option that
contradicts it is refused; a longer length or another time budget is applied). Checkpoints are
written at epoch ends and every few minutes; Ctrl-C, SIGTERM and the time budget finish the step,
save the checkpoint and ``generator.json`` (``gan_utils.load_generator(DIR)``) and print the command
that goes on. This is how the project's shipped weights are made.

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
import importlib.util
import inspect
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import gan_utils
from gan_utils import runs
from gan_utils.augment import DEFAULT_POLICY, TRANSFORMS, augment_setting
from gan_utils.features import EXTRACTORS
from gan_utils.data import check_digits, load_mnist, mnist_source
from gan_utils.images import FITS, KERAS_DATASETS, ImageStream, image_stream, load_images
from gan_utils.models import IMAGE_SIZES
from gan_utils.metrics import QualityMonitor
from gan_utils.recipes import MODELS, Recipe, build_gan, get_recipe
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


#: ``--images`` trains these models; ``vanilla`` (the MLP of lesson 02) is for MNIST only.
IMAGE_MODELS = tuple(m for m in MODELS if m != "vanilla")
#: ``--image-size``, ``--channels`` and ``--fit`` default to :func:`load_images`' own defaults.
_IMAGE_DEFAULTS = {name: inspect.signature(load_images).parameters[name].default for name in ("image_size", "channels", "fit")}
_IMAGE_OPTIONS = {"images": "--images", "image_size": "--image-size", "channels": "--channels", "fit": "--fit"}
#: The options that say what a run is: recorded in run.json, kept by --resume, refused if contradicted.
RUN_OPTIONS = ("model", "seed", "batch_size", "subset", "objective", "d_steps", "augment", "digits", "data",
               *_IMAGE_OPTIONS, "smoke")
#: The options that give the length; one at most.
LENGTH_OPTIONS = ("epochs", "steps", "images_shown")
#: The features ``--monitor`` scores your own images in, unless ``--features`` says otherwise; where
#: InceptionV3's weights cannot be loaded, ``MONITOR_FALLBACK`` stands in (and one line says so).
MONITOR_FEATURES, MONITOR_FALLBACK = "inception", "random"
#: Generated (and real) images per ``--monitor`` score; with your own images at most half the folder.
MONITOR_SAMPLES = 2000
PREFIX = "[gan_utils.train]"


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _shown(value: object) -> str:
    """An option's value as typed on the command line."""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line (see ``python -m gan_utils.train --help``); on ``--resume``, complete it from the run's record."""
    p = argparse.ArgumentParser(prog="python -m gan_utils.train", description=__doc__.split("\n\n")[0])
    p.add_argument("model", nargs="?", choices=MODELS, help="which GAN to train (with --resume: the run's, may be left out)")
    p.add_argument("--version", action="version", version=f"gan_utils {gan_utils.__version__}")
    p.add_argument("--output", required=True, type=Path, help="run folder: new or empty (created if missing), or a run with --resume")
    p.add_argument("--steps", type=int, help="training steps (default: the recipe's length in images shown / batch size)")
    p.add_argument("--images-shown", type=int, metavar="N", help="training length in images shown (default: the recipe's, "
                   "its epochs x MNIST's 60,000, whatever the data's size)")
    p.add_argument("--epochs", type=int, help="training length in passes over your data")
    p.add_argument("--batch-size", type=int, help="images per step (default: the model's recipe)")
    p.add_argument("--seed", type=int, help="seed for weights, noise and data order (default 0)")
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
    p.add_argument("--time-budget", type=float, metavar="SECONDS",
                   help="stop after this much training time, saving everything (alone: train until it; with a length: "
                   "whichever comes first); may change on --resume")
    p.add_argument("--resume", action="store_true", help="continue the run in --output (its run.json says what it is)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0, metavar="M",
                   help="write a checkpoint at least every M minutes, mid-epoch too (default 5)")
    p.add_argument("--tensorboard", action="store_true", help="also write TensorBoard's logs into OUTPUT/tensorboard")
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
    p.add_argument("--smoke", action="store_true", default=None, help="smoke size (as GAN_UTILS_SMOKE=1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
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
    for name in ("epochs", "steps", "images_shown", "batch_size", "subset", "monitor", "d_steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"{_option(name)} must be a positive integer, got {value}")
    lengths = [_option(n) for n in LENGTH_OPTIONS if getattr(args, n) is not None]
    if len(lengths) > 1:
        p.error(f"{' and '.join(lengths)} both give the training length: keep one")
    if args.time_budget is not None and args.time_budget <= 0:
        p.error(f"--time-budget must be a positive number of seconds, got {args.time_budget}")
    if args.tensorboard and importlib.util.find_spec("tensorboard") is None:
        p.error("--tensorboard writes TensorBoard's logs, which needs its package: pip install tensorboard "
                "(or leave --tensorboard out: history.csv holds the losses)")
    if not args.checkpoint_minutes > 0:
        p.error(f"--checkpoint-minutes must be a positive number, got {args.checkpoint_minutes}")
    if args.seed is not None and not 0 <= args.seed < 2**32:
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
    if args.images is not None:
        args.images = _image_source(args.images)
    args.record = None
    if args.resume:
        _settle_resume(args, p)
    else:
        _settle_new_run(args, p)
    _settle_data(args, p)
    return args


def _settle_new_run(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """A new run: a model, and a folder that is empty or new (a run's folder is the run's alone)."""
    if args.model is None:
        p.error("name the model to train (e.g. dcgan), or add --resume to continue the run in --output")
    if runs.holds_run(args.output):
        p.exit(
            2, f"{p.prog}: error: "
            f"{args.output} already holds a run: to continue it, python -m gan_utils.train --resume --output "
            f"{shlex.quote(str(args.output))}; to start another, choose a new --output. Nothing was written.\n"
        )
    try:
        runs.check_new_run_folder(args.output)
    except runs.RunFolderError as err:
        p.exit(2, f"{p.prog}: error: {err}\n")
    if args.seed is None:
        args.seed = 0
    args.smoke = bool(args.smoke)


def _settle_resume(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """``--resume``: take what the run is from its record; refuse an option that contradicts it, in one line."""
    out = args.output

    def refuse(message: str) -> None:  # one line, without argparse's usage: the options were not the problem
        p.exit(2, f"{p.prog}: error: {message}\n")

    try:
        record = runs.read_record(out)
    except runs.RunFolderError as err:
        refuse(str(err))
    if record is None and runs.is_legacy_run(out):
        refuse(runs.legacy_message(out))
    if record is None:
        if out.is_dir() and any(out.iterdir()):
            refuse(f"--resume: {out} holds no run (no run.json) to continue, and files of its own: nothing was written. "
                    "To train, choose an empty or new --output.")
        refuse(f"--resume: {out} holds no run (no run.json) to continue. To start one: "
                f"python -m gan_utils.train dcgan --output {shlex.quote(str(out))}")
    options = record.get("options") or {}
    for name in RUN_OPTIONS:
        given, kept = getattr(args, name), options.get(name)
        if given is not None and given != kept:
            recorded = "none" if kept in (None, False) else _shown(kept)
            if name == "model":
                refuse(f"model {given} contradicts the run in {out} (recorded: {kept}): leave the model out to resume, "
                        "or train into a new --output")
            refuse(f"{_option(name)} {_shown(given) if given is not True else ''}".rstrip()
                    + f" contradicts the run in {out} (recorded: {recorded}): leave {_option(name)} out to resume, "
                    "or train into a new --output")
        setattr(args, name, kept)
    data = record["spec"].data or {}
    if data.get("kind") == "mnist" and args.data is None and Path(str(data.get("data"))).is_file():
        args.data = Path(data["data"])  # the MNIST file the run began on, wherever GAN_UTILS_MNIST points now
    args.record = record


def _image_source(images: list[str]) -> str | list[str]:
    """What ``--images`` names, as remembered in ``run.json``: a Keras data set's name, or absolute paths."""
    def one(item: str) -> str:
        name = item.strip().lower().replace("-", "_")
        return name if name in KERAS_DATASETS else str(Path(item).expanduser().resolve())

    return one(images[0]) if len(images) == 1 else [one(item) for item in images]


def _settle_data(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """Check the data options together."""
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
    """Train into the run folder, or continue its run; returns the exit code (130/143 after Ctrl-C/SIGTERM)."""
    with runs.sigterm_as_interrupt():
        try:
            return _main(argv)
        except runs.TrainingInterrupted as err:
            print(f"{PREFIX} {err}" + (_go_on(err.directory) if getattr(err, "directory", None) else ""), flush=True)
            return err.exit_code
        except KeyboardInterrupt:
            print(f"{PREFIX} interrupted before training began: nothing was trained", flush=True)
            return 130


def _go_on(out: Path) -> str:
    return f"; to go on: {runs.resume_command(out)}"


def _main(argv: list[str] | None) -> int:
    args = parse_args(argv)
    out: Path = args.output
    record = args.record
    if record is not None:  # --resume: the recorded recipe, exactly
        spec: runs.RunSpec = record["spec"]
        recipe = Recipe(**spec.recipe)
        done = max([s.get("to_step", 0) for s in record.get("sessions", []) if s.get("ended") == "finished"], default=0)
    else:
        given = (("batch_size", args.batch_size), ("subset", args.subset), ("objective", args.objective),
                 ("d_steps", args.d_steps), ("augment", args.augment))
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
        if class_names and args.model == "cgan":  # the classes a cgan draws; dcgan ignores sub-folders
            data["class_names"] = class_names
            if record is None:
                recipe = dataclasses.replace(recipe, num_classes=len(class_names))
        if len(images) < recipe.batch_size:
            return _error(
                f"--images {source} gave {len(images)} images, fewer than one batch of {recipe.batch_size}: "
                f"pass --batch-size {len(images)} or less, or add images."
            )

    per_pass = len(images) // recipe.batch_size
    steps = _length(args, recipe, per_pass, record)
    budget = args.time_budget
    if record is not None and budget is None and steps is None:  # a run that trains until its budget: the last one
        budget = next((s["time_budget"] for s in reversed(record.get("sessions", [])) if s.get("time_budget")), None)
    if steps is None and budget is None:
        return _error(f"{out} trains until a time budget: give --time-budget SECONDS (or a length, e.g. --steps N)")
    if record is not None:
        epoch_steps = record["spec"].epoch_steps
    elif args.epochs is not None:
        epoch_steps = per_pass  # --epochs counts passes: one epoch, one pass
    else:
        epoch_steps = max(1, runs.MNIST_TRAIN_IMAGES // recipe.batch_size if steps is None else
                          min(runs.MNIST_TRAIN_IMAGES // recipe.batch_size, steps // recipe.epochs))
    if record is not None and steps is not None and done >= steps:
        longer = runs.resume_command(out, "--steps", str(2 * steps))
        print(f"{PREFIX} {out} is complete: {done:,} of {steps:,} steps. To train longer: {longer}", flush=True)
        return 0

    print(f"{PREFIX} {recipe.model}: {len(images):,} images {image_shape} from {source}; {recipe}", flush=True)
    try:
        gan = build_gan(recipe, seed=args.seed, image_shape=image_shape)
    except ValueError as err:  # e.g. --objective wasserstein-gp with a batch-norm discriminator
        return _error(str(err))
    view = runs.RunSpec(args.seed, recipe.batch_size, len(images), "", image_shape, recipe.augment, epoch_steps, steps)
    length = f"{steps:,} steps ({steps * recipe.batch_size:,} images shown)" if steps else "until the time budget"
    budget_said = f", time budget {budget:g} s" if budget else ""
    print(f"{PREFIX} length: {length}{budget_said}; {runs.augment_advice(view, steps)}", flush=True)

    options = {name: getattr(args, name) for name in RUN_OPTIONS}
    options["model"] = recipe.model
    command = "python -m gan_utils.train " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    facts = {"model": recipe.model, "recipe": dataclasses.asdict(recipe), "data": data, "command": command}
    if record is None:
        facts.update(options=options, hardware=describe_hardware(), versions={
            "python": platform.python_version(), "gan_utils": gan_utils.__version__, "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__,
        })
    callbacks: list[keras.callbacks.Callback] = [_monitor(args, images)] if args.monitor else []
    if args.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(out / "tensorboard")))
    start = time.perf_counter()
    try:
        history = fit_gan(
            gan, images, labels, steps=steps, batch_size=recipe.batch_size, seed=args.seed, output_dir=out,
            resume=record is not None, time_budget=budget, callbacks=callbacks, verbose=0 if args.quiet else "auto",
            epoch_steps=epoch_steps, checkpoint_seconds=60 * args.checkpoint_minutes, record=facts,
        )
    except ValueError as err:  # the data no longer matches the record, a damaged checkpoint, ...
        return _error(str(err))
    seconds = time.perf_counter() - start
    where = f"{out}/generator.json, samples.png, history.json, checkpoint.npz"
    passes = f"{history.steps_completed / per_pass:,.1f} passes over the {len(images):,} images"
    if history.stopped_by_time_budget:
        total = f" of {steps:,}" if steps else ""
        print(f"{PREFIX} the time budget ({budget:g} s) stopped training at step {history.steps_completed:,}{total} "
              f"({passes}) after {seconds:.0f} s; wrote {where}{_go_on(out)}", flush=True)
    else:
        print(f"{PREFIX} trained {history.steps_completed:,} steps ({passes}); wrote {where} ({seconds:.0f} s)", flush=True)
    return 0


def _length(args: argparse.Namespace, recipe: Recipe, per_pass: int, record: dict | None) -> int | None:
    """The run's length in steps: the option given, else the record's (on --resume), else the recipe's (None: the budget alone)."""
    if args.steps is not None:
        return args.steps
    if args.images_shown is not None:
        return max(1, args.images_shown // recipe.batch_size)
    if args.epochs is not None:
        return args.epochs * per_pass
    if record is not None:
        return record["spec"].steps
    if args.time_budget is not None:
        return None  # --time-budget alone: train until it
    return runs.recipe_steps(recipe.epochs, recipe.batch_size, recipe.images_shown)


if __name__ == "__main__":
    # Everything is written (atomically, flushed to disk) by now. Python's own teardown of TensorFlow
    # after a full-MNIST run stopped by its budget took 20 to 59 s (issue 25): end the process at once.
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
