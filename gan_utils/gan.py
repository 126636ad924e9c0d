"""The GAN as a ``keras.Model``: a generator and a discriminator trained against each other by ``fit``.

One training loop serves every GAN in the series: the MLP GAN, the DCGAN and the conditional DCGAN
(a conditional generator is called as ``generator([z, labels])`` and its discriminator as
``discriminator([images, labels])``; the GAN notices this from the generator's inputs), with any
loss family of :mod:`gan_utils.losses`. Checkpoints are in :mod:`gan_utils.checkpoints`, callbacks
in :mod:`gan_utils.callbacks`, and :func:`gan_utils.fit_gan` (:mod:`gan_utils.fit`) drives it all.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_utils import losses, models
from gan_utils.models import num_classes


class GAN(keras.Model):
    """A generator and a discriminator trained against each other with ``fit``.

    Each ``train_step`` does ``d_steps`` discriminator steps on a real batch and equally large
    generated batches, then one generator step, with the losses of the objective chosen in
    :meth:`compile` (default: the non-saturating cross-entropy). Logged, averaged over the epoch:
    ``d_loss``, ``g_loss`` and what the objective defines (cross-entropy: ``d_real`` and ``d_fake``,
    the mean D(x) and D(G(z)); Wasserstein: ``w_estimate``, ``score_real``, ``score_fake`` and
    ``penalty``; see :meth:`gan_utils.losses.Objective.logs`). Each player's update is a method of
    its own, :meth:`discriminator_step` and :meth:`generator_step`, so one player can also be
    trained alone (the toy playground of notebook 01 does).

    Args:
        generator: maps ``z`` (or ``[z, labels]``) to samples.
        discriminator: maps samples (or ``[samples, labels]``) to one logit each.
        sample_count: size of the fixed latent batch used for progress grids (:meth:`sample`).
        ema_decay: if set (e.g. 0.999), keep an exponential moving average of the generator's
            weights in ``ema_generator`` and sample from it; it is smoother than the raw weights.
            The decay warms up from 0.1 (see :meth:`ema_decay_at`), so short runs benefit too.
        seed: seeds the noise drawn during training and the fixed latent batch.

    Example:
        >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
        >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)))
        >>> gan.compile()
        >>> gan.latent_dim, gan.conditional
        (8, False)
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        sample_count: int = 64,
        ema_decay: float | None = None,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError("GAN needs two keras.Model objects: GAN(generator, discriminator).")
        self.generator = generator
        self.discriminator = discriminator
        self.conditional = len(generator.inputs) == 2
        if self.conditional != (len(discriminator.inputs) == 2):
            raise ValueError(
                "generator and discriminator disagree: both must take labels (conditional GAN) or "
                "neither must."
            )
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.sample_shape = tuple(generator.outputs[0].shape[1:])
        d_shape = tuple(discriminator.inputs[0].shape[1:])
        if d_shape != self.sample_shape:
            raise ValueError(
                f"the generator makes samples of shape {self.sample_shape} but the discriminator "
                f"expects {d_shape}: build both for the same image shape."
            )
        self.num_classes = num_classes(generator) if self.conditional else None
        if isinstance(sample_count, bool) or not isinstance(sample_count, int) or sample_count < 1:
            raise ValueError(f"sample_count (the fixed latent batch) must be a positive integer, e.g. 64; got {sample_count!r}.")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer from 0 to 2**32 - 1, got {seed!r}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999, or None; got {ema_decay!r}.")
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            models.copy_architecture(generator, self.ema_generator)  # it saves like the generator it follows
            self.ema_generator.trainable = False
        rng = np.random.default_rng(seed)
        self.fixed_z = keras.Variable(
            rng.standard_normal((sample_count, self.latent_dim)).astype("float32"),
            trainable=False,
            name="fixed_z",
        )
        self.fixed_labels = np.arange(sample_count) % (self.num_classes or 1)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.objective = losses.get_objective("non-saturating")
        self.d_steps = 1
        self.trackers = self._trackers(self.objective)
        # Every variable exists now (both networks are built functional models). Saying so stops
        # fit() under a tf.distribute strategy from trying to build the GAN by calling it, which
        # fails: a GAN has a train_step but no call().
        self.built = True

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        *,
        objective: str | losses.Objective = "non-saturating",
        d_steps: int = 1,
        label_smoothing: float = 0.0,
        generator_loss: str | None = None,
        jit_compile: bool | str = "auto",
        **kwargs,
    ) -> None:
        """Set one optimizer per network (default Adam(2e-4, beta_1=0.5), as in the DCGAN paper) and the objective.

        ``objective`` is a loss family of :mod:`gan_utils.losses` by name (``"non-saturating"``,
        ``"minimax"``, ``"wasserstein-gp"``, ``"hinge"``) or an :class:`~gan_utils.losses.Objective`.
        ``d_steps`` discriminator (critic) updates precede each generator update, each on the same
        real batch against freshly generated fakes (WGAN-GP trains with 5). ``label_smoothing``
        applies to the cross-entropy families. ``generator_loss="saturating"`` is the older name of
        ``objective="minimax"``. ``jit_compile=True`` compiles each step with XLA; ``"auto"`` lets
        Keras choose (it picks XLA on GPUs and TPUs, not on CPUs).
        """
        for name, opt in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if opt is not None and not isinstance(opt, keras.optimizers.Optimizer):
                raise TypeError(
                    f"{name} must be a keras.optimizers.Optimizer, e.g. keras.optimizers.Adam(2e-4, "
                    f"beta_1=0.5); got {type(opt).__name__} {opt!r}."
                )
        if d_optimizer is not None and d_optimizer is g_optimizer:
            raise ValueError(
                "d_optimizer and g_optimizer are the same object: give each network its own "
                "optimizer (each keeps state for its own weights)."
            )
        if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 0.5:
            raise ValueError(f"label_smoothing must be a number in [0, 0.5), got {label_smoothing!r}.")
        if generator_loss is not None:
            if generator_loss not in losses.GENERATOR_LOSS_KINDS:
                raise ValueError(f"generator_loss must be 'non_saturating' or 'saturating', got {generator_loss!r}.")
            objective = losses.GENERATOR_LOSS_KINDS[generator_loss]
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive integer (discriminator updates per generator update), got {d_steps!r}.")
        objective = losses.get_objective(objective, **({"label_smoothing": float(label_smoothing)} if label_smoothing else {}))
        check_discriminator_for(objective, self.discriminator)
        super().compile(jit_compile=jit_compile, **kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.label_smoothing = float(label_smoothing)
        self.objective, self.d_steps = objective, d_steps
        if tuple(t.name for t in self.trackers) != ("d_loss", "g_loss", *objective.log_names):
            self.trackers = self._trackers(objective)
        # Create the optimizers' state now, inside the caller's tf.distribute scope, and not lazily
        # in the first traced training step, where a distribution strategy cannot create variables.
        for opt, net in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not opt.built:
                opt.build(net.trainable_weights)

    @staticmethod
    def _trackers(objective: losses.Objective) -> list[keras.metrics.Mean]:
        return [keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", *objective.log_names)]

    def fit(self, *args, shuffle: bool = False, **kwargs) -> keras.callbacks.History:
        """Keras' ``fit``, with ``shuffle=False`` by default: datasets from :func:`make_dataset` are
        already shuffled, per epoch (Keras cannot shuffle a ``tf.data`` dataset and would warn)."""
        return super().fit(*args, shuffle=shuffle, **kwargs)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # Listed here so that fit() resets them at the start of each epoch.
        return list(self.trackers)

    @property
    def sampler(self) -> keras.Model:
        """The generator used for sampling: the moving average if ``ema_decay`` is set."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def _g_inputs(self, z, labels):
        return [z, labels] if self.conditional else z

    def _d_inputs(self, x, labels):
        return [x, labels] if self.conditional else x

    def train_step(self, data):
        real, labels = self._unpack(data)

        # 1) Discriminator (critic): d_steps updates; real batch -> "real", fresh fakes -> "fake".
        for _ in range(self.d_steps):
            d_logs = self.discriminator_step(real, labels)

        # 2) Generator: make the discriminator call its samples real.
        g_loss = self.generator_step(ops.shape(real)[0], labels)
        return self._record({"g_loss": g_loss, **d_logs})

    def discriminator_step(self, real, labels=None) -> dict:
        """One update of the discriminator on ``real`` against freshly generated fakes; returns its logs."""
        z = self._noise(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            real_out = self.discriminator(self._d_inputs(real, labels), training=True)
            fake_out = self.discriminator(self._d_inputs(fake, labels), training=True)
            d_loss = self.objective.discriminator_loss(real_out, fake_out)
            total = d_loss
            if self.objective.penalty:  # e.g. WGAN-GP: keep the critic's gradient norm near 1
                penalty = self.objective.penalty_value(self.discriminator, real, fake, labels, self.seed_generator)
                total = d_loss + self.objective.penalty_weight * penalty
        self._step(self.d_optimizer, tape, total, self.discriminator)
        logs = {"d_loss": d_loss, **self.objective.logs(real_out, fake_out)}
        if self.objective.penalty:
            logs["penalty"] = penalty
        return logs

    def generator_step(self, batch, labels=None):
        """One update of the generator on ``batch`` fresh fakes (and the moving average); returns its loss."""
        z = self._noise(batch)
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            g_loss = self.objective.generator_loss(self.discriminator(self._d_inputs(fake, labels), training=True))
        self._step(self.g_optimizer, tape, g_loss, self.generator)
        if self.ema_generator is not None:
            self._update_ema()
        return g_loss

    # The plumbing train_step leaves out: batches, replicas under tf.distribute, metric trackers.
    def _unpack(self, data):
        """``(real images, labels or None)`` from a batch of the dataset."""
        if self.conditional:
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise ValueError("a conditional GAN trains on (images, labels) batches.")
            real, labels = data
            return real, ops.cast(labels, "int32")
        return (data[0] if isinstance(data, (tuple, list)) else data), None

    @staticmethod
    def _replicas() -> int:
        return tf.distribute.get_strategy().num_replicas_in_sync

    def _step(self, optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss, network: keras.Model) -> None:
        """One optimizer update of ``network`` on ``loss``.

        Under tf.distribute each replica sees part of the global batch and the optimizer sums the
        replicas' gradients, so each replica's gradient is divided by their number (the gradient
        of its loss divided by that number).
        """
        grads = tape.gradient(loss, network.trainable_weights)
        replicas = self._replicas()
        if replicas > 1:
            grads = [None if g is None else g / replicas for g in grads]
        optimizer.apply(grads, network.trainable_weights)

    def _record(self, values: dict) -> dict:
        """Update the epoch averages with this step's values and return them as the step's logs."""
        for tracker in self.trackers:
            tracker.update_state(values[tracker.name])
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras 3 averages each log over the workers with strategy.reduce(MEAN, axis=0), which
            # fails on scalars (tensorflow/tensorflow#72388): hand it one-element vectors instead.
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def _noise(self, batch):
        """Latent vectors for this replica's share of the global batch.

        Every replica holds the same seed state, so each draws the noise of the whole global batch
        and keeps its own slice: replicas get different z (not copies of one draw), and together
        exactly the z that a single device would draw for the same global batch.
        """
        replicas = self._replicas()
        if replicas == 1:
            return keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        z = keras.random.normal((batch * replicas, self.latent_dim), seed=self.seed_generator)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return ops.slice(z, [replica * batch, 0], [batch, self.latent_dim])

    def ema_decay_at(self, step: int) -> "tf.Tensor":
        """The moving average's decay after ``step`` generator updates: ``min(ema_decay, (1+step)/(10+step))``.

        The warm-up (the schedule of ``tf.train.ExponentialMovingAverage`` with ``num_updates``)
        lets the average follow the generator closely early on, when its weights move fast, and
        reach the full decay after ~10,000 steps at 0.999. Without it a 0.999 average lags about
        1,000 steps behind and still draws its initial noise after a minute of CPU training.

        Example:
            >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
            >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)), ema_decay=0.999)
            >>> round(float(gan.ema_decay_at(90)), 3), round(float(gan.ema_decay_at(100_000)), 3)
            (0.91, 0.999)
        """
        step = ops.cast(step, "float32")
        return ops.minimum(ops.cast(self.ema_decay, "float32"), (1.0 + step) / (10.0 + step))

    def _update_ema(self) -> None:
        decay = self.ema_decay_at(self.g_optimizer.iterations)
        for ema_w, w in zip(self.ema_generator.weights, self.generator.weights):
            if w.trainable:
                ema_w.assign(decay * ema_w + (1.0 - decay) * w)
            else:  # batch-norm statistics: follow the live generator
                ema_w.assign(w)

    def sample(self, z: np.ndarray | None = None, labels: np.ndarray | None = None) -> np.ndarray:
        """Generate samples as a NumPy array, from the fixed latent batch unless ``z`` is given.

        Example:
            >>> gan.sample().shape  # doctest: +SKIP
            (64, 28, 28, 1)
        """
        z = self.fixed_z.numpy() if z is None else np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        if self.conditional:
            labels = self.fixed_labels[: len(z)] if labels is None else np.asarray(labels)
            labels = check_labels(labels, len(z), self.num_classes)
        return np.asarray(self.sampler(self._g_inputs(z, labels), training=False))

    def state_variables(self) -> dict[str, list]:
        """Every variable a checkpoint must hold, by group, in a fixed order."""
        for opt, net in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not opt.built:
                opt.build(net.trainable_weights)
        groups = {
            "generator": list(self.generator.variables),
            "discriminator": list(self.discriminator.variables),
            "d_optimizer": list(self.d_optimizer.variables),
            "g_optimizer": list(self.g_optimizer.variables),
            "gan": [self.fixed_z, self.seed_generator.state],
        }
        if self.ema_generator is not None:
            groups["ema_generator"] = list(self.ema_generator.variables)
        return groups


def _multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """True under a MultiWorkerMirroredStrategy that spans several machines (processes)."""
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and in_multi_worker_mode()


def check_discriminator_for(objective: losses.Objective, discriminator: keras.Model) -> None:
    """Refuse a discriminator that the objective cannot train correctly: batch norm in a critic
    whose penalty is taken per sample (WGAN-GP, R1), or an unconstrained critic for the plain
    Wasserstein loss (which needs clipped or spectrally normalized weights)."""
    if not objective.batch_norm_allowed:
        norms = [layer.name for layer in _all_layers(discriminator) if isinstance(layer, keras.layers.BatchNormalization)]
        if norms:
            raise ValueError(
                f"objective {objective.name!r} penalises the gradient of each sample's score, but "
                f"{discriminator.name} has batch normalization ({', '.join(norms)}), which mixes the samples "
                "of a batch: build the critic with normalization='layer' (or None), e.g. "
                "build_dcgan_discriminator(normalization='layer')."
            )
    if objective.needs_constrained_weights:
        free = [layer.name for layer in _all_layers(discriminator) if _unconstrained(layer)]
        if free:
            raise ValueError(
                f"objective {objective.name!r} has no penalty, so its critic must be kept Lipschitz by its weights, "
                f"but {discriminator.name} has unconstrained layers ({', '.join(free)}): clip them "
                "(build_mlp_discriminator(weight_clip=0.01)), build it with spectral_norm=True, or use 'wasserstein-gp'."
            )


def _unconstrained(layer: keras.layers.Layer) -> bool:
    """A dense or convolution layer whose kernel has no constraint. (A spectrally normalized layer
    sits inside its ``SpectralNormalization`` wrapper, which is what the model lists.)"""
    kinds = (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    return isinstance(layer, kinds) and layer.kernel_constraint is None


def _all_layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def check_labels(labels: np.ndarray, n: int, num_classes: int) -> np.ndarray:
    """Validate integer class labels for a conditional generator and return them as int32.

    Example:
        >>> check_labels([0, 9], 2, 10).tolist()
        [0, 9]
    """
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one integer per latent vector; got {labels.shape}.")
    if labels.size and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be integers from 0 to {num_classes - 1}, got {labels.tolist()[:10]}...")
    return labels.astype("int32")
