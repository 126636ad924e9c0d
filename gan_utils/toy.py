"""Toy data for GAN theory: Gaussian mixtures in 1-D and 2-D with exact densities, and their plots.

On a mixture of Gaussians we know the data density ``p_data`` exactly, so we can compare what a GAN
learns with what the theory predicts: the optimal discriminator ``p_data / (p_data + p_g)``, the
Jensen-Shannon divergence, how many modes a generator covers. Taught in
``notebooks/01_gan_theory.ipynb``.

Example:
    >>> ring = ring_2d(modes=8, radius=2.0, std=0.05)
    >>> x = ring.sample(1000, seed=0)
    >>> x.shape, ring.dim
    ((1000, 2), 2)
    >>> mode_coverage(x, ring).modes
    8
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from gan_utils import losses, models
from gan_utils.gan import GAN

__all__ = [
    "GaussianMixture",
    "mixture_1d",
    "ring_2d",
    "optimal_discriminator",
    "jensen_shannon",
    "discriminator_probability",
    "wasserstein_1d",
    "Coverage",
    "mode_coverage",
    "TOY_OPTIMIZERS",
    "build_toy_gan",
    "LIPSCHITZ_METHODS",
    "critic_estimate",
    "CriticFit",
    "fit_critic",
    "ToySnapshots",
    "plot_density_1d",
    "plot_samples_2d",
]


# ------------------------------------------------------------------------------------ the data
@dataclass(frozen=True)
class GaussianMixture:
    """A mixture of isotropic Gaussians: component ``k`` has mean ``means[k]``, standard deviation
    ``stds[k]`` (the same along every axis) and weight ``weights[k]``.

    Attributes:
        means: ``(k, d)`` component centres.
        stds: ``(k,)`` standard deviations.
        weights: ``(k,)`` mixing weights, summing to 1.

    Example:
        >>> m = GaussianMixture(np.array([[0.0]]), np.array([1.0]), np.array([1.0]))
        >>> round(float(m.pdf(np.zeros((1, 1)))[0]), 4)  # 1 / sqrt(2 pi)
        0.3989
    """

    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        means = np.atleast_2d(np.asarray(self.means, dtype=np.float64))
        k = len(means)
        stds = np.broadcast_to(np.asarray(self.stds, dtype=np.float64), (k,)).copy()
        weights = np.broadcast_to(np.asarray(self.weights, dtype=np.float64), (k,)).copy()
        if np.any(stds <= 0):
            raise ValueError(f"every standard deviation must be positive, got {stds.tolist()}.")
        if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
            raise ValueError(f"weights must be non-negative and sum to 1, got {weights.tolist()}.")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "stds", stds)
        object.__setattr__(self, "weights", weights)

    @property
    def dim(self) -> int:
        """Dimension of one sample (1 or 2 in the notebooks)."""
        return int(self.means.shape[1])

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """Draw ``n`` samples as a float32 array of shape ``(n, dim)``, reproducibly from ``seed``."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"n must be a positive number of samples, got {n!r}.")
        rng = np.random.default_rng(seed)
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        x = self.means[k] + self.stds[k, None] * rng.standard_normal((n, self.dim))
        return x.astype(np.float32)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """The exact density at the points ``x`` (shape ``(n, dim)``, or ``(n,)`` in 1-D)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1 and self.dim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {x.shape}.")
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)  # (n, k)
        norm = (2 * np.pi * self.stds**2) ** (-self.dim / 2)
        return (self.weights * norm * np.exp(-sq / (2 * self.stds**2))).sum(-1)


def mixture_1d(
    means: Sequence[float] = (-2.0, 1.5),
    stds: Sequence[float] | float = 0.5,
    weights: Sequence[float] | None = None,
) -> GaussianMixture:
    """A 1-D mixture of Gaussians (equal weights unless given).

    Example:
        >>> mixture_1d((-1.0, 1.0), 0.3).sample(4).shape
        (4, 1)
    """
    means = np.asarray(means, dtype=np.float64).reshape(-1, 1)
    weights = np.full(len(means), 1.0 / len(means)) if weights is None else weights
    return GaussianMixture(means, stds, weights)


def ring_2d(modes: int = 8, radius: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``modes`` equal Gaussians evenly spaced on a circle: the classic mode-collapse test.

    Example:
        >>> np.round(ring_2d(4, radius=1.0).means, 3).tolist()
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    if isinstance(modes, bool) or not isinstance(modes, int) or modes < 1:
        raise ValueError(f"modes must be a positive integer, got {modes!r}.")
    angles = 2 * np.pi * np.arange(modes) / modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(means, std, np.full(modes, 1.0 / modes))


# ---------------------------------------------------------------------------------- the theory
def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """``D*(x) = p_data(x) / (p_data(x) + p_g(x))``, the best discriminator against a fixed ``p_g``.

    Where both densities are 0 the value is undefined; we return 1/2 there.

    Example:
        >>> optimal_discriminator(np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 0.0])).tolist()
        [0.5, 0.0, 0.5]
    """
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def jensen_shannon(p: np.ndarray, q: np.ndarray, dx: float) -> float:
    """The Jensen-Shannon divergence (in nats, between 0 and log 2) of two densities on a grid.

    ``p`` and ``q`` are density values on an evenly spaced grid with spacing ``dx`` (the cell area
    in 2-D); the integrals are Riemann sums.

    Example:
        >>> x = np.linspace(-10, 10, 2001); dx = x[1] - x[0]
        >>> p = mixture_1d([0.0], 1.0).pdf(x)
        >>> round(jensen_shannon(p, p, dx), 6), round(jensen_shannon(p, mixture_1d([9.0], 0.1).pdf(x), dx), 4)
        (0.0, 0.6931)
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        keep = a > 0
        return float(np.sum(a[keep] * np.log(a[keep] / b[keep])) * dx)

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def discriminator_probability(discriminator: keras.Model, x: np.ndarray) -> np.ndarray:
    """``D(x)``: the discriminator's probability that each point is real (sigmoid of its logit).

    Example:
        >>> from gan_utils.models import build_mlp_discriminator
        >>> discriminator_probability(build_mlp_discriminator((1,), (8,)), np.zeros((3, 1))).shape
        (3,)
    """
    logits = discriminator(np.asarray(x, dtype=np.float32), training=False)
    return np.asarray(keras.ops.sigmoid(logits)).reshape(-1)


