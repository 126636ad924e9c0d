"""Saving and loading trained networks: run folders, shipped weights, checksums.

A saved network is two files: ``<name>.json``, a small record of which builder of
:mod:`gan_utils.models` made it and with which arguments, and ``<name>.weights.npz``, its weights as
plain arrays (the record holds their SHA-256). Loading builds the architecture again from this
library's code and assigns the weights, so a network saved by one TensorFlow / Keras / NumPy version
loads on every version the project supports (whole-model ``.keras`` files carry each Keras
version's layer configs and are not readable by older ones). Nothing is ever unpickled, and shipped
files are checked against ``files/SHA256SUMS`` before they are opened.

Run folders written before this format hold ``generator.keras``; :func:`load_generator` still opens
those where the running Keras can, and says what to do where it cannot.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shlex
import zipfile
from pathlib import Path

import keras
import numpy as np

from gan_utils import atomic, config, models

#: Names accepted by :func:`load_pretrained`; each has ``files/pretrained/<name>_generator.json``.
PRETRAINED = ("vanilla", "dcgan", "cgan")
#: The networks shipped for each: ``files/pretrained/<name>_<network>.json`` and ``.weights.npz``.
NETWORKS = ("generator", "discriminator")
PRETRAINED_DIR = config.FILES_DIR / "pretrained"
CHECKSUMS = config.FILES_DIR / "SHA256SUMS"
#: The saved-network format this library writes, and the versions of it that it reads.
NETWORK_FORMAT = "gan_utils.network"
NETWORK_FORMAT_VERSION = 1
RECORD_SUFFIX = ".json"
WEIGHTS_SUFFIX = ".weights.npz"


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


def write_json(data: object, path: str | os.PathLike) -> Path:
    """Write JSON atomically (temporary file, then rename)."""
    return atomic.write_bytes(path, (json.dumps(data, indent=2) + "\n").encode())


def network_files(path: str | os.PathLike) -> tuple[Path, Path]:
    """Return ``(record, weights)``: the two files of the saved network ``path``.

    ``path`` may name the record (``runs/dcgan/generator.json``) or its stem (``runs/dcgan/generator``).

    Example:
        >>> [p.name for p in network_files("runs/dcgan/generator")]
        ['generator.json', 'generator.weights.npz']
    """
    path = Path(path)
    stem = path.with_suffix("") if path.suffix == RECORD_SUFFIX else path
    return stem.with_name(stem.name + RECORD_SUFFIX), stem.with_name(stem.name + WEIGHTS_SUFFIX)


def save_network(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save a network made by a :mod:`gan_utils.models` builder: its arguments and its weights.

    Writes ``<path>.weights.npz`` (the weights, in the model's own order, as plain arrays) and then
    ``<path>.json`` (the builder, its arguments, each variable's name and shape for the reader, the
    weights' SHA-256 and the versions that wrote it), each atomically. Returns the record's path; load it
    with :func:`load_network`.

    Example:
        >>> save_network(gan.sampler, "runs/dcgan/generator")  # doctest: +SKIP
        PosixPath('runs/dcgan/generator.json')
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"save_network saves a keras.Model, got {type(model).__name__}.")
    record_path, weights_path = network_files(path)
    record = models.architecture(model)  # refuses models no builder made, before anything is written
    arrays = {f"{i:04d}": np.asarray(keras.ops.convert_to_numpy(v)) for i, v in enumerate(model.weights)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    record_path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(weights_path, data)
    record.update(
        format=NETWORK_FORMAT,
        format_version=NETWORK_FORMAT_VERSION,
        weights=weights_path.name,
        weights_sha256=hashlib.sha256(data).hexdigest(),
        variables=[f"{v.name} {'x'.join(str(d) for d in v.shape) or 'scalar'}" for v in model.weights],
        written_by={"keras": keras.__version__, "tensorflow": _tensorflow_version(), "numpy": np.__version__,
                    "python": platform.python_version()},
    )
    return write_json(record, record_path)


def _tensorflow_version() -> str:
    import tensorflow as tf

    return tf.__version__


def read_network_record(path: str | os.PathLike) -> dict:
    """Read and check the record (``.json``) of a saved network; raise ``ValueError`` naming what is wrong."""
    record_path, _ = network_files(path)
    if not record_path.is_file():
        raise FileNotFoundError(f"no saved network at {record_path}.")
    try:
        record = json.loads(record_path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{record_path} is not a saved-network record (not JSON: {err}).") from None
    if not isinstance(record, dict) or record.get("format") != NETWORK_FORMAT:
        raise ValueError(f"{record_path} is not a gan_utils saved network (its 'format' is not {NETWORK_FORMAT!r}).")
    version = record.get("format_version")
    if not isinstance(version, int) or version > NETWORK_FORMAT_VERSION:
        raise ValueError(
            f"{record_path} has format version {version!r}; this gan_utils reads up to "
            f"{NETWORK_FORMAT_VERSION}. Update gan_utils (pip install -U the series' repository)."
        )
    return record


def load_network(path: str | os.PathLike, sums_file: str | os.PathLike | None = None) -> keras.Model:
    """Rebuild a network saved by :func:`save_network` and load its weights.

    The builder named in ``<path>.json`` builds the architecture from this library's code; the
    weights come from ``<path>.weights.npz`` after its SHA-256 is checked against the record.
    With ``sums_file`` (shipped files: ``files/SHA256SUMS``) both files must match their lines there
    first. Never unpickles.

    Example:
        >>> generator = load_network("runs/dcgan/generator")  # doctest: +SKIP
    """
    record_path, weights_path = network_files(path)
    if sums_file is not None:
        verify_checksum(record_path, sums_file)
        verify_checksum(weights_path, sums_file)
    record = read_network_record(record_path)
    if not weights_path.is_file():
        raise FileNotFoundError(f"{record_path} names its weights {weights_path.name}, which is missing beside it.")
    data = weights_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != record.get("weights_sha256"):
        raise ValueError(
            f"{weights_path} does not match the SHA-256 recorded in {record_path.name}: the weights were "
            "changed, damaged or come from another save. Save the network again."
        )
    model = models.build_from(record)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            arrays = [f[f"{i:04d}"] for i in range(len(f.files))]
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as err:
        raise ValueError(f"{weights_path} is unreadable ({err}).") from err
    if len(arrays) != len(model.weights):
        raise ValueError(
            f"{weights_path} holds {len(arrays)} arrays but {record['builder']} builds {len(model.weights)} "
            "variables with these arguments: the file was written by another version of the builder."
        )
    for variable, array in zip(model.weights, arrays):
        if tuple(array.shape) != tuple(variable.shape):
            raise ValueError(
                f"{weights_path}: {variable.path} has shape {tuple(array.shape)} in the file but "
                f"{tuple(variable.shape)} in the rebuilt {record['builder']}."
            )
    for variable, array in zip(model.weights, arrays):
        variable.assign(array.astype(variable.dtype))
    return model


def save_model_atomic(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save a whole-model ``.keras`` file atomically (temporary file, then rename).

    For models that no registered builder made (the benchmarks' variants and reference model),
    read back by the same environment. Such a file is readable only by a Keras at least as new as
    the one that wrote it: networks that ship or go in run folders use :func:`save_network`.
    """
    tmp = atomic.temporary_sibling(path, ".keras")
    model.save(tmp)
    return atomic.replace(tmp, path)


