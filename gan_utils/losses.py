"""Loss families as objectives: what the discriminator minimises, what the generator minimises, an
optional penalty on the discriminator's gradient, and what is worth logging.

Every family works on the discriminator's raw outputs (*logits* for the cross-entropy families,
unbounded *scores* for a Wasserstein critic or a hinge discriminator). Following TF-GAN's
convention, each family is one generator loss and one discriminator loss:

=================  ====================================================  ======================================
family             discriminator (critic) minimises                      generator minimises
=================  ====================================================  ======================================
``non-saturating`` ``softplus(-D(x)) + softplus(D(G(z)))`` (cross-entropy)  ``softplus(-D(G(z)))`` = ``-log D(G(z))``
``minimax``        the same                                              ``-softplus(D(G(z)))`` = ``log(1 - D(G(z)))``
``wasserstein``    ``D(G(z)) - D(x)`` (the critic kept Lipschitz otherwise)  ``-D(G(z))``
``wasserstein-gp`` ``D(G(z)) - D(x)`` + 10 x gradient penalty           ``-D(G(z))``
``hinge``          ``relu(1 - D(x)) + relu(1 + D(G(z)))``                ``-D(G(z))``
``relativistic``   ``softplus(-(D(x) - D(G(z))))`` + R1 + R2               ``softplus(-(D(G(z)) - D(x)))``
=================  ====================================================  ======================================

(each a mean over the batch). The plain ``wasserstein`` family has no penalty: its critic must be
kept Lipschitz by its architecture, by weight clipping (Arjovsky et al. 2017;
``build_mlp_discriminator(weight_clip=0.01)``) or spectral normalization. The gradient penalty (Gulrajani et al. 2017) is
``E[(||grad D(x_hat)|| - 1)^2]`` at ``x_hat = a x + (1 - a) G(z)`` with ``a ~ U[0, 1]`` drawn per
sample, the norm taken per sample over all non-batch axes, with a small epsilon inside the square
root so that its gradient is finite where the norm is 0. The R1 penalty (Mescheder et al. 2018),
``gamma / 2 E[||grad D(x)||^2]`` on real images, and R2, the same on generated images, can be added
to any family (``get_objective(name, penalty="r1", gamma=...)``; ``"r2"``, ``"r1+r2"``). Both are
zero-centred: they pull the discriminator flat where the data (R1) or the generator's samples (R2)
lie, which makes training converge locally where the unregularised game circles.

The ``relativistic`` family (the pairing loss of Huang et al. 2024, "The GAN is dead; long live the
GAN!", R3GAN; Jolicoeur-Martineau 2018) scores each real image *against* a generated one: with
``d = D(x) - D(G(z))`` paired sample by sample, the discriminator minimises ``softplus(-d)`` and the
generator ``softplus(d)``, so the generator's loss needs D(x) too. It trains with R1 and R2.

Example:
    >>> objective = get_objective("hinge")
    >>> float(objective.discriminator_loss(ops.ones(4), -ops.ones(4)))  # both margins met
    0.0
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf
from keras import ops

#: Anything keras.ops accepts: a NumPy array, a tf.Tensor, a keras tensor.
TensorLike = typing.Any
#: The epsilon inside the square root of the gradient penalty's norm.
NORM_EPSILON = 1e-12
PENALTIES = (None, "gradient-penalty", "r1", "r2", "r1+r2")
#: The zero-centred penalties: weighted ``gamma / 2`` (``get_objective(..., gamma=...)``).
ZERO_CENTRED = ("r1", "r2", "r1+r2")


def bce_discriminator_loss(real_logits: TensorLike, fake_logits: TensorLike, label_smoothing: float = 0.0) -> TensorLike:
    """Binary cross-entropy of the discriminator: real images are labelled 1, generated ones 0.

    With logits ``l``, ``-log sigmoid(l) = softplus(-l)`` and ``-log(1 - sigmoid(l)) = softplus(l)``,
    so the loss is ``mean(softplus(-real)) + mean(softplus(fake))``: the negative of the value
    function ``V(D, G)`` that the discriminator maximises. ``label_smoothing`` s trains on real
    targets ``1 - s`` (one-sided label smoothing, Salimans et al. 2016).

    Example:
        >>> round(float(bce_discriminator_loss(ops.zeros(4), ops.zeros(4))), 4)  # D undecided: 2 log 2
        1.3863
    """
    if isinstance(label_smoothing, (int, float)) and not 0.0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing must be in [0, 0.5), e.g. 0.1; got {label_smoothing!r}.")
    target = 1.0 - label_smoothing
    real = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(real_logits)
    return ops.mean(real) + ops.mean(ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits: TensorLike) -> TensorLike:
    """``-E[log D(G(z))]``: strong gradients exactly when the discriminator rejects the fakes.

    Example:
        >>> round(float(non_saturating_generator_loss(ops.zeros(4))), 4)  # -log(1/2)
        0.6931
    """
    return ops.mean(ops.softplus(-fake_logits))


def minimax_generator_loss(fake_logits: TensorLike) -> TensorLike:
    """``E[log(1 - D(G(z)))]``, the minimax objective as written: its gradient vanishes when D is sure.

    Example:
        >>> round(float(minimax_generator_loss(ops.zeros(4))), 4)  # log(1/2)
        -0.6931
    """
    return -ops.mean(ops.softplus(fake_logits))


def wasserstein_critic_loss(real_scores: TensorLike, fake_scores: TensorLike) -> TensorLike:
    """``E[D(G(z))] - E[D(x)]``: minus the critic's estimate of the Wasserstein-1 distance.

    A 1-Lipschitz critic that maximises ``E[D(x)] - E[D(G(z))]`` measures W1 (the
    Kantorovich-Rubinstein duality); the loss is that estimate negated, so it is negative whenever
    the critic tells real from fake, and that is fine.

    Example:
        >>> float(wasserstein_critic_loss(ops.ones(4) * 3, ops.ones(4)))
        -2.0
    """
    return ops.mean(fake_scores) - ops.mean(real_scores)


def critic_generator_loss(fake_scores: TensorLike) -> TensorLike:
    """``-E[D(G(z))]``: the generator raises the critic's (or hinge discriminator's) score of its samples.

    Example:
        >>> float(critic_generator_loss(ops.ones(4) * 2))
        -2.0
    """
    return -ops.mean(fake_scores)


def hinge_discriminator_loss(real_scores: TensorLike, fake_scores: TensorLike) -> TensorLike:
    """``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`` (Miyato et al. 2018): no reward past a margin of 1.

    Example:
        >>> float(hinge_discriminator_loss(ops.zeros(4), ops.zeros(4)))  # undecided: 1 + 1
        2.0
    """
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def relativistic_discriminator_loss(real_scores: TensorLike, fake_scores: TensorLike) -> TensorLike:
    """``E[softplus(-(D(x) - D(G(z))))]``, each real score paired with a generated one (R3GAN).

    The discriminator is rewarded for scoring each real image above its generated partner, not
    for any absolute score: ``-log sigmoid(D(x) - D(G(z)))``, the cross-entropy of "x is the more
    real of the two".

    Example:
        >>> round(float(relativistic_discriminator_loss(ops.zeros(4), ops.zeros(4))), 4)  # a tie: log 2
        0.6931
    """
    return ops.mean(ops.softplus(-(real_scores - fake_scores)))


def relativistic_generator_loss(fake_scores: TensorLike, real_scores: TensorLike) -> TensorLike:
    """``E[softplus(-(D(G(z)) - D(x)))]``: the generator wants each sample scored above a real image.

    The mirror of :func:`relativistic_discriminator_loss`; it needs the real scores too (the
    training step passes a real batch to the generator's update for this family).

    Example:
        >>> round(float(relativistic_generator_loss(ops.zeros(4), ops.ones(4))), 4)  # softplus(1)
        1.3133
    """
    return ops.mean(ops.softplus(-(fake_scores - real_scores)))


def _inputs(x, labels):
    return x if labels is None else [x, labels]


def _per_sample_norm(grads) -> TensorLike:
    axes = list(range(1, len(grads.shape)))
    return ops.sqrt(ops.sum(ops.square(grads), axis=axes) + NORM_EPSILON)


def input_gradient_norms(critic: Callable, x: TensorLike, labels: TensorLike | None = None) -> TensorLike:
    """``||grad_x D(x)||_2`` per sample: how steep the critic is at each point (1 for a tight
    1-Lipschitz critic along the paths that matter; what the gradient penalty pushes towards 1).

    Example:
        >>> critic = lambda x: 3.0 * ops.sum(x, axis=1)  # gradient (3, 3, 3, 3): norm 6
        >>> [round(float(n), 4) for n in input_gradient_norms(critic, ops.zeros((2, 4)))]
        [6.0, 6.0]
    """
    return _per_sample_norm(_input_gradients(critic, ops.convert_to_tensor(x), labels))


def gradient_penalty(
    critic: Callable, real: TensorLike, fake: TensorLike, labels: TensorLike | None = None, seed: object = None
) -> TensorLike:
    """The WGAN-GP penalty ``E[(||grad D(x_hat)||_2 - 1)^2]`` on random interpolates of real and fake.

    ``alpha ~ U[0, 1]`` is drawn once per sample (not per pixel, not from a normal); the norm is taken
    per sample over all non-batch axes, with :data:`NORM_EPSILON` inside the square root (the norm of
    a zero gradient would otherwise give NaN gradients). ``seed`` is a ``keras.random.SeedGenerator``
    or an integer. For a linear critic ``D(x) = <w, x>`` the gradient is ``w`` everywhere, so the
    penalty is ``(||w|| - 1)^2``.

    Example:
        >>> import keras
        >>> critic = lambda x: 3.0 * ops.sum(x, axis=(1, 2, 3))  # gradient 3 per pixel
        >>> round(float(gradient_penalty(critic, ops.zeros((2, 2, 2, 1)), ops.ones((2, 2, 2, 1)), seed=0)), 4)
        25.0
    """
    import keras

    real = ops.convert_to_tensor(real)
    fake = ops.cast(ops.convert_to_tensor(fake), real.dtype)
    shape = [ops.shape(real)[0]] + [1] * (len(real.shape) - 1)
    alpha = keras.random.uniform(shape, 0.0, 1.0, dtype=real.dtype, seed=seed)
    between = alpha * real + (1.0 - alpha) * fake
    return ops.mean(ops.square(input_gradient_norms(critic, between, labels) - 1.0))


def r1_penalty(critic: Callable, real: TensorLike, labels: TensorLike | None = None) -> TensorLike:
    """The R1 penalty's expectation ``E[||grad D(x)||^2]`` on real images (multiply by gamma / 2).

    Example:
        >>> critic = lambda x: 2.0 * ops.sum(x, axis=(1, 2, 3))  # gradient 2 per pixel, 4 pixels
        >>> float(r1_penalty(critic, ops.zeros((3, 2, 2, 1))))
        16.0
    """
    grads = _input_gradients(critic, ops.convert_to_tensor(real), labels)
    return ops.mean(ops.sum(ops.square(grads), axis=list(range(1, len(grads.shape)))))


def r2_penalty(critic: Callable, fake: TensorLike, labels: TensorLike | None = None) -> TensorLike:
    """The R2 penalty's expectation ``E[||grad D(G(z))||^2]`` on generated images (multiply by gamma / 2).

    R1's twin (Huang et al. 2024 train with both): it flattens the discriminator where the
    generator's samples lie, so the generator is not pushed on by a steep slope it created.

    Example:
        >>> critic = lambda x: 3.0 * ops.sum(x, axis=1)  # gradient 3 per coordinate, 2 coordinates
        >>> float(r2_penalty(critic, ops.ones((5, 2))))
        18.0
    """
    return r1_penalty(critic, fake, labels)


def _input_gradients(critic: Callable, x: TensorLike, labels: TensorLike | None) -> TensorLike:
    """The gradient of the critic's summed scores with respect to its input images ``x``: per
    sample, the gradient of that sample's own score (the samples are independent)."""
    import keras

    with tf.GradientTape() as tape:
        tape.watch(x)
        inputs = _inputs(x, labels)
        scores = critic(inputs, training=True) if isinstance(critic, keras.layers.Layer) else critic(inputs)
    return tape.gradient(scores, x)


@dataclass(frozen=True)
class Objective:
    """A loss family: the discriminator's and the generator's losses, a penalty, and its logs.

    Attributes:
        name: the family's name, as :func:`get_objective` knows it.
        d_loss: ``(real_outputs, fake_outputs) -> scalar`` the discriminator minimises.
        g_loss: ``fake_outputs -> scalar`` the generator minimises.
        outputs: ``"logits"`` (the discriminator's output is a probability's logit) or ``"scores"``
            (an unbounded critic or hinge score).
        penalty: None, ``"gradient-penalty"`` (WGAN-GP, on interpolates), ``"r1"`` (on real
            images), ``"r2"`` (on generated images) or ``"r1+r2"`` (both, summed).
        penalty_weight: the penalty's weight (lambda = 10 for WGAN-GP; gamma / 2 for R1 and R2,
            which ``get_objective(..., gamma=...)`` sets).
        relativistic: True when both losses pair real and generated scores, so that
            ``g_loss`` is ``(fake_outputs, real_outputs) -> scalar``.
        label_smoothing: one-sided label smoothing (cross-entropy families only).
        batch_norm_allowed: False for a critic whose penalty is per sample (WGAN-GP, R1): batch norm
            couples the samples of a batch, so the gradient of one output with respect to one input
            is no longer that sample's own (Gulrajani et al. 2017, section 4).
        needs_constrained_weights: True for a critic loss without a penalty (plain ``wasserstein``):
            nothing else bounds the critic, so every weight layer must be clipped or spectrally
            normalized.
    """

    name: str
    d_loss: Callable[[TensorLike, TensorLike], TensorLike]
    g_loss: Callable[[TensorLike], TensorLike]
    outputs: str = "logits"
    penalty: str | None = None
    penalty_weight: float = 0.0
    label_smoothing: float = 0.0
    batch_norm_allowed: bool = True
    needs_constrained_weights: bool = False
    relativistic: bool = False

    def __post_init__(self) -> None:
        if self.outputs not in ("logits", "scores"):
            raise ValueError(f"Objective.outputs must be 'logits' or 'scores', got {self.outputs!r}.")
        if self.penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {', '.join(map(repr, PENALTIES))}, got {self.penalty!r}.")
        if isinstance(self.penalty_weight, bool) or not isinstance(self.penalty_weight, (int, float)) or self.penalty_weight < 0:
            raise ValueError(f"penalty_weight must be a number >= 0, got {self.penalty_weight!r}.")
        if self.penalty is not None and self.penalty_weight == 0:
            raise ValueError(f"penalty {self.penalty!r} needs a positive penalty_weight (e.g. 10).")
        if not 0.0 <= self.label_smoothing < 0.5:
            raise ValueError(f"label_smoothing must be in [0, 0.5), e.g. 0.1; got {self.label_smoothing!r}.")
        if self.label_smoothing and self.outputs != "logits":
            raise ValueError(f"label smoothing applies to the cross-entropy families, not to {self.name!r}.")

    def discriminator_loss(self, real_outputs: TensorLike, fake_outputs: TensorLike) -> TensorLike:
        """The loss the discriminator (critic) minimises, without the penalty."""
        if self.label_smoothing:
            return self.d_loss(real_outputs, fake_outputs, self.label_smoothing)
        return self.d_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs: TensorLike, real_outputs: TensorLike | None = None) -> TensorLike:
        """The loss the generator minimises (a relativistic family also needs ``real_outputs``)."""
        if self.relativistic:
            if real_outputs is None:
                raise ValueError(f"objective {self.name!r} pairs D(fake) with D(real): pass real_outputs too.")
            return self.g_loss(fake_outputs, real_outputs)
        return self.g_loss(fake_outputs)

    @property
    def gamma(self) -> float | None:
        """The R1 / R2 weight in the papers' form ``gamma / 2 E||grad||^2`` (None without those penalties)."""
        return 2.0 * self.penalty_weight if self.penalty in ZERO_CENTRED else None

    def penalty_value(
        self, discriminator: Callable, real: TensorLike, fake: TensorLike, labels: TensorLike | None = None, seed: object = None
    ) -> TensorLike:
        """The unweighted penalty (0 without one)."""
        if self.penalty == "gradient-penalty":
            return gradient_penalty(discriminator, real, fake, labels, seed)
        if self.penalty == "r1":
            return r1_penalty(discriminator, real, labels)
        if self.penalty == "r2":
            return r2_penalty(discriminator, fake, labels)
        if self.penalty == "r1+r2":
            return r1_penalty(discriminator, real, labels) + r2_penalty(discriminator, fake, labels)
        return ops.zeros(())

    def logs(self, real_outputs: TensorLike, fake_outputs: TensorLike) -> dict[str, TensorLike]:
        """What this family logs besides its losses.

        Cross-entropy families: ``d_real`` and ``d_fake``, the mean probabilities D(x) and D(G(z)).
        Score families: ``score_real`` and ``score_fake``, the mean raw outputs; the Wasserstein
        critic also logs ``w_estimate``, its estimate of the Wasserstein-1 distance
        ``E[D(x)] - E[D(G(z))]`` (no sigmoid: a critic's output is not a probability).
        """
        if self.outputs == "logits":
            return {"d_real": ops.mean(ops.sigmoid(real_outputs)), "d_fake": ops.mean(ops.sigmoid(fake_outputs))}
        logs = {"score_real": ops.mean(real_outputs), "score_fake": ops.mean(fake_outputs)}
        if self.d_loss is wasserstein_critic_loss:
            logs["w_estimate"] = ops.mean(real_outputs) - ops.mean(fake_outputs)
        return logs

    @property
    def log_names(self) -> tuple[str, ...]:
        """The names :meth:`logs` returns, plus ``penalty`` when the family has one."""
        return tuple(self.logs(ops.zeros(1), ops.zeros(1))) + (("penalty",) if self.penalty else ())