def wasserstein_1d(a: np.ndarray, b: np.ndarray, quantiles: int = 1000) -> float:
    """The Wasserstein-1 ("earth mover's") distance between two 1-D samples.

    In 1-D it is the mean gap between matching quantiles: how far, on average, each bit of mass of
    ``a`` must move to turn it into ``b``. Estimated from ``quantiles`` evenly spaced quantiles.

    Example:
        >>> x = mixture_1d([0.0], 1.0).sample(10_000, seed=0)
        >>> round(wasserstein_1d(x, x + 2.0), 3)  # shifting by 2 costs 2
        2.0
    """
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if a.size == 0 or b.size == 0:
        raise ValueError("wasserstein_1d needs two non-empty samples.")
    q = (np.arange(quantiles) + 0.5) / quantiles
    return float(np.mean(np.abs(np.quantile(a, q) - np.quantile(b, q))))


@dataclass(frozen=True)
class Coverage:
    """How well samples cover the modes of a mixture (the measure of Metz et al. 2017).

    Attributes:
        modes: modes that received at least ``min_share`` of the samples (within ``n_std`` stds).
        high_quality: share of samples within ``n_std`` stds of some mode's centre.
        counts: samples assigned to each mode (nearest centre, within ``n_std`` stds).
    """

    modes: int
    high_quality: float
    counts: np.ndarray


