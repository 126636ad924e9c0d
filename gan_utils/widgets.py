"""Explore a generator's latent space with sliders: directions, coordinates, interpolation.

:class:`LatentExplorer` wraps any generator of the series (unconditional ``generator(z)`` or
conditional ``generator([z, labels])``) in an ipywidgets interface whose image follows the sliders
live. It is driven by hand or from code::

    explorer = LatentExplorer(generator)      # generator: e.g. gan_utils.load_pretrained("dcgan")
    explorer.widget                           # display it (the last line of a cell)
    explorer.sliders["pc1"].value = 2.0       # move a slider from code: explorer.image changes
    explorer.z = some_vector                  # or set the latent vector directly
    explorer.export("files/explorer_strip", what="strip")   # a figure for slides or a paper

The pieces are also usable alone: :func:`latent_directions` (principal directions of the latent
space, as in GANSpace), :func:`interpolate` (linear or spherical paths between two vectors).

Where no widget front end is running (a static HTML export, a viewer on GitHub, an old Colab
runtime), the explorer's cell shows a static picture instead of an empty space: a grid of images
along each principal direction. Supported: ipywidgets 7.7.1 (what Colab ships) to 8.x.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from gan_utils import models, plotting
from gan_utils.pretrained import latent_batch

#: The ipywidgets versions this module is tested with, as a pip requirement.
SUPPORTED_IPYWIDGETS = ">=7.7.1,<9"
IPYWIDGETS_MAJOR = int(widgets.__version__.split(".")[0])

WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"
INTERPOLATION_METHODS = ("linear", "slerp")
EXPORTS = ("image", "strip", "directions")


# ------------------------------------------------------------------------------- interpolation
def _as_vector(z: object, name: str, latent_dim: int | None = None) -> np.ndarray:
    v = np.asarray(z, dtype=np.float32)
    if v.ndim == 2 and v.shape[0] == 1:
        v = v[0]
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name} must be one latent vector of shape (latent_dim,), got shape {np.shape(z)}.")
    if latent_dim is not None and v.shape[0] != latent_dim:
        raise ValueError(f"{name} has length {v.shape[0]} but the generator takes latent vectors of length {latent_dim}.")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return v


def slerp(z0: object, z1: object, t: float | Sequence[float] | np.ndarray) -> np.ndarray:
    """Spherical interpolation: turn from ``z0`` to ``z1`` at constant speed along the great circle.

    The direction moves along the arc between ``z0/|z0|`` and ``z1/|z1|``; the length goes linearly
    from ``|z0|`` to ``|z1|``. So when both vectors have the same norm, every point on the path has
    that norm too. That matters for Gaussian latents: nearly all their mass lies on a thin shell of
    radius ``sqrt(latent_dim)``, and the straight line between two samples cuts inside it (its
    midpoint is about ``1/sqrt(2)`` as long), where the generator saw no training data.

    ``t`` is a number (returns one vector) or a sequence (returns one row per value).

    Example:
        >>> a, b = np.array([3.0, 0.0]), np.array([0.0, 3.0])
        >>> mid = slerp(a, b, 0.5)
        >>> [round(float(v), 3) for v in mid], round(float(np.linalg.norm(mid)), 3)
        ([2.121, 2.121], 3.0)
    """
    return interpolate(z0, z1, t, method="slerp")


def interpolate(z0: object, z1: object, t: float | Sequence[float] | np.ndarray, method: str = "linear") -> np.ndarray:
    """Return the point(s) at ``t`` in [0, 1] on the path from ``z0`` (t=0) to ``z1`` (t=1).

    ``method="linear"`` walks the straight line ``(1 - t) z0 + t z1``; ``method="slerp"`` walks
    the arc (see :func:`slerp`). The endpoints are returned exactly: ``t=0`` gives ``z0``.

    Example:
        >>> interpolate([0.0, 2.0], [2.0, 0.0], [0.0, 0.5, 1.0]).tolist()
        [[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]]
    """
    if method not in INTERPOLATION_METHODS:
        raise ValueError(f"unknown interpolation method {method!r}: choose 'linear' or 'slerp'.")
    a, b = _as_vector(z0, "z0"), _as_vector(z1, "z1")
    if a.shape != b.shape:
        raise ValueError(f"z0 and z1 must have the same length, got {a.shape[0]} and {b.shape[0]}.")
    ts = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(ts)) or ts.ndim > 1 or np.any((ts < 0) | (ts > 1)):
        raise ValueError(f"t must be a number or a list of numbers in [0, 1], got {t!r}.")
    single = ts.ndim == 0
    ts = np.atleast_1d(ts)[:, None]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    na, nb = np.linalg.norm(a64), np.linalg.norm(b64)
    if method == "linear" or na == 0.0 or nb == 0.0:  # from or to 0, the arc is the line
        out = (1.0 - ts) * a64 + ts * b64
    else:
        ua, ub = a64 / na, b64 / nb
        omega = float(np.arccos(np.clip(ua @ ub, -1.0, 1.0)))
        if np.sin(omega) < 1e-6:
            if omega > 1.0:
                raise ValueError("z0 and z1 point in opposite directions: the arc between them is not unique.")
            direction = (1.0 - ts) * ua + ts * ub  # (almost) parallel: the arc is the line
        else:
            direction = (np.sin((1.0 - ts) * omega) * ua + np.sin(ts * omega) * ub) / np.sin(omega)
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        out = direction * ((1.0 - ts) * na + ts * nb)
    out = out.astype(np.float32)
    out[ts[:, 0] == 0.0] = a  # exact endpoints
    out[ts[:, 0] == 1.0] = b
    return out[0] if single else out


# ---------------------------------------------------------------------------- the generator
class _Generator:
    """A generator's inputs worked out once, with compiled forward passes for 1 and n vectors."""

    def __init__(self, generator: keras.Model, jit_compile: bool = True) -> None:
        if not isinstance(generator, keras.Model):
            raise TypeError(f"LatentExplorer needs a keras.Model generator, got {type(generator).__name__}.")
        inputs = getattr(generator, "inputs", None)
        if not inputs or len(inputs) not in (1, 2):
            raise ValueError(
                "the generator must be a built functional or Sequential Keras model with one input (z) or "
                "two (z and an integer label), like those of gan_utils.build_dcgan_generator."
            )
        self.model = generator
        self.z_index, self.label_index = 0, None
        if len(inputs) == 2:
            ints = [i for i, x in enumerate(inputs) if "int" in str(x.dtype)]
            if len(ints) != 1:
                raise ValueError("a conditional generator needs exactly one integer input (the labels) beside z.")
            self.label_index = ints[0]
            self.z_index = 1 - ints[0]
        z_shape = tuple(inputs[self.z_index].shape)
        if len(z_shape) != 2 or z_shape[1] is None:
            raise ValueError(f"the generator's latent input must have shape (None, latent_dim), got {z_shape}.")
        self.latent_dim = int(z_shape[1])
        self.conditional = self.label_index is not None
        self.label_shape = tuple(inputs[self.label_index].shape[1:]) if self.conditional else ()
        self.num_classes = models.num_classes(generator) if self.conditional else None

        z_spec = tf.TensorSpec((1, self.latent_dim), tf.float32)
        zs_spec = tf.TensorSpec((None, self.latent_dim), tf.float32)
        if self.conditional:
            y_spec = tf.TensorSpec((1,) + self.label_shape, tf.int32)
            ys_spec = tf.TensorSpec((None,) + self.label_shape, tf.int32)
            self._one = tf.function(self._call, input_signature=[z_spec, y_spec], jit_compile=jit_compile, autograph=False)
            self._many = tf.function(self._call, input_signature=[zs_spec, ys_spec], autograph=False)
        else:
            self._one = tf.function(self._call, input_signature=[z_spec], jit_compile=jit_compile, autograph=False)
            self._many = tf.function(self._call, input_signature=[zs_spec], autograph=False)

    def inputs(self, z, labels=None) -> list | object:
        if not self.conditional:
            return z
        pair = [None, None]
        pair[self.z_index], pair[self.label_index] = z, labels
        return pair

    def _call(self, z, labels=None):
        return self.model(self.inputs(z, labels), training=False)

    def _labels(self, label: int, n: int) -> np.ndarray:
        return np.full((n,) + self.label_shape, label, dtype=np.int32)

    def one(self, z: np.ndarray, label: int = 0) -> np.ndarray:
        """One image (h, w, c) from one vector, through the compiled single-vector pass."""
        args = (z[None],) + ((self._labels(label, 1),) if self.conditional else ())
        return self._one(*args).numpy()[0]

    def many(self, zs: np.ndarray, label: int | np.ndarray = 0) -> np.ndarray:
        """Images (n, h, w, c) from vectors (n, latent_dim); ``label`` is one class or one per vector."""
        zs = np.asarray(zs, dtype=np.float32)
        if not self.conditional:
            return self._many(zs).numpy()
        labels = np.asarray(label, dtype=np.int32)
        if labels.ndim == 0:
            labels = self._labels(int(labels), len(zs))
        return self._many(zs, labels.reshape((len(zs),) + self.label_shape)).numpy()


