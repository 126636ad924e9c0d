"""The run folder and its record: what a training run is, written once, read back by every resume.

A run folder belongs to one run. Its ``run.json`` holds the run's frozen spec (:class:`RunSpec`: the
recipe with every override, the image shape, the data source and a fingerprint of the data, seed,
batch size, augmentation, training length), written atomically when the run starts, before any
training step. ``fit_gan`` and ``python -m gan_utils.train --resume`` read it back: a resume either
continues exactly that run or is refused with the setting that differs. What may change on a resume
(a longer length, the time budget of a session) is applied and added to the record's ``sessions``.

What a run writes (anything else in the folder is someone else's, and a new run refuses the folder):

========================================  =====================================================
``run.json``                              the record: spec, sessions, versions (written at the start)
``checkpoint.npz``, ``checkpoint.prev.npz``  the whole training state (:mod:`gan_utils.checkpoints`),
                                          by time and by epoch, and whenever training stops
``generator.json``, ``discriminator.json``  the networks (``.weights.npz`` beside them), whenever
                                          training stops: ``gan_utils.load_generator(DIR)``
``samples.png``, ``history.json``         the fixed-z grid and the loss history, likewise
``history.csv``                           one row per epoch, appended as training goes
``samples/``, ``progress.gif``            a grid per epoch and their animation
``tensorboard/``                          TensorBoard's files (``--tensorboard``)
========================================  =====================================================
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import shlex
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gan_utils import atomic
from gan_utils.checkpoints import CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME

RUN_FILE = "run.json"
HISTORY_CSV = "history.csv"
#: The format of ``run.json`` this module writes; a ``run.json`` without it is from before run records.
RECORD_FORMAT = 2
#: Files of a run folder written by gan_utils before run records (they load, they do not resume).
LEGACY_FILES = ("data.json", "generator.keras", "discriminator.keras")
#: Every name a run writes into its folder (plus ``*.corrupt`` checkpoints and hidden temporary files).
RUN_FILES = frozenset({
    RUN_FILE, CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME, CHECKPOINT_NAME + ".tmp", HISTORY_CSV,
    "generator.json", "generator.weights.npz", "discriminator.json", "discriminator.weights.npz",
    "samples.png", "history.json", "progress.gif", "samples", "tensorboard", *LEGACY_FILES,
})
#: A recipe's length is its ``epochs`` over MNIST's training set: so many images shown, whatever the data.
MNIST_TRAIN_IMAGES = 60_000
#: Passes over the data from which DiffAugment is advised. Measured on 500 MNIST images
#: (``benchmarks/README.md``, "DiffAugment"): at about 150 passes it made FID worse in every seed, at
#: about 770 it made FID 4.6 to 6.0 times better, where training without it had got worse.
AUGMENT_ADVISED_PASSES = 500


class RunFolderError(ValueError):
    """A folder cannot hold, or does not hold, the run asked for; the message says what to do."""


@dataclass(frozen=True)
class RunSpec:
    """What a run is: everything that decides its weights, step by step. Written once into ``run.json``.

    Attributes:
        seed: seeds weights, noise and the data order.
        batch_size: images per discriminator update.
        images: training images; a step takes ``batch_size * d_steps`` of them, a pass
            ``images // (batch_size * d_steps)`` steps.
        data_sha256: fingerprint of the training images (and labels): a resume must be fed the same.
        image_shape: ``(height, width, channels)``.
        augment: the DiffAugment policy (None: off).
        epoch_steps: steps per logged epoch (a history row, a sample grid, a checkpoint).
        steps: the training length in steps (None: until the time budget). May grow on a resume.
        model: the recipe's name (the command line; None from ``fit_gan`` alone).
        recipe: every field of the recipe, overrides included (the command line).
        data: where the images come from (the command line: MNIST and its digits, or ``--images`` and its options).
        d_steps: discriminator updates per step, each on a real batch of its own (so it shapes the data order).
    """

    seed: int
    batch_size: int
    images: int
    data_sha256: str
    image_shape: tuple[int, ...]
    augment: str | None
    epoch_steps: int
    steps: int | None
    model: str | None = None
    recipe: dict | None = None
    data: dict | None = None
    d_steps: int = 1

    @property
    def steps_per_pass(self) -> int:
        """Steps in one pass over the data (the rest of the images that does not fill a batch waits for the next pass)."""
        return self.images // (self.batch_size * self.d_steps)

    def passes(self, steps: int) -> float:
        """Passes over the data that ``steps`` make."""
        return steps / self.steps_per_pass

    def to_dict(self) -> dict:
        """The spec as JSON-ready values."""
        return {**dataclasses.asdict(self), "image_shape": list(self.image_shape)}

    @classmethod
    def from_dict(cls, values: dict) -> RunSpec:
        """The spec of a ``run.json``."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in values.items() if k in names}, "image_shape": tuple(values["image_shape"])})

    def digest(self) -> str:
        """SHA-256 of the frozen part (all but the length, which may grow): ties a checkpoint to its record."""
        frozen = {k: v for k, v in self.to_dict().items() if k != "steps"}
        return hashlib.sha256(json.dumps(frozen, sort_keys=True).encode()).hexdigest()

    def contradictions(self, other: RunSpec) -> list[tuple[str, object, object]]:
        """``(setting, recorded, new)`` for each setting ``other`` gives otherwise that a resume must keep.

        The length (``steps``) may change; ``epoch_steps`` follows the record, and ``data`` (where the
        images came from) is only told: the fingerprint says if they are the same. Settings ``other`` does
        not know (None: ``fit_gan`` called without the command line's recipe) are skipped.
        """
        found = []
        for f in dataclasses.fields(self):
            if f.name in ("steps", "epoch_steps", "data"):  # the length may change; the rest follow the record
                continue
            recorded, new = getattr(self, f.name), getattr(other, f.name)
            if new is None and f.name in ("model", "recipe", "data"):
                continue
            if isinstance(recorded, dict) and isinstance(new, dict):
                found += [(f"{f.name}.{k}", recorded.get(k), new.get(k)) for k in sorted({*recorded, *new}) if recorded.get(k) != new.get(k)]
            elif recorded != new:
                found.append((f.name, recorded, new))
        return found


