"""``fit_gan``: train a compiled GAN with checkpoints, progress grids, guards and exact resume."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import keras
import numpy as np

from gan_utils import config
from gan_utils.callbacks import Checkpoint, EpochProgress, GifWriter, SampleGrid, StopOnNonFinite, TimeBudget
from gan_utils.checkpoints import CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME, restore_checkpoint
from gan_utils.data import make_dataset
from gan_utils.gan import GAN, check_labels
from gan_utils.images import ImageStream


def fit_gan(
    gan: GAN,
    images: np.ndarray | ImageStream,
    labels: np.ndarray | None = None,
    *,
    epochs: int,
    batch_size: int = 64,
    seed: int = 0,
    output_dir: str | os.PathLike | None = None,
    resume: bool = False,
    time_budget: float | None = None,
    sample_every: int = 1,
    show_samples: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str | int = "auto",
) -> keras.callbacks.History:
    """Train a compiled :class:`GAN` with ``fit``, with checkpoints, progress grids and guards.

    With ``output_dir``, the whole state is checkpointed after every epoch and the fixed-z grids go
    to ``output_dir/samples/`` and ``output_dir/progress.gif``. ``resume=True`` continues from the
    last good checkpoint there (the data order is a function of ``(seed, epoch)``, so a resumed run
    ends exactly where an uninterrupted one would). Training stops with a clear error if a loss
    becomes NaN or infinite, and cleanly after ``time_budget`` seconds.

    ``images`` is an array (``load_mnist``, ``load_images``) or, for a folder too large for memory,
    an :func:`gan_utils.image_stream`, read from disk a batch at a time; it then brings its own
    labels. Both hold the same pixels, so a run started on one resumes on the other.

    ``verbose="auto"`` shows progress as :class:`EpochProgress` does in a notebook (live, and one
    line per epoch once saved or rendered) and as Keras' bar in a terminal; 0 is silent, 1 and 2
    are Keras' own.

    Returns:
        Keras' ``History``; ``history.history`` covers all epochs, including those before a resume.

    Example:
        >>> history = fit_gan(gan, x, epochs=5, output_dir="runs/dcgan")  # doctest: +SKIP
    """
    if not isinstance(gan, GAN):
        raise TypeError(f"fit_gan trains a gan_utils.GAN, got {type(gan).__name__}.")
    if getattr(gan, "d_optimizer", None) is None:
        raise ValueError("compile the GAN first: gan.compile() (optionally with optimizers).")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    stream = images if isinstance(images, ImageStream) else None
    if stream is not None:
        labels = _stream_labels(gan, stream, labels)
    else:
        images = np.asarray(images)
        _check_images(gan, images)
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            raise TypeError(f"callbacks must be keras.callbacks.Callback objects, got {type(cb).__name__}.")
    if gan.conditional and labels is None:
        raise ValueError("a conditional GAN needs labels: fit_gan(gan, images, labels, ...).")
    if labels is not None and gan.conditional:
        check_labels(labels, len(images), gan.num_classes)
    if not gan.conditional:
        labels = None

    start_epoch, previous = 0, {}
    run = {
        "seed": int(seed), "batch_size": int(batch_size), "images": len(images),
        "data_sha256": _fingerprint(stream.chunks() if stream is not None else [images], labels),
        "augment": gan.augment_policy,
        "d_steps": gan.d_steps,  # a step's batch holds d_steps real batches: it shapes the data order
    }
    out = Path(output_dir) if output_dir is not None else None
    if out is not None:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(f"output_dir {out} is a file: give a folder for the checkpoints and samples.")
        has_checkpoint = any((out / n).exists() for n in (CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME))
        if has_checkpoint and not resume:
            raise FileExistsError(
                f"{out} already holds a training checkpoint. Pass resume=True (--resume) to continue "
                "it, or choose another output folder; nothing was overwritten."
            )
        if resume:
            meta = restore_checkpoint(gan, out)
            if meta is not None:
                _check_same_run(meta.get("run") or {}, run, out)
                start_epoch, previous = meta["epoch"], meta["history"]
    elif resume:
        raise ValueError("resume=True needs output_dir, the folder holding the checkpoint.")

    if start_epoch >= epochs:  # the run already finished: nothing to train
        done = keras.callbacks.History()
        done.history = previous
        done.sample_grid = SampleGrid(sample_every, out / "samples")
        done.sample_grid.load_frames(start_epoch)
        done.stopped_by_time_budget, done.epochs_completed = False, start_epoch
        return done
    # Each step's batch holds d_steps real batches, one per discriminator update (GAN._split).
    step_batch = batch_size * gan.d_steps
    if stream is not None:
        dataset = stream.dataset(step_batch, seed, epochs=epochs, start_epoch=start_epoch, with_labels=labels is not None)
    else:
        dataset = make_dataset(images, labels, batch_size=step_batch, seed=seed, epochs=epochs, start_epoch=start_epoch)
    grid = SampleGrid(sample_every, out / "samples" if out else None, show=show_samples)
    if start_epoch and out is not None:
        grid.load_frames(start_epoch)  # the GIF of a resumed run starts at epoch 1, not at the resume
    budget = TimeBudget(time_budget) if time_budget is not None else None
    steps_per_epoch = len(images) // step_batch
    if verbose == "auto" and config.in_notebook():  # one line per epoch in a saved notebook, not hundreds
        callbacks = [*callbacks, EpochProgress(epochs, steps_per_epoch)]
        verbose = 0
    all_callbacks: list[keras.callbacks.Callback] = [StopOnNonFinite(), grid, *callbacks, *([budget] if budget else [])]
    if out is not None:  # last, so the checkpoint's history includes what other callbacks logged
        all_callbacks += [GifWriter(grid, out / "progress.gif"), Checkpoint(out, previous, run)]
    result = gan.fit(
        dataset,
        epochs=epochs,
        initial_epoch=start_epoch,
        steps_per_epoch=steps_per_epoch,
        callbacks=all_callbacks,
        verbose=verbose,
    )
    merged = {k: list(previous.get(k, [])) + [float(v) for v in vals] for k, vals in result.history.items()}
    result.history = merged
    result.sample_grid = grid  # the frames, for plotting and animations
    budgets = [cb for cb in all_callbacks if isinstance(cb, TimeBudget)]
    result.stopped_by_time_budget = any(cb.stopped_early for cb in budgets)
    result.epochs_completed = len(merged.get("d_loss", [])) - int(any(cb.stopped_mid_epoch for cb in budgets))
    return result


def _check_images(gan: GAN, images: np.ndarray) -> None:
    """Refuse images of another shape than the GAN's, integers, NaN or infinities, saying what to do."""
    if images.shape[1:] != gan.sample_shape:
        raise ValueError(
            f"images have shape {images.shape[1:]} but this GAN makes {gan.sample_shape}: load data "
            "of the model's shape (MNIST is (28, 28, 1), scaled to [-1, 1])."
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(
            f"images have dtype {images.dtype}; the GAN trains on floats scaled like its generator's "
            "output: load_mnist() gives [-1, 1], or scale uint8 pixels with scale_images()."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or infinite values: the losses would be NaN from the first step.")


def _stream_labels(gan: GAN, stream: ImageStream, labels: np.ndarray | None) -> np.ndarray | None:
    """The labels a GAN trains on from an :class:`ImageStream` (its own; None for an unconditional GAN)."""
    if stream.shape[1:] != gan.sample_shape:
        raise ValueError(
            f"the image stream holds images of shape {stream.shape[1:]} but this GAN makes {gan.sample_shape}: "
            f"make the stream with image_size={gan.sample_shape[0]} and channels={gan.sample_shape[-1]}, or build "
            "the GAN for the stream's shape."
        )
    if labels is not None:
        raise ValueError("an image stream carries its own labels: call fit_gan(gan, stream) without labels.")
    if not gan.conditional:
        return None
    if not stream.with_labels:
        raise ValueError("a conditional GAN needs labels: make the stream with image_stream(..., with_labels=True).")
    return stream.labels


def _fingerprint(images: Iterable[np.ndarray], labels: np.ndarray | None) -> str:
    """SHA-256 of the training data (given in pieces), so that a resume can tell it is fed the same images."""
    h = hashlib.sha256()
    for piece in images:
        h.update(np.ascontiguousarray(piece).tobytes())
    if labels is not None:
        h.update(np.ascontiguousarray(labels).tobytes())
    return h.hexdigest()


#: What a checkpoint from before a setting was recorded ran with.
_UNRECORDED = {"augment": None, "d_steps": 1}  # DiffAugment came later: older runs had none; nor d_steps > 1 with fresh batches


def _check_same_run(saved: dict, current: dict, directory: Path) -> None:
    """Refuse to resume a checkpoint with other data, seed, batch size or augmentation: it would not continue that run."""
    saved = {**_UNRECORDED, **saved}
    differ = [k for k in current if k in saved and saved[k] != current[k]]
    if differ:
        said = ", ".join(f"{k}={saved[k]!r} (now {current[k]!r})" for k in differ if k != "data_sha256")
        if "data_sha256" in differ:
            said = (said + ", " if said else "") + "different training images (digits, subset, data file or image files)"
        raise ValueError(
            f"the checkpoint in {directory} belongs to a run with other settings: {said}. Resume with "
            "the same settings, or train into a new output folder."
        )
