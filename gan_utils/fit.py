"""``fit_gan``: train a compiled GAN into a run folder, with checkpoints, progress grids, guards and exact resume."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import keras
import numpy as np

from gan_utils import config
from gan_utils.callbacks import (
    Checkpoint,
    EpochProgress,
    GifWriter,
    ProgressLog,
    SampleGrid,
    StopOnNonFinite,
    StopOnSignal,
    TimeBudget,
    write_history_csv,
)
from gan_utils.checkpoints import CHECKPOINT_NAME, restore_checkpoint
from gan_utils.data import make_dataset
from gan_utils.gan import GAN, check_labels
from gan_utils.images import ImageStream
from gan_utils.runs import (
    RunSpec,
    StopSignals,
    TrainingInterrupted,
    check_new_run_folder,
    holds_run,
    new_record,
    read_record,
    write_record,
)


def fit_gan(
    gan: GAN,
    images: np.ndarray | ImageStream,
    labels: np.ndarray | None = None,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int = 64,
    seed: int = 0,
    output_dir: str | os.PathLike | None = None,
    resume: bool = False,
    time_budget: float | None = None,
    sample_every: int = 1,
    show_samples: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str | int = "auto",
    epoch_steps: int | None = None,
    checkpoint_seconds: float | None = 300.0,
    record: dict | None = None,
) -> keras.callbacks.History:
    """Train a compiled :class:`GAN` with ``fit``, with a run folder, checkpoints, progress grids and guards.

    The length is ``epochs`` passes over the data, or ``steps`` training steps, or, with neither,
    as long as ``time_budget`` seconds allow (with a length too, whichever comes first). An epoch
    (a history row, a grid) is one pass, or ``epoch_steps`` steps.

    With ``output_dir``, the folder is the run's (:mod:`gan_utils.runs`): its ``run.json`` records
    what the run is before the first step; checkpoints of the whole state are written at epoch ends
    and every ``checkpoint_seconds`` (never costing more than 5 % of the time), ``history.csv`` grows
    a row per epoch, and whenever training stops (the end, the time budget, Ctrl-C or SIGTERM) the
    checkpoint of the very step reached is written, with ``generator.json`` (for
    :func:`gan_utils.load_generator`), ``samples.png`` and ``history.json``; grids go to
    ``samples/`` and ``progress.gif``. ``resume=True`` continues the run there, from that step, if
    it is the same run (same data, seed, batch size, augmentation; a longer length is fine), and
    starts one if the folder is empty: run the cell again after an interruption. The data order is a
    function of ``(seed, step)``, so a run stopped and resumed at any step ends with the weights of an
    uninterrupted one. A folder holding other files is refused. ``record`` adds the command line's
    facts (``model``, ``recipe``, ``data`` enter the spec; other keys are kept in ``run.json``).

    Ctrl-C (or the notebook's stop button) and SIGTERM finish the current step, save as above, and
    raise :class:`gan_utils.runs.TrainingInterrupted` (a ``KeyboardInterrupt``) saying what was saved.
    Training stops with a clear error if a loss becomes NaN or infinite (the last good checkpoint stays).

    ``images`` is an array (``load_mnist``, ``load_images``) or, for a folder too large for memory,
    an :func:`gan_utils.image_stream`, read from disk a batch at a time; it then brings its own
    labels. Both hold the same pixels, so a run started on one resumes on the other.

    ``verbose="auto"`` shows progress as :class:`EpochProgress` does in a notebook (one line per
    epoch), as Keras' bar in a terminal, and as a line per epoch or minute (:class:`ProgressLog`)
    when the output goes to a file; 0 is silent, 1 and 2 are Keras' own.

    Returns:
        Keras' ``History``: ``history.history`` covers all complete epochs, including those before a
        resume; also ``steps_completed``, ``epochs_completed``, ``stopped_by_time_budget``, ``finished``
        and ``sample_grid``.

    Example:
        >>> history = fit_gan(gan, x, epochs=5, output_dir="runs/dcgan")  # doctest: +SKIP
    """
    if not isinstance(gan, GAN):
        raise TypeError(f"fit_gan trains a gan_utils.GAN, got {type(gan).__name__}.")
    if getattr(gan, "d_optimizer", None) is None:
        raise ValueError("compile the GAN first: gan.compile() (optionally with optimizers).")
    for name, value in (("epochs", epochs), ("steps", steps), ("epoch_steps", epoch_steps)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if epochs is not None and steps is not None:
        raise ValueError(f"give the length as epochs or as steps, not both (got epochs={epochs}, steps={steps}).")
    if epochs is None and steps is None and time_budget is None:
        raise ValueError("give a length: epochs=N (passes over the data), steps=N, or time_budget=SECONDS.")
    if resume and output_dir is None:
        raise ValueError("resume=True needs output_dir, the folder holding the checkpoint.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
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
    if len(images) == 0:
        raise ValueError("fit_gan got no images: the data (after digit/subset filters) is empty.")
    step_batch = batch_size * gan.d_steps  # each discriminator update takes a real batch of its own
    if step_batch > len(images):
        per_update = f" x d_steps {gan.d_steps}" if gan.d_steps > 1 else ""
        raise ValueError(
            f"batch_size {batch_size}{per_update} is larger than the data ({len(images)} images): use batch_size <= "
            f"{len(images) // gan.d_steps} or more data."
        )
    per_pass = len(images) // step_batch
    record = dict(record or {})
    spec = RunSpec(
        seed=int(seed), batch_size=int(batch_size), images=len(images),
        data_sha256=_fingerprint(stream.chunks() if stream is not None else [images], labels),
        image_shape=tuple(int(d) for d in gan.sample_shape), augment=gan.augment_policy,
        epoch_steps=int(epoch_steps or per_pass), steps=int(steps) if steps is not None else (epochs * per_pass if epochs else None),
        model=record.pop("model", None), recipe=record.pop("recipe", None), data=record.pop("data", None),
        d_steps=int(gan.d_steps),
    )

    out = Path(output_dir) if output_dir is not None else None
    start, previous, metric_state, run_record = 0, {}, None, None
    if out is not None:
        run_record, start, previous, metric_state, spec = _open_run_folder(gan, out, spec, resume, record)
    elif resume:
        raise ValueError("resume=True needs output_dir, the folder holding the checkpoint.")
    total, every = spec.steps, spec.epoch_steps

    grid = SampleGrid(sample_every, out / "samples" if out else None, show=show_samples)
    if start and out is not None:
        grid.load_frames(start // every)  # the GIF of a resumed run starts at epoch 1, not at the resume
    if total is not None and start >= total:  # the run already finished: nothing to train
        return _result(previous, grid, start, spec, stopped=False, gan=gan)

    budgets = [cb for cb in callbacks if isinstance(cb, TimeBudget)]
    if time_budget is not None:
        budgets.append(TimeBudget(time_budget))
    for budget in budgets:
        budget.reset()
    recorder = Checkpoint(
        out, previous, {"spec_sha256": spec.digest()}, every_seconds=checkpoint_seconds, epoch_steps=every,
        start_step=start, steps=total, metric_state=metric_state,
    )
    if out is not None and start:
        write_history_csv(out, previous, every, total)  # the rows of the checkpoint, none of a lost session
    extra: list[keras.callbacks.Callback] = []
    if verbose == "auto" and config.in_notebook():  # one line per epoch in a saved notebook, not hundreds
        extra.append(EpochProgress(-(-total // every) if total else 0, every))
        verbose = 0
    elif verbose == "auto" and not sys.stdout.isatty():  # a log file: a line per epoch or minute, no bar
        extra.append(ProgressLog(start, total, every, budgets[0] if budgets else None))
        verbose = 0
    signals = StopSignals()
    all_callbacks: list[keras.callbacks.Callback] = [
        StopOnNonFinite(), grid, *callbacks, *extra, *budgets[len(budgets) - (time_budget is not None):], StopOnSignal(signals),
    ]
    if out is not None:  # last, so the checkpoint's history includes what other callbacks logged
        all_callbacks.append(GifWriter(grid, out / "progress.gif"))
    all_callbacks.append(recorder)

    iterations = int(gan.g_optimizer.iterations.numpy()) if gan.g_optimizer.built else 0
    began, ended = time.perf_counter(), "finished"
    interrupted: int | None = None
    with signals:
        try:
            for first_epoch, epoch_length, epochs_here, at in _segments(start, total, every):
                dataset = _dataset(images, stream, labels, step_batch, seed, at, total)
                gan.fit(
                    dataset, epochs=first_epoch + epochs_here, initial_epoch=first_epoch, steps_per_epoch=epoch_length,
                    callbacks=all_callbacks, verbose=verbose,
                )
                if gan.stop_training:
                    break
        except KeyboardInterrupt:  # a second Ctrl-C, or one raised where no handler could be installed
            interrupted = signal.SIGINT
        finally:
            if interrupted is None and signals.received is not None:
                interrupted = signals.received
    done = int(gan.g_optimizer.iterations.numpy()) - iterations  # steps taken, whichever callback stopped them
    recorder.step = start + done
    stopped = any(b.stopped_early for b in budgets)
    if interrupted is not None:
        ended = signal.Signals(interrupted).name
    elif stopped:
        ended = "time budget"
    elif total is not None and recorder.step < total:
        ended = "stopped"
    if out is not None:
        if recorder.saved_step != recorder.step or not (out / CHECKPOINT_NAME).is_file():
            recorder.save(gan)
        _save_outputs(gan, out, recorder.history)
        session = {"from_step": start, "to_step": recorder.step, "steps": total, "time_budget": time_budget,
                   "seconds": round(time.perf_counter() - began, 1), "ended": ended}
        if "command" in record:
            session["command"] = record["command"]
        run_record["spec"] = spec
        run_record.setdefault("sessions", []).append(session)
        write_record(out, run_record)
    if interrupted is not None:
        saved = (f"saved step {recorder.step:,}" + (f" of {total:,}" if total else "") + f" in {out} "
                 "(checkpoint.npz, generator.json)") if out is not None else f"stopped at step {recorder.step:,}; nothing saved (no output_dir)"
        error = TrainingInterrupted(f"{signal.Signals(interrupted).name}: {saved}", interrupted)
        error.step, error.steps, error.directory = recorder.step, total, out
        raise error
    return _result(recorder.history, grid, recorder.step, spec, stopped=stopped, gan=gan)


def _open_run_folder(gan: GAN, out: Path, spec: RunSpec, resume: bool, facts: dict) -> tuple:
    """Start or reopen the run in ``out``: (record, start step, history, running means, spec)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"output_dir {out} is a file: give a folder for the checkpoints and samples.")
    run_record = read_record(out)
    legacy = run_record is None and holds_run(out)
    if (run_record is not None or legacy) and not resume:
        raise FileExistsError(
            f"{out} already holds a training checkpoint. Pass resume=True (--resume) to continue "
            "it, or choose another output folder; nothing was overwritten."
        )
    start, previous, metric_state = 0, {}, None
    if run_record is not None:
        recorded: RunSpec = run_record["spec"]
        differ = recorded.contradictions(spec)
        if differ:
            said = "; ".join(f"{name}: recorded {old!r}, now {new!r}" for name, old, new in differ if name != "data_sha256")
            if any(name == "data_sha256" for name, _, _ in differ):
                said = (said + "; " if said else "") + "different training images (digits, subset, data file or image files)"
            raise ValueError(
                f"the checkpoint in {out} belongs to a run with other settings: {said}. Resume with "
                "the same settings, or train into a new output folder."
            )
        spec = dataclasses.replace(recorded, steps=spec.steps)  # what the caller gives: the length may change
        meta = restore_checkpoint(gan, out)
        if meta is not None:
            if (meta.get("run") or {}).get("spec_sha256") != recorded.digest():
                raise ValueError(f"the checkpoint in {out} is not the one of its run.json: train into a new output folder.")
            start, previous, metric_state = int(meta["step"]), meta["history"], meta.get("metrics")
    elif legacy:  # from before run records: resumable where its checkpoint says the same settings
        meta = restore_checkpoint(gan, out)
        if meta is not None:
            _check_same_run(meta.get("run") or {}, _legacy_run(spec), out)
            spec = dataclasses.replace(spec, epoch_steps=spec.steps_per_pass)  # its epochs were passes
            start, previous = int(meta["epoch"]) * spec.steps_per_pass, meta["history"]
        run_record = new_record(spec, **facts, resumed_from="a folder from before run records")
    else:
        check_new_run_folder(out)
        out.mkdir(parents=True, exist_ok=True)
        run_record = new_record(spec, **facts)
        write_record(out, run_record)  # before the first step: a run stopped at once still says what it is
    return run_record, start, previous, metric_state, spec


