"""Your own images: a folder, a zip, a list of files or a Keras data set, as GAN training data.

Two ways in, the same pixels:

* :func:`load_images` returns the images in memory: float32 in [-1, 1], shape
  ``(n, image_size, image_size, channels)``, ready for ``make_dataset`` or ``fit_gan``.
* :func:`image_stream` keeps a folder too large for memory on disk: each file is decoded and
  resized once into a cache file, and ``fit_gan`` trains on the stream as on an array.
  :func:`image_dataset` reads its batches in the order of :func:`gan_utils.data.index_batches`,
  the order ``make_dataset`` uses. So it gives exactly the batches of
  ``make_dataset(load_images(...))``, and a run resumed at epoch ``k`` sees what an
  uninterrupted one would.

Who does what. Pillow decodes every file: one decoder for every format, so that a file gives the
same pixels in memory and streamed, and because TensorFlow's decoders do not do everything needed
here (no WebP in TF 2.16, no EXIF rotation of phone photos, transparency dropped rather than laid
on white). ``tf.image`` turns grey into colour and back; Keras resizes with the aspect ratio kept
(``keras.ops.image.resize`` with ``crop_to_aspect_ratio`` or ``pad_to_aspect_ratio``, antialiased
when shrinking), inside one traced ``tf.function``; ``tf.data`` streams.

What is read: files ending in .bmp, .gif (first frame), .jpeg, .jpg, .png, .webp (any case), in the
folder and all its sub-folders, in the order of their paths. Hidden files and folders (a name
starting with ``.``) and ``__MACOSX`` folders (which macOS adds to zips) are left out; every other
file left out (``notes.txt``, a ``.heic`` photo, a JPEG named ``.jfif``) is counted and named in a warning.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath

import keras
import numpy as np
import tensorflow as tf
from PIL import Image, ImageOps, UnidentifiedImageError, features

from gan_utils import atomic
from gan_utils.data import _check_seed, _check_subset, _subset_rows, _to_range, index_batches, load_mnist

#: The Keras data sets ``load_images`` knows by name (their training split), with their class names.
KERAS_DATASETS: dict[str, list[str]] = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
#: How an image is fitted into the square: cut the overflow off, or add black bars.
FITS = ("crop", "pad")
#: Extensions of files that are often images but are not read here: named in a warning, never skipped silently.
OTHER_IMAGE_EXTENSIONS = frozenset(
    {".avif", ".cr2", ".dng", ".heic", ".heif", ".ico", ".jp2", ".jxl", ".nef", ".psd", ".raw", ".svg", ".tif", ".tiff"}
)
#: How many file names a warning or an error lists before it says "and N more".
NAMES_SHOWN = 5
#: Bumped whenever decoding or resizing changes, so that older cache files are not reused.
CACHE_VERSION = 1


def source_name(images: str | os.PathLike | Sequence[str | os.PathLike]) -> str:
    """A short, file-safe name for an image source, to name a run folder after what it trains on.

    A folder or a zip gives its name (without ``.zip``), a Keras data set its name, a list of
    files ``files_`` and a short hash of their paths.

    Example:
        >>> source_name("~/Pictures/my cats/")
        'my_cats'
        >>> source_name("/content/drive/MyDrive/holiday.zip"), source_name("cifar10")
        ('holiday', 'cifar10')
    """
    if isinstance(images, (str, os.PathLike)):
        path = Path(os.path.expanduser(os.fspath(images)))
        name = path.stem if path.suffix.lower() == ".zip" else path.name
    else:
        paths = sorted(os.fspath(f) for f in images)
        name = "files_" + hashlib.sha256("\n".join(paths).encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")
    return name or "images"


def image_extensions() -> tuple[str, ...]:
    """The file extensions :func:`load_images` reads in folders and zips (.webp where Pillow has WebP).

    Example:
        >>> image_extensions()[:5]
        ('.bmp', '.gif', '.jpeg', '.jpg', '.png')
    """
    return (".bmp", ".gif", ".jpeg", ".jpg", ".png") + ((".webp",) if features.check("webp") else ())


# --------------------------------------------------------------------------- finding the files
@dataclasses.dataclass(frozen=True)
class _Entry:
    name: str  # as shown in messages: the path below the folder or inside the zip, or the path given
    label: int  # index into the class names, -1 without classes
    path: Path | None = None  # a file on disk ...
    member: str | None = None  # ... or a member of the zip


@dataclasses.dataclass
class _Found:
    entries: list[_Entry]
    class_names: list[str]
    stamp: list  # what the cache key is made of: names, sizes and modification times
    zip_path: Path | None = None
    loose: list[str] = dataclasses.field(default_factory=list)  # images beside the class folders


def _warn(message: str) -> None:
    """Warn, pointing at the first caller outside this module (the reader's own line)."""
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _hidden(parts: Sequence[str]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _names(names: Sequence[str], reasons: dict[str, str] | None = None) -> str:
    """``a.png, b.png, ... and 3 more``, each with its reason if given."""
    shown = [f"{n} ({reasons[n]})" if reasons else n for n in names[:NAMES_SHOWN]]
    more = len(names) - NAMES_SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _sort_and_label(paths: list[PurePosixPath]) -> tuple[list[PurePosixPath], list[int], list[str], list[str]]:
    """Sort image paths and give each the class of its first folder.

    A top that holds nothing but one folder is looked through (a zip of ``flowers/`` holds
    ``flowers/roses/...`` and ``flowers/tulips/...``: the classes are roses and tulips).
    Returns the paths, their labels (-1 for none), the sorted class names and the loose images
    (those beside the class folders).
    """
    paths = sorted(paths, key=lambda p: p.parts)
    depth = 0
    while paths and all(len(p.parts) > depth + 1 for p in paths) and len({p.parts[depth] for p in paths}) == 1:
        depth += 1
    class_names = sorted({p.parts[depth] for p in paths if len(p.parts) > depth + 1})
    index = {name: i for i, name in enumerate(class_names)}
    labels = [index[p.parts[depth]] if len(p.parts) > depth + 1 else -1 for p in paths]
    loose = [str(p) for p, label in zip(paths, labels) if label < 0] if class_names else []
    return paths, labels, class_names, loose


def _no_images_error(where: str, other: Counter) -> ValueError:
    found = ", ".join(f"{ext or 'no extension'} ({n})" for ext, n in sorted(other.items())) or "nothing"
    return ValueError(
        f"{where} holds no images: looked for {', '.join(image_extensions())} files (in every sub-folder too) "
        f"and found {found}. Put your images there, or pass another folder or zip."
    )


#: Other names of JPEG files, which the loader leaves out by their extension (rename them to .jpg).
JPEG_ALIASES = (".jfif", ".jpe")


def _warn_unread_formats(where: str, other: Counter, names: Sequence[str] = ()) -> None:
    """Name what a folder or zip held besides the images read: other image formats, then any other file."""
    unread = {ext: n for ext, n in other.items() if ext in OTHER_IMAGE_EXTENSIONS or (ext == ".webp" and ext not in image_extensions())}
    if unread:
        listed = ", ".join(f"{ext} ({n})" for ext, n in sorted(unread.items()))
        _warn(
            f"{where}: left out {sum(unread.values())} files in formats load_images does not read: {listed}. "
            f"Convert them to PNG or JPEG to use them (read: {', '.join(image_extensions())})."
        )
    rest = sorted(n for n in names if os.path.splitext(n)[1].lower() not in unread)
    if rest:
        jpeg = [n for n in rest if os.path.splitext(n)[1].lower() in JPEG_ALIASES]
        _warn(
            f"{where}: left out {len(rest)} other files, not read by their extension: {_names(rest)}."
            + (f" Files ending in {' or '.join(JPEG_ALIASES)} are JPEGs: rename them to .jpg to use them." if jpeg else "")
        )


def _find_in_folder(folder: Path) -> _Found:
    wanted, other, paths, stamp, left_out = image_extensions(), Counter(), [], [], []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _hidden([d])]
        for f in files:
            if _hidden([f]):
                continue
            ext = os.path.splitext(f)[1].lower()
            if ext in wanted:
                paths.append(PurePosixPath(Path(top, f).relative_to(folder).as_posix()))
            else:
                other[ext] += 1
                left_out.append(Path(top, f).relative_to(folder).as_posix())
    if not paths:
        raise _no_images_error(f"The folder {folder}", other)
    _warn_unread_formats(str(folder), other, left_out)
    paths, labels, class_names, loose = _sort_and_label(paths)
    entries = [_Entry(str(p), label, path=folder / p) for p, label in zip(paths, labels)]
    for e in entries:
        st = e.path.stat()
        stamp.append([e.name, st.st_size, st.st_mtime_ns])
    return _Found(entries, class_names, [str(folder.resolve()), stamp], loose=loose)


def _find_in_zip(path: Path) -> _Found:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise ValueError(
            f"{path} is not a readable zip file ({err}). It may be cut short (an upload or download "
            "that did not finish): make it again, or pass the folder of images instead."
        ) from err
    wanted, other, members, left_out = image_extensions(), Counter(), {}, []
    for info in infos:
        p = PurePosixPath(info.filename)
        if info.is_dir() or _hidden(p.parts):
            continue
        ext = p.suffix.lower()
        if ext in wanted:
            members[p] = info
        else:
            other[ext] += 1
            left_out.append(str(p))
    if not members:
        raise _no_images_error(f"The zip file {path}", other)
    _warn_unread_formats(str(path), other, left_out)
    paths, labels, class_names, loose = _sort_and_label(list(members))
    entries = [_Entry(str(p), label, member=members[p].filename) for p, label in zip(paths, labels)]
    st = path.stat()
    stamp = [str(path.resolve()), st.st_size, st.st_mtime_ns, [[members[p].filename, members[p].CRC] for p in paths]]
    return _Found(entries, class_names, stamp, zip_path=path, loose=loose)


def _find_in_list(files: Sequence[str | os.PathLike]) -> _Found:
    if not files:
        raise ValueError("source is an empty list: give at least one image file, or a folder or a zip of images.")
    entries, stamp = [], []
    for f in files:
        if not isinstance(f, (str, os.PathLike)):
            raise TypeError(f"a list of sources must hold file paths (str or pathlib.Path), got {type(f).__name__} {f!r:.60}.")
        p = Path(f).expanduser()
        if p.is_dir():
            raise ValueError(f"{p} is a folder: pass a folder on its own, load_images({str(p)!r}), not inside a list of files.")
        if not p.is_file():
            raise FileNotFoundError(f"no image file at {p} (given in the list of files). Check the name and the folder.")
        st = p.stat()
        entries.append(_Entry(str(p), -1, path=p))
        stamp.append([str(p.resolve()), st.st_size, st.st_mtime_ns])
    return _Found(entries, [], stamp)


def _keras_name(source: object) -> str | None:
    """The Keras data set a string names, or None; raises for a name that is neither a data set nor a file."""
    if not isinstance(source, str):
        return None
    name = source.strip().lower().replace("-", "_")
    if name in KERAS_DATASETS:
        return name
    if not Path(source).expanduser().exists() and re.fullmatch(r"[A-Za-z0-9_-]+", source):
        raise ValueError(
            f"unknown Keras data set {source!r}: load_images knows {', '.join(KERAS_DATASETS)}. "
            f"(Nor is there a file or folder named {source!r} in {Path.cwd()}: to load your own images, "
            "pass the path of a folder, a zip file or a list of image files.)"
        )
    return None


def _find(source: object) -> _Found:
    if isinstance(source, (list, tuple)):
        return _find_in_list(source)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"source must be a folder, a zip file, a list of image files or the name of a Keras data set "
            f"({', '.join(KERAS_DATASETS)}), got {type(source).__name__} {source!r:.60}."
        )
    path = Path(source).expanduser()
    if path.is_dir():
        return _find_in_folder(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no file or folder at {path}. Check the name (paths are relative to {Path.cwd()}); "
            "in Colab, upload a zip of your images first (files.upload()) and pass its name."
        )
    if path.suffix.lower() in image_extensions():
        return _find_in_list([path])
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        return _find_in_zip(path)
    raise ValueError(
        f"{path} is neither a folder, a zip file nor an image file ({', '.join(image_extensions())}). "
        "Pass a folder of images, a zip of them, or a list of image files."
    )