OBJECTIVES: dict[str, Objective] = {
    "non-saturating": Objective("non-saturating", bce_discriminator_loss, non_saturating_generator_loss),
    "minimax": Objective("minimax", bce_discriminator_loss, minimax_generator_loss),
    "wasserstein": Objective(
        "wasserstein", wasserstein_critic_loss, critic_generator_loss, outputs="scores", needs_constrained_weights=True,
    ),
    "wasserstein-gp": Objective(
        "wasserstein-gp", wasserstein_critic_loss, critic_generator_loss, outputs="scores",
        penalty="gradient-penalty", penalty_weight=10.0, batch_norm_allowed=False,
    ),
    "hinge": Objective("hinge", hinge_discriminator_loss, critic_generator_loss, outputs="scores"),
    # gamma = 1 (penalty_weight gamma / 2) by default; the relativistic recipe sets its own (recipes.py).
    "relativistic": Objective(
        "relativistic", relativistic_discriminator_loss, relativistic_generator_loss, outputs="scores",
        penalty="r1+r2", penalty_weight=0.5, batch_norm_allowed=False, relativistic=True,
    ),
}


def get_objective(name: str | Objective, *, gamma: float | None = None, **overrides) -> Objective:
    """Return the loss family ``name`` (one of :data:`OBJECTIVES`), with fields replaced by ``overrides``.

    ``gamma`` weighs a zero-centred penalty (R1, R2) in the papers' form ``gamma / 2 E||grad||^2``:
    it sets ``penalty_weight = gamma / 2``. A per-sample penalty (R1, R2, the gradient penalty)
    added to a family refuses batch norm in the discriminator.

    Example:
        >>> get_objective("wasserstein-gp").penalty_weight
        10.0
        >>> get_objective("non-saturating", penalty="r1", penalty_weight=5.0).penalty
        'r1'
        >>> get_objective("relativistic", gamma=10.0).penalty_weight
        5.0
    """
    if isinstance(name, Objective):
        objective = name
    elif name in OBJECTIVES:
        objective = OBJECTIVES[name]
    else:
        raise ValueError(f"unknown objective {name!r}: choose one of {', '.join(OBJECTIVES)}.")
    if overrides.get("penalty") is not None:
        overrides.setdefault("batch_norm_allowed", False)
    if gamma is not None:
        penalty = overrides.get("penalty", objective.penalty)
        if penalty not in ZERO_CENTRED:
            raise ValueError(
                f"gamma weighs the R1 / R2 penalties, but this objective's penalty is {penalty!r}: add "
                f"penalty='r1', 'r2' or 'r1+r2' (or set penalty_weight for the gradient penalty)."
            )
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or gamma <= 0:
            raise ValueError(f"gamma must be a positive number (e.g. 1.0), got {gamma!r}.")
        overrides["penalty_weight"] = gamma / 2.0
    try:
        return dataclasses.replace(objective, **overrides)
    except TypeError as err:
        raise ValueError(f"unknown Objective field in {sorted(overrides)}: {err}") from None


