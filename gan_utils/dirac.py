"""The Dirac-GAN (Mescheder et al. 2018): the smallest GAN there is, to see which objectives converge.

The data is one point, at 0. The generator has one parameter and makes one point,
``G(z) = theta``; the discriminator has one parameter, ``D(x) = psi * x``. The game's equilibrium
is ``theta = 0`` (the generator on the data) with ``psi = 0`` (the discriminator can no longer tell).
Mescheder et al. showed that plain gradient descent on this game does not converge for the
unregularised losses (nor for WGAN-GP): the two parameters circle around the equilibrium or
spiral away, because each player's gradient is the other's position turned by 90 degrees. A
zero-centred penalty on the discriminator's gradient (R1 at the data, R2 at the samples) damps the
circling, and the path spirals in. :func:`dirac_path` plays the game with any objective of
:mod:`gan_utils.losses`, its losses and penalties computed by the same functions that train the
image GANs, with plain gradient steps taken in the order of :meth:`gan_utils.GAN.train_step`
(the discriminator first, then the generator).

Example:
    >>> path = dirac_path("non-saturating", steps=3)
    >>> path.shape
    (4, 2)
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from keras import ops

from gan_utils import losses


def dirac_path(
    objective: str | losses.Objective,
    *,
    theta: float = 1.0,
    psi: float = 1.0,
    learning_rate: float = 0.1,
    steps: int = 1000,
    d_steps: int = 1,
) -> np.ndarray:
    """The parameters ``(theta, psi)`` of a Dirac-GAN trained by gradient descent, after each step.

    Each step is ``d_steps`` gradient steps of the discriminator's loss (with its penalty, if the
    objective has one) in ``psi``, then one of the generator's loss in ``theta``, both with step
    size ``learning_rate``. The losses are the objective's own, on the scores ``D(0) = 0`` (the
    data) and ``D(theta) = psi * theta`` (the sample); a penalty is taken on the critic
    ``x -> psi * x``, whose gradient is ``psi`` everywhere, so R1 and R2 both add ``gamma / 2 *
    psi^2``, and the WGAN-GP penalty adds ``lambda * (|psi| - 1)^2``.

    Returns:
        an array of shape ``(steps + 1, 2)``: ``(theta, psi)`` before the first step, then after each.

    Example:
        >>> path = dirac_path("relativistic", steps=2000)  # R1 + R2: the path spirals in
        >>> bool(np.abs(path[-1]).max() < 0.05)
        True
    """
    objective = losses.get_objective(objective)
    for name, value in (("theta", theta), ("psi", psi), ("learning_rate", learning_rate)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, e.g. 0.1; got {learning_rate!r}.")
    for name, value in (("steps", steps), ("d_steps", d_steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    t = tf.Variable(float(theta), dtype=tf.float32)
    p = tf.Variable(float(psi), dtype=tf.float32)
    data = tf.zeros((1, 1))

    def critic(x):
        return p * x

    @tf.function
    def step():
        for _ in range(d_steps):
            with tf.GradientTape() as tape:
                fake = ops.reshape(t, (1, 1))
                real_out, fake_out = critic(data), critic(fake)
                loss = objective.discriminator_loss(real_out, fake_out)
                if objective.penalty:
                    loss += objective.penalty_weight * objective.penalty_value(critic, data, fake, None, 0)
            p.assign_sub(learning_rate * tape.gradient(loss, p))
        with tf.GradientTape() as tape:
            fake_out = critic(ops.reshape(t, (1, 1)))
            loss = objective.generator_loss(fake_out, critic(data)) if objective.relativistic else objective.generator_loss(fake_out)
        t.assign_sub(learning_rate * tape.gradient(loss, t))
        return tf.stack([t, p])

    path = [np.array([theta, psi], dtype=np.float32)]
    path += [step().numpy() for _ in range(steps)]
    return np.stack(path)


def final_radius(path: np.ndarray, share: float = 0.1) -> float:
    """How far the last ``share`` of a path stays from the equilibrium (0, 0): the largest distance there.

    Near 0 for a path that converged; about its circle's radius for one that circles; growing for
    one that spirals out.

    Example:
        >>> final_radius(np.array([[1.0, 0.0], [0.0, 0.5], [0.0, 0.1]]), share=0.3)  # the last row
        0.1
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) < 2:
        raise ValueError(f"path must be an array of (theta, psi) rows, as dirac_path returns; got shape {path.shape}.")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}.")
    tail = path[-max(1, int(round(share * len(path)))):]
    return float(np.sqrt((tail**2).sum(axis=1)).max())