# ------------------------------------------------------------------------- decoding one image
def _decode(data: bytes, draft: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode a file's bytes with Pillow to uint8 pixels ``(h, w, 1)`` or ``(h, w, 3)``, and its (w, h).

    The first frame of an animation; EXIF rotation applied (phone photos); transparency laid on
    white; 16-bit grey scaled to 8 bits; CMYK, palette and other modes converted to RGB. A JPEG is
    decoded straight at a reduced scale (``draft``) when it is at least twice the size asked.
    """
    with Image.open(io.BytesIO(data)) as img:
        size = img.size
        if img.format == "JPEG":
            img.draft(None, (draft, draft))
        img.load()
        try:
            img = ImageOps.exif_transpose(img)
        except Exception:  # a damaged EXIF block: keep the image as stored rather than lose it
            pass
        mode = img.mode
        if mode.startswith("I"):  # 16-bit grey: "I;16*" (newer Pillow) or "I" (older Pillow, 32-bit integers)
            grey = np.asarray(img).astype(np.float32) / 257.0
            return np.clip(np.round(grey), 0, 255).astype(np.uint8)[..., None], size
        if "transparency" in img.info or mode in ("LA", "La", "PA", "RGBA", "RGBa"):
            img = img.convert("LA" if mode in ("1", "L", "LA", "La") else "RGBA")
        elif mode not in ("L", "RGB"):  # 1, P, CMYK, YCbCr, LAB, HSV, F
            img = img.convert("L" if mode == "1" else "RGB")
        pixels = np.asarray(img)
    if img.mode in ("LA", "RGBA"):  # lay on white: colour * alpha + white * (1 - alpha)
        alpha = pixels[..., -1:].astype(np.float32) / 255.0
        pixels = np.round(pixels[..., :-1].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return (pixels[..., None] if pixels.ndim == 2 else pixels), size


def _resize(pixels: np.ndarray, image_size: int, channels: int, fit: str) -> np.ndarray:
    """Colour to grey or back (``tf.image``) and resize to a square keeping the aspect ratio (Keras).

    Works on one image ``(h, w, c)`` or a batch ``(n, h, w, c)`` of uint8 pixels; returns uint8.
    An image already of the size asked is not resampled.
    """
    h, w = pixels.shape[-3:-1]
    if (h, w) == (image_size, image_size) and pixels.shape[-1] == channels:
        return pixels
    size = None if (h, w) == (image_size, image_size) else image_size
    shrink = image_size < (min(h, w) if fit == "crop" else max(h, w))  # antialiasing matters only then, and is slow
    return _resizer(pixels.ndim, pixels.shape[-1], channels, size, fit, shrink)(pixels).numpy()


@functools.lru_cache(maxsize=32)
def _resizer(
    rank: int, channels_in: int, channels: int, image_size: int | None, fit: str, antialias: bool
) -> Callable[[np.ndarray], tf.Tensor]:
    """The graph of :func:`_resize` for one kind of input, traced once (eager Keras ops cost ms per image)."""

    @tf.function(input_signature=[tf.TensorSpec([None] * (rank - 1) + [channels_in], tf.uint8)])
    def resize(pixels: tf.Tensor) -> tf.Tensor:
        x = tf.cast(pixels, tf.float32)
        if channels_in == 3 and channels == 1:
            x = tf.image.rgb_to_grayscale(x)
        if image_size is not None:
            x = keras.ops.image.resize(
                x,
                (image_size, image_size),
                interpolation="bilinear",
                antialias=antialias,
                crop_to_aspect_ratio=fit == "crop",
                pad_to_aspect_ratio=fit == "pad",
                fill_value=0.0,
            )
        if channels_in == 1 and channels == 3:
            x = tf.image.grayscale_to_rgb(x)
        return tf.cast(tf.clip_by_value(tf.round(x), 0.0, 255.0), tf.uint8)

    return resize


# ------------------------------------------------------------------------ reading every image
@dataclasses.dataclass
class _Read:
    order: list[int]  # entry numbers of the images kept, sorted
    rows: list[int]  # where each of them was stored, in the same order
    skipped: dict[str, str]  # file name -> why it could not be read
    small: list[tuple[str, tuple[int, int]]]  # images enlarged to reach the size asked


def _capacity(found: _Found, subset: int | None) -> int:
    """How many images :func:`_read_images` may store: all, or the subset."""
    return len(found.entries) if subset is None else min(subset, len(found.entries))


def _read_images(found: _Found, fit: str, subset: int | None, seed: int, out: np.ndarray) -> _Read:
    """Decode and resize the images (all, or a ``subset`` picked by ``seed``) into the rows of ``out``.

    ``out`` is a uint8 array ``(capacity, image_size, image_size, channels)`` in memory or on disk;
    the images go to its rows one after another. An unreadable file is recorded and, when a subset
    is asked, replaced by the next one of the seeded sample, so that the subset has its full size
    whenever there are enough readable files.
    """
    n, want = len(found.entries), len(out)
    image_size, channels = out.shape[1], out.shape[3]
    sample = np.arange(n) if want == n else np.random.default_rng(seed).permutation(n)
    kept: dict[int, int] = {}
    skipped: dict[str, str] = {}
    small: list[tuple[str, tuple[int, int]]] = []
    archive = zipfile.ZipFile(found.zip_path) if found.zip_path else None
    taken = 0
    try:
        while len(kept) < want and taken < n:
            batch = sorted(int(i) for i in sample[taken : taken + want - len(kept)])
            taken += len(batch)
            for i in batch:
                entry = found.entries[i]
                try:
                    data = archive.read(entry.member) if archive else entry.path.read_bytes()
                    pixels, (w, h) = _decode(data, image_size)
                except UnidentifiedImageError:
                    skipped[entry.name] = "not an image Pillow can read"
                except Exception as err:  # Pillow raises many kinds for damaged files: report each file, never stop
                    skipped[entry.name] = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
                else:
                    if (min(w, h) if fit == "crop" else max(w, h)) < image_size:
                        small.append((entry.name, (w, h)))
                    out[len(kept)] = _resize(pixels, image_size, channels, fit)
                    kept[i] = len(kept)
    finally:
        if archive:
            archive.close()
    order = sorted(kept)
    return _Read(order, [kept[i] for i in order], skipped, small)


def _report(read: _Read, found: _Found, image_size: int, fit: str) -> None:
    """Warn about skipped and enlarged images; refuse when nothing could be read."""
    if not read.order:
        raise ValueError(
            f"none of the {len(read.skipped)} image files could be read: {_names(list(read.skipped), read.skipped)}. "
            "They may be damaged or not images at all (check that they open in an image viewer)."
        )
    if read.skipped:
        _warn(
            f"skipped {len(read.skipped)} of {len(read.skipped) + len(read.order)} files that could not be read as images: "
            f"{_names(list(read.skipped), read.skipped)}."
        )
    if read.small:
        name, (w, h) = min(read.small, key=lambda s: (min(s[1]) if fit == "crop" else max(s[1])))
        side = "shorter" if fit == "crop" else "longer"
        _warn(
            f"{len(read.small)} of {len(read.order)} images have their {side} side under image_size={image_size} "
            f"pixels (the smallest: {name}, {w}x{h}); they were enlarged, which blurs them. "
            "Pass a smaller image_size, or use larger images, for sharp training data."
        )


# ------------------------------------------------------------------------ checking arguments
def _check_args(
    image_size: object, channels: object, fit: object, subset: object, seed: object, with_labels: object
) -> tuple[int, int, str, int | None, int]:
    """Validate the arguments :func:`load_images` and :func:`image_dataset` share; return them as plain ints."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) or image_size <= 0:
        raise ValueError(f"image_size must be a positive number of pixels like 28, 32 or 64, got {image_size!r}.")
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {channels!r}.")
    if not isinstance(fit, str) or fit not in FITS:
        raise ValueError(
            f"fit must be 'crop' (cut the overflow off the longer side) or 'pad' (black bars on the shorter side), got {fit!r}."
        )
    if not isinstance(with_labels, bool):
        raise ValueError(f"with_labels must be True or False, got {with_labels!r}.")
    return int(image_size), int(channels), fit, None if subset is None else _check_subset(subset), _check_seed(seed)


def _check_labels_possible(found: _Found, source: object) -> None:
    if not found.class_names:
        what = "a list of files" if isinstance(source, (list, tuple)) else f"{source}"
        raise ValueError(
            f"with_labels=True needs classes, and {what} has none: put each class's images in a sub-folder "
            "of one folder (flowers/roses/..., flowers/tulips/...) and pass that folder or a zip of it; "
            "or leave with_labels=False."
        )
    if found.loose:
        raise ValueError(
            f"with_labels=True, but {len(found.loose)} images lie beside the class folders ({', '.join(found.class_names[:NAMES_SHOWN])}"
            f"{', ...' if len(found.class_names) > NAMES_SHOWN else ''}) instead of inside one: {_names(found.loose)}. "
            "Move them into the folder of their class, or leave with_labels=False."
        )


# ------------------------------------------------------------------------- Keras data sets
def _keras_pixels(name: str, subset: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A Keras data set's training images as uint8 ``(n, h, w, c)`` and their labels."""
    if name == "mnist":  # through load_mnist: GAN_UTILS_MNIST (or path's) file when set, else Keras' download
        return load_mnist(value_range=None, subset=subset, seed=seed)
    try:
        (x, y), _ = getattr(keras.datasets, name).load_data()
    except Exception as err:  # Keras raises a bare Exception when the download fails
        raise ConnectionError(
            f"Keras could not load the {name} data set ({err}). It is downloaded once (to ~/.keras/datasets) "
            "and needs an internet connection the first time; try again, or pass a folder or a zip of images."
        ) from err
    x, y = (x[..., None] if x.ndim == 3 else x), np.asarray(y, np.int64).reshape(-1)
    if subset is not None and subset < len(x):
        pick = _subset_rows(len(x), subset, seed)
        x, y = x[pick], y[pick]
    return x, y


def _resize_all(pixels: np.ndarray, image_size: int, channels: int, fit: str, chunk: int = 2048) -> np.ndarray:
    if pixels.shape[-1] == channels and pixels.shape[1:3] == (image_size, image_size):
        return pixels
    out = np.empty((len(pixels), image_size, image_size, channels), np.uint8)
    for start in range(0, len(pixels), chunk):
        out[start : start + chunk] = _resize(pixels[start : start + chunk], image_size, channels, fit)
    return out


# ---------------------------------------------------------------------------------- the API
def load_images(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    image_size: int = 64,
    channels: int = 3,
    *,
    fit: str = "crop",
    subset: int | None = None,
    seed: int = 0,
    with_labels: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray, list[str]]:
    """Load your own images (or a Keras data set) as square GAN training images in [-1, 1].

    ``source`` is one of:
        * a folder, searched with all its sub-folders for .png, .jpg/.jpeg, .gif (first frame), .bmp
          and .webp files;
        * a zip file of such a folder (what a Colab upload gives);
        * a list of image files (any format Pillow reads);
        * the name of a Keras data set: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` (their
          training images, downloaded by Keras the first time). ``"mnist"`` is read by
          :func:`load_mnist`, so the ``GAN_UTILS_MNIST`` setting applies. A folder with one of
          these names is passed as a path: ``"./mnist"``.

    Every image is made square without distortion: scaled so that it covers the square and its
    centre cut out (``fit="crop"``), or scaled to fit inside it with black bars (``fit="pad"``).
    Grey images become colour (``channels=3``) and colour ones grey (``channels=1``); transparency
    is laid on white; phone photos are turned upright (EXIF).

    Nothing is lost silently. A file that cannot be read is skipped with a warning naming it (an
    error if none can be read); images smaller than ``image_size`` are enlarged with a warning
    saying how many and the smallest (enlarged images are blurry: prefer a smaller size); files in
    formats not read (.heic, .tif, ...) are named in a warning.

    Args:
        source: a folder, a zip file, a list of image files, or a Keras data set name.
        image_size: the side of the square images returned, in pixels.
        channels: 3 for colour (RGB), 1 for grey.
        fit: ``"crop"`` (keep the centre) or ``"pad"`` (keep everything, add black bars).
        subset: keep a random sample of this many images (an unreadable file is replaced by
            another), fixed by ``seed``.
        seed: fixes the subset.
        with_labels: also return labels and class names. Classes are the sub-folders of the folder
            (or zip), sorted by name like Keras' ``image_dataset_from_directory``; images in deeper
            folders belong to their top sub-folder; a folder holding only one folder is looked
            through. For a Keras data set, its own labels.

    Returns:
        ``images``, float32 of shape ``(n, image_size, image_size, channels)`` in [-1, 1], in the
        order of the files' paths (a list of files: its order); with ``with_labels=True``, ``(images, labels, class_names)``
        where ``labels`` are int64 of shape ``(n,)`` and ``class_names[labels[i]]`` names image i's
        class.

    Example:
        >>> x = load_images("my_photos", image_size=64)                      # doctest: +SKIP
        >>> x.shape, float(x.min()) >= -1, float(x.max()) <= 1               # doctest: +SKIP
        ((120, 64, 64, 3), True, True)
        >>> x, y, names = load_images("flowers.zip", 32, with_labels=True)   # doctest: +SKIP
        >>> names                                                            # doctest: +SKIP
        ['roses', 'tulips']
    """
    pixels, labels, class_names = _load_pixels(source, image_size, channels, fit, subset, seed, with_labels)
    images = _to_range(pixels)
    return (images, labels, class_names) if with_labels else images


def _load_pixels(
    source: object, image_size: int, channels: int, fit: str, subset: int | None, seed: int, with_labels: bool
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    image_size, channels, fit, subset, seed = _check_args(image_size, channels, fit, subset, seed, with_labels)
    name = _keras_name(source)
    if name is not None:
        x, y = _keras_pixels(name, subset, seed)
        return _resize_all(x, image_size, channels, fit), y, list(KERAS_DATASETS[name])
    found = _find(source)
    if with_labels:
        _check_labels_possible(found, source)
    pixels = np.empty((_capacity(found, subset), image_size, image_size, channels), np.uint8)
    read = _read_images(found, fit, subset, seed, pixels)
    _report(read, found, image_size, fit)
    labels = np.array([found.entries[i].label for i in read.order], np.int64)
    in_order = read.rows == list(range(len(read.rows)))
    return (pixels[: len(read.rows)] if in_order else pixels[read.rows]), labels, list(found.class_names)


@dataclasses.dataclass(frozen=True, eq=False)
class ImageStream:
    """Images kept on disk and read a batch at a time: what :func:`image_stream` returns.

    :func:`gan_utils.fit_gan` trains on one as it does on an array of images (and a run started on
    the array of the same images resumes on the stream, and back: their pixels are the same).

    Attributes:
        pixels: uint8 ``(rows, S, S, C)``: the cache file, memory-mapped (only the rows a batch
            needs are read); a Keras data set's pixels, in memory.
        rows: int64 ``(n,)``: which rows of ``pixels`` are the images, in order.
        labels: int64 ``(n,)``: each image's class (its sub-folder); meaningful with ``with_labels``.
        class_names: the names of the classes, ``class_names[labels[i]]``.
        with_labels: whether the classes were asked for (and checked) when the stream was made.
    """

    pixels: np.ndarray
    rows: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    with_labels: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n, S, S, C)``, the shape :func:`load_images` would return."""
        return (len(self.rows), *self.pixels.shape[1:])

    def images(self, index: np.ndarray) -> np.ndarray:
        """The images at ``index`` (positions in ``0 .. n-1``), float32 in [-1, 1]."""
        return _to_range(self.pixels[self.rows[np.asarray(index)]])

    def chunks(self, size: int = 4096) -> Iterator[np.ndarray]:
        """All images in order, float32 in [-1, 1], ``size`` at a time (what ``load_images`` returns, in pieces)."""
        for start in range(0, len(self), size):
            yield self.images(np.arange(start, min(start + size, len(self))))

    def dataset(
        self, batch_size: int = 128, seed: int = 0, epochs: int | None = None, start_epoch: int = 0, with_labels: bool = False,
        skip: int = 0,
    ) -> tf.data.Dataset:
        """Shuffled full batches in :func:`gan_utils.make_dataset`'s order (see :func:`image_dataset`)."""
        if with_labels and not self.with_labels:
            raise ValueError("this stream was made without its classes: make it with image_stream(..., with_labels=True).")
        batches = index_batches(len(self), batch_size=batch_size, seed=seed, epochs=epochs, start_epoch=start_epoch, skip=skip)
        shape = (batch_size, *self.pixels.shape[1:])

        def images(idx: tf.Tensor) -> tf.Tensor:
            x = tf.numpy_function(self.images, [idx], tf.float32, stateful=False)
            x.set_shape(shape)
            return x

        if with_labels:
            y = tf.constant(self.labels.astype(np.int32))
            ds = batches.map(lambda idx: (images(idx), tf.gather(y, idx)))
        else:
            ds = batches.map(images)
        ds = ds.prefetch(tf.data.AUTOTUNE)
        ds.class_names = list(self.class_names)
        return ds


def image_stream(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    image_size: int = 64,
    channels: int = 3,
    *,
    fit: str = "crop",
    subset: int | None = None,
    seed: int = 0,
    with_labels: bool = False,
    cache_dir: str | os.PathLike | None = None,
) -> ImageStream:
    """Your images kept on disk, for a folder too large for memory: train on it with ``fit_gan``.

    The first call decodes and resizes every image once (one at a time) into a cache file in
    ``cache_dir``; later calls with the same files and arguments reuse it at once, and the warnings
    of the first call (skipped files, enlarged images) are given again. Arguments as in
    :func:`load_images`, whose images the stream holds (``stream.images(...)`` gives the same
    pixels); ``cache_dir`` as in :func:`image_dataset`. Keras data sets fit in memory and are
    held there (no cache file).

    Example:
        >>> stream = image_stream("my_photos", 64, cache_dir="cache")             # doctest: +SKIP
        >>> len(stream), stream.shape[1:]                                       # doctest: +SKIP
        (120000, (64, 64, 3))
        >>> fit_gan(build_gan("dcgan", image_shape=(64, 64, 3)), stream, epochs=5)   # doctest: +SKIP
    """
    image_size, channels, fit, subset, seed = _check_args(image_size, channels, fit, subset, seed, with_labels)
    if _keras_name(source) is not None:
        pixels, labels, class_names = _load_pixels(source, image_size, channels, fit, subset, seed, with_labels)
        return ImageStream(pixels, np.arange(len(pixels)), np.asarray(labels, np.int64), class_names, with_labels)
    found = _find(source)
    if with_labels:
        _check_labels_possible(found, source)
    cache, manifest = _cached(found, image_size, channels, fit, subset, seed, cache_dir)
    rows, labels = np.asarray(manifest["rows"], np.int64), np.asarray(manifest["labels"], np.int64)
    return ImageStream(cache, rows, labels, list(found.class_names), with_labels)


def image_dataset(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    image_size: int = 64,
    channels: int = 3,
    *,
    batch_size: int = 128,
    seed: int = 0,
    fit: str = "crop",
    subset: int | None = None,
    with_labels: bool = False,
    epochs: int | None = None,
    start_epoch: int = 0,
    cache_dir: str | os.PathLike | None = None,
) -> tf.data.Dataset:
    """Stream images that need not fit in memory: :func:`load_images` and :func:`make_dataset` in one.

    The images are kept on disk by :func:`image_stream` (decoded once into a cache file) and read
    a batch at a time, in the order ``make_dataset`` uses, so the dataset gives exactly the
    batches of ``make_dataset(load_images(source, ...), batch_size=..., seed=..., ...)``: shuffled
    full batches, epoch ``e`` in the order fixed by ``(seed, e)``, and with ``epochs=E,
    start_epoch=k`` a resumed run sees what an uninterrupted one would. To train, pass the
    :func:`image_stream` itself to ``fit_gan``, which makes this dataset and resumes it.

    The class names are kept on the dataset as ``ds.class_names``, as Keras'
    ``image_dataset_from_directory`` does.

    Args:
        source, image_size, channels, fit, subset, with_labels: as in :func:`load_images`;
            ``with_labels=True`` makes each element ``(images, labels)``.
        batch_size, seed, epochs, start_epoch: as in :func:`make_dataset`; ``seed`` also fixes
            the subset.
        cache_dir: the folder for the cache files (created if needed). Default: a
            ``gan_utils-image-cache`` folder in the system's temporary folder. Each set of files
            and arguments has its own cache file; delete the folder to free the space.

    Example:
        >>> ds = image_dataset("my_photos", 64, batch_size=32, cache_dir="cache")   # doctest: +SKIP
        >>> next(iter(ds)).shape                                                  # doctest: +SKIP
        TensorShape([32, 64, 64, 3])
    """
    stream = image_stream(
        source, image_size, channels, fit=fit, subset=subset, seed=seed, with_labels=with_labels, cache_dir=cache_dir
    )
    return stream.dataset(batch_size, seed, epochs=epochs, start_epoch=start_epoch, with_labels=with_labels)


def _cached(
    found: _Found, image_size: int, channels: int, fit: str, subset: int | None, seed: int, cache_dir: str | os.PathLike | None
) -> tuple[np.ndarray, dict]:
    """The cache file for these files and arguments, made if missing: a memory-mapped uint8 array and its manifest."""
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a folder path (str or pathlib.Path), got {type(cache_dir).__name__} {cache_dir!r:.60}.")
    folder = Path(tempfile.gettempdir(), "gan_utils-image-cache") if cache_dir is None else Path(cache_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cache_dir {folder} is a file: pass a folder for the cache files (it is created if missing).")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(f"cannot create the cache folder {folder} ({err}): pass a cache_dir you can write to.") from err
    settings = {"version": CACHE_VERSION, "image_size": image_size, "channels": channels, "fit": fit}
    settings.update(subset=subset, seed=seed if subset else None)  # without a subset the cache is the same for every seed
    key = hashlib.sha256(json.dumps([settings, found.stamp]).encode()).hexdigest()[:20]
    array_path, manifest_path = folder / f"images-{key}.npy", folder / f"images-{key}.json"
    if manifest_path.is_file() and array_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text())
            cache = np.load(array_path, mmap_mode="r")
            read = _Read(manifest["order"], manifest["rows"], manifest["skipped"], [(n, tuple(s)) for n, s in manifest["small"]])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # damaged (a full disk, say): made again below
        else:
            _report(read, found, image_size, fit)
            return cache, manifest

    tmp = atomic.temporary_sibling(array_path)
    try:
        shape = (_capacity(found, subset), image_size, image_size, channels)
        cache = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=shape)
        read = _read_images(found, fit, subset, seed, cache)
        cache.flush()
        del cache
        _report(read, found, image_size, fit)
        atomic.replace(tmp, array_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    manifest = {
        "settings": settings,
        "order": read.order,
        "rows": read.rows,
        "labels": [found.entries[i].label for i in read.order],
        "names": [found.entries[i].name for i in read.order],
        "class_names": found.class_names,
        "skipped": read.skipped,
        "small": read.small,
    }
    atomic.write_bytes(manifest_path, json.dumps(manifest).encode())
    return np.load(array_path, mmap_mode="r"), manifest
