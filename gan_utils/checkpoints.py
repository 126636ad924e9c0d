"""Checkpoints: the whole training state of a :class:`~gan_utils.gan.GAN` in one file, written atomically.

Plain arrays and a JSON string in an ``.npz`` (never pickled), with a SHA-256 digest of all of it;
the previous checkpoint is kept beside the new one, and a corrupt file is never read twice.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np

from gan_utils.gan import GAN

CHECKPOINT_NAME = "checkpoint.npz"
PREVIOUS_CHECKPOINT_NAME = "checkpoint.prev.npz"


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        h.update(key.encode())
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def save_checkpoint(
    gan: GAN, directory: str | os.PathLike, epoch: int, history: dict | None = None, run: dict | None = None,
    step: int | None = None, extra: dict | None = None,
) -> Path:
    """Write the whole training state atomically to ``directory/checkpoint.npz``.

    Holds both networks, both optimizers' state, the fixed latent batch, the seed state (of the noise and the augmentation), the
    counters (``epoch``: completed epochs; ``step``: completed training steps, which may end mid-epoch),
    the history so far, ``run`` (what ties it to its run: the run record's digest, see
    :mod:`gan_utils.runs`) and any ``extra`` JSON values, plus a SHA-256 digest of all of it. The file is written in
    full to a temporary name, flushed to disk, then renamed into place; the checkpoint it replaces
    is kept as ``checkpoint.prev.npz``. No pickling: plain arrays and a JSON string.
    """
    _check_gan(gan, "save_checkpoint")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"epoch must be the number of completed epochs (an integer >= 0), got {epoch!r}.")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} is a file: checkpoints go into a folder; choose a folder path.")
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for group, variables in gan.state_variables().items():
        for i, v in enumerate(variables):
            arrays[f"{group}/{i:04d}"] = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
    meta = {"epoch": int(epoch), "history": history or {}, "run": run or {}, "format": 1, **(extra or {})}
    if step is not None:
        meta["step"] = int(step)
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["digest"] = np.array(_digest(arrays))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    final = directory / CHECKPOINT_NAME
    tmp = directory / (CHECKPOINT_NAME + ".tmp")
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
        f.flush()
        os.fsync(f.fileno())
    if final.exists():
        os.replace(final, directory / PREVIOUS_CHECKPOINT_NAME)
    os.replace(tmp, final)
    return final


class CorruptCheckpointError(ValueError):
    """A checkpoint file is unreadable, truncated or does not match its digest."""


def read_checkpoint(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify one checkpoint file; raise :class:`CorruptCheckpointError` naming it if bad."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        digest = str(arrays.pop("digest"))
        meta = json.loads(str(arrays["meta"]))
    except Exception as err:  # noqa: BLE001 - any failure to parse means the file is unusable
        raise CorruptCheckpointError(f"checkpoint {path} is unreadable (truncated or corrupt): {err}") from err
    if _digest(arrays) != digest:
        raise CorruptCheckpointError(f"checkpoint {path} does not match its SHA-256 digest: it is corrupt.")
    return arrays, meta


def restore_checkpoint(gan: GAN, directory: str | os.PathLike) -> dict | None:
    """Load the newest good checkpoint in ``directory`` into ``gan``; return its metadata or None.

    A corrupt or truncated ``checkpoint.npz`` is reported by name, renamed to ``*.corrupt`` so it is
    never read again, and the previous checkpoint is used instead. If no checkpoint there is good,
    :class:`CorruptCheckpointError` is raised: training never silently starts over.
    A leftover ``checkpoint.npz.tmp`` (a save that was interrupted) is never read.
    """
    _check_gan(gan, "restore_checkpoint")
    directory = Path(directory)
    bad = []
    for name in (CHECKPOINT_NAME, PREVIOUS_CHECKPOINT_NAME):
        path = directory / name
        if not path.exists():
            continue
        try:
            arrays, meta = read_checkpoint(path)
        except CorruptCheckpointError as err:
            warnings.warn(f"{err} Keeping it as {path.name}.corrupt and trying the previous checkpoint.", stacklevel=2)
            os.replace(path, path.with_name(path.name + ".corrupt"))
            bad.append(path.name)
            continue
        _assign(gan, arrays, path)
        return meta
    if bad:
        raise CorruptCheckpointError(
            f"no good checkpoint in {directory}: {' and '.join(bad)} are corrupt (kept as *.corrupt). "
            "Start a new run in another folder, or restore the folder from a backup."
        )
    return None


def _check_gan(gan: object, caller: str) -> None:
    if not isinstance(gan, GAN):
        raise TypeError(f"{caller} needs a gan_utils.GAN, got {type(gan).__name__}.")


def _assign(gan: GAN, arrays: dict[str, np.ndarray], path: Path) -> None:
    groups = gan.state_variables()
    expected = {f"{g}/{i:04d}": v for g, vs in groups.items() for i, v in enumerate(vs)}
    stored = {k for k in arrays if k != "meta"}
    if stored != set(expected):
        raise ValueError(
            f"checkpoint {path} was written for a different model ({len(stored)} variables stored, "
            f"{len(expected)} in this GAN): build the same architecture and optimizers, or use a new "
            "output folder."
        )
    for key, var in expected.items():
        if tuple(arrays[key].shape) != tuple(var.shape):
            raise ValueError(
                f"checkpoint {path} was written for a different architecture: {key} ({var.path}) has "
                f"shape {arrays[key].shape} in the file but {tuple(var.shape)} in this model."
            )
    for key, var in expected.items():
        var.assign(arrays[key])
