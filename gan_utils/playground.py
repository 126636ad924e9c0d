"""GAN Lab in the notebook: a toy GAN you can play, pause and step, from code or from a widget.

:class:`Playground` trains a small :class:`gan_utils.GAN` (built by :func:`gan_utils.toy.build_toy_gan`,
so with any objective of :mod:`gan_utils.losses`) on points on a line or in the plane, one step or
many at a time, and shows the game as it moves: the data and the generated points, the
discriminator's verdict as a heat map behind them, the push the generator's loss gives every fake
point (an arrow), the image of a regular latent grid under the generator, and live curves of the
losses, the Jensen-Shannon divergence and the modes covered. Inspired by GAN Lab (Kahng et al.
2018, https://poloclub.github.io/ganlab/); taught in ``notebooks/01_gan_theory.ipynb``::

    play = Playground("ring")         # the ring of 8 Gaussians, non-saturating loss, Adam
    play.step(200)                    # 200 steps of the game (one discriminator and one generator update each)
    play.step(1, train="generator")   # one generator update alone
    play.samples, play.history        # the generated points now; losses, D(x), JSD, modes per step
    play.figure()                     # a matplotlib figure of the current state
    play.widget                       # play / pause / step buttons and every control, live

Where no widget front end runs (a static HTML page, GitHub), the widget's cell shows a film strip
of the states the game went through instead. Speed: ``benchmarks/playground_speed.py``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence

import ipywidgets as W
import keras
import numpy as np
import tensorflow as tf
from matplotlib import colormaps
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from gan_utils import losses, toy
from gan_utils.widgets import ExplorerView, _png

__all__ = ["DATASETS", "TRAIN_MODES", "NETWORK_SIZES", "toy_dataset", "Playground"]

#: The built-in data sets: two bumps on a line, and three sets in the plane.
DATASETS = ("bumps", "ring", "line", "regions")
#: What one step trains: ``"both"`` (``d_steps`` discriminator updates, then one generator update),
#: or one update of one player.
TRAIN_MODES = ("both", "discriminator", "generator")
#: The network sizes the widget offers (hidden layer widths, the same for both networks).
NETWORK_SIZES = ((16,), (32, 32), (64, 64), (128, 128))
#: Weight clipping of the plain Wasserstein critic (it has no other way to stay Lipschitz).
WASSERSTEIN_CLIP = 0.1
_MAX_CHUNK = 250  # steps run in one call of the compiled loop (bounds the memory of the recorded samples)
_GREEN, _PURPLE, _GREY = (27, 120, 55), (118, 42, 131), (150, 150, 150)


def toy_dataset(name: str) -> toy.GaussianMixture:
    """The built-in data set ``name`` (one of :data:`DATASETS`) as a mixture with an exact density.

    ``"bumps"``: two Gaussians on a line (notebook 01's 1-D data). ``"ring"``: 8 Gaussians on a
    circle of radius 2. ``"line"``: a segment in the plane, 21 overlapping Gaussians along it.
    ``"regions"``: three separate blobs of different sizes.

    Example:
        >>> toy_dataset("ring").dim, len(toy_dataset("regions").means)
        (2, 3)
    """
    if name == "bumps":
        return toy.mixture_1d((-2.0, 1.5), 0.5)
    if name == "ring":
        return toy.ring_2d(8, 2.0, 0.1)
    if name == "line":
        t = np.linspace(-1.0, 1.0, 21)[:, None]
        return toy.GaussianMixture(t * np.array([[2.0, 1.2]]), 0.15, np.full(21, 1 / 21))
    if name == "regions":
        return toy.GaussianMixture(np.array([[-1.7, -1.2], [1.7, -1.2], [0.0, 1.7]]), np.array([0.35, 0.5, 0.25]), np.full(3, 1 / 3))
    raise ValueError(f"data must be one of {', '.join(map(repr, DATASETS))} or an array of points (n, 1) or (n, 2); got {name!r}.")


@contextlib.contextmanager
def _first_calls_traced_quietly() -> Iterator[None]:
    """Every playground compiles its own step (it closes over its own networks), so a notebook
    that builds several sees TensorFlow's "triggered tf.function retracing" warning, which is
    about repeated tracing of one function and means nothing here: keep it out of the outputs."""
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_logger.setLevel(level)


class Playground:
    """A toy GAN you can step, play and pause, and watch: GAN Lab in a notebook.

    Everything is driven from code as well as from :attr:`widget`:

    * :meth:`step` ``(n=1, train="both")``: ``n`` steps; ``train="both"`` does ``d_steps``
      discriminator updates then one generator update per step, ``"discriminator"`` or
      ``"generator"`` one update of that player alone.
    * :attr:`samples`: the generator's current output on its fixed batch of noise, ``(samples, dim)``.
    * :attr:`history`: one entry per step, lists under ``"step"``, ``"d_loss"``, ``"g_loss"``, the
      objective's logs (``"d_real"`` and ``"d_fake"``, the mean D(x) and D(G(z)), for the
      cross-entropy losses; ``"score_real"``, ``"score_fake"`` for the score losses), ``"jsd"``
      and ``"modes"``. All are measured after the step on the fixed noise and the step's real
      batch. ``"jsd"`` is the Jensen-Shannon divergence (nats) between the data and the
      generated points, binned on a grid (a histogram estimate: even a perfect generator scores
      about :attr:`jsd_floor`, the value for a sample of the data itself); ``"modes"`` counts
      the mixture's components covered (:func:`gan_utils.toy.mode_coverage`; NaN for your own
      points, whose components are unknown).
    * :meth:`figure`: a matplotlib figure of the current state; :meth:`film_strip`: the states
      recorded every ``record_every`` steps, side by side; :meth:`reset`: start again from the
      same seed; :meth:`configure`: change settings (the game restarts).

    Args:
        data: one of :data:`DATASETS`, or your own points, an array ``(n, 1)`` or ``(n, 2)``.
        objective: a loss family of :mod:`gan_utils.losses` (``"non-saturating"``, ``"minimax"``,
            ``"wasserstein"`` (its critic's weights are clipped to ``WASSERSTEIN_CLIP``),
            ``"wasserstein-gp"``, ``"hinge"``).
        d_optimizer, g_optimizer: ``"adam"`` or ``"sgd"``, one per network.
        d_lr, g_lr: the learning rates; changing them later (``play.d_lr = 1e-4``) keeps the game.
        d_steps: discriminator updates per generator update in a ``"both"`` step.
        hidden: hidden layer widths of both networks.
        latent_dim: length of the noise vector (2 shows the latent grid as it is; more: a 2-D slice).
        batch_size: real (and fake) points per update.
        samples: size of the fixed noise batch that is drawn, measured and shown.
        seed: the weights, the noise and the real batches all follow from it.
        record_every: a state for the film strip is kept every this many steps.
        generator_batch_norm: batch normalization in the generator's hidden layers, like
            ``gan_utils.build_mlp_generator``'s default (off: GAN Lab's plain networks). The
            picture shows the generator in inference mode, with its running statistics.

    Example:
        >>> play = Playground("ring", seed=0)
        >>> play.step(20)
        >>> len(play.history["d_loss"]), play.samples.shape
        (20, (512, 2))
    """

    def __init__(
        self,
        data: str | np.ndarray = "ring",
        objective: str = "non-saturating",
        *,
        d_optimizer: str = "adam",
        g_optimizer: str = "adam",
        d_lr: float = 1e-3,
        g_lr: float = 1e-3,
        d_steps: int = 1,
        hidden: Sequence[int] = (64, 64),
        latent_dim: int = 2,
        batch_size: int = 128,
        samples: int = 512,
        seed: int = 0,
        record_every: int = 50,
        generator_batch_norm: bool = False,
    ) -> None:
        self._lock = threading.RLock()
        self._widget = None
        self._playing = False
        self._thread: threading.Thread | None = None
        self.frames_drawn = 0
        self.configure(
            data=data, objective=objective, d_optimizer=d_optimizer, g_optimizer=g_optimizer, d_lr=d_lr, g_lr=g_lr,
            d_steps=d_steps, hidden=hidden, latent_dim=latent_dim, batch_size=batch_size, samples=samples, seed=seed,
            record_every=record_every, generator_batch_norm=generator_batch_norm,
        )

    # ------------------------------------------------------------------ settings
    def configure(self, **settings) -> str:
        """Change any constructor argument; the game restarts from its seed. Returns what changed.

        Every value is checked before anything changes: a bad one raises ``ValueError`` and the
        game goes on as it was.

        Example:
            >>> Playground("ring").configure(objective="hinge", d_steps=2)
            "restarted: objective 'hinge', d_steps 2"
        """
        current = getattr(self, "settings", {})
        unknown = set(settings) - set(_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; the playground knows {sorted(_DEFAULTS)}.")
        new = {**_DEFAULTS, **current, **settings}
        _check_settings(new)
        with self._lock:
            self.settings = new
            self._build()
        changed = [f"{k} {v!r}" for k, v in settings.items() if k in current and not _same(current[k], v)]
        return "restarted" + (": " + ", ".join(changed) if changed else "")

    def reset(self) -> None:
        """Start the game again: the same settings, the initial weights and noise of the seed."""
        with self._lock:
            self._build()

    @property
    def d_lr(self) -> float:
        """The discriminator's learning rate; assigning it changes it without restarting the game."""
        return float(self.settings["d_lr"])

    @d_lr.setter
    def d_lr(self, value: float) -> None:
        self._set_lr("d_lr", value)

    @property
    def g_lr(self) -> float:
        """The generator's learning rate; assigning it changes it without restarting the game."""
        return float(self.settings["g_lr"])

    @g_lr.setter
    def g_lr(self, value: float) -> None:
        self._set_lr("g_lr", value)

    def _set_lr(self, name: str, value: float) -> None:
        _check_lr(name, value)
        with self._lock:
            optimizer = self.gan.d_optimizer if name == "d_lr" else self.gan.g_optimizer
            optimizer.learning_rate.assign(float(value))
            self.settings[name] = float(value)

    # ------------------------------------------------------------------ building the game
    def _build(self) -> None:
        s = self.settings
        data = s["data"]
        if isinstance(data, str):
            self.mixture: toy.GaussianMixture | None = toy_dataset(data)
            self.points = self.mixture.sample(20_000, seed=s["seed"])
            self.data_name = data
        else:
            self.mixture, self.points, self.data_name = None, np.asarray(data, dtype=np.float32), "your points"
        self.dim = self.points.shape[1]
        self.objective = losses.get_objective(s["objective"])
        self.gan = toy.build_toy_gan(
            self.dim, s["objective"], hidden=tuple(s["hidden"]), latent_dim=s["latent_dim"], d_lr=s["d_lr"], g_lr=s["g_lr"],
            d_steps=s["d_steps"], seed=s["seed"], generator_batch_norm=s["generator_batch_norm"], d_optimizer=s["d_optimizer"],
            g_optimizer=s["g_optimizer"], weight_clip=WASSERSTEIN_CLIP if s["objective"] == "wasserstein" else None,
        )
        rng = np.random.default_rng(s["seed"])
        self._rng = np.random.default_rng(s["seed"] + 1)  # the real batches
        self.z = rng.standard_normal((s["samples"], s["latent_dim"])).astype(np.float32)
        self._box = self._bounds()
        self._shown_real = self.points[rng.permutation(len(self.points))[:400]]
        self._grid = self._heat_grid()
        self._latent_lines = self._latent_grid()
        self._bins, self._p_data = self._binning()
        floor_sample = self.mixture.sample(s["samples"], seed=s["seed"] + 2) if self.mixture is not None else \
            self.points[rng.integers(0, len(self.points), s["samples"])]
        self.jsd_floor = self._jsd(floor_sample)
        self.steps = 0
        self.history: dict[str, list[float]] = {name: [] for name in ("step", "d_loss", "g_loss", *self._log_names, "jsd", "modes")}
        self._runs = {mode: self._compile_run(mode) for mode in TRAIN_MODES}
        self._view = self._compile_view()
        self.snapshots: list[dict] = []
        self._state = self._take_state()
        self.snapshots.append(self._state)
        self.samples = self._state["samples"]

    @property
    def _log_names(self) -> tuple[str, ...]:
        return tuple(self.objective.logs(keras.ops.zeros(1), keras.ops.zeros(1)))

    def _bounds(self) -> np.ndarray:
        """The box drawn and measured: ``(dim, 2)`` lows and highs."""
        if self.mixture is not None:
            half = 4.5 if self.dim == 1 else 3.0
            return np.array([[-half, half]] * self.dim, dtype=np.float64)
        lo, hi = self.points.min(0), self.points.max(0)
        centre, half = (lo + hi) / 2, max(float((hi - lo).max()) * 0.65, 1e-3)
        return np.stack([centre - half, centre + half], axis=1).astype(np.float64)

    def _heat_grid(self) -> np.ndarray:
        if self.dim == 1:
            return np.linspace(*self._box[0], 240, dtype=np.float32)[:, None]
        xs = np.linspace(*self._box[0], 48)
        ys = np.linspace(*self._box[1], 48)[::-1]  # image rows run from the top (high y) down
        gx, gy = np.meshgrid(xs, ys)
        return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)

    def _latent_grid(self) -> np.ndarray:
        """Lines of a regular grid in the first two latent coordinates (the rest 0): ``(lines, points, latent_dim)``."""
        d = self.settings["latent_dim"]
        ticks, fine = np.linspace(-2, 2, 9), np.linspace(-2, 2, 33)
        lines = []
        for t in ticks:
            for axis in ((0, 1) if d >= 2 else (0,)):
                z = np.zeros((len(fine), d), dtype=np.float32)
                z[:, axis] = fine
                if d >= 2:
                    z[:, 1 - axis] = t
                lines.append(z)
            if d == 1:
                break
        return np.stack(lines)

    def _binning(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Histogram bins over the box and the data's probability in each."""
        n = 60 if self.dim == 1 else 24
        edges = [np.linspace(lo, hi, n + 1) for lo, hi in self._box]
        if self.mixture is not None:  # integrate the exact density: 4 sub-points per bin and axis
            sub = [np.linspace(lo, hi, 4 * n + 1)[:-1] + (hi - lo) / (8 * n) for lo, hi in self._box]
            mesh = np.meshgrid(*sub, indexing="ij")
            density = self.mixture.pdf(np.stack([m.ravel() for m in mesh], axis=1)).reshape((4 * n,) * self.dim)
            p = density.reshape(sum(((n, 4) for _ in range(self.dim)), ())).sum(axis=tuple(range(1, 2 * self.dim, 2)))
        else:
            p = np.histogramdd(self.points, bins=edges)[0]
        return edges, p / p.sum()

    def _jsd(self, samples: np.ndarray) -> float:
        q = np.histogramdd(samples, bins=self._bins)[0]
        q = q / max(q.sum(), 1.0)
        p = self._p_data
        m = (p + q) / 2
        kl = lambda a: float(np.sum(a[a > 0] * np.log(a[a > 0] / m[a > 0])))  # noqa: E731
        return 0.5 * kl(p) + 0.5 * kl(q)

    # ------------------------------------------------------------------ the compiled game
    def _compile_run(self, mode: str):
        gan, objective = self.gan, self.objective
        z = tf.constant(self.z)
        d_updates = gan.d_steps if mode == "both" else 1
        batch = self.settings["batch_size"]
        names = ("d_loss", "g_loss", *self._log_names)

        def run(batches):
            n = tf.shape(batches)[0]
            logs = {name: tf.TensorArray(tf.float32, size=n) for name in names}
            samples = tf.TensorArray(tf.float32, size=n)
            for i in tf.range(n):
                real = batches[i]
                if mode != "generator":
                    for _ in range(d_updates):
                        gan.discriminator_step(real)
                if mode != "discriminator":
                    gan.generator_step(batch, None, real)  # the real batch serves a relativistic loss
                fake = gan.generator(z, training=False)
                real_out = gan.discriminator(real, training=False)
                fake_out = gan.discriminator(fake, training=False)
                # A relativistic loss pairs equal batches; the shown fakes outnumber the real batch, so
                # each is paired with the real batch's mean score.
                real_ref = tf.reduce_mean(real_out) if objective.relativistic else real_out
                g_loss = objective.generator_loss(fake_out, real_ref) if objective.relativistic else objective.generator_loss(fake_out)
                values = {"d_loss": objective.discriminator_loss(real_ref, fake_out), "g_loss": g_loss,
                          **objective.logs(real_out, fake_out)}
                logs = {name: logs[name].write(i, tf.cast(values[name], tf.float32)) for name in names}
                samples = samples.write(i, fake)
            return {name: logs[name].stack() for name in names}, samples.stack()

        return tf.function(run, input_signature=[tf.TensorSpec([None, batch, self.dim], tf.float32)])

    def _compile_view(self):
        gan, objective = self.gan, self.objective
        z, grid, lines = tf.constant(self.z), tf.constant(self._grid), tf.constant(self._latent_lines)
        shown_real = tf.constant(self._shown_real, tf.float32)

        def view():
            fake = gan.generator(z, training=False)
            with tf.GradientTape() as tape:
                tape.watch(fake)
                fake_out = gan.discriminator(fake, training=False)
                if objective.relativistic:  # each fake against the mean score of the shown real points
                    loss = objective.generator_loss(fake_out, tf.reduce_mean(gan.discriminator(shown_real, training=False)))
                else:
                    loss = objective.generator_loss(fake_out)
                per_point = loss * tf.cast(tf.shape(fake)[0], tf.float32)
            push = -tape.gradient(per_point, fake)  # where the generator's loss moves each fake point
            heat = gan.discriminator(grid, training=False)[:, 0]
            if objective.outputs == "logits":
                heat = tf.sigmoid(heat)
            shape = tf.shape(lines)
            mapped = gan.generator(tf.reshape(lines, (-1, shape[2])), training=False)
            return fake, push, heat, tf.reshape(mapped, (shape[0], shape[1], -1))

        return tf.function(view)

    def _take_state(self) -> dict:
        with _first_calls_traced_quietly():
            fake, push, heat, lines = (np.asarray(t) for t in self._view())
        return {"step": self.steps, "samples": fake, "push": push, "heat": heat, "lines": lines,
                "jsd": self._jsd(fake), "modes": self._modes(fake)}

    def _modes(self, samples: np.ndarray) -> float:
        return float(toy.mode_coverage(samples, self.mixture).modes) if self.mixture is not None else float("nan")

    # ------------------------------------------------------------------ playing
    def step(self, n: int = 1, train: str = "both") -> None:
        """Play ``n`` steps: ``train="both"`` (``d_steps`` discriminator updates, then one generator
        update), ``"discriminator"`` or ``"generator"`` (one update of that player alone).

        Example:
            >>> play = Playground("bumps")
            >>> play.step(3, train="discriminator"); play.steps
            3
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive number of steps, e.g. 1 or 200; got {n!r}.")
        if train not in TRAIN_MODES:
            raise ValueError(f"train must be one of {', '.join(map(repr, TRAIN_MODES))}, got {train!r}.")
        every, batch = self.settings["record_every"], self.settings["batch_size"]
        with self._lock:
            left = int(n)
            while left:
                k = min(left, _MAX_CHUNK, every - self.steps % every)
                idx = self._rng.integers(0, len(self.points), (k, batch))
                with _first_calls_traced_quietly():
                    logs, samples = self._runs[train](tf.constant(self.points[idx]))
                logs, samples = {name: np.asarray(v) for name, v in logs.items()}, np.asarray(samples)
                for i in range(k):
                    self.history["step"].append(self.steps + i + 1)
                    for name, values in logs.items():
                        self.history[name].append(float(values[i]))
                    self.history["jsd"].append(self._jsd(samples[i]))
                    self.history["modes"].append(self._modes(samples[i]))
                self.steps += k
                left -= k
                self.samples = samples[-1]
                self._state = None
                if self.steps % every == 0:
                    self.snapshots.append(self.state)
                    if len(self.snapshots) > 200:  # keep an even spread: drop every other old state
                        self.snapshots = self.snapshots[::2] + ([self.snapshots[-1]] if len(self.snapshots) % 2 == 0 else [])

    @property
    def state(self) -> dict:
        """The current state: ``step``, ``samples``, ``push`` (the generator's push on each fake
        point: minus the gradient of its loss), ``heat`` (D on the heat-map grid: a probability
        for the cross-entropy losses, a raw score otherwise), ``lines`` (the latent grid under G),
        ``jsd`` and ``modes``."""
        with self._lock:
            if self._state is None:
                self._state = self._take_state()
            return self._state

    # ------------------------------------------------------------------ pictures
    def render(self, state: dict | None = None, size: int = 360, arrows: bool = True, latent_grid: bool = True,
               heat_map: bool = True) -> np.ndarray:
        """The game's picture as an RGB array ``(size, size, 3)``, fast enough to draw many times a
        second: heat map, latent grid, real points (green), fakes (purple) and their arrows."""
        state = self.state if state is None else state
        if self.dim == 1:
            return self._render_1d(state, size, arrows, latent_grid, heat_map)
        (x0, x1), (y0, y1) = self._box
        to_px = lambda p: np.stack([(p[..., 0] - x0) / (x1 - x0) * (size - 1), (y1 - p[..., 1]) / (y1 - y0) * (size - 1)], -1)  # noqa: E731
        if heat_map:
            colours = colormaps["PRGn"](self._heat_unit(state["heat"]).reshape(48, 48))[..., :3]
            colours = 0.45 * colours + 0.55  # pale, so the points stand out
            image = Image.fromarray((colours * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
        else:
            image = Image.new("RGB", (size, size), "white")
        draw = ImageDraw.Draw(image)
        if latent_grid:
            for line in to_px(state["lines"]):
                draw.line([tuple(p) for p in line], fill=(185, 185, 185), width=1)
        for x, y in to_px(self._shown_real):
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=_GREEN)
        fake = np.clip(to_px(state["samples"]), 0, size - 1)  # points outside the view sit on its border
        for x, y in fake:
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=_PURPLE)
        outside = self.outside(state)
        if outside:
            draw.text((4, size - 14), f"{outside} generated points outside the view (on its border)", fill=_PURPLE)
        if arrows:
            self._draw_arrows(draw, fake[::4], state["push"][::4] * np.array([1.0, -1.0]), size)
        return np.asarray(image)

    def _render_1d(self, state: dict, size: int, arrows: bool, latent_grid: bool, heat_map: bool) -> np.ndarray:
        (x0, x1), height = self._box[0], size * 2 // 3
        image = Image.new("RGB", (size, height), "white")
        draw = ImageDraw.Draw(image)
        px = lambda x: (np.asarray(x) - x0) / (x1 - x0) * (size - 1)  # noqa: E731
        base, top = height - 40, 10  # the x axis, and the top of the plot area
        if heat_map:  # D(x) as a coloured band under the axis, and as a curve over the densities
            unit = self._heat_unit(state["heat"])
            band = (colormaps["PRGn"](unit)[:, :3] * 0.45 + 0.55) * 255
            strip = Image.fromarray(np.repeat(band[None].astype(np.uint8), 12, axis=0)).resize((size, 12), Image.BILINEAR)
            image.paste(strip, (0, base + 2))
            xs = px(self._grid[:, 0])
            draw.line(list(zip(xs, base - unit * (base - top))), fill=(0, 0, 0), width=2)
        edges, p = self._bins[0], self._p_data
        q = np.histogram(state["samples"][:, 0], bins=edges)[0] / len(state["samples"])
        scale = (base - top) / max(p.max(), q.max(), 1e-9) * 0.9
        for lo, hi, pv in zip(px(edges[:-1]), px(edges[1:]), p):
            draw.rectangle((lo, base - pv * scale, hi, base), fill=(190, 225, 195))
        outline = [(float(x), float(base - qv * scale)) for lo, hi, qv in zip(px(edges[:-1]), px(edges[1:]), q) for x in (lo, hi)]
        draw.line([(outline[0][0], base)] + outline + [(outline[-1][0], base)], fill=_PURPLE, width=2)
        draw.line([(0, base), (size, base)], fill=(80, 80, 80))
        if latent_grid:  # where evenly spaced noise values land: lines from the noise axis to G(z)
            lines = state["lines"][0]
            zs = np.linspace(0, size - 1, len(lines))
            for zx, gx in zip(zs[::2], px(lines[::2, 0])):
                draw.line([(zx, height - 4), (gx, base + 14)], fill=(185, 185, 185))
        if arrows:
            fake = px(state["samples"][::8, 0])
            ys = base - 4 - (np.arange(len(fake)) % 12) * 2.0
            self._draw_arrows(draw, np.stack([fake, ys], 1), np.stack([state["push"][::8, 0], np.zeros(len(fake))], 1), size)
        return np.asarray(image)

    def outside(self, state: dict | None = None) -> int:
        """How many generated points lie outside the drawn box (they are drawn on its border)."""
        samples = (self.state if state is None else state)["samples"]
        return int(np.sum(np.any((samples < self._box[:, 0]) | (samples > self._box[:, 1]), axis=1)))

    def _heat_unit(self, heat: np.ndarray) -> np.ndarray:
        """D's output mapped to [0, 1] for colour: a probability as it is; a score centred on its
        median over the grid and scaled by its spread (its offset carries no meaning)."""
        if self.objective.outputs == "logits":
            return np.clip(heat, 0, 1)
        centred = heat - np.median(heat)
        return np.clip(0.5 + 0.5 * centred / max(np.abs(centred).max(), 1e-9), 0, 1)

    @staticmethod
    def _draw_arrows(draw: ImageDraw.ImageDraw, start: np.ndarray, vector: np.ndarray, size: int) -> None:
        """Arrows scaled together: the 90th-percentile length becomes 6 % of the picture."""
        length = np.linalg.norm(vector, axis=1)
        scale = 0.06 * size / max(float(np.percentile(length, 90)), 1e-12)
        for (x, y), (dx, dy) in zip(start, vector * scale):
            if dx * dx + dy * dy < 1:
                continue
            ex, ey = x + dx, y + dy
            draw.line([(x, y), (ex, ey)], fill=(40, 40, 40), width=1)
            angle = np.arctan2(dy, dx)
            for turn in (2.6, -2.6):
                draw.line([(ex, ey), (ex + 4 * np.cos(angle + turn), ey + 4 * np.sin(angle + turn))], fill=(40, 40, 40))

    def render_curves(self, width: int = 360, height: int = 150) -> np.ndarray:
        """Live curves as an RGB array: both losses (top) and the JSD with its floor (bottom).

        At most ``width`` steps, evenly spread over the history, are read and drawn (and set the
        scale), so a frame costs the same after 100,000 steps as after 100."""
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        h = self.history
        n = len(h["step"])
        keep = np.linspace(0, n - 1, min(n, width)).astype(int)
        panels = ((("d_loss", _PURPLE), ("g_loss", (230, 120, 20))), (("jsd", (30, 90, 200)),))
        half = height // 2
        for row, series in enumerate(panels):
            top, bottom = row * half + 14, (row + 1) * half - 4
            values = [np.array([h[name][i] for i in keep], dtype=np.float64) for name, _ in series]
            finite = np.concatenate([v[np.isfinite(v)] for v in values] + [np.array([0.0])])
            lo, hi = float(finite.min()), float(finite.max())
            if row == 1:
                lo, hi = 0.0, max(hi, np.log(2) * 0.5)
            hi = hi if hi > lo else lo + 1.0
            y = lambda v: bottom - (v - lo) / (hi - lo) * (bottom - top)  # noqa: E731
            if row == 1:
                draw.line([(0, y(self.jsd_floor)), (width, y(self.jsd_floor))], fill=(170, 170, 170))
            label = []
            for (name, colour), v in zip(series, values):
                if len(v) > 1:
                    draw.line(list(zip(np.linspace(0, width - 1, len(v)), y(v))), fill=colour, width=1)
                label.append(f"{name} {v[-1]:.3f}" if len(v) else name)
            draw.text((4, top - 13), "   ".join(label) + ("   (grey: data's own)" if row == 1 else ""), fill=(0, 0, 0))
        return np.asarray(image)

    def caption(self) -> str:
        """One line on the current state: step, what the discriminator says, JSD, modes."""
        h, s = self.history, self.state
        parts = [f"step {self.steps}", f"data {self.data_name}", f"{self.objective.name}"]
        for name in self._log_names:
            if h[name]:
                parts.append(f"{name} {h[name][-1]:.3f}")
        parts.append(f"JSD {s['jsd']:.3f} (data's own {self.jsd_floor:.3f})")
        if self.mixture is not None:
            parts.append(f"modes {int(s['modes'])} of {len(self.mixture.means)}")
        if self.outside(s):
            parts.append(f"{self.outside(s)} generated points outside the view")
        parts.append(f"mean push {np.linalg.norm(s['push'], axis=1).mean():.2g}")
        return " | ".join(parts)

    def figure(self, title: str | None = None) -> Figure:
        """A matplotlib figure of the current state (for export, and for pages without live widgets):
        left the game (heat map, points, arrows, latent grid), right the curves so far."""
        s = self.state
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        outer = fig.add_gridspec(2, 2, width_ratios=(1, 1.3))
        ax, top, bottom = fig.add_subplot(outer[:, 0]), fig.add_subplot(outer[0, 1]), fig.add_subplot(outer[1, 1])
        (x0, x1) = self._box[0]
        heat_label = "D(x)" if self.objective.outputs == "logits" else "critic score (centred)"
        if self.dim == 2:
            (y0, y1) = self._box[1]
            im = ax.imshow(self._heat_unit(s["heat"]).reshape(48, 48), extent=(x0, x1, y0, y1), cmap="PRGn", vmin=0, vmax=1, alpha=0.55)
            for line in s["lines"]:
                ax.plot(line[:, 0], line[:, 1], color="0.7", lw=0.6)
            ax.scatter(*self._shown_real.T, s=4, color=np.array(_GREEN) / 255, label="data")
            ax.scatter(*s["samples"].T, s=4, color=np.array(_PURPLE) / 255, label="generated")
            pts, push = s["samples"][::4], s["push"][::4]
            ax.quiver(pts[:, 0], pts[:, 1], push[:, 0], push[:, 1], angles="xy", color="0.15", width=0.003,
                      scale=np.percentile(np.linalg.norm(push, axis=1), 90) / (0.06 * (x1 - x0)) + 1e-12, scale_units="xy")
            ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[])
            fig.colorbar(im, ax=ax, shrink=0.7, label=heat_label)
        else:
            edges = self._bins[0]
            ax.stairs(self._p_data / np.diff(edges), edges, fill=True, color=np.array(_GREEN) / 255, alpha=0.3, label="data")
            ax.hist(s["samples"][:, 0], bins=edges, density=True, histtype="step", color=np.array(_PURPLE) / 255, lw=1.8, label="generated")
            ax.set(xlim=(x0, x1), xlabel="x", ylabel="density")
            ax2 = ax.twinx()
            ax2.plot(self._grid[:, 0], self._heat_unit(s["heat"]), color="black", lw=1.5, label=heat_label)
            ax2.set(ylim=(0, 1), ylabel=heat_label)
            pts, push = s["samples"][::8, 0], s["push"][::8, 0]
            ax2.quiver(pts, np.full(len(pts), 0.04), push, np.zeros(len(pts)), angles="xy", color="0.15", width=0.003,
                       scale=np.percentile(np.abs(push), 90) / (0.06 * (x1 - x0)) + 1e-12, scale_units="xy")
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title(f"step {self.steps}" + (f": {int(s['modes'])} of {len(self.mixture.means)} modes" if self.mixture is not None else "")
                     + (f", {self.outside(s)} points outside the view" if self.outside(s) else ""), fontsize=10)
        h = self.history
        steps = np.asarray(h["step"])
        for name in ("d_loss", "g_loss"):
            top.plot(steps, h[name], lw=1, label=name)
        top.set(ylabel="loss")
        top.legend(fontsize=8, loc="upper right")
        bottom.plot(steps, h["jsd"], lw=1, color="tab:blue", label="JSD (binned)")
        bottom.axhline(self.jsd_floor, color="0.6", ls=":", lw=1, label="data's own")
        bottom.set(xlabel="step", ylabel="JSD (nats)", ylim=(0, None))
        bottom.legend(fontsize=8, loc="upper left")
        if self.mixture is not None:
            modes = bottom.twinx()
            modes.plot(steps, h["modes"], lw=1, color="tab:red")
            modes.set(ylabel="modes covered", ylim=(0, len(self.mixture.means) + 0.5))
            modes.yaxis.label.set_color("tab:red")
        fig.suptitle(title or f"Playground: {self.data_name}, {self.objective.name} loss", fontsize=11)
        return fig

    def film_strip(self, frames: int = 6, size: int = 200) -> np.ndarray:
        """Up to ``frames`` recorded states, evenly spread from the first to the last, side by side
        with their step written above: an RGB array."""
        picks = np.unique(np.linspace(0, len(self.snapshots) - 1, min(frames, len(self.snapshots))).round().astype(int))
        tiles = []
        for i in picks:
            state = self.snapshots[i]
            tile = Image.fromarray(self.render(state, size=size))
            framed = Image.new("RGB", (tile.width + 6, tile.height + 18), "white")
            framed.paste(tile, (3, 16))
            label = f"step {state['step']}" + (f", {int(state['modes'])} modes" if self.mixture is not None else "")
            label += f", {self.outside(state)} outside" if self.outside(state) else ""
            ImageDraw.Draw(framed).text((4, 2), label, fill=(0, 0, 0))
            tiles.append(np.asarray(framed))
        return np.concatenate(tiles, axis=1)

    # ------------------------------------------------------------------ the widget
    @property
    def widget(self) -> W.Widget:
        """The live view and its controls (built once); display it as the last line of a cell."""
        if self._widget is None:
            self._widget = _build_widget(self)
        return self._widget

    def play(self, frame_steps: int = 10, fps: float = 20.0, on_frame=None) -> None:
        """Start playing in the background: ``frame_steps`` steps, then ``on_frame()`` (the widget
        redraws there), at most ``fps`` times a second, until :meth:`pause`."""
        with self._lock:
            if self._playing:
                return
            self._playing = True
            self._thread = threading.Thread(target=self._loop, args=(frame_steps, fps, on_frame), daemon=True)
            self._thread.start()

    def pause(self) -> None:
        """Stop playing; returns once the frame being drawn is finished."""
        self._playing = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self._thread = None

    @property
    def playing(self) -> bool:
        """True while :meth:`play` runs."""
        return self._playing

    def _loop(self, frame_steps, fps, on_frame) -> None:
        try:
            while self._playing:
                start = time.perf_counter()
                steps = frame_steps() if callable(frame_steps) else frame_steps
                self.step(steps)
                if on_frame is not None:
                    on_frame()
                self.frames_drawn += 1
                rate = fps() if callable(fps) else fps
                time.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - start)))
        except Exception as error:  # shown by the widget; the game keeps its last state
            self._playing = False
            self.last_error = error

    def __repr__(self) -> str:
        s = self.settings
        return (f"Playground(data={self.data_name!r}, objective={s['objective']!r}, step {self.steps}, "
                f"d_lr={s['d_lr']:g}, g_lr={s['g_lr']:g}, d_steps={s['d_steps']}, hidden={tuple(s['hidden'])})")


# -------------------------------------------------------------------------------- the widget
def _build_widget(play: Playground) -> ExplorerView:
    """The playground's controls and views, wired to ``play``; a static film strip where widgets cannot run."""
    own_points = None if isinstance(play.settings["data"], str) else play.settings["data"]
    # Both pictures keep their own size: a flex box would otherwise stretch the game to the height of
    # the controls beside it (the ring became an ellipse) and the curves to the column's width.
    view = W.Image(format="png", layout=W.Layout(flex="0 0 auto", align_self="flex-start"))
    view.add_class("gan-playground-view")
    curves = W.Image(format="png", layout=W.Layout(align_self="flex-start"))
    caption, status = W.HTML(), W.HTML()
    button = lambda text, icon, tip: W.Button(description=text, icon=icon, tooltip=tip, layout=W.Layout(width="auto"))  # noqa: E731
    play_button = W.ToggleButton(value=False, description="Play", icon="play", tooltip="play / pause", layout=W.Layout(width="auto"))
    step_d = button("Step D", "step-forward", "one discriminator update")
    step_g = button("Step G", "step-forward", "one generator update")
    step_both = button("Step both", "step-forward", "one step of the game (d_steps D updates, one G update)")
    reset = button("Reset", "refresh", "start again from the seed")
    slow = W.Checkbox(value=False, description="slow motion", indent=False)
    frame_steps = W.IntSlider(value=10, min=1, max=50, description="steps/frame", continuous_update=False)
    s = play.settings
    data = W.Dropdown(options=list(DATASETS) + (["your points"] if own_points is not None else []),
                      value=s["data"] if own_points is None else "your points", description="data")
    objective = W.Dropdown(options=list(losses.OBJECTIVES), value=s["objective"], description="loss")
    d_opt = W.Dropdown(options=list(toy.TOY_OPTIMIZERS), value=s["d_optimizer"], description="D optimizer")
    g_opt = W.Dropdown(options=list(toy.TOY_OPTIMIZERS), value=s["g_optimizer"], description="G optimizer")
    lr = lambda value, text: W.FloatLogSlider(value=value, base=10, min=-5, max=0, step=0.25, description=text,  # noqa: E731
                                              readout_format=".0e", continuous_update=False)
    d_lr, g_lr = lr(s["d_lr"], "D learning rate"), lr(s["g_lr"], "G learning rate")
    d_steps = W.IntSlider(value=s["d_steps"], min=1, max=10, description="D steps", continuous_update=False)
    sizes = list(NETWORK_SIZES) + ([tuple(s["hidden"])] if tuple(s["hidden"]) not in NETWORK_SIZES else [])
    size = W.Dropdown(options=[(" x ".join(map(str, h)), h) for h in sizes], value=tuple(s["hidden"]), description="hidden")
    show_heat = W.Checkbox(value=True, description="heat map", indent=False)
    show_arrows = W.Checkbox(value=True, description="arrows", indent=False)
    show_grid = W.Checkbox(value=True, description="latent grid", indent=False)

    def draw() -> None:
        view.value = _png(play.render(arrows=show_arrows.value, latent_grid=show_grid.value, heat_map=show_heat.value))
        curves.value = _png(play.render_curves())
        caption.value = f"<code>{play.caption()}</code>"

    def say(text: str) -> None:
        status.value = f"<i>{text}</i>"

    def frame() -> None:  # called by the playing thread after each frame
        draw()
        if getattr(play, "last_error", None) is not None:
            say(f"Stopped: {play.last_error}")

    def on_play(change) -> None:
        if change["new"]:
            play_button.description, play_button.icon = "Pause", "pause"
            play.last_error = None
            play.play(frame_steps=lambda: 1 if slow.value else frame_steps.value, fps=lambda: 4.0 if slow.value else 20.0,
                      on_frame=frame)
            say("Playing.")
        else:
            play.pause()
            play_button.description, play_button.icon = "Play", "play"
            say(f"Paused at step {play.steps}.")

    def stop() -> None:
        if play_button.value:
            play_button.value = False  # on_play pauses

    def stepper(train: str, text: str):
        def on_click(_) -> None:
            stop()
            play.step(1, train=train)
            draw()
            say(f"{text} (step {play.steps}).")
        return on_click

    def restart(**setting) -> None:
        stop()
        try:
            message = play.configure(**setting)
        except ValueError as error:
            say(f"Not changed: {error}")
            return
        draw()
        say(f"The game {message}.")

    def on_reset(_) -> None:
        stop()
        play.reset()
        draw()
        say("The game restarted from its seed.")

    def on_lr(name: str):
        def handler(change) -> None:
            setattr(play, name, float(change["new"]))
            say(f"{'D' if name == 'd_lr' else 'G'} learning rate now {change['new']:.0e}; the game goes on.")
        return handler

    play_button.observe(on_play, names="value")
    step_d.on_click(stepper("discriminator", "One discriminator update"))
    step_g.on_click(stepper("generator", "One generator update"))
    step_both.on_click(stepper("both", "One step of both players"))
    reset.on_click(on_reset)
    data.observe(lambda c: restart(data=own_points if c["new"] == "your points" else c["new"]), names="value")
    objective.observe(lambda c: restart(objective=c["new"]), names="value")
    d_opt.observe(lambda c: restart(d_optimizer=c["new"]), names="value")
    g_opt.observe(lambda c: restart(g_optimizer=c["new"]), names="value")
    d_steps.observe(lambda c: restart(d_steps=c["new"]), names="value")
    size.observe(lambda c: restart(hidden=c["new"]), names="value")
    d_lr.observe(on_lr("d_lr"), names="value")
    g_lr.observe(on_lr("g_lr"), names="value")
    for box in (show_heat, show_arrows, show_grid):
        box.observe(lambda _: draw(), names="value")

    buttons = W.HBox([play_button, step_d, step_g, step_both, reset, slow])
    for labelled in (frame_steps, data, objective, d_opt, d_lr, g_opt, g_lr, d_steps, size):
        labelled.style.description_width = "8.5em"  # "D learning rate" in full
    controls = W.VBox([frame_steps, data, objective, d_opt, d_lr, g_opt, g_lr, d_steps, size,
                       W.HBox([show_heat, show_arrows, show_grid])])
    root = ExplorerView([buttons, W.HBox([view, W.VBox([curves, controls])]), caption, status])
    root.add_class("gan-playground")
    root._static_png = lambda: _png(play.film_strip())
    root._static_text = ("Playground: an interactive widget. Run the notebook in Jupyter or Colab to play it; "
                         "this page shows a film strip of the game's states instead.")
    draw()
    say("Press Play, or step one player at a time.")
    return root


# ---------------------------------------------------------------------- checking the settings
_DEFAULTS = dict(data="ring", objective="non-saturating", d_optimizer="adam", g_optimizer="adam", d_lr=1e-3, g_lr=1e-3,
                 d_steps=1, hidden=(64, 64), latent_dim=2, batch_size=128, samples=512, seed=0, record_every=50,
                 generator_batch_norm=False)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.all(a == b))
    return a == b