def _segments(start: int, total: int | None, every: int) -> list[tuple[int, int, int, int]]:
    """The ``fit`` calls from step ``start``: (first epoch, steps per epoch, epochs, first step) each.

    Keras starts every epoch at its first step: an epoch begun before a resume, and a last epoch
    shorter than the others, each get a ``fit`` of their own. ``total=None`` (until the time budget)
    ends in a practically endless ``fit``.
    """
    segments, step = [], start
    while total is None or step < total:
        epoch, into = divmod(step, every)
        left = None if total is None else total - step
        if into or (left is not None and left < every):
            length = every - into if left is None else min(every - into, left)
            segments.append((epoch, length, 1, step))
            step += length
            continue
        epochs = _ENDLESS if left is None else left // every
        segments.append((epoch, every, epochs, step))
        if left is None:
            break
        step += epochs * every
    return segments


#: Epochs of a run that trains until its time budget: more than any budget allows.
_ENDLESS = 10**7


def _dataset(images, stream: ImageStream | None, labels, batch_size: int, seed: int, step: int, total: int | None):
    """The batches from global step ``step`` on: pass ``step // per_pass``, from its step ``step % per_pass``."""
    per_pass = len(images) // batch_size
    first, skip = divmod(step, per_pass)
    last = first + _ENDLESS if total is None else -(-total // per_pass)
    if stream is not None:
        return stream.dataset(batch_size, seed, epochs=last, start_epoch=first, skip=skip, with_labels=labels is not None)
    return make_dataset(images, labels, batch_size=batch_size, seed=seed, epochs=last, start_epoch=first, skip=skip)


def _result(history: dict, grid: SampleGrid, step: int, spec: RunSpec, stopped: bool, gan: GAN) -> keras.callbacks.History:
    result = keras.callbacks.History()
    result.history = {k: list(v) for k, v in history.items()} or {m.name: [] for m in gan.metrics}  # no epoch done yet
    result.sample_grid = grid  # the frames, for plotting and animations
    result.stopped_by_time_budget = stopped
    result.steps_completed, result.steps = step, spec.steps
    result.epochs_completed = max((len(v) for v in history.values()), default=0)
    result.finished = spec.steps is not None and step >= spec.steps
    result.spec = spec
    return result


def _save_outputs(gan: GAN, out: Path, history: dict) -> None:
    """What a stopped or finished run leaves for its reader: the networks, the fixed-z grid, the history."""
    from gan_utils import models, plotting, pretrained

    for network, name in ((gan.sampler, "generator"), (gan.discriminator, "discriminator")):
        try:
            models.architecture(network)
        except (TypeError, ValueError):
            continue  # a network written on a notebook's page: the checkpoint holds it
        with warnings.catch_warnings():  # Keras' convert_to_numpy warns under NumPy 2 about a keyword it passes
            warnings.simplefilter("ignore", DeprecationWarning)
            pretrained.save_network(network, out / name)
    if len(gan.sample_shape) in (2, 3):
        plotting.save_image(plotting.image_grid(gan.sample()), out / "samples.png")
    pretrained.write_json(history, out / "history.json")


def _legacy_run(spec: RunSpec) -> dict:
    """The settings a checkpoint from before run records kept, for :func:`_check_same_run`."""
    return {"seed": spec.seed, "batch_size": spec.batch_size, "images": spec.images, "data_sha256": spec.data_sha256,
            "augment": spec.augment}


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
_UNRECORDED = {"augment": None}  # DiffAugment came later: older runs had none


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
