"""Image grids, loss curves, animations and figure export for slides and papers.

Figures are written through :func:`save_figure`, which fixes the metadata that would otherwise
change on every run (dates, software versions, SVG ids), so that the same inputs give the same bytes
and figures under version control only change when their content does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gan_utils import atomic

if TYPE_CHECKING:
    import keras

SUPPORTED_FORMATS = ("png", "svg", "pdf")
#: Metadata written into each format: no dates, no versions, so bytes only change with content.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def _as_images(images: object, name: str = "images") -> np.ndarray:
    """Return images as float array (n, h, w) or (n, h, w, 3), values in [0, 1]."""
    x = np.asarray(images)
    if x.size == 0 or x.ndim < 3:
        raise ValueError(f"{name} is empty or not a batch of images: expected (n, h, w[, c]), got shape {x.shape}.")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[-1] != 3):
        raise ValueError(f"{name} must have shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got {x.shape}.")
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    if x.min() < -1e-6:  # generator output in [-1, 1]
        x = (x + 1.0) / 2.0
    return np.clip(x, 0.0, 1.0)


def image_grid(images: object, ncols: int | None = None, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """Tile a batch of images into one uint8 picture, ``ncols`` per row (default: square-ish).

    Accepts images in [-1, 1] (generator output), [0, 1] or uint8; with or without a channel axis.

    Example:
        >>> image_grid(np.zeros((6, 28, 28, 1)), ncols=3).shape
        (62, 92)
    """
    x = _as_images(images)
    n, h, w = x.shape[:3]
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be a whole number of pixels >= 0, got {padding!r}.")
    if ncols is not None and (isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer))):
        raise ValueError(f"ncols must be >= 1, an integer number of columns; got {ncols!r}.")
    if ncols is None:
        ncols = int(np.ceil(np.sqrt(n)))
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}.")
    nrows = int(np.ceil(n / ncols))
    shape = (nrows * (h + padding) + padding, ncols * (w + padding) + padding) + x.shape[3:]
    grid = np.full(shape, pad_value, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top : top + h, left : left + w] = x[i]
    return np.round(grid * 255).astype(np.uint8)


def _check_writable(path: Path) -> None:
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(f"cannot create the folder {parent} for {path.name}: {err}. Choose a writable path.") from err
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"cannot write into {parent}: choose a writable folder for {path.name}.")


def save_image(grid: np.ndarray, path: str | os.PathLike) -> Path:
    """Write a uint8 image (e.g. from :func:`image_grid`) to a PNG at its native size, atomically."""
    from PIL import Image

    path = Path(path)
    _check_writable(path)
    tmp = atomic.temporary_sibling(path)
    Image.fromarray(np.asarray(grid, dtype=np.uint8)).save(tmp, format="PNG")
    atomic.replace(tmp, path)
    return path


def save_gif(
    frames: Sequence[np.ndarray],
    path: str | os.PathLike,
    seconds_per_frame: float = 0.4,
    labels: Sequence[int] | None = None,
) -> Path:
    """Write uint8 grids as an animated GIF (looping; the last frame is held three times as long).

    ``labels`` (e.g. epoch numbers) are drawn in a small band under each frame. Grey grids
    ``(h, w)`` give a grey GIF; colour grids ``(h, w, 3)`` a colour one (each frame reduced to the
    GIF's 256 colours). Each frame is encoded once (:func:`encode_gif_frame`); a callback that adds
    frames one at a time keeps the encoded frames and writes them with :func:`write_gif`.
    """
    if not frames:
        raise ValueError("save_gif got no frames.")
    _check_seconds(seconds_per_frame)
    if labels is not None and len(labels) != len(frames):
        raise ValueError(f"got {len(labels)} labels for {len(frames)} frames: give one label per frame.")
    encoded = [encode_gif_frame(frame, None if labels is None else labels[i]) for i, frame in enumerate(frames)]
    return write_gif(encoded, path, seconds_per_frame)


def _check_seconds(seconds_per_frame: float) -> None:
    if isinstance(seconds_per_frame, bool) or not isinstance(seconds_per_frame, (int, float)) or seconds_per_frame <= 0:
        raise ValueError(f"seconds_per_frame must be a positive number, got {seconds_per_frame!r}.")


def encode_gif_frame(frame: np.ndarray, label: int | None = None) -> bytes:
    """One uint8 grid as an encoded GIF frame (its own palette), to be joined by :func:`write_gif`.

    The frame is drawn as :func:`save_gif` draws it (``label`` as "epoch N" in a band underneath,
    doubled in size), reduced to 256 colours and compressed once, so that an animation that grows
    by one frame costs one frame's encoding, not the whole animation's.

    Example:
        >>> block = encode_gif_frame(np.zeros((8, 8), np.uint8), label=1)
        >>> write_gif([block], "progress.gif")  # doctest: +SKIP
    """
    import io
    import struct

    from PIL import Image, ImageDraw

    frame = np.asarray(frame, dtype=np.uint8)
    mode = "RGB" if frame.ndim == 3 and frame.shape[-1] == 3 else "L"
    img = Image.fromarray(frame).convert(mode)
    if label is not None:
        white, black = ((255, 255, 255), (0, 0, 0)) if mode == "RGB" else (255, 0)
        band = Image.new(mode, (img.width, 14), white)
        ImageDraw.Draw(band).text((4, 1), f"epoch {label}", fill=black)
        canvas = Image.new(mode, (img.width, img.height + 14), white)
        canvas.paste(img, (0, 0))
        canvas.paste(band, (0, img.height))
        img = canvas
    img = img.resize((img.width * 2, img.height * 2), Image.NEAREST)
    if mode == "RGB":  # fast octree: about 5 times quicker than Pillow's default reduction to 256 colours
        img = img.quantize(256, method=getattr(Image, "Quantize", Image).FASTOCTREE)
    buffer = io.BytesIO()
    img.save(buffer, format="GIF")  # a one-frame GIF by Pillow; its palette and image data are taken below
    data = buffer.getvalue()
    # GIF89a layout: header (6 bytes), screen descriptor (7), optional global palette, extensions
    # (0x21 ...), image descriptor (0x2C + 9 bytes), optional local palette, LZW data in sub-blocks.
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos, palette, bits = 13, b"", flags & 7
    if flags & 0x80:
        palette = data[pos : pos + 3 * (2 << bits)]
        pos += len(palette)
    while data[pos] == 0x21:  # skip extensions: label byte, then sub-blocks up to a zero length
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    if data[pos] != 0x2C:
        raise ValueError("unexpected GIF layout from Pillow: no image descriptor after the extensions.")
    frame_flags = data[pos + 9]
    pos += 10
    if frame_flags & 0x80:
        bits = frame_flags & 7
        palette = data[pos : pos + 3 * (2 << bits)]
        pos += len(palette)
    start, pos = pos, pos + 1  # LZW minimum code size, then sub-blocks
    while data[pos]:
        pos += data[pos] + 1
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0x80 | (frame_flags & 0x40) | bits)
    return struct.pack("<HH", width, height) + descriptor + palette + data[start : pos + 1]


def write_gif(encoded: Sequence[bytes], path: str | os.PathLike, seconds_per_frame: float = 0.4) -> Path:
    """Join frames from :func:`encode_gif_frame` into a looping animated GIF, atomically.

    Every frame shows for ``seconds_per_frame``, the last three times as long. Frames of another
    size than the first are refused.
    """
    import struct

    if not encoded:
        raise ValueError("write_gif got no frames.")
    _check_seconds(seconds_per_frame)
    size = encoded[0][:4]
    if any(block[:4] != size for block in encoded):
        raise ValueError("all frames of a GIF must have the same size: draw every grid from the same number of images.")
    path = Path(path)
    _check_writable(path)
    centiseconds = max(1, round(seconds_per_frame * 100))
    parts = [b"GIF89a", size, b"\x00\x00\x00", b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"]  # loop forever
    for i, block in enumerate(encoded):
        delay = centiseconds * (3 if i == len(encoded) - 1 else 1)
        parts += [b"\x21\xf9\x04\x04" + struct.pack("<H", delay) + b"\x00\x00", block[4:]]  # graphic control: delay
    parts.append(b"\x3b")
    tmp = atomic.temporary_sibling(path)
    tmp.write_bytes(b"".join(parts))
    atomic.replace(tmp, path)
    return path


class Animation:
    """An animated GIF for a notebook, shown in every viewer: Jupyter, Colab and rendered HTML.

    ``display(Animation(path))`` (or leaving it as a cell's last value) sends the GIF as an HTML
    ``<img>`` with the file inside (a ``data:`` address), which Jupyter, Colab and nbconvert's HTML
    all animate, plus the last frame as a PNG for viewers that show no HTML (GitHub's notebook
    preview). IPython's own ``Image(filename=...gif)`` is shown by nbconvert's HTML only as the text
    ``<IPython.core.display.Image object>``.

    Example:
        >>> from IPython.display import display     # doctest: +SKIP
        >>> display(Animation("runs/dcgan/progress.gif"))  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike, alt: str = "training progress, one frame per epoch") -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no animation at {self.path}: train with an output folder first (it writes progress.gif).")
        self.data = self.path.read_bytes()
        if self.data[:6] not in (b"GIF87a", b"GIF89a"):
            raise ValueError(f"{self.path} is not a GIF file.")
        self.alt = alt

    def last_frame_png(self) -> bytes:
        """The animation's last frame as PNG bytes (the still shown where HTML is not)."""
        import io

        from PIL import Image, ImageSequence

        with Image.open(io.BytesIO(self.data)) as gif:
            frame = list(ImageSequence.Iterator(gif))[-1].convert("RGB")
        buffer = io.BytesIO()
        frame.save(buffer, format="PNG")
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        import base64
        import html

        src = "data:image/gif;base64," + base64.b64encode(self.data).decode("ascii")
        return {
            "text/html": f'<img src="{src}" alt="{html.escape(self.alt)}"/>',
            "image/png": base64.b64encode(self.last_frame_png()).decode("ascii"),
            "text/plain": f"<animation {self.path.name}: {self.alt}>",
        }


def plot_grid(
    images: object, title: str | None = None, ncols: int | None = None, ax: Axes | None = None, size: float = 4.0
) -> Figure:
    """Show a batch of images as one grid in a matplotlib figure (no axes) and return the figure."""
    grid = image_grid(images, ncols=ncols)
    if ax is None:
        fig = Figure(figsize=(size, size * grid.shape[0] / grid.shape[1]), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.imshow(grid, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


def plot_labelled_grid(
    images: object,
    ncols: int | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    title: str | None = None,
    cell: float = 0.9,
) -> Figure:
    """Show images as a grid whose rows and columns are labelled (e.g. directions x steps).

    ``ncols`` defaults to one row holding every image; ``cell`` is the size of one image in inches.

    Example:
        >>> fig = plot_labelled_grid(np.zeros((6, 28, 28)), ncols=3, row_labels=["a", "b"], col_labels=["-1", "0", "+1"])
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['a', 'b']
    """
    x = _as_images(images)
    n, h, w = x.shape[:3]
    ncols = n if ncols is None else ncols
    nrows = int(np.ceil(n / ncols))
    padding = 2
    grid = image_grid(x, ncols=ncols, padding=padding)
    label_width = 0.0 if not row_labels else 0.09 * max(len(str(r)) for r in row_labels) + 0.2
    fig = Figure(figsize=(cell * ncols + label_width + 0.2, cell * nrows + (0.5 if title else 0.1) + (0.3 if col_labels else 0.0)),
                 layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(grid, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    for spine in ax.spines.values():
        spine.set_visible(False)
    centres = lambda k, size: [padding + i * (size + padding) + size / 2 - 0.5 for i in range(k)]  # noqa: E731
    ax.set_yticks(centres(nrows, h) if row_labels else [], list(row_labels or []))
    ax.set_xticks(centres(ncols, w) if col_labels else [], list(col_labels or []))
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return fig


def show_grid(images_or_grid: object, title: str | None = None) -> None:
    """Display images (or a grid from :func:`image_grid`) inline in a notebook or window."""
    grid = np.asarray(images_or_grid)
    fig = plot_grid(grid[None] if grid.ndim == 2 else grid, title=title, ncols=1 if grid.ndim == 2 else None)
    _display(fig)


def _display(fig: Figure) -> None:
    try:
        from IPython.display import display

        display(fig)
    except ImportError:  # plain Python: nothing to show on
        pass


def show_samples(generator: keras.Model, n: int = 16, seed: int = 0, labels: Sequence[int] | None = None, title: str | None = None) -> np.ndarray:
    """Draw ``n`` samples from fresh noise (seeded), display them as a grid, and return them.

    Works for unconditional generators (``generator(z)``) and conditional ones (pass ``labels``).
    """
    import keras

    if not isinstance(generator, keras.Model):
        raise TypeError(f"show_samples needs a keras.Model generator, got {type(generator).__name__}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of samples, got {n!r}.")
    latent_dim = int(generator.inputs[0].shape[-1])
    z = np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")
    inputs = z if labels is None else [z, np.asarray(labels, dtype="int32")]
    images = np.asarray(generator(inputs, training=False))
    _display(plot_grid(images, title=title or f"{n} samples from fresh noise (seed {seed})"))
    return images


def plot_losses(history: Mapping[str, Sequence[float]] | object, title: str = "Training progress") -> Figure:
    """Plot ``d_loss`` and ``g_loss`` beside what the objective logged about the discriminator.

    Accepts a Keras ``History`` or its ``.history`` dict. Cross-entropy objectives log the mean
    probabilities ``d_real`` and ``d_fake`` (the dotted line at 1/2 is where both meet when the
    generator's distribution equals the data's); score objectives (Wasserstein, hinge) log raw
    scores ``score_real`` and ``score_fake``, and a Wasserstein critic its distance estimate
    ``w_estimate``, drawn on their own scale: a critic's output is not a probability.
    """
    h = getattr(history, "history", history)
    if not isinstance(h, Mapping) or "d_loss" not in h or "g_loss" not in h:
        raise ValueError("plot_losses needs a History (or its .history dict) with d_loss and g_loss.")
    epochs = np.arange(1, len(h["d_loss"]) + 1)
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(epochs, h["d_loss"], "o-", label="discriminator")
    ax1.plot(epochs, h["g_loss"], "s-", label="generator")
    ax1.set(xlabel="epoch", ylabel="loss", title="Losses")
    ax1.legend()
    if "d_real" in h:
        ax2.plot(epochs, h["d_real"], "o-", label="D(x), real")
        ax2.plot(epochs, h["d_fake"], "s-", label="D(G(z)), fake")
        ax2.axhline(0.5, ls=":", c="gray")
        ax2.set(xlabel="epoch", ylabel="mean output", ylim=(0, 1), title="Discriminator's verdicts")
        ax2.legend()
    elif "score_real" in h:
        ax2.plot(epochs, h["score_real"], "o-", label="D(x), real")
        ax2.plot(epochs, h["score_fake"], "s-", label="D(G(z)), fake")
        if "w_estimate" in h:
            ax2.plot(epochs, h["w_estimate"], "^-", c="black", label="W1 estimate, E[D(x)] - E[D(G(z))]")
        ax2.axhline(0.0, ls=":", c="gray")
        ax2.set(xlabel="epoch", ylabel="mean score", title="Critic's scores")
        ax2.legend()
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title)
    return fig


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Return figure formats normalised (``".PNG"`` -> ``"png"``), or raise a clear ``ValueError``.

    Example:
        >>> check_formats(("PNG", ".pdf"))
        ('png', 'pdf')
    """
    if isinstance(formats, str):
        formats = (formats,)
    try:
        formats = tuple(f.lower().lstrip(".") for f in formats)
    except (TypeError, AttributeError):
        raise ValueError(f"formats must be names like ('png', 'svg', 'pdf'), got {formats!r}.") from None
    if not formats:
        raise ValueError(f"formats is empty: choose some of {', '.join(SUPPORTED_FORMATS)}.")
    bad = [f for f in formats if f not in SUPPORTED_FORMATS]
    if bad:
        raise ValueError(f"unknown figure format {', '.join(bad)}: choose from {', '.join(SUPPORTED_FORMATS)}.")
    return formats


_check_formats = check_formats


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes in memory, with the same fixed metadata as :func:`save_figure`.

    Example:
        >>> png_bytes(plot_grid(np.zeros((4, 28, 28))))[:4]
        b'\x89PNG'
    """
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata=_METADATA["png"], facecolor="white")
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike, formats: Sequence[str] = SUPPORTED_FORMATS, dpi: int = 200) -> list[Path]:
    """Save a figure once per format, atomically and byte-for-byte repeatably; return the paths.

    ``path`` is the name without extension (an extension, if given, is replaced). The same figure
    content always gives the same bytes: no timestamps or version strings are written and SVG ids
    are derived from a fixed salt.

    Example:
        >>> save_figure(fig, "files/comparison", formats=("png", "pdf"))  # doctest: +SKIP
        [PosixPath('files/comparison.png'), PosixPath('files/comparison.pdf')]
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure needs a matplotlib Figure, got {type(fig).__name__}.")
    formats = _check_formats(formats)
    base = Path(path)
    if base.suffix.lower().lstrip(".") in SUPPORTED_FORMATS:
        base = base.with_suffix("")
    _check_writable(base)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": "gan-tutorials", "svg.fonttype": "path", "pdf.fonttype": 42}):
        for fmt in formats:
            target = base.with_name(f"{base.name}.{fmt}")
            tmp = atomic.temporary_sibling(target)
            try:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_METADATA[fmt], facecolor="white")
                atomic.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(target)
    return written


def real_vs_fake_figure(real: object, fake: object, ncols: int = 8, titles: tuple[str, str] = ("Real", "Fake")) -> Figure:
    """Build the side-by-side "Real | Fake" figure: two equal grids with titles, no axes."""
    r, f = _as_images(real, "real"), _as_images(fake, "fake")
    if r.shape[1:] != f.shape[1:]:
        raise ValueError(f"real images have shape {r.shape[1:]} but fake ones {f.shape[1:]}: they must match.")
    if len(r) != len(f):
        raise ValueError(f"got {len(r)} real and {len(f)} fake images: pass the same number of each.")
    ncols = min(ncols, len(r))
    rows = int(np.ceil(len(r) / ncols))
    width = 7.0  # inches: a two-column slide or a full-width paper figure
    h, w = r.shape[1:3]
    aspect = (rows * (h + 2) + 2) / (ncols * (w + 2) + 2)  # of one grid (image_grid pads by 2 pixels)
    panel = (width - 0.25) / 2  # inches per grid, less the gap between them
    fig = Figure(figsize=(width, panel * aspect + 0.4), layout="constrained")  # + room for the titles
    axes = fig.subplots(1, 2)
    for ax, images, title in zip(axes, (real, fake), titles):
        plot_grid(images, title=title, ncols=ncols, ax=ax)
        ax.title.set_fontsize(14)
    return fig


def save_real_vs_fake(
    real: object,
    fake: object,
    path: str | os.PathLike,
    formats: Sequence[str] = SUPPORTED_FORMATS,
    ncols: int = 8,
    dpi: int = 200,
) -> dict[str, list[Path]]:
    """Write a publication-ready "Real | Fake" figure, plus each grid alone beside it.

    Writes ``path.<fmt>`` (the side-by-side figure) and ``<folder>/real.<fmt>``, ``<folder>/fake.<fmt>``
    (each grid alone) for every format. Same inputs, same bytes.

    Returns:
        ``{"comparison": [...], "real": [...], "fake": [...]}``, the written paths.

    Example:
        >>> save_real_vs_fake(x_real[:32], g_samples[:32], "files/real_vs_fake")  # doctest: +SKIP
    """
    formats = _check_formats(formats)
    base = Path(path)
    if base.suffix.lower().lstrip(".") in SUPPORTED_FORMATS:
        base = base.with_suffix("")
    if base.name in ("real", "fake"):
        raise ValueError(
            f"path {path!s} would be overwritten by the {base.name} grid written beside it: "
            "name the comparison differently, e.g. 'files/real_vs_fake'."
        )
    fig = real_vs_fake_figure(real, fake, ncols=ncols)
    folder = base.parent
    written = {"comparison": save_figure(fig, path, formats, dpi)}
    for name, images in (("real", real), ("fake", fake)):
        single = plot_grid(images, ncols=min(ncols, len(np.asarray(images))), size=3.5)
        written[name] = save_figure(single, folder / name, formats, dpi)
    return written


def plot_transposed_convolution(kernel_size: int = 3, strides: int = 2) -> Figure:
    """Picture what a transposed convolution does: each input pixel stamps a scaled copy of the kernel.

    A 2x2 input with values 1..4 goes through ``keras.layers.Conv2DTranspose`` with a kernel of
    ones (``padding="valid"``); the output shows the stamps placed ``strides`` pixels apart and the
    overlaps where they add up. Used in notebook 03.

    Example:
        >>> fig = plot_transposed_convolution()
        >>> len(fig.axes)
        3
    """
    import keras

    x = np.arange(1, 5, dtype="float32").reshape(1, 2, 2, 1)
    layer = keras.layers.Conv2DTranspose(1, kernel_size, strides=strides, padding="valid", use_bias=False,
                                         kernel_initializer="ones")
    y = np.asarray(layer(x))[0, ..., 0]
    kernel = np.ones((kernel_size, kernel_size))
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    panels = [(x[0, ..., 0], "input 2x2"), (kernel, f"kernel {kernel_size}x{kernel_size} (ones)"),
              (y, f"output {y.shape[0]}x{y.shape[1]}, stride {strides}")]
    for ax, (values, title) in zip(fig.subplots(1, 3, width_ratios=[2, kernel_size, y.shape[1]]), panels):
        ax.imshow(values, cmap="Blues", vmin=0, vmax=max(10.0, values.max()))
        for (r, c), v in np.ndenumerate(values):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title)
    fig.suptitle("Transposed convolution: every input pixel adds value x kernel to the output; overlaps sum")
    return fig