def _check_int(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}.")


def _check_lr(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"{name} must be a learning rate in (0, 1], e.g. 1e-3; got {value!r}.")


def _check_settings(s: dict) -> None:
    data = s["data"]
    if isinstance(data, str):
        if data not in DATASETS:
            raise ValueError(f"data must be one of {', '.join(map(repr, DATASETS))} or an array of points (n, 1) or (n, 2); got {data!r}.")
    else:
        points = np.asarray(data)
        if points.ndim != 2 or points.shape[1] not in (1, 2) or len(points) < 2 or not np.issubdtype(points.dtype, np.number):
            raise ValueError(f"your own data must be an array of at least 2 points of shape (n, 1) or (n, 2), got shape {points.shape}.")
        if not np.all(np.isfinite(points)):
            raise ValueError("your own data contain NaN or infinite values: remove them first.")
    if s["objective"] not in losses.OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(map(repr, losses.OBJECTIVES))}, got {s['objective']!r}.")
    for name in ("d_optimizer", "g_optimizer"):
        if s[name] not in toy.TOY_OPTIMIZERS:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, toy.TOY_OPTIMIZERS))}, got {s[name]!r}.")
    _check_lr("d_lr", s["d_lr"])
    _check_lr("g_lr", s["g_lr"])
    _check_int("d_steps", s["d_steps"], 1, 20)
    hidden = s["hidden"]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence) or not hidden or any(
        isinstance(u, bool) or not isinstance(u, (int, np.integer)) or not 1 <= u <= 1024 for u in hidden
    ):
        raise ValueError(f"hidden must list hidden layer widths from 1 to 1024, e.g. (64, 64); got {hidden!r}.")
    _check_int("latent_dim", s["latent_dim"], 1, 64)
    _check_int("batch_size", s["batch_size"], 2, 4096)
    _check_int("samples", s["samples"], 16, 20_000)
    _check_int("seed", s["seed"], 0, 2**31 - 1)
    _check_int("record_every", s["record_every"], 1, 100_000)
    if not isinstance(s["generator_batch_norm"], bool):
        raise ValueError(f"generator_batch_norm must be True or False, got {s['generator_batch_norm']!r}.")