def _to_uint8(images: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] (tanh) to uint8, dropping a single channel axis."""
    x = np.asarray(images, dtype=np.float32)
    if x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(np.rint((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def _png(image: np.ndarray, scale: int = 1) -> bytes:
    """Encode a uint8 image (h, w) or (h, w, 3) as PNG bytes, upscaled ``scale`` times (nearest)."""
    from PIL import Image

    if scale > 1:
        image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _row(images: np.ndarray, gap: int = 2) -> np.ndarray:
    """Place uint8 images side by side with a white gap."""
    h = images.shape[1]
    spacer = np.full((h, gap) + images.shape[3:], 255, dtype=np.uint8)
    parts = []
    for i, image in enumerate(images):
        parts += [spacer, image] if i else [image]
    return np.concatenate(parts, axis=1)


# ---------------------------------------------------------------------------------- directions
@dataclass(frozen=True)
class LatentDirections:
    """Principal directions of a generator's latent space (see :func:`latent_directions`).

    Attributes:
        vectors: ``(k, latent_dim)``, one unit-length latent direction per row, most important first.
        explained_variance_ratio: ``(k,)``, share of the layer's activation variance that each
            principal component explains.
        layer: name of the layer whose activations were analysed.
    """

    vectors: np.ndarray
    explained_variance_ratio: np.ndarray
    layer: str

    def __post_init__(self) -> None:
        vectors = np.asarray(self.vectors)
        ratios = np.asarray(self.explained_variance_ratio)
        if vectors.ndim != 2 or not len(vectors):
            raise ValueError(f"vectors must have shape (k, latent_dim) with k >= 1, got {vectors.shape}.")
        if ratios.shape != (len(vectors),):
            raise ValueError(
                f"explained_variance_ratio must hold one share per direction, shape ({len(vectors)},); got {ratios.shape}."
            )


def _default_layer(generator: keras.Model) -> keras.layers.Layer:
    """The first BatchNormalization before any convolution, else the first Dense layer."""
    first_dense = None
    for layer in generator.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            break
        if isinstance(layer, keras.layers.BatchNormalization):
            return layer
        if first_dense is None and isinstance(layer, keras.layers.Dense):
            first_dense = layer
    if first_dense is None:
        raise ValueError("found no Dense or BatchNormalization layer early in the generator: pass layer='<name>'.")
    return first_dense


def _principal_coordinates(a: np.ndarray, k: int, seed: int, iterations: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` principal coordinates ``(n, k)`` of centred rows ``a`` and their singular values.

    PCA by subspace iteration (Halko, Martinsson and Tropp 2011): multiply a block of random vectors
    by ``a^T a`` a few times, orthonormalising each time, and it turns towards the top principal
    axes; an SVD of the small projection ``a Q`` finishes the job. Same result as a full SVD for
    the first few components, at a fraction of the cost (the large products run in TensorFlow).
    """
    n, m = a.shape
    p = min(k + 10, n, m)
    at = tf.constant(a, tf.float32)
    q = tf.constant(np.random.default_rng(seed).standard_normal((m, p)), tf.float32)
    for _ in range(iterations):
        q, _ = tf.linalg.qr(tf.matmul(at, tf.matmul(at, q), transpose_a=True))
    u, s, _ = np.linalg.svd(tf.matmul(at, q).numpy().astype(np.float64), full_matrices=False)
    return u[:, :k] * s[:k], s[:k]