def mode_coverage(samples: np.ndarray, mixture: GaussianMixture, n_std: float = 3.0, min_share: float = 0.02) -> Coverage:
    """Count the modes of ``mixture`` that ``samples`` cover.

    A sample belongs to its nearest mode if it lies within ``n_std`` standard deviations of the
    mode's centre; a mode is covered if it holds at least ``min_share`` of all samples (a uniform
    cover of 8 modes gives each 1/8).

    Example:
        >>> ring = ring_2d(8)
        >>> mode_coverage(np.repeat(ring.means[:1], 100, axis=0), ring).modes  # all on one mode
        1
    """
    x = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    if x.shape[1] != mixture.dim:
        raise ValueError(f"samples must have shape (n, {mixture.dim}), got {np.shape(samples)}.")
    dist = np.sqrt(((x[:, None, :] - mixture.means[None]) ** 2).sum(-1))  # (n, k)
    nearest = dist.argmin(1)
    close = dist[np.arange(len(x)), nearest] <= n_std * mixture.stds[nearest]
    counts = np.bincount(nearest[close], minlength=len(mixture.means))
    return Coverage(int((counts >= min_share * len(x)).sum()), float(close.mean()), counts)


# ------------------------------------------------------------------------------ a toy GAN
#: The optimizers :func:`build_toy_gan` (and the playground) offer each network.
TOY_OPTIMIZERS = ("adam", "sgd")


def build_toy_gan(
    dim: int,
    objective: str = "non-saturating",
    hidden: Sequence[int] = (64, 64),
    latent_dim: int = 8,
    d_lr: float = 1e-3,
    g_lr: float = 1e-3,
    d_steps: int = 1,
    seed: int = 0,
    beta_1: float = 0.5,
    beta_2: float = 0.9,
    spectral_norm: bool = False,
    weight_clip: float | None = None,
    generator_batch_norm: bool = True,
    d_optimizer: str = "adam",
    g_optimizer: str = "adam",
) -> GAN:
    """A small MLP GAN for ``dim``-dimensional points, compiled with any of the library's objectives.

    Both networks are ``hidden`` fully connected layers (no dropout, a linear output for the
    generator). Each network's optimizer is ``"adam"`` (Adam with ``beta_1``, ``beta_2``) or
    ``"sgd"`` (plain gradient descent), at its own learning rate. The weights depend only on ``seed``.

    Example:
        >>> gan = build_toy_gan(2, "wasserstein-gp", hidden=(16,), seed=0)
        >>> gan.objective.name, gan.generator.output_shape
        ('wasserstein-gp', (None, 2))
    """
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim must be a positive integer (1 for points on a line, 2 for the plane), got {dim!r}.")
    for name, value in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
        if value not in TOY_OPTIMIZERS:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, TOY_OPTIMIZERS))}, got {value!r}.")
    for name, value in (("d_lr", d_lr), ("g_lr", g_lr)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 10:
            raise ValueError(f"{name} must be a learning rate between 0 and 10 (e.g. 1e-3), got {value!r}.")

    def optimizer(kind: str, learning_rate: float) -> keras.optimizers.Optimizer:
        if kind == "sgd":
            return keras.optimizers.SGD(learning_rate)
        return keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2)

    keras.utils.set_random_seed(int(seed))
    generator = models.build_mlp_generator(
        latent_dim, (dim,), hidden, output_activation=None, name="toy_generator", batch_norm=generator_batch_norm,
    )
    discriminator = models.build_mlp_discriminator(
        (dim,), hidden, dropout=0.0, name="toy_discriminator", spectral_norm=spectral_norm, weight_clip=weight_clip,
    )
    gan = GAN(generator, discriminator, seed=seed, name="toy_gan")
    gan.compile(
        d_optimizer=optimizer(d_optimizer, d_lr),
        g_optimizer=optimizer(g_optimizer, g_lr),
        objective=objective,
        d_steps=d_steps,
    )
    return gan


