"""The GAN as a ``keras.Model``: a generator and a discriminator trained against each other by ``fit``.

One training loop serves every GAN in the series: the MLP GAN, the DCGAN and the conditional DCGAN
(a conditional generator is called as ``generator([z, labels])`` and its discriminator as
``discriminator([images, labels])``; the GAN notices this from the generator's inputs), with any
loss family of :mod:`gan_utils.losses`. Checkpoints are in :mod:`gan_utils.checkpoints`, callbacks
in :mod:`gan_utils.callbacks`, and :func:`gan_utils.fit_gan` (:mod:`gan_utils.fit`) drives it all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_utils import losses, models
from gan_utils.augment import augment_setting, diff_augment
from gan_utils.models import num_classes


class GAN(keras.Model):
    """A generator and a discriminator trained against each other with ``fit``.

    Each ``train_step`` does ``d_steps`` discriminator steps, each on a real batch of its own (a
    batch fed to ``fit`` holds ``d_steps`` of them, see :meth:`_split`) and an equally large freshly
    generated one, then one generator step, with the losses of the objective chosen in
    :meth:`compile` (default: the non-saturating cross-entropy). Logged, averaged over the epoch:
    ``d_loss``, ``g_loss`` and what the objective defines (cross-entropy: ``d_real`` and ``d_fake``,
    the mean D(x) and D(G(z)); Wasserstein: ``w_estimate``, ``score_real``, ``score_fake`` and
    ``penalty``; see :meth:`gan_utils.losses.Objective.logs`). Each player's update is a method of
    its own, :meth:`discriminator_step` and :meth:`generator_step`, so one player can also be
    trained alone (the toy playground of notebook 01 does). With ``compile(augment=True)`` the
    discriminator sees every image through :meth:`augment` (DiffAugment, :mod:`gan_utils.augment`).

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
        self._given_noise = None  # set only while train_step_with_noise runs
        self.objective = losses.get_objective("non-saturating")
        self.d_steps = 1
        self.augment_policy = None
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
        augment: bool | str | None = None,
        jit_compile: bool | str = "auto",
        **kwargs,
    ) -> None:
        """Set one optimizer per network (default Adam(2e-4, beta_1=0.5), as in the DCGAN paper) and the objective.

        ``objective`` is a loss family of :mod:`gan_utils.losses` by name (``"non-saturating"``,
        ``"minimax"``, ``"wasserstein-gp"``, ``"hinge"``) or an :class:`~gan_utils.losses.Objective`.
        ``d_steps`` discriminator (critic) updates precede each generator update, each on a real
        batch of its own against freshly generated fakes (WGAN-GP trains with 5): each batch fed to
        ``fit`` then holds ``d_steps`` real batches, which :func:`gan_utils.fit_gan` arranges. ``label_smoothing``
        applies to the cross-entropy families. ``generator_loss="saturating"`` is the older name of
        ``objective="minimax"``. ``augment`` turns on DiffAugment (Zhao et al. 2020), for training
        on few images: ``True`` for the paper's ``"color,translation,cutout"``, or a policy of
        :mod:`gan_utils.augment` such as ``"translation"``; None (default) trains on the images as they
        are. With it on, the discriminator sees only augmented images: real and generated ones in its
        own step, generated ones in the generator's, and its gradient penalty or R1 is taken at those
        same augmented images, its actual inputs. ``jit_compile=True`` compiles each step with XLA; ``"auto"`` lets Keras choose (it picks
        XLA on GPUs and TPUs, not on CPUs).
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
        augment_policy = augment_setting(augment)
        if augment_policy is not None and len(self.sample_shape) != 3:
            raise ValueError(
                f"augment={augment!r}: DiffAugment transforms images (height, width, channels), but this GAN makes "
                f"samples of shape {self.sample_shape}. Leave augment out for such data."
            )
        super().compile(jit_compile=jit_compile, **kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.label_smoothing = float(label_smoothing)
        self.objective, self.d_steps, self.augment_policy = objective, d_steps, augment_policy
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

    def augment(self, images):
        """The images as the discriminator sees them: through DiffAugment if compiled with ``augment``, else as they are.

        Each call draws new transforms from the GAN's seed generator (the one that draws the noise),
        so a checkpoint's seed state covers them and a resumed run augments as an uninterrupted one.
        (Under a ``tf.distribute`` strategy every replica holds the same seed state, so the replicas
        draw the same transforms for their i-th images, as they draw the gradient penalty's weights.)

        Example:
            >>> from gan_utils.models import build_dcgan_generator, build_dcgan_discriminator
            >>> gan = GAN(build_dcgan_generator(8, width=4), build_dcgan_discriminator(width=4))
            >>> gan.compile(augment="translation")
            >>> tuple(gan.augment(np.zeros((2, 28, 28, 1), "float32")).shape)
            (2, 28, 28, 1)
        """
        if self.augment_policy is None:
            return images
        return diff_augment(images, self.augment_policy, seed=self.seed_generator)

    def train_step(self, data):
        real, labels = self._unpack(data)
        reals, label_batches = self._split(real), self._split(labels)  # one real batch per D step

        # 1) Discriminator (critic): d_steps updates, each on its own real batch against fresh fakes.
        for real, labels in zip(reals, label_batches):
            d_logs = self.discriminator_step(real, labels)

        # 2) Generator: make the discriminator call its samples real (the last real batch serves
        #    a relativistic objective, whose generator loss compares D(fake) with D(real)).
        g_loss = self.generator_step(ops.shape(real)[0], labels, real)
        return self._record({"g_loss": g_loss, **d_logs})

    def discriminator_step(self, real, labels=None) -> dict:
        """One update of the discriminator on ``real`` against freshly generated fakes; returns its logs."""
        z = self._noise(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            real, fake = self.augment(real), self.augment(fake)  # DiffAugment, if on: D sees only augmented images
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

    def generator_step(self, batch, labels=None, real=None):
        """One update of the generator on ``batch`` fresh fakes (and the moving average); returns its loss.

        ``real`` (a real batch of the same size) is needed only by a relativistic objective, whose
        generator loss pairs each D(fake) with a D(real); the other objectives ignore it.
        """
        if self.objective.relativistic and real is None:
            raise ValueError(
                f"objective {self.objective.name!r} compares D(fake) with D(real) in the generator's loss too: "
                "call generator_step(batch, labels, real) with a real batch."
            )
        z = self._noise(batch)
        with tf.GradientTape() as tape:
            fake = self.augment(self.generator(self._g_inputs(z, labels), training=True))
            fake_out = self.discriminator(self._d_inputs(fake, labels), training=True)
            if self.objective.relativistic:
                real_out = self.discriminator(self._d_inputs(self.augment(real), labels), training=True)
                g_loss = self.objective.generator_loss(fake_out, real_out)
            else:
                g_loss = self.objective.generator_loss(fake_out)
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

    def _split(self, batch):
        """``batch`` cut into ``d_steps`` equal consecutive batches, one per discriminator step.

        With ``d_steps = n`` each batch ``fit`` feeds holds ``n`` discriminator batches (``fit_gan``
        makes its dataset's batches ``n`` times the batch size), so that every critic step sees
        real images of its own, as in Gulrajani et al.'s Algorithm 1. With ``d_steps = 1`` the batch
        is used as it is.
        """
        if self.d_steps == 1 or batch is None:
            return [batch] * self.d_steps
        total = batch.shape[0]
        if total is not None and total % self.d_steps:
            raise ValueError(
                f"with d_steps={self.d_steps} each batch holds {self.d_steps} discriminator batches, so its size "
                f"must be a multiple of {self.d_steps}; got {total}. fit_gan makes such batches itself; with your "
                f"own dataset, batch it by d_steps * batch_size (e.g. make_dataset(x, batch_size={self.d_steps} * 64))."
            )
        size = ops.shape(batch)[0] // self.d_steps
        return [batch[i * size:(i + 1) * size] for i in range(self.d_steps)]

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
        if self._given_noise is not None:  # train_step_with_noise: the caller's z, in order
            return next(self._given_noise)
        replicas = self._replicas()
        if replicas == 1:
            return keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        z = keras.random.normal((batch * replicas, self.latent_dim), seed=self.seed_generator)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return ops.slice(z, [replica * batch, 0], [batch, self.latent_dim])

    def train_step_with_noise(
        self, real: np.ndarray, noise: Sequence[np.ndarray], labels: np.ndarray | None = None
    ) -> dict[str, float]:
        """Run one training step, the one ``fit`` runs on each batch, on ``real`` with the given noise.

        ``fit`` draws the latent batches itself; here the caller gives them, so that another
        implementation of the step can be fed exactly the same z (:func:`check_train_step` does
        that). ``noise`` holds ``d_steps + 1`` arrays of shape ``(batch, latent_dim)``, in the order
        :meth:`train_step` uses them: one per discriminator update, then the generator's. With
        ``d_steps = n`` ``real`` holds ``n`` batches back to back, one per discriminator update
        (``batch = len(real) // n``), as each batch of ``fit`` does. The step
        runs eagerly on one device and updates the networks, the optimizers and the moving average
        exactly as in ``fit``. Returns this step's losses and logs as floats (not epoch averages;
        the epoch averages restart from this step).

        Example:
            >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
            >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)))
            >>> gan.compile()
            >>> z = np.zeros((4, 8), "float32")
            >>> sorted(gan.train_step_with_noise(np.ones((4, 2), "float32"), [z, z]))
            ['d_fake', 'd_loss', 'd_real', 'g_loss']
        """
        if getattr(self, "d_optimizer", None) is None:
            raise ValueError("compile the GAN first: gan.compile() (optionally with optimizers).")
        if self._replicas() > 1:
            raise ValueError("train_step_with_noise runs on one device: call it outside a tf.distribute strategy's scope.")
        real = np.asarray(real, dtype="float32")
        if real.shape[1:] != self.sample_shape:
            raise ValueError(f"real has shape {real.shape}; this GAN trains on batches of shape (batch, *{self.sample_shape}).")
        if len(real) % self.d_steps:
            raise ValueError(
                f"with d_steps={self.d_steps}, real holds {self.d_steps} discriminator batches back to back, so its "
                f"length must be a multiple of {self.d_steps}; got {len(real)}."
            )
        batch = len(real) // self.d_steps
        noise = [np.asarray(z, dtype="float32") for z in noise]
        if len(noise) != self.d_steps + 1 or any(z.shape != (batch, self.latent_dim) for z in noise):
            raise ValueError(
                f"noise must be {self.d_steps + 1} arrays of shape ({batch}, {self.latent_dim}): one per "
                f"discriminator update (d_steps={self.d_steps}), then one for the generator; got shapes "
                f"{[z.shape for z in noise]}."
            )
        if self.conditional:
            if labels is None:
                raise ValueError("a conditional GAN needs labels: train_step_with_noise(real, noise, labels).")
            data = (ops.convert_to_tensor(real), ops.convert_to_tensor(check_labels(labels, len(real), self.num_classes)))
        else:
            data = ops.convert_to_tensor(real)
        for tracker in self.trackers:
            tracker.reset_state()
        self._given_noise = iter([ops.convert_to_tensor(z) for z in noise])
        try:
            logs = self.train_step(data)
        finally:
            self._given_noise = None
        return {name: float(np.asarray(value).reshape(-1)[0]) for name, value in logs.items()}

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


@dataclass(frozen=True)
class StepCheck:
    """How a hand-written training step compares with :meth:`GAN.train_step` (:func:`check_train_step`).

    Attributes:
        d_loss, g_loss: ``(library, yours)``: both steps' losses on the same batch and noise.
        largest_difference: the largest ``|library - yours|`` over every weight of both networks
            after the step (batch-norm statistics included).
        where: the weight where that difference is.
        largest_update: the largest change the library's step made to a trainable weight: the scale
            to read ``largest_difference`` against.
        matches: True when both losses and every weight agree to the tolerances.
        advice: what to look at when they do not ("" when they do).
    """

    d_loss: tuple[float, float]
    g_loss: tuple[float, float]
    largest_difference: float
    where: str
    largest_update: float
    matches: bool
    advice: str

    def __str__(self) -> str:
        if self.largest_difference == 0:
            weights = "weights after the step: identical"
        else:
            weights = f"weights after the step: largest difference {self.largest_difference:.1e} ({self.where})"
        if self.matches:
            verdict = "your step matches the library's (same losses, same weights after the update, up to rounding)"
        else:
            verdict = f"your step does NOT match the library's. {self.advice}"
        return "\n".join([
            f"discriminator loss: library {self.d_loss[0]:.6f} | yours {self.d_loss[1]:.6f}",
            f"generator loss:     library {self.g_loss[0]:.6f} | yours {self.g_loss[1]:.6f}",
            f"{weights}; the library's step moved a trainable weight by up to {self.largest_update:.1e}",
            f"verdict: {verdict}",
        ])


def check_train_step(
    gan: GAN,
    step: Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tuple],
    real: np.ndarray,
    *,
    seed: int = 0,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> StepCheck:
    """Compare a hand-written training step with the library's, from the same state on the same data.

    ``step(real, z_d, z_g)`` must update ``gan.discriminator`` with ``gan.d_optimizer`` on the real
    batch and fakes made from ``z_d``, then ``gan.generator`` with ``gan.g_optimizer`` on fakes made
    from ``z_g``, and return ``(d_loss, g_loss)`` (notebook 02 has the learner write it). Both
    steps start from the GAN's current weights, optimizer state and random state (so dropout draws
    the same masks when the networks are called in the same order), take the same real batch and
    the same ``z_d`` and ``z_g`` (standard normal, from ``seed``), and their losses and the weights
    after each step are compared to ``rtol`` and ``atol``. The default ``atol`` is 1% of one Adam
    step at learning rate 1e-3: Adam's first step moves a weight by about the learning rate whatever
    its gradient's size, so a weight whose gradient is zero up to rounding (the bias before a batch
    norm) can differ by more than rounding between two correct steps. Afterwards the GAN is put
    back exactly as it was, so checking does not change what training does next. For a GAN with one
    discriminator update per step, without labels, a gradient penalty or augmentation.

    Example:
        >>> from gan_utils.models import build_mlp_generator, build_mlp_discriminator
        >>> gan = GAN(build_mlp_generator(8, (2,), (16,), None), build_mlp_discriminator((2,), (16,)))
        >>> gan.compile()
        >>> def lazy_step(real, z_d, z_g):  # forgets to train anything
        ...     return 0.0, 0.0
        >>> check_train_step(gan, lazy_step, np.ones((4, 2), "float32")).matches
        False
    """
    if not isinstance(gan, GAN):
        raise TypeError(f"check_train_step compares a step with a gan_utils.GAN, got {type(gan).__name__}.")
    if getattr(gan, "d_optimizer", None) is None:
        raise ValueError("compile the GAN first: gan.compile() (optionally with optimizers).")
    if gan.conditional or gan.d_steps != 1 or gan.objective.penalty or gan.augment_policy:
        raise ValueError(
            "check_train_step compares the step of an unconditional GAN with one discriminator update, "
            f"no penalty and no augmentation (this one: conditional={gan.conditional}, d_steps={gan.d_steps}, "
            f"penalty={gan.objective.penalty!r}, augment={gan.augment_policy!r})."
        )
    if not callable(step):
        raise TypeError(f"step must be a function step(real, z_d, z_g) -> (d_loss, g_loss), got {step!r}.")
    real = np.asarray(real, dtype="float32")
    rng = np.random.default_rng(seed)
    z_d, z_g = (rng.standard_normal((len(real), gan.latent_dim)).astype("float32") for _ in range(2))
    state = [v for group in gan.state_variables().values() for v in group]
    state += [v for tracker in gan.trackers for v in tracker.variables]
    saved = [np.array(v.numpy()) for v in state]
    weights = list(gan.generator.weights) + list(gan.discriminator.weights)
    names = [f"generator's {w.path}" for w in gan.generator.weights] + [f"discriminator's {w.path}" for w in gan.discriminator.weights]
    before = [np.array(w.numpy()) for w in weights]

    def restore() -> None:
        for variable, value in zip(state, saved):
            variable.assign(value)

    try:
        logs = gan.train_step_with_noise(real, [z_d, z_g])
        library = [np.array(w.numpy()) for w in weights]
        restore()
        result = step(ops.convert_to_tensor(real), ops.convert_to_tensor(z_d), ops.convert_to_tensor(z_g))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError(f"the step must return (d_loss, g_loss), got {result!r}.")
        yours = [np.array(w.numpy()) for w in weights]
    finally:
        restore()

    d_loss = (logs["d_loss"], float(np.asarray(result[0])))
    g_loss = (logs["g_loss"], float(np.asarray(result[1])))
    differences = [float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(library, yours)]
    worst = int(np.argmax(differences))
    trainable = {id(w) for w in gan.generator.trainable_weights + gan.discriminator.trainable_weights}
    update = max(float(np.max(np.abs(a - b), initial=0.0)) for w, a, b in zip(weights, library, before) if id(w) in trainable)
    weights_match = all(np.allclose(b, a, rtol=rtol, atol=atol) for a, b in zip(library, yours))
    d_match = bool(np.isclose(d_loss[1], d_loss[0], rtol=rtol, atol=atol))
    g_match = bool(np.isclose(g_loss[1], g_loss[0], rtol=rtol, atol=atol))
    if not d_match:
        advice = (
            "The discriminator's loss differs. Make fakes with generator(z_d, training=True), call "
            "discriminator(real, training=True), then discriminator(fake, training=True), two separate "
            "calls in that order (dropout draws a new mask at each call), and compute "
            "gan_utils.discriminator_loss(real_logits, fake_logits)."
        )
    elif not g_match:
        advice = (
            "The discriminator's loss agrees but the generator's does not. Make fresh fakes with "
            "generator(z_g, training=True) after the discriminator's update, score them with "
            "discriminator(fake, training=True), and use the non-saturating loss "
            "gan_utils.generator_loss(fake_logits), -log D(G(z)), not log(1 - D(G(z)))."
        )
    elif not weights_match:
        advice = (
            f"Both losses agree but the weights after the step do not (largest difference: the {names[worst]}). "
            "Take the gradient of d_loss with respect to discriminator.trainable_weights and apply it with "
            "d_optimizer, then that of g_loss with respect to generator.trainable_weights with g_optimizer: "
            "each network updated once, by its own optimizer, the discriminator first."
        )
    else:
        advice = ""
    return StepCheck(
        d_loss=d_loss,
        g_loss=g_loss,
        largest_difference=differences[worst],
        where=names[worst],
        largest_update=update,
        matches=d_match and g_match and weights_match,
        advice=advice,
    )


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