def latent_directions(
    generator: keras.Model,
    n_directions: int = 5,
    samples: int = 1024,
    layer: str | keras.layers.Layer | None = None,
    seed: int = 0,
) -> LatentDirections:
    """Find the latent directions that change a generator's output the most (GANSpace).

    Härkönen et al. (2020, "GANSpace") observed that principal component analysis (PCA) of a GAN's
    *early activations* finds directions a person can name: on MNIST, stroke width, slant, the size
    of a loop. The recipe, kept simple here:

    1. draw ``samples`` latent vectors ``z`` (seeded) and record the activations ``a(z)`` of an
       early layer (default: the first batch normalization after the first Dense layer, i.e. the
       start of the generator, before any convolution);
    2. PCA: centre the activations and take their top ``n_directions`` principal components; each
       sample gets coordinates ``x_k`` along them;
    3. go back to latent space by linear regression of ``z`` on those coordinates. The PCA
       coordinates are uncorrelated, so the regression splits into one per component: the latent
       direction of component ``k`` is proportional to ``sum_j x_jk z_j``, the average latent vector
       weighted by how far each sample lies along the component. Each direction is scaled to unit
       length, so a step of 1 moves z by one standard deviation of its prior along it.

    For a conditional generator, activations are centred per class before the PCA, so that the
    directions describe style within a digit rather than the difference between digits.

    Args:
        generator: an unconditional or conditional generator of the series.
        n_directions: how many directions to return (at most ``latent_dim``).
        samples: latent vectors to analyse; a few hundred suffice for the first few directions.
        layer: the layer (or its name) to analyse; default as in step 1.
        seed: seeds the latent vectors (and labels), so the directions are repeatable.

    Example:
        >>> g = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16), keras.layers.Dense(4)])
        >>> d = latent_directions(g, n_directions=3, samples=256)
        >>> d.vectors.shape, np.allclose(np.linalg.norm(d.vectors, axis=1), 1.0)
        ((3, 8), True)
    """
    gen = generator if isinstance(generator, _Generator) else _Generator(generator, jit_compile=False)
    if isinstance(n_directions, bool) or not isinstance(n_directions, int) or not 1 <= n_directions <= gen.latent_dim:
        raise ValueError(f"n_directions must be an integer from 1 to latent_dim = {gen.latent_dim}, got {n_directions!r}.")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2 * n_directions:
        raise ValueError(f"samples must be an integer of at least 2 * n_directions = {2 * n_directions}, got {samples!r}.")
    model = gen.model
    if layer is None:
        layer = _default_layer(model)
    elif isinstance(layer, str):
        try:
            layer = model.get_layer(layer)
        except ValueError:
            names = ", ".join(x.name for x in model.layers)
            raise ValueError(f"the generator has no layer named {layer!r}; its layers are: {names}.") from None
    probe = keras.Model(model.inputs if gen.conditional else model.inputs[0], layer.output)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((samples, gen.latent_dim)).astype(np.float32)
    labels = rng.integers(0, gen.num_classes, samples).astype(np.int32) if gen.conditional else None
    acts = []
    for start in range(0, samples, 256):
        stop = start + 256
        y = None if labels is None else labels[start:stop].reshape((-1,) + gen.label_shape)
        acts.append(np.asarray(probe(gen.inputs(z[start:stop], y), training=False)).reshape(len(z[start:stop]), -1))
    a = np.concatenate(acts).astype(np.float64)
    if labels is None:
        a -= a.mean(axis=0)
    else:
        for c in np.unique(labels):
            a[labels == c] -= a[labels == c].mean(axis=0)
    k = n_directions
    coords, s = _principal_coordinates(a, k, seed)
    # Regression z ~ coords, column by column (the columns are orthogonal).
    vectors = (coords.T @ z.astype(np.float64)) / np.maximum(s[:k, None] ** 2, 1e-12)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.maximum(norms, 1e-12)
    signs = np.sign(vectors[np.arange(k), np.argmax(np.abs(vectors), axis=1)])  # fixed sign convention
    vectors *= signs[:, None]
    ratio = s**2 / max(float(np.sum(a**2)), 1e-12)
    return LatentDirections(vectors.astype(np.float32), ratio.astype(np.float32), layer.name)