def load_model_safely(path: str | os.PathLike) -> keras.Model:
    """Open a whole-model ``.keras`` file with Keras' safe mode (no code from the file is executed).

    Such files are readable only by a Keras at least as new as the one that wrote them; where the
    running Keras cannot read one, the error names both versions and what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for a bad file
        written = keras_version_of(path)
        hint = ""
        if written and written != keras.__version__:
            hint = (
                f" It was written by Keras {written} and this is Keras {keras.__version__}: open it where "
                f"Keras {written} is installed and save it with gan_utils.pretrained.save_network (weights "
                "plus arguments load on every version), or train it again."
            )
        raise ValueError(f"{path} is not a loadable Keras model ({type(err).__name__}: {err}).{hint}") from err


def keras_version_of(path: str | os.PathLike) -> str | None:
    """The Keras version recorded in a ``.keras`` file's ``metadata.json`` (None if unreadable)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return str(json.loads(archive.read("metadata.json"))["keras_version"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def load_generator(directory: str | os.PathLike) -> keras.Model:
    """Return the trained generator from a folder written by ``python -m gan_utils.train``.

    The folder holds ``generator.json`` and ``generator.weights.npz`` (see :func:`load_network`).
    A folder from before that format holds ``generator.keras``: it is opened where the running
    Keras can read it, and otherwise refused with the versions named and what to do.
    The generator is called as ``generator(z, training=False)`` (conditional: ``generator([z, labels])``).

    Example:
        >>> g = load_generator("runs/dcgan")  # doctest: +SKIP
    """
    directory = Path(directory)
    record, _ = network_files(directory / "generator")
    if record.is_file():
        return load_network(record)
    legacy = directory / "generator.keras"
    if legacy.is_file():
        return load_model_safely(legacy)
    if (directory / "checkpoint.npz").is_file():
        raise FileNotFoundError(
            f"{directory} has no generator.json yet, but a checkpoint: continue its run, which writes it, with "
            f"python -m gan_utils.train --resume --output {shlex.quote(str(directory))}"
        )
    raise FileNotFoundError(
        f"{directory} has no generator.json (nor an older generator.keras). Train one first: "
        f"python -m gan_utils.train dcgan --output {shlex.quote(str(directory))}"
    )


def pretrained_path(name: str, network: str = "generator") -> Path:
    """The record of a shipped network: ``files/pretrained/<name>_<network>.json``."""
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained model {name!r}: choose one of {', '.join(PRETRAINED)}.")
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {network!r}.")
    return network_files(PRETRAINED_DIR / f"{name}_{network}")[0]


def load_pretrained(name: str, network: str = "generator") -> keras.Model:
    """Return a shipped, trained network: ``"vanilla"``, ``"dcgan"`` or ``"cgan"``.

    ``network="generator"`` (default) returns the generator, called as ``generator(z, training=False)``
    (the conditional one as ``generator([z, labels], training=False)``); ``network="discriminator"``
    returns the discriminator trained beside it (one logit per image). Both files
    ``files/pretrained/<name>_<network>.json`` and ``.weights.npz`` are checked against
    ``files/SHA256SUMS`` first; a changed or damaged file is refused. The model card is
    ``files/pretrained/<name>.md``.

    Example:
        >>> g = load_pretrained("dcgan")  # doctest: +SKIP
        >>> g(np.zeros((1, g.inputs[0].shape[-1])), training=False).shape  # doctest: +SKIP
        TensorShape([1, 28, 28, 1])
    """
    return load_network(pretrained_path(name, network), sums_file=CHECKSUMS)


def latent_batch(generator: keras.Model, n: int, seed: int = 0) -> np.ndarray:
    """Draw ``n`` seeded standard-normal latent vectors of the right length for ``generator``."""
    if not isinstance(generator, keras.Model):
        raise TypeError(f"latent_batch needs a keras.Model generator, got {type(generator).__name__}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of latent vectors, got {n!r}.")
    latent_dim = int(generator.inputs[0].shape[-1])
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")