# ------------------------------------------------------------------------ a critic alone
def critic_estimate(critic: keras.Model, real: np.ndarray, fake: np.ndarray) -> float:
    """A critic's estimate of W1 between two samples: ``mean D(real) - mean D(fake)`` (raw scores).

    Example:
        >>> critic = lambda x, training=False: x[:, :1]  # D(x) = first coordinate
        >>> critic_estimate(critic, np.ones((4, 2)), np.zeros((4, 2)))
        1.0
    """
    return float(np.mean(critic(real, training=False)) - np.mean(critic(fake, training=False)))


#: How :func:`fit_critic` keeps its critic Lipschitz (None: it does not, and the estimate runs away).
LIPSCHITZ_METHODS = ("gradient-penalty", "weight-clipping", "spectral-norm", None)


@dataclass(frozen=True)
class CriticFit:
    """A Wasserstein critic trained between two fixed samples (:func:`fit_critic`).

    Attributes:
        critic: the trained critic, ``(n, dim) -> (n, 1)`` scores.
        steps: the training steps after which ``estimates`` were taken (0 = before training).
        estimates: the critic's estimate ``mean D(real) - mean D(fake)`` over all points, per entry of ``steps``.
        gradient_norms: ``||grad D||`` at ``len(real)`` random interpolates of real and fake points, after training.
        seconds_per_step: wall time of one training step (the first, traced, step excluded).
    """

    critic: keras.Model
    steps: np.ndarray
    estimates: np.ndarray
    gradient_norms: np.ndarray
    seconds_per_step: float


def fit_critic(
    real: np.ndarray,
    fake: np.ndarray,
    lipschitz: str | None = "gradient-penalty",
    hidden: Sequence[int] = (64, 64),
    steps: int = 1000,
    learning_rate: float = 1e-3,
    batch_size: int = 256,
    seed: int = 0,
    penalty_weight: float = 10.0,
    weight_clip: float = 0.01,
    record_every: int = 50,
) -> CriticFit:
    """Train a critic alone to estimate the Wasserstein-1 distance between two fixed samples.

    The critic maximises ``mean D(real) - mean D(fake)`` (it minimises the ``wasserstein`` loss of
    :mod:`gan_utils.losses`) with Adam(``learning_rate``, 0.5, 0.9), kept Lipschitz by
    ``lipschitz``: ``"gradient-penalty"`` (``penalty_weight`` x the WGAN-GP penalty),
    ``"weight-clipping"`` (every weight clipped to ``[-weight_clip, weight_clip]``),
    ``"spectral-norm"`` or None. By the Kantorovich-Rubinstein duality the estimate of a
    1-Lipschitz critic is at most W1; an unconstrained one can raise it without bound.

    Example:
        >>> x = mixture_1d([0.0], 0.5).sample(2000, seed=0)
        >>> fit = fit_critic(x, x + 2.0, steps=300, seed=0)
        >>> bool(1.5 < fit.estimates[-1] < 2.5)  # W1 of a shift by 2 is 2
        True
    """
    if lipschitz not in LIPSCHITZ_METHODS:
        raise ValueError(f"lipschitz must be one of {', '.join(map(repr, LIPSCHITZ_METHODS))}, got {lipschitz!r}.")
    real, fake = np.asarray(real, dtype=np.float32), np.asarray(fake, dtype=np.float32)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1] or not len(real) or not len(fake):
        raise ValueError(f"real and fake must be non-empty point sets of shape (n, dim), got {real.shape} and {fake.shape}.")
    for name, value in (("steps", steps), ("batch_size", batch_size), ("record_every", record_every)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    keras.utils.set_random_seed(int(seed))
    critic = models.build_mlp_discriminator(
        (real.shape[1],), hidden, dropout=0.0, name="critic", spectral_norm=lipschitz == "spectral-norm",
        weight_clip=weight_clip if lipschitz == "weight-clipping" else None,
    )
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.9)
    noise = keras.random.SeedGenerator(seed)
    penalty_weight = float(penalty_weight) if lipschitz == "gradient-penalty" else 0.0

    @tf.function
    def train_step(r, f):
        with tf.GradientTape() as tape:
            loss = losses.wasserstein_critic_loss(critic(r, training=True), critic(f, training=True))
            if penalty_weight:
                loss += penalty_weight * losses.gradient_penalty(critic, r, f, seed=noise)
        optimizer.apply(tape.gradient(loss, critic.trainable_weights), critic.trainable_weights)

    rng = np.random.default_rng(seed)
    recorded, estimates, seconds = [0], [critic_estimate(critic, real, fake)], 0.0
    for step in range(1, steps + 1):
        r, f = real[rng.integers(0, len(real), batch_size)], fake[rng.integers(0, len(fake), batch_size)]
        start = time.perf_counter()
        train_step(r, f)
        if step > 1:
            seconds += time.perf_counter() - start
        if step % record_every == 0 or step == steps:
            recorded.append(step)
            estimates.append(critic_estimate(critic, real, fake))
    n = min(len(real), len(fake))
    alpha = rng.uniform(size=(n, 1)).astype(np.float32)
    between = alpha * real[rng.permutation(len(real))[:n]] + (1 - alpha) * fake[rng.permutation(len(fake))[:n]]
    norms = np.asarray(losses.input_gradient_norms(critic, between))
    return CriticFit(critic, np.array(recorded), np.array(estimates), norms, seconds / max(steps - 1, 1))