# The cross-entropy losses under the names notebook 01 teaches.
#: ``generator_loss``'s kinds (notebook 01's names) and the objectives they are.
GENERATOR_LOSS_KINDS = {"non_saturating": "non-saturating", "saturating": "minimax"}


def discriminator_loss(real_logits: TensorLike, fake_logits: TensorLike, label_smoothing: float = 0.0) -> TensorLike:
    """Binary cross-entropy of the discriminator: real images are labelled 1, generated ones 0.

    ``mean(softplus(-real)) + mean(softplus(fake))``, the negative of the value function ``V(D, G)``
    that the discriminator maximises (:func:`gan_utils.losses.bce_discriminator_loss`, the
    discriminator loss of the ``"non-saturating"`` and ``"minimax"`` objectives).

    Example:
        >>> round(float(discriminator_loss(ops.zeros(4), ops.zeros(4))), 4)  # D undecided: 2 log 2
        1.3863
    """
    return bce_discriminator_loss(real_logits, fake_logits, label_smoothing)


def generator_loss(fake_logits: TensorLike, kind: str = "non_saturating") -> TensorLike:
    """The generator's loss on the discriminator's logits for generated images.

    * ``"saturating"``: minimise ``E[log(1 - D(G(z)))]``, the minimax objective as written. When D
      confidently rejects fakes (early training) its gradient vanishes.
    * ``"non_saturating"``: minimise ``-E[log D(G(z))]``. Same fixed point, strong gradients exactly
      when the generator is bad. This is what everyone trains with.

    The objectives ``"non-saturating"`` and ``"minimax"`` of :mod:`gan_utils.losses` use these.

    Example:
        >>> round(float(generator_loss(ops.zeros(4))), 4)  # -log(1/2)
        0.6931
    """
    if kind not in GENERATOR_LOSS_KINDS:
        raise ValueError(f"kind must be 'non_saturating' or 'saturating', got {kind!r}.")
    return get_objective(GENERATOR_LOSS_KINDS[kind]).generator_loss(fake_logits)