# ------------------------------------------------------------------------------------ the view
class ExplorerView(widgets.VBox):
    """The explorer's root widget: a VBox that also carries a static picture of itself.

    Displayed, it sends both the live widget view and a PNG (a grid of images along each principal
    direction). A front end that can run widgets (JupyterLab, Notebook 7, VS Code, Colab) shows the
    widget; anything else (nbconvert's HTML, GitHub's viewer, an old Colab runtime) shows the PNG.
    """

    def _repr_mimebundle_(self, **kwargs) -> dict[str, object]:
        """The widget view, a PNG fallback and a line of text, as one display bundle."""
        data: dict[str, object] = {"text/plain": getattr(self, "_static_text", repr(self)[:110])}
        if self.comm is not None:  # a closed widget has no view
            data[WIDGET_VIEW_MIMETYPE] = {"version_major": 2, "version_minor": 0, "model_id": self.model_id}
        render = getattr(self, "_static_png", None)
        if render is not None:
            data["image/png"] = base64.b64encode(render()).decode("ascii")
        return data

    if IPYWIDGETS_MAJOR < 8:  # ipywidgets 7 displays widgets through _ipython_display_, which IPython prefers

        def _ipython_display_(self, **kwargs) -> None:
            from IPython.display import display

            display(self._repr_mimebundle_(), raw=True)
            self._handle_displayed(**kwargs)