# ----------------------------------------------------------------------------- watching a GAN
class ToySnapshots(keras.callbacks.Callback):
    """Record a toy GAN while it trains: generated samples and ``D(x)`` on a grid, every few epochs.

    A snapshot is taken before training starts and then every ``every`` epochs (or after the epochs
    listed in ``at``, counted from 1). Each is a dict with
    ``step`` (training steps done), ``samples`` (the generator's output on one fixed batch of
    noise, ``(n, dim)``) and, if ``grid`` is given, ``d`` (``D(x)`` at each grid point: the sigmoid
    of the output for the cross-entropy families, the raw score of a critic or hinge
    discriminator). With ``real`` points it also records ``w_estimate``, the critic's estimate
    ``mean D(real) - mean D(samples)`` of the Wasserstein-1 distance (raw outputs, no sigmoid).

    Args:
        z: the fixed latent batch, ``(n, latent_dim)``; the same noise in every snapshot.
        grid: points ``(m, dim)`` at which to evaluate the discriminator, or None.
        every: take a snapshot every this many epochs.
        at: take snapshots after exactly these epochs instead, e.g. ``(1, 3, 10, 30)``.
        real: data points at which the critic's estimate ``w_estimate`` is taken, or None.

    Example:
        >>> snaps = ToySnapshots(z, grid=xs[:, None], every=5)                      # doctest: +SKIP
        >>> gan.fit(ds, epochs=20, steps_per_epoch=100, callbacks=[snaps])          # doctest: +SKIP
        >>> [s["step"] for s in snaps.snapshots]                                    # doctest: +SKIP
        [0, 500, 1000, 1500, 2000]
    """

    def __init__(
        self, z: np.ndarray, grid: np.ndarray | None = None, every: int = 1, at: Sequence[int] | None = None,
        real: np.ndarray | None = None,
    ):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive number of epochs, got {every!r}.")
        if at is not None and any(isinstance(e, bool) or not isinstance(e, (int, np.integer)) or e < 1 for e in at):
            raise ValueError(f"at must list epoch numbers >= 1 (1 = after the first epoch), got {at!r}.")
        self.z = np.asarray(z, dtype=np.float32)
        self.grid = None if grid is None else np.asarray(grid, dtype=np.float32)
        self.real = None if real is None else np.asarray(real, dtype=np.float32)
        self.every = every
        self.at = None if at is None else {int(e) for e in at}
        self.step = 0
        self.snapshots: list[dict] = []

    def _take(self) -> None:
        snap = {"step": self.step, "samples": np.asarray(self.model.sampler(self.z, training=False))}
        scores = getattr(getattr(self.model, "objective", None), "outputs", "logits") == "scores"
        if self.grid is not None:
            if scores:
                snap["d"] = np.asarray(self.model.discriminator(self.grid, training=False)).reshape(-1)
            else:
                snap["d"] = discriminator_probability(self.model.discriminator, self.grid)
        if self.real is not None:
            snap["w_estimate"] = critic_estimate(self.model.discriminator, self.real, snap["samples"])
        self.snapshots.append(snap)

    def on_train_begin(self, logs: dict | None = None) -> None:
        if not self.snapshots:  # a second fit() continues the same record
            self._take()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.step += int(self.params.get("steps") or 0)
        due = (epoch + 1) in self.at if self.at is not None else (epoch + 1) % self.every == 0
        if due:
            self._take()