def recipe_steps(epochs: int, batch_size: int, images_shown: int | None = None) -> int:
    """A recipe's length in steps: ``images_shown // batch_size``, or ``epochs`` passes over MNIST's 60,000.

    The same for 200 images as for 60,000: the length is what the networks see, not passes over the data.

    Example:
        >>> recipe_steps(10, 64)   # the dcgan recipe: 10 MNIST epochs of 937 steps
        9370
        >>> recipe_steps(2, 64, images_shown=4096)
        64
    """
    if images_shown is not None:
        return max(1, images_shown // batch_size)
    return epochs * (MNIST_TRAIN_IMAGES // batch_size)


def augment_advice(spec: RunSpec, steps: int | None) -> str:
    """One sentence: how many passes over the data ``steps`` make, and whether DiffAugment is advised at that many."""
    if steps is None:
        return f"{spec.steps_per_pass} steps per pass over the {spec.images:,} images"
    passes = spec.passes(steps)
    said = f"{steps:,} steps: {passes:,.1f} passes over the {spec.images:,} images"
    if spec.augment:
        return said + f"; DiffAugment on ({spec.augment})"
    if passes >= AUGMENT_ADVISED_PASSES:
        return said + (
            f"; DiffAugment advised (--augment; at {AUGMENT_ADVISED_PASSES}+ passes a discriminator learns few images "
            "by heart: benchmarks/README.md, \"DiffAugment\")"
        )
    return said + f"; DiffAugment not needed (advised from {AUGMENT_ADVISED_PASSES} passes)"


# ------------------------------------------------------------------------------------ the record
def read_record(directory: str | os.PathLike) -> dict | None:
    """The run record of ``directory`` (its ``run.json``), or None if it has none of this format.

    Raises :class:`RunFolderError` if the file is damaged.
    """
    path = Path(directory) / RUN_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise RunFolderError(f"{path} is damaged ({err}): the run's record cannot be read.") from None
    if not isinstance(record, dict):
        raise RunFolderError(f"{path} is damaged (not a run record).")
    if record.get("format") != RECORD_FORMAT:
        return None  # a run.json from before run records: see is_legacy_run
    try:
        record["spec"] = RunSpec.from_dict(record["spec"])
    except (KeyError, TypeError) as err:
        raise RunFolderError(f"{path} is damaged (its spec lacks {err}).") from None
    return record


def write_record(directory: str | os.PathLike, record: dict) -> Path:
    """Write ``record`` (its ``spec`` a :class:`RunSpec`) atomically as ``directory/run.json``."""
    data = {**record, "format": RECORD_FORMAT, "spec": record["spec"].to_dict()}
    return atomic.write_bytes(Path(directory) / RUN_FILE, (json.dumps(data, indent=1) + "\n").encode())


def new_record(spec: RunSpec, **facts: object) -> dict:
    """A record for a run starting now: its spec, when it began, any other ``facts`` (command, versions...)."""
    return {"spec": spec, "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **facts, "sessions": []}


def is_legacy_run(directory: str | os.PathLike) -> bool:
    """True if ``directory`` holds a run written before run records (``data.json``, an old ``run.json``, a checkpoint alone)."""
    d = Path(directory)
    if (d / RUN_FILE).is_file() and read_record(d) is not None:
        return False
    return any((d / name).exists() for name in (*LEGACY_FILES, RUN_FILE, CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME))


def holds_run(directory: str | os.PathLike) -> bool:
    """True if ``directory`` holds a run of any format (a record or a checkpoint)."""
    d = Path(directory)
    return any((d / name).is_file() for name in (RUN_FILE, CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME))


def foreign_files(directory: str | os.PathLike) -> list[str]:
    """Names in ``directory`` that no run writes (sorted); an empty or missing folder has none."""
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(
        p.name for p in d.iterdir()
        if p.name not in RUN_FILES and not p.name.endswith(".corrupt") and not (p.name.startswith(".") and ".tmp-" in p.name)
    )


def check_new_run_folder(directory: str | os.PathLike) -> None:
    """Refuse a folder for a new run unless it is missing or empty: a run never writes over someone's files."""
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise RunFolderError(f"{d} is a file: give a folder for the run (it is created if missing).")
    if not d.is_dir():
        return
    names = sorted(p.name for p in d.iterdir())
    if names:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise RunFolderError(
            f"{d} is not empty ({shown}) and holds no run: a run folder is the run's alone. "
            "Choose an empty or new folder; nothing was written."
        )


def resume_command(directory: str | os.PathLike, *extra: str) -> str:
    """The command that continues the run in ``directory``, as it must be typed.

    Example:
        >>> resume_command("runs/my dcgan", "--steps", "20000")
        "python -m gan_utils.train --resume --output 'runs/my dcgan' --steps 20000"
    """
    return " ".join(["python -m gan_utils.train --resume --output", shlex.quote(str(directory)), *extra])


def legacy_message(directory: str | os.PathLike) -> str:
    """What to do with a run folder from before run records: it loads, it does not resume from the command line."""
    return (
        f"{directory} was written by an older gan_utils, before run records (run.json with the run's settings): "
        f"its generator loads with gan_utils.load_generator('{directory}'), and fit_gan(..., resume=True) can continue it "
        "with the same settings; the command line cannot. To train on from the command line, start a new run "
        "in another --output."
    )


# --------------------------------------------------------------------------------- interrupts
class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on Ctrl-C (SIGINT) or SIGTERM after saving; ``signum`` says which, the message what was saved."""

    def __init__(self, message: str, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        """The shell's code for a process ended by the signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


class StopSignals:
    """While active (a context manager), SIGINT and SIGTERM ask training to stop after the current step.

    The first signal sets :attr:`received` (read by the training loop); a second Ctrl-C interrupts at
    once, as Python does. Handlers are installed only in the main thread (signals go nowhere else),
    and the previous ones are put back on exit.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.received is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # asked twice: stop now
        self.received = signum

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous.clear()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """For a command line: SIGTERM outside training raises :class:`TrainingInterrupted` (exit 143) instead of killing at once."""
    def handle(signum: int, frame: object) -> None:
        raise TrainingInterrupted("stopped by SIGTERM before training began: nothing was trained", signum)

    previous = signal.signal(signal.SIGTERM, handle) if threading.current_thread() is threading.main_thread() else None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