# -------------------------------------------------------------------------------- the explorer
class LatentExplorer:
    """An interactive view of a generator's latent space: move a slider, watch the image change.

    Three panels act on one latent vector ``z`` (and, for a conditional generator, one digit):

    * **Directions**: one slider per principal direction of the latent space (see
      :func:`latent_directions`); each slider adds ``value * direction`` to the vector you started
      from, in units of the prior's standard deviation. The directions are found once per
      generator (from seed 0, whatever the explorer's seed). Name them with
      :meth:`name_directions` once you have seen what they do (``figure("directions")`` shows it).
    * **Coordinates**: sliders over the first ``n_coordinates`` raw entries ``z[i]``.
    * **Interpolate**: a slider ``t`` from 0 to 1 on the path between two vectors (``start`` and
      ``end``), straight (linear) or along the sphere (slerp), and a strip of frames along the path.
      Moving ``t`` sets ``z`` to the point at ``t``; the buttons (or :meth:`set_endpoints`) choose
      ``start`` and ``end`` (at first: the first vector and the next seed's).

    Below the image: a seed field and a "new random z" button (the seed field increments, so every
    vector you see can be drawn again with :func:`gan_utils.latent_batch`), and for a conditional
    generator a digit selector.

    Everything a person can do, code can do, with these names:

    * ``.widget``: the root widget; display it (make it the last line of a cell).
    * ``.z``: the current latent vector (a NumPy copy). Assigning a vector updates the view and
      sets the direction sliders back to 0.
    * ``.image``: the current generated image, a NumPy array ``(h, w, c)`` in the generator's range
      [-1, 1]; always ``generator(.z)``.
    * ``.sliders``: the slider widgets by name: ``"pc1"`` ... ``"pcK"`` (directions),
      ``"z0"`` ... (coordinates) and ``"t"`` (interpolation). Setting ``.value`` moves them.
    * ``.label``: the digit of a conditional generator (None otherwise); assignable.
    * :meth:`export`: writes the current image, the interpolation strip or the direction grid as
      a figure (PNG, SVG, PDF) through :func:`gan_utils.plotting.save_figure`.

    Without a widget front end (nbconvert's HTML, GitHub, an old Colab runtime) the displayed cell
    shows a PNG of ``figure("directions")`` instead: rows are directions, columns steps along them.

    Speed: each change runs a compiled single-vector forward pass (``tf.function``, XLA by default,
    warmed up here) and encodes a small PNG; ``benchmarks/explorer_latency.py`` measures it.

    Args:
        generator: any generator of the series, unconditional (``generator(z)``) or conditional
            (``generator([z, labels])``), e.g. ``gan_utils.load_pretrained("dcgan")``.
        seed: seed of the first latent vector.
        n_directions: principal directions to offer as sliders (0: none).
        n_coordinates: raw coordinates ``z[0] ... z[n-1]`` to offer as sliders.
        span: the direction sliders run from ``-span`` to ``span``.
        samples: latent vectors used to find the directions.
        layer: the layer analysed for directions (default: see :func:`latent_directions`).
        label: the first digit shown by a conditional generator.
        direction_names: names of the first directions, e.g. ``["stroke width", "slant"]``.
        strip_steps: frames in the interpolation strip.
        display_size: the image is upscaled (nearest neighbour) to about this many pixels.
        jit_compile: compile the forward pass with XLA (a little faster per change on a CPU).

    Example:
        >>> g = gan_utils.load_pretrained("dcgan")                      # doctest: +SKIP
        >>> explorer = LatentExplorer(g, seed=3)                        # doctest: +SKIP
        >>> explorer.widget                                             # doctest: +SKIP
        >>> explorer.sliders["pc1"].value = 2.5   # code moves a slider  # doctest: +SKIP
        >>> explorer.name_directions(["stroke width", "slant"])         # doctest: +SKIP
        >>> explorer.export("files/dcgan_strip", what="strip")          # doctest: +SKIP
    """

    def __init__(
        self,
        generator: keras.Model,
        *,
        seed: int = 0,
        n_directions: int = 5,
        n_coordinates: int = 8,
        span: float = 3.0,
        samples: int = 1024,
        layer: str | None = None,
        label: int = 0,
        direction_names: Sequence[str] | Mapping[int, str] | None = None,
        strip_steps: int = 8,
        display_size: int = 196,
        jit_compile: bool = True,
    ) -> None:
        self._gen = _Generator(generator, jit_compile=jit_compile)
        d = self._gen.latent_dim
        _check_int("seed", seed, 0)
        _check_int("n_directions", n_directions, 0, d)
        _check_int("n_coordinates", n_coordinates, 0)
        _check_int("strip_steps", strip_steps, 2)
        _check_int("display_size", display_size, 1)
        if not (isinstance(span, (int, float)) and 0 < span <= 10):
            raise ValueError(f"span must be a number in (0, 10], got {span!r}.")
        n_coordinates = min(n_coordinates, d)
        self.generator = generator
        self.latent_dim = d
        self.span = float(span)
        self.strip_steps = strip_steps
        # Directions belong to the generator, not to the starting vector: always found from seed 0.
        self.directions = latent_directions(self._gen, n_directions, samples, layer, seed=0) if n_directions else None
        self._label = self._check_label(label) if self._gen.conditional else None
        out_shape = tuple(generator.outputs[0].shape[1:])
        if len(out_shape) not in (2, 3) or (len(out_shape) == 3 and out_shape[2] not in (1, 3)):
            raise ValueError(
                f"LatentExplorer shows images, but this generator makes samples of shape {out_shape}: "
                "expected (height, width) or (height, width, 1 or 3 channels)."
            )
        self._scale = max(1, round(display_size / max(out_shape[0], out_shape[1])))
        self._rng = np.random.default_rng(seed)  # for "end = new random z": repeatable click by click
        self._updating = False

        z = latent_batch(generator, 1, seed)[0]
        self._base = z.copy()  # the vector the direction sliders start from
        self._origin = f"seed {seed}"  # where _base came from, for figure titles
        self._z = z.copy()
        self.start = z.copy()  # interpolation endpoints
        self.end = latent_batch(generator, 1, seed + 1)[0]
        self._image = self._gen.one(self._z, self._label or 0)  # also warms up the compiled pass
        self._gen.many(np.stack([self.start, self.end]), self._label or 0)

        self._build_widgets(seed, n_coordinates, direction_names)
        self._refresh_sliders()
        self._refresh_strip()

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self, seed: int, n_coordinates: int, direction_names) -> None:
        W = widgets
        px = f"{self._image.shape[1] * self._scale}px"
        self._image_widget = W.Image(value=_png(_to_uint8(self._image), self._scale), format="png", layout=W.Layout(width=px, height="auto"))
        self._image_widget.add_class("gan-explorer-image")
        self.sliders: dict[str, widgets.FloatSlider] = {}
        style = {"description_width": "11em"}
        wide = W.Layout(width="460px")

        k = 0 if self.directions is None else len(self.directions.vectors)
        for i in range(k):
            s = W.FloatSlider(value=0.0, min=-self.span, max=self.span, step=0.05, description=f"PC{i + 1}",
                              continuous_update=True, readout_format=".2f", style=style, layout=wide)
            s.observe(self._on_direction, names="value")
            self.sliders[f"pc{i + 1}"] = s
        for i in range(n_coordinates):
            s = W.FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.05, description=f"z[{i}]",
                              continuous_update=True, readout_format=".2f", style=style, layout=wide)
            s.observe(lambda change, i=i: self._on_coordinate(i, change["new"]), names="value")
            self.sliders[f"z{i}"] = s
        t = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.01, description="t", continuous_update=True,
                          readout_format=".2f", style=style, layout=wide)
        t.observe(self._on_t, names="value")
        self.sliders["t"] = t
        if direction_names:
            self.name_directions(direction_names)

        self._seed = W.IntText(value=seed, description="seed", style={"description_width": "3em"}, layout=W.Layout(width="120px"))
        self._seed.observe(self._on_seed, names="value")
        new_z = W.Button(description="new random z", tooltip="draw z from the next seed", layout=W.Layout(width="auto", flex="0 0 auto"))
        new_z.on_click(lambda _: setattr(self._seed, "value", self._seed.value + 1))
        left = [self._image_widget, W.HBox([self._seed, new_z])]
        self._digit = None
        if self._gen.conditional:
            self._digit = W.ToggleButtons(options=list(range(self._gen.num_classes)), value=self._label,
                                          description="digit", style={"button_width": "2.2em", "description_width": "3em"})
            self._digit.observe(self._on_digit, names="value")
            left.append(self._digit)

        reset = W.Button(description="directions to 0", layout=W.Layout(width="140px"))
        reset.on_click(lambda _: self._reset_directions())
        pcs = [self.sliders[f"pc{i + 1}"] for i in range(k)]
        if self.directions is not None:
            share = ", ".join(f"{r:.0%}" for r in self.directions.explained_variance_ratio)
            note = W.HTML(f"<div style='line-height: 1.4'><small>Principal directions of layer "
                          f"<code>{self.directions.layer}</code> (share of its variance: {share}); "
                          "units: standard deviations of z.</small></div>")
        else:
            note = W.HTML("<small>No principal directions (n_directions=0).</small>")
        directions_box = W.VBox([note] + pcs + [reset])
        coordinates_box = W.VBox([W.HTML("<small>The first coordinates of z.</small>")] +
                                 [self.sliders[f"z{i}"] for i in range(n_coordinates)])

        self._method = W.ToggleButtons(options=list(INTERPOLATION_METHODS), value="slerp", description="path",
                                       style={"button_width": "5em", "description_width": "3em"})
        self._method.observe(lambda _: self._refresh_strip(), names="value")
        set_start = W.Button(description="start = current z", layout=W.Layout(width="140px"))
        set_start.on_click(lambda _: self.set_endpoints(start=self.z))
        set_end = W.Button(description="end = current z", layout=W.Layout(width="140px"))
        set_end.on_click(lambda _: self.set_endpoints(end=self.z))
        random_end = W.Button(description="end = new random z", layout=W.Layout(width="auto"))
        random_end.on_click(lambda _: self.set_endpoints(end=self._rng.standard_normal(self.latent_dim)))
        self._strip_widget = W.Image(format="png", layout=W.Layout(width="auto", height="auto"))
        interpolate_box = W.VBox([W.HBox([set_start, set_end, random_end]), self._method, t, self._strip_widget])

        tabs = W.Tab(children=[directions_box, coordinates_box, interpolate_box])
        for i, title in enumerate(("Directions", "Coordinates", "Interpolate")):
            tabs.set_title(i, title)
        name = getattr(self.generator, "name", "generator")
        header = W.HTML(f"<b>Latent explorer</b>: <code>{name}</code>, z in R<sup>{self.latent_dim}</sup>")
        tabs.layout = W.Layout(flex="1 1 auto", max_width="680px")
        self.widget = ExplorerView([header, W.HBox([W.VBox(left, layout=W.Layout(flex="0 0 auto")), tabs])])
        self.widget.add_class("gan-latent-explorer")
        self.widget._static_png = lambda: plotting.png_bytes(self.figure("directions" if k else "image"), dpi=100)
        self.widget._static_text = (f"LatentExplorer({name}): an interactive widget. Run the notebook in Jupyter, "
                                    "VS Code or Colab to move its sliders; above, a static grid along each direction.")

    # ------------------------------------------------------------------ public state
    @property
    def z(self) -> np.ndarray:
        """The current latent vector ``(latent_dim,)`` (a copy); assign a vector to show it."""
        return self._z.copy()

    @z.setter
    def z(self, value: object) -> None:
        self._set_z(_as_vector(value, "z", self.latent_dim), rebase=True, origin="a chosen z")

    @property
    def image(self) -> np.ndarray:
        """The current generated image ``(h, w, c)``, values in [-1, 1] (a copy)."""
        return self._image.copy()

    @property
    def label(self) -> int | None:
        """The digit of a conditional generator (None for an unconditional one); assignable."""
        return self._label

    @label.setter
    def label(self, value: int) -> None:
        if not self._gen.conditional:
            raise ValueError("this generator is unconditional: it takes no label.")
        self._digit.value = self._check_label(value)  # the observer renders

    @property
    def seed(self) -> int:
        """The seed in the seed field; assigning draws ``z`` from it (as :func:`gan_utils.latent_batch`)."""
        return int(self._seed.value)

    @seed.setter
    def seed(self, value: int) -> None:
        _check_int("seed", value, 0)
        self._seed.value = value

    def new_z(self) -> np.ndarray:
        """Draw a new random z from the next seed (the "new random z" button) and return it."""
        self._seed.value = self._seed.value + 1
        return self.z

    def set_endpoints(self, start: object | None = None, end: object | None = None) -> None:
        """Set the interpolation's start and/or end vector; the strip follows."""
        if start is not None:
            self.start = _as_vector(start, "start", self.latent_dim)
        if end is not None:
            self.end = _as_vector(end, "end", self.latent_dim)
        self._refresh_strip()

    @property
    def method(self) -> str:
        """The interpolation path, ``"linear"`` or ``"slerp"``; assignable."""
        return self._method.value

    @method.setter
    def method(self, value: str) -> None:
        if value not in INTERPOLATION_METHODS:
            raise ValueError(f"unknown interpolation method {value!r}: choose 'linear' or 'slerp'.")
        self._method.value = value

    def name_directions(self, names: Sequence[str] | Mapping[int, str]) -> None:
        """Label the direction sliders, e.g. ``["stroke width", "slant"]`` or ``{3: "loop size"}`` (1-based)."""
        items = names.items() if isinstance(names, Mapping) else enumerate(names, start=1)
        for i, name in items:
            key = f"pc{i}"
            if key not in self.sliders:
                raise ValueError(f"there is no direction {i}: the explorer has {self._n_directions} (numbered from 1).")
            self.sliders[key].description = f"PC{i} {name}".strip()

    # ------------------------------------------------------------------ pictures
    def interpolation_strip(self, steps: int | None = None) -> np.ndarray:
        """Images ``(steps, h, w, c)`` along the path from ``start`` to ``end`` (the current method)."""
        steps = self.strip_steps if steps is None else _check_int("steps", steps, 2)
        zs = interpolate(self.start, self.end, np.linspace(0.0, 1.0, steps), self.method)
        return self._gen.many(zs, self._label or 0)

    def direction_grid(self, steps: int = 7, span: float | None = None) -> np.ndarray:
        """Images ``(k * steps, h, w, c)``: row i walks from ``-span`` to ``span`` along direction i+1
        from the current vector (before the direction sliders' offsets)."""
        _check_int("steps", steps, 2)
        if self.directions is None:
            raise ValueError("this explorer has no principal directions (it was built with n_directions=0).")
        span = self.span if span is None else float(span)
        offsets = np.linspace(-span, span, steps, dtype=np.float32)
        zs = self._base[None, None, :] + offsets[None, :, None] * self.directions.vectors[:, None, :]
        return self._gen.many(zs.reshape(-1, self.latent_dim), self._label or 0)

    def figure(self, what: str = "image", steps: int | None = None, title: str | None = None) -> Figure:
        """Build the figure :meth:`export` writes: ``"image"``, ``"strip"`` or ``"directions"``."""
        if what not in EXPORTS:
            raise ValueError(f"unknown export {what!r}: choose one of {', '.join(EXPORTS)}.")
        digit = f", digit {self._label}" if self._gen.conditional else ""
        if what == "image":
            return plotting.plot_grid(_to_uint8(self._image[None]), title=title or self.describe(), ncols=1, size=2.5)
        if what == "strip":
            frames = self.interpolation_strip(steps)
            return plotting.plot_labelled_grid(
                _to_uint8(frames), col_labels=[f"{t:.2f}" for t in np.linspace(0, 1, len(frames))],
                title=title or f"{self.method} interpolation, t = 0 to 1{digit}")
        steps = 7 if steps is None else steps
        images = self.direction_grid(steps)
        names = [self.sliders[f"pc{i + 1}"].description for i in range(self._n_directions)]
        offsets = np.linspace(-self.span, self.span, steps)
        return plotting.plot_labelled_grid(
            _to_uint8(images), ncols=steps, row_labels=names, col_labels=[f"{o:+.1f}" for o in offsets],
            title=title or f"Principal directions of {getattr(self.generator, 'name', 'the generator')}{digit}")

    def export(
        self,
        path: str | os.PathLike,
        what: str = "image",
        formats: Sequence[str] = plotting.SUPPORTED_FORMATS,
        steps: int | None = None,
        title: str | None = None,
        dpi: int = 200,
    ) -> list[Path]:
        """Write the current image, the interpolation strip or the direction grid as a figure.

        Args:
            path: file name without extension, e.g. ``"files/dcgan_strip"``; one file per format.
            what: ``"image"`` (the current image), ``"strip"`` (frames from ``start`` to ``end``)
                or ``"directions"`` (rows: directions; columns: steps from ``-span`` to ``span``).
            formats: any of ``"png"``, ``"svg"``, ``"pdf"``.
            steps: frames in the strip (default ``strip_steps``) or columns of the direction grid (7).
            title: replaces the default title.

        Returns:
            The written paths. Same state, same bytes (see :func:`gan_utils.plotting.save_figure`).

        Example:
            >>> explorer.export("files/dcgan_slerp", what="strip", formats=("png", "pdf"))  # doctest: +SKIP
            [PosixPath('files/dcgan_slerp.png'), PosixPath('files/dcgan_slerp.pdf')]
        """
        formats = plotting.check_formats(formats)
        return plotting.save_figure(self.figure(what, steps=steps, title=title), path, formats, dpi)

    def describe(self) -> str:
        """Say in words where the current vector comes from, e.g. ``"seed 3 + 2.0 PC1 (stroke width)"``."""
        text = self._origin
        for i, offset in enumerate(self._offsets()):
            if offset:
                name = self.sliders[f"pc{i + 1}"].description
                text += f" {'+' if offset > 0 else '-'} {abs(offset):.2g} {name}"
        if self._gen.conditional:
            text += f", digit {self._label}"
        return text

    # ------------------------------------------------------------------ display
    def _ipython_display_(self, **kwargs) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        name = getattr(self.generator, "name", "generator")
        return f"LatentExplorer({name}, latent_dim={self.latent_dim}, directions={self._n_directions})"

    # ------------------------------------------------------------------ internals
    @property
    def _n_directions(self) -> int:
        return 0 if self.directions is None else len(self.directions.vectors)

    def _check_label(self, value: object) -> int:
        n = self._gen.num_classes
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < n:
            raise ValueError(f"label must be an integer from 0 to {n - 1}, got {value!r}.")
        return int(value)

    def _offsets(self) -> np.ndarray:
        return np.array([self.sliders[f"pc{i + 1}"].value for i in range(self._n_directions)], dtype=np.float32)

    def _render(self) -> None:
        self._image = self._gen.one(self._z, self._label or 0)
        self._image_widget.value = _png(_to_uint8(self._image), self._scale)

    def _set_z(self, z: np.ndarray, rebase: bool, origin: str | None = None) -> None:
        """Show ``z``; with ``rebase`` the direction sliders go back to 0 and start from ``z``."""
        self._z = z.astype(np.float32, copy=True)
        if rebase:
            self._base = self._z.copy()
            self._origin = origin or self._origin
        self._refresh_sliders(directions=rebase)
        self._render()

    def _refresh_sliders(self, directions: bool = True) -> None:
        """Make the sliders show the state without triggering their observers."""
        self._updating = True
        try:
            if directions:
                for i in range(self._n_directions):
                    self.sliders[f"pc{i + 1}"].value = 0.0
            for key, s in self.sliders.items():
                if key.startswith("z"):
                    s.value = float(np.clip(self._z[int(key[1:])], s.min, s.max))
        finally:
            self._updating = False

    def _refresh_strip(self) -> None:
        frames = _to_uint8(self.interpolation_strip())
        self._strip_widget.value = _png(_row(frames), 2)

    def _on_direction(self, change) -> None:
        if self._updating:
            return
        z = self._base + self._offsets() @ self.directions.vectors
        self._set_z(z, rebase=False)

    def _on_coordinate(self, i: int, value: float) -> None:
        if self._updating:
            return
        z = self._z.copy()
        z[i] = value
        if self._n_directions:
            self._base = z - self._offsets() @ self.directions.vectors
        self._z = z
        self._origin = "an edited z"
        self._render()

    def _on_t(self, change) -> None:
        if self._updating:
            return
        t = float(self.sliders["t"].value)
        self._set_z(interpolate(self.start, self.end, t, self.method), rebase=True, origin=f"{self.method} path at t = {t:.2f}")

    def _on_seed(self, change) -> None:
        seed = change["new"]
        if seed is None or seed < 0:  # the field is being edited; wait for a valid seed
            return
        self._set_z(latent_batch(self.generator, 1, int(seed))[0], rebase=True, origin=f"seed {seed}")

    def _on_digit(self, change) -> None:
        self._label = int(change["new"])
        self._render()
        self._refresh_strip()

    def _reset_directions(self) -> None:
        self._set_z(self._base, rebase=True)


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum or (maximum is not None and value > maximum):
        bound = f" and <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{bound}, got {value!r}.")
    return int(value)