# ------------------------------------------------------------------------------------ plotting
def plot_density_1d(
    ax,
    mixture: GaussianMixture,
    samples: np.ndarray | None = None,
    grid: np.ndarray | None = None,
    d: np.ndarray | None = None,
    bins: int = 80,
    xlim: tuple[float, float] = (-4.5, 4.5),
    ymax: float | None = None,
) -> None:
    """Draw a 1-D picture of a GAN on ``ax``: the data density, a histogram of generated samples and
    (on a second y axis from 0 to 1) the discriminator's output ``D(x)`` with the line ``1/2``.
    ``ymax`` fixes the density axis, so that several panels share one scale.

    Example:
        >>> import matplotlib.pyplot as plt                                         # doctest: +SKIP
        >>> fig, ax = plt.subplots(); plot_density_1d(ax, mixture_1d(), samples=x)  # doctest: +SKIP
    """
    xs = np.linspace(*xlim, 400)
    ax.fill_between(xs, mixture.pdf(xs), color="tab:blue", alpha=0.25, label="$p_{data}$")
    if samples is not None:
        ax.hist(np.asarray(samples).reshape(-1), bins=bins, range=xlim, density=True, histtype="step",
                lw=1.8, color="tab:orange", label="$p_g$ (histogram)")
    ax.set(xlim=xlim, ylim=(0, ymax), xlabel="x", ylabel="density")
    if d is not None:
        ax2 = ax.twinx()
        ax2.plot(np.asarray(grid).reshape(-1), d, color="tab:green", lw=1.8, label="D(x)")
        ax2.axhline(0.5, color="gray", ls=":", lw=1)
        ax2.set(ylim=(0, 1), ylabel="D(x)")
        ax2.set_yticks([0, 0.5, 1])


def plot_samples_2d(ax, samples: np.ndarray, mixture: GaussianMixture | None = None, lim: float = 3.0) -> None:
    """Scatter 2-D samples on ``ax`` over the mixture's centres (black crosses), equal axes.

    Example:
        >>> fig, ax = plt.subplots(); plot_samples_2d(ax, x, ring_2d())  # doctest: +SKIP
    """
    x = np.asarray(samples)
    ax.scatter(x[:, 0], x[:, 1], s=3, alpha=0.35, color="tab:orange", rasterized=True)
    if mixture is not None:
        ax.scatter(mixture.means[:, 0], mixture.means[:, 1], marker="x", s=40, color="black", lw=1.5)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])


def __getattr__(name: str):
    # The playground lives in its own module (it needs ipywidgets and Pillow); reach it from here too.
    if name == "Playground":
        from gan_utils.playground import Playground

        return Playground
    raise AttributeError(f"module 'gan_utils.toy' has no attribute {name!r}")
