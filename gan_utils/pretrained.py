"""Saving and loading trained generators: run folders, shipped weights, checksums.

Loading never unpickles anything: models are Keras ``.keras`` files opened with ``safe_mode=True``,
and shipped files are checked against ``files/SHA256SUMS`` before they are opened.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import keras
import numpy as np

from gan_utils import atomic, config

#: Names accepted by :func:`load_pretrained`; each has ``files/pretrained/<name>_generator.keras``.
PRETRAINED = ("vanilla", "dcgan", "cgan")
#: The networks shipped for each: ``files/pretrained/<name>_<network>.keras``.
NETWORKS = ("generator", "discriminator")
PRETRAINED_DIR = config.FILES_DIR / "pretrained"
CHECKSUMS = config.FILES_DIR / "SHA256SUMS"


def sha256(path: str | os.PathLike) -> str:
    """Return the SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_checksums(sums_file: str | os.PathLike = CHECKSUMS) -> dict[str, str]:
    """Read a ``sha256sum``-style file into ``{relative path: digest}``."""
    sums = {}
    for number, line in enumerate(Path(sums_file).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64 or any(c not in "0123456789abcdef" for c in parts[0]):
            raise ValueError(
                f"{sums_file} line {number} is not '<sha256 hex>  <path>': {line[:80]!r}. "
                "Regenerate it with python scripts/update_checksums.py."
            )
        sums[parts[1].lstrip("*")] = parts[0]
    return sums


def verify_checksum(path: str | os.PathLike, sums_file: str | os.PathLike = CHECKSUMS) -> None:
    """Raise ``ValueError`` unless ``path`` matches its entry in ``sums_file`` (``files/SHA256SUMS``)."""
    path, sums_file = Path(path), Path(sums_file)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing. Check out the repository's files/ folder (git lfs is not used).")
    if not sums_file.is_file():
        raise FileNotFoundError(f"checksum file {sums_file} is missing: cannot verify {path.name}.")
    try:
        name = path.resolve().relative_to(sums_file.resolve().parent).as_posix()
    except ValueError:
        raise ValueError(
            f"{path} is not inside {sums_file.parent}, the folder {sums_file.name} covers: shipped files "
            "must live under files/ to be verified."
        ) from None
    expected = read_checksums(sums_file).get(name)
    if expected is None:
        raise ValueError(f"{name} has no entry in {sums_file}: refusing to load an unlisted file.")
    actual = sha256(path)
    if actual != expected:
        raise ValueError(
            f"{path} does not match its SHA-256 checksum in {sums_file} (expected {expected[:12]}..., "
            f"got {actual[:12]}...). The file was changed or damaged: restore it with git checkout."
        )


def save_model_atomic(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save a Keras model to ``path`` (``.keras``) via a temporary file and a rename."""
    tmp = atomic.temporary_sibling(path, ".keras")
    model.save(tmp)
    return atomic.replace(tmp, path)


def write_json(data: object, path: str | os.PathLike) -> Path:
    """Write JSON atomically (temporary file, then rename)."""
    return atomic.write_bytes(path, (json.dumps(data, indent=2) + "\n").encode())


def load_model_safely(path: str | os.PathLike) -> keras.Model:
    """Open a ``.keras`` model with Keras' safe mode (no code from the file is executed)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for a bad file
        raise ValueError(f"{path} is not a loadable Keras model ({type(err).__name__}: {err}).") from err


def load_generator(directory: str | os.PathLike) -> keras.Model:
    """Return the trained generator from a folder written by ``python -m gan_utils.train``.

    The generator is called as ``generator(z, training=False)`` (conditional: ``generator([z, labels])``).

    Example:
        >>> g = load_generator("runs/dcgan")  # doctest: +SKIP
    """
    directory = Path(directory)
    path = directory / "generator.keras"
    if not path.is_file():
        raise FileNotFoundError(
            f"{directory} has no generator.keras. Train one first: python -m gan_utils.train dcgan --output {directory}"
        )
    return load_model_safely(path)


def load_pretrained(name: str, network: str = "generator") -> keras.Model:
    """Return a shipped, trained network: ``"vanilla"``, ``"dcgan"`` or ``"cgan"``.

    ``network="generator"`` (default) returns the generator, called as ``generator(z, training=False)``
    (the conditional one as ``generator([z, labels], training=False)``); ``network="discriminator"``
    returns the discriminator trained beside it (one logit per image). The file
    ``files/pretrained/<name>_<network>.keras`` is checked against ``files/SHA256SUMS`` first; a
    changed or damaged file is refused. The model card is ``files/pretrained/<name>.md``.

    Example:
        >>> g = load_pretrained("dcgan")  # doctest: +SKIP
        >>> g(np.zeros((1, g.inputs[0].shape[-1])), training=False).shape  # doctest: +SKIP
        TensorShape([1, 28, 28, 1])
    """
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained model {name!r}: choose one of {', '.join(PRETRAINED)}.")
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {network!r}.")
    path = PRETRAINED_DIR / f"{name}_{network}.keras"
    verify_checksum(path)
    return load_model_safely(path)


def latent_batch(generator: keras.Model, n: int, seed: int = 0) -> np.ndarray:
    """Draw ``n`` seeded standard-normal latent vectors of the right length for ``generator``."""
    if not isinstance(generator, keras.Model):
        raise TypeError(f"latent_batch needs a keras.Model generator, got {type(generator).__name__}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of latent vectors, got {n!r}.")
    latent_dim = int(generator.inputs[0].shape[-1])
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")
